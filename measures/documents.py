"""The content of the concept status report for the committee (PDF).

``concept_report_context`` gathers, for one version of the concept: the summary
figures (goals, measures per status with their share, stale and overdue
measures), per field of action the goals with their measures and each measure's
newest progress note, the funding overview per year, the positions and the
monitoring indicators with their charts as inline SVG. The catalogue, stale and
overdue rules, funding sums, positions and monitoring come from the selectors;
this module only arranges them. A fixed number of queries, however many measures.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext, gettext_lazy, ngettext

from actors.models import Organisation
from integration.core.models import FieldOfAction, User
from integration.documents.registry import DocumentKind, WholeDataKind, register, stamp
from integration.documents.rendering import pdf_render

from .charts import indicator_chart_svg, period_display, value_display
from .models import (
    ConceptVersion,
    FundingProgramme,
    Goal,
    Grant,
    GrantYear,
    Indicator,
    Measure,
    Observation,
    Position,
    StatusUpdate,
)
from .selectors.catalogue import Catalogue, catalogue_data
from .selectors.funding import funding_totals, funding_years
from .selectors.monitoring import monitoring_overview
from .selectors.positions import position_size_display

# The stale/overdue annotations are the one rule "Meine Maßnahmen" and the stale
# list use; the report must count exactly what those pages show.
from .selectors.updates import _annotated

# How much of the newest progress note a table row shows.
NOTE_CHARS = 200


@dataclass
class StatusShare:
    value: str
    label: str
    count: int
    percent: int


@dataclass
class ReportSummary:
    goals: int
    measures: int
    shares: list[StatusShare]
    stale: int
    overdue: int
    stale_months: int

    @property
    def shares_line(self) -> str:
        """ "88 Maßnahmen: 31 Umgesetzt (35 %), 40 In Umsetzung (45 %) …"."""
        head = ngettext("%(total)s measure", "%(total)s measures", self.measures) % {
            "total": self.measures
        }
        parts = ", ".join(
            gettext("%(count)s %(label)s (%(percent)s %%)")
            % {"count": share.count, "label": share.label, "percent": share.percent}
            for share in self.shares
        )
        return f"{head}: {parts}" if parts else head


def _latest_note() -> Subquery:
    """The note of the measure's newest status update on or before its last update.

    Updates stay with the version they were recorded in and a revision's copy of
    a measure shares its key, so the note is looked up by key within the concept;
    the date bound keeps an older version from showing notes recorded later.
    """
    updates = StatusUpdate.objects.filter(
        measure__key=OuterRef("key"),
        measure__goal__version__concept_id=OuterRef("goal__version__concept_id"),
        date__lte=OuterRef("last_update_on"),
    ).order_by("-date", "-created_at", "-pk")
    return Subquery(updates.values("note")[:1])


def report_catalogue(*, version: ConceptVersion, today) -> Catalogue:
    """``version``'s catalogue, each measure with ``is_stale``, ``is_overdue`` and
    ``latest_note`` (shortened). Two queries."""
    measures = _annotated(Measure.objects.all(), today=today).annotate(latest_note=_latest_note())
    catalogue = catalogue_data(version=version, measures=measures, filtered=False)
    for entry in catalogue.fields:
        for item in entry.goals:
            for measure in item.measures:
                measure.latest_note = Truncator(measure.latest_note or "").chars(NOTE_CHARS)
    return catalogue


def report_summary(*, catalogue: Catalogue) -> ReportSummary:
    """The summary figures of a ``report_catalogue``; no query."""
    measures = [
        measure for entry in catalogue.fields for item in entry.goals for measure in item.measures
    ]
    total = catalogue.total
    return ReportSummary(
        goals=sum(len(entry.goals) for entry in catalogue.fields),
        measures=total,
        shares=[
            StatusShare(value, label, count, round(100 * count / total))
            for value, label, count in catalogue.counts
        ],
        stale=sum(1 for measure in measures if measure.is_stale),
        overdue=sum(1 for measure in measures if measure.is_overdue),
        stale_months=settings.MEASURE_STALE_MONTHS,
    )


def report_filename(*, version: ConceptVersion) -> str:
    """ "konzept-statusbericht-fortschreibung-2026.pdf"."""
    slug = slugify(version.label) or str(version.pk)
    return gettext("concept-status-report-%(slug)s.pdf") % {"slug": slug}


def report_funding() -> dict:
    """The funding overview per year with its totals; one query."""
    years = funding_years()
    return {"funding_years": years, "funding_totals": funding_totals(years)}


def report_positions() -> list[Position]:
    """Every position with its size, employer and funding as shown; one query."""
    positions = list(
        Position.objects.select_related("department", "provider", "grant__programme").order_by(
            "title", "pk"
        )
    )
    for position in positions:
        position.size_display = position_size_display(position)
        position.employer = (
            position.provider if position.employment == Position.Employment.EXTERNAL else None
        ) or position.department
        if position.grant is not None:
            position.funding_display = f"{position.grant} ({position.grant.programme})"
        else:
            position.funding_display = position.funding_note
    return positions


def report_monitoring() -> list:
    """``monitoring_overview`` with each indicator's latest value, target and chart; two
    queries. The charts are built by ElementTree, which escapes every name and note."""
    overview = monitoring_overview()
    for entry in overview:
        for status in entry.indicators:
            indicator = status.indicator
            latest = status.latest
            # The dataclass is frozen: what the template shows goes on the indicator.
            indicator.latest_display = value_display(latest.value, indicator.unit) if latest else ""
            indicator.latest_period = period_display(latest) if latest else ""
            indicator.target_display = value_display(indicator.target_value, indicator.unit)
            indicator.chart = mark_safe(  # noqa: S308
                indicator_chart_svg(
                    indicator=indicator,
                    observations=status.observations,
                    id_prefix=f"indicator-{indicator.pk}",
                )
            )
    return overview


def concept_report_context(
    *, version: ConceptVersion, user: User | None = None, full: bool = True
) -> dict:
    """The status report of ``version`` as template context (see the module docstring).

    With ``user`` the funding, positions and monitoring are left out where the
    user may not read them (every role that reads measures may, today); without,
    as for a report compiled in the background, everything is in unless ``full``
    is False (the "measures" variant: the catalogue only).
    """
    today = timezone.localdate()
    catalogue = report_catalogue(version=version, today=today)

    def may(permission: str) -> bool:
        if user is None:
            return full
        return user.has_perm(f"measures.{permission}")

    show_funding = may("view_grant") and may("view_grantyear")
    show_positions = may("view_position")
    show_monitoring = may("view_indicator") and may("view_observation")
    return {
        "version": version,
        "concept": version.concept,
        "title": version.concept.title,
        "municipality": settings.MUNICIPALITY_NAME,
        "generated_at": timezone.localtime(),
        "report_date": formats.date_format(today, "SHORT_DATE_FORMAT"),
        "catalogue": catalogue,
        "summary": report_summary(catalogue=catalogue),
        "show_funding": show_funding,
        **(report_funding() if show_funding else {"funding_years": [], "funding_totals": None}),
        "show_positions": show_positions,
        "positions": report_positions() if show_positions else [],
        "show_monitoring": show_monitoring,
        "monitoring": report_monitoring() if show_monitoring else [],
    }


# ---------------------------------------------------------------------------
# The report as a stored document, compiled by the machinery (integration.documents)

# Everything the full report shows; the "measures" variant needs only the first.
FULL_REPORT_PERMISSIONS = (
    "measures.view_measure",
    "measures.view_grant",
    "measures.view_grantyear",
    "measures.view_position",
    "measures.view_indicator",
    "measures.view_observation",
)


def concept_report_variant(*, user) -> str:
    """The variant of the report ``user`` gets: "full", or "measures" (catalogue only)."""
    return "full" if user.has_perms(FULL_REPORT_PERMISSIONS) else "measures"


@register
class ConceptReport(DocumentKind):
    """The status report of a concept version (see the module docstring)."""

    key = "measures.concept_report"
    title = gettext_lazy("Status report")
    subject_model = ConceptVersion
    variants = ("full", "measures")
    # 2: the monitoring tables show the trend (fragments/monitoring_fields.html).
    version = "2"

    def subject_label(self, subject, variant):
        return gettext("Status report: %(version)s") % {"version": subject}

    def fingerprint_inputs(self, subject, variant):
        version = ConceptVersion.objects.select_related("concept").get(pk=subject.pk)
        parts = [
            # The report's date, and with it what counts as stale or overdue.
            timezone.localdate().isoformat(),
            settings.MUNICIPALITY_NAME,
            str(settings.MEASURE_STALE_MONTHS),
            version.updated_at.isoformat(),
            version.concept.updated_at.isoformat(),
            stamp(Goal.objects.filter(version=version)),
            stamp(Measure.objects.filter(goal__version=version)),
            stamp(StatusUpdate.objects.filter(measure__goal__version__concept=version.concept)),
            stamp(FieldOfAction.objects.all()),
            stamp(Organisation.objects.all()),
        ]
        if variant == "full":
            parts += [
                stamp(FundingProgramme.objects.all()),
                stamp(Grant.objects.all()),
                stamp(GrantYear.objects.all()),
                stamp(Position.objects.all()),
                stamp(Indicator.objects.all()),
                stamp(Observation.objects.all()),
            ]
        return "\n".join(parts)

    def render(self, subject, variant, progress):
        progress(10)
        context = concept_report_context(version=subject, full=variant == "full")
        progress(40)
        return pdf_render(template="measures/documents/concept_report.html", context=context)

    def filename(self, subject, variant):
        return report_filename(version=subject)

    def can_view(self, user, subject, variant):
        if variant == "full":
            return user.has_perms(FULL_REPORT_PERMISSIONS)
        return user.has_perm("measures.view_measure")


# ---------------------------------------------------------------------------
# The monitoring report: every indicator per field of action with its chart

MONITORING_PERMISSIONS = ("measures.view_indicator", "measures.view_observation")
# The one subject of the monitoring report: the whole monitoring, no row of its own.
MONITORING_SUBJECT = "all"


def monitoring_report_context() -> dict:
    """The monitoring report as template context: per field of action the indicators
    with latest value, trend, target and chart (``report_monitoring``); two queries."""
    today = timezone.localdate()
    return {
        "title": gettext("Monitoring report"),
        "municipality": settings.MUNICIPALITY_NAME,
        "generated_at": timezone.localtime(),
        "report_date": formats.date_format(today, "SHORT_DATE_FORMAT"),
        "monitoring": report_monitoring(),
    }


@register
class MonitoringReport(WholeDataKind):
    """The monitoring for the committee: indicators per field of action with their charts."""

    key = "measures.monitoring_report"
    title = gettext_lazy("Monitoring report")
    version = "1"

    def fingerprint_inputs(self, subject, variant):
        return "\n".join(
            [
                # The report's date is printed on it.
                timezone.localdate().isoformat(),
                settings.MUNICIPALITY_NAME,
                stamp(FieldOfAction.objects.all()),
                stamp(Indicator.objects.all()),
                stamp(Observation.objects.all()),
            ]
        )

    def render(self, subject, variant, progress):
        progress(10)
        context = monitoring_report_context()
        progress(40)
        return pdf_render(template="measures/documents/monitoring_report.html", context=context)

    def filename(self, subject, variant):
        return gettext("monitoring-report-%(date)s.pdf") % {
            "date": timezone.localdate().isoformat()
        }

    def can_view(self, user, subject, variant):
        # Like the monitoring page, which shows the observations of every indicator.
        return user.has_perms(MONITORING_PERMISSIONS)
