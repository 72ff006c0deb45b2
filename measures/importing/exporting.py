"""A version's catalogue as a dataset in the import's own columns, to be imported again.

Each goal gets a row of its own (its description in “Beschreibung”), followed by
its measures. Cells hold plain values; ``core.tabular.dataset_response`` makes
them safe to open in a spreadsheet.
"""

from datetime import date
from decimal import Decimal

import tablib

from ..models import ConceptVersion, Goal, Measure
from .columns import COLUMNS, PRIORITY_WORDS, STATUS_WORDS


def _date(value: date | None, *, for_xlsx: bool):
    if value is None:
        return ""
    return value if for_xlsx else value.strftime("%d.%m.%Y")


def _cost(value: Decimal | None, *, for_xlsx: bool):
    if value is None:
        return ""
    # A German spreadsheet reads "12500,00" from a CSV as a number; XLSX cells are typed.
    return value if for_xlsx else f"{value:.2f}".replace(".", ",")


def catalogue_dataset(version: ConceptVersion, *, for_xlsx: bool = False) -> tablib.Dataset:
    """The catalogue of ``version`` in three queries, whatever its size."""
    goals = list(Goal.objects.filter(version=version).select_related("field_of_action"))
    measures: dict[int, list[Measure]] = {}
    queryset = (
        Measure.objects.filter(goal__version=version)
        .select_related("goal", "lead")
        .prefetch_related("partners")
        .order_by("goal__number", "number")
    )
    for measure in queryset:
        measures.setdefault(measure.goal_id, []).append(measure)
    dataset = tablib.Dataset(headers=[column.header for column in COLUMNS], title="Katalog")
    for goal in goals:
        field = goal.field_of_action.name if goal.field_of_action else ""
        goal_cells = {
            "goal_number": goal.number,
            "goal_title": goal.title,
            "field_of_action": field,
            "description": goal.description,
        }
        dataset.append([goal_cells.get(column.key, "") for column in COLUMNS])
        for measure in measures.get(goal.pk, []):
            partners = sorted(organisation.name for organisation in measure.partners.all())
            cells = goal_cells | {
                # As text: a spreadsheet would turn "3.10" into the number 3.1.
                "measure_number": measure.code,
                "title": measure.title,
                "description": measure.description,
                "target_group": measure.target_group,
                "lead": measure.lead.name if measure.lead else "",
                "partners": "; ".join(partners),
                "status": STATUS_WORDS[measure.status][0],
                "priority": PRIORITY_WORDS[measure.priority][0],
                "start_on": _date(measure.start_on, for_xlsx=for_xlsx),
                "end_on": _date(measure.end_on, for_xlsx=for_xlsx),
                "estimated_cost": _cost(measure.estimated_cost, for_xlsx=for_xlsx),
                "funding_note": measure.funding_note,
            }
            dataset.append([cells.get(column.key, "") for column in COLUMNS])
    return dataset
