"""The network picture: which fields of action the circles cover, as an SVG matrix.

``network_picture_data`` counts, per field of action and circle, the active
organisations working in that field that sit in the circle, directly or
through a person working for them. ``network_picture_svg`` draws those plain
numbers; it needs no request or database, so PDF reports can embed it too.
"""

import math
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from integration.core.models import FieldOfAction, User
from integration.core.svg import MUTED, TEXT, svg_root, svg_string, svg_text, wrap

from .models import Circle, CircleMembership, Organisation
from .selectors import current_q, organisations_visible_to

# Empty cell, then five shades of the header blue; text turns white from shade 3.
SHADES = ("#f1f3f5", "#dbe7fd", "#9ec5fe", "#6ea8fe", "#3d8bfd", "#0a58ca")
WHITE_TEXT_FROM = 3
ALERT_FILL = "#f8d7da"
ALERT_TEXT = "#842029"


@dataclass(frozen=True)
class PictureRow:
    label: str
    counts: tuple[int, ...]  # one per column of ``NetworkPicture.columns``
    total: int  # active organisations in the field of action

    @property
    def without_actors(self) -> bool:
        return self.total == 0


@dataclass(frozen=True)
class NetworkPicture:
    columns: tuple[str, ...]  # circle names, then the column without circle
    rows: tuple[PictureRow, ...]

    @property
    def max_count(self) -> int:
        return max((count for row in self.rows for count in row.counts), default=0)

    @property
    def cells(self):
        """(row, [(column label, count), …]) pairs, for the HTML table."""
        return [(row, list(zip(self.columns, row.counts, strict=True))) for row in self.rows]


def network_picture_data(*, user: User) -> NetworkPicture:
    """Count active organisations per field of action and circle, in five queries.

    An organisation counts for a circle when it is a current member itself or a
    current member works for it (current affiliation). Organisations in no
    circle fill the column "without circle"; archived circles and fields of
    action are left out.
    """
    organisations = organisations_visible_to(user=user).filter(is_archived=False)
    fields = list(FieldOfAction.objects.filter(is_active=True).values_list("pk", "name"))
    circles = list(Circle.objects.filter(is_archived=False).values_list("pk", "name"))
    in_field = defaultdict(set)
    for organisation_id, field_id in Organisation.fields_of_action.through.objects.filter(
        organisation__in=organisations
    ).values_list("organisation_id", "fieldofaction_id"):
        in_field[field_id].add(organisation_id)
    members = CircleMembership.objects.filter(current_q(), circle__is_archived=False)
    circles_of = defaultdict(set)
    direct = members.filter(organisation__in=organisations).values_list(
        "organisation_id", "circle_id"
    )
    # One filter() call, so that the affiliation conditions apply to the same join.
    through_people = members.filter(
        current_q("person__affiliations__"),
        person__is_archived=False,
        person__anonymised_at__isnull=True,
        person__merged_into__isnull=True,
        person__affiliations__organisation__in=organisations,
    ).values_list("person__affiliations__organisation_id", "circle_id")
    for organisation_id, circle_id in [*direct, *through_people]:
        circles_of[organisation_id].add(circle_id)
    rows = []
    for field_id, name in fields:
        active = in_field.get(field_id, set())
        counts = [
            sum(1 for organisation_id in active if circle_id in circles_of[organisation_id])
            for circle_id, _name in circles
        ]
        counts.append(sum(1 for organisation_id in active if not circles_of[organisation_id]))
        rows.append(PictureRow(label=name, counts=tuple(counts), total=len(active)))
    return NetworkPicture(
        columns=(*(name for _pk, name in circles), _("without network circle")),
        rows=tuple(rows),
    )


def shade_level(count: int, max_count: int) -> int:
    """0 for no organisation, else 1–5 by the count's share of the largest count."""
    if count <= 0:
        return 0
    if max_count <= len(SHADES) - 1:
        return count
    return math.ceil(count * (len(SHADES) - 1) / max_count)


def legend_ranges(max_count: int) -> list[tuple[int, str]]:
    """(shade level, "lo–hi") for the legend, matching ``shade_level``."""
    steps = len(SHADES) - 1
    if max_count <= steps:
        return [(level, str(level)) for level in range(1, max_count + 1)]
    ranges = []
    for level in range(1, steps + 1):
        low = math.floor((level - 1) * max_count / steps) + 1
        high = math.floor(level * max_count / steps)
        ranges.append((level, str(low) if low == high else f"{low}–{high}"))
    return ranges


def _lines(text: str, width: int, max_lines: int) -> list[str]:
    # Long German compounds stay whole ("Koordinierungsstab"); hyphens may break.
    return wrap(text, width, max_lines, break_long_words=False)


def network_picture_svg(
    picture: NetworkPicture, *, title: str, description: str, id_prefix: str = "network-picture"
) -> str:
    """The matrix as a standalone SVG document string (escaped by ElementTree).

    Uses presentation attributes only (no style attributes), so it may be
    inlined under a strict Content Security Policy.
    """
    cell_width, cell_height, gap, margin = 132, 44, 10, 8
    longest = max((len(row.label) for row in picture.rows), default=10)
    label_width = min(300, max(190, int(longest * 7.4) + 24))
    total_width = 78
    header_lines = [_lines(name, 18, 4) for name in picture.columns]
    header_height = 16 * max((len(lines) for lines in header_lines), default=1) + 16
    grid_left = margin + label_width + total_width + gap
    width = grid_left + cell_width * len(picture.columns) + margin
    top = margin + header_height
    height = top + cell_height * len(picture.rows) + 70

    svg = svg_root(
        width,
        height,
        title=title,
        description=description,
        id_prefix=id_prefix,
        css_class="network-picture",
    )

    # Column headers: the total, then one per circle, wrapped onto short lines.
    total_lines = _lines(_("active actors"), 10, 2)
    svg_text(
        svg,
        margin + label_width + total_width / 2,
        top - 10 - 16 * (len(total_lines) - 1),
        total_lines,
        size=12,
        anchor="middle",
        fill=MUTED,
        weight="bold",
    )
    for index, lines in enumerate(header_lines):
        x = grid_left + index * cell_width + cell_width / 2
        y = top - 10 - 16 * (len(lines) - 1)
        svg_text(svg, x, y, lines, size=12, anchor="middle", fill=TEXT, weight="bold")

    max_count = picture.max_count
    for row_index, row in enumerate(picture.rows):
        y = top + row_index * cell_height
        if row.without_actors:
            ET.SubElement(
                svg,
                "rect",
                {
                    "x": str(margin),
                    "y": str(y + 1),
                    "width": str(width - 2 * margin),
                    "height": str(cell_height - 2),
                    "fill": ALERT_FILL,
                    "class": "network-picture-alert",
                },
            )
            svg_text(svg, margin + 8, y + 18, [row.label], fill=ALERT_TEXT, weight="bold")
            svg_text(svg, margin + 8, y + 35, [_("no active actors")], size=12, fill=ALERT_TEXT)
        else:
            svg_text(svg, margin + 8, y + cell_height / 2 + 5, _lines(row.label, 38, 1))
        svg_text(
            svg,
            margin + label_width + total_width / 2,
            y + cell_height / 2 + 5,
            [str(row.total)],
            anchor="middle",
            fill=ALERT_TEXT if row.without_actors else TEXT,
            weight="bold",
        )
        for column_index, count in enumerate(row.counts):
            level = shade_level(count, max_count)
            x = grid_left + column_index * cell_width
            group = ET.SubElement(svg, "g")
            ET.SubElement(group, "title").text = _(
                "%(field)s – %(circle)s: %(count)s active organisations"
            ) % {"field": row.label, "circle": picture.columns[column_index], "count": count}
            ET.SubElement(
                group,
                "rect",
                {
                    "x": str(x + 1),
                    "y": str(y + 1),
                    "width": str(cell_width - 2),
                    "height": str(cell_height - 2),
                    "rx": "3",
                    "fill": SHADES[level],
                },
            )
            svg_text(
                group,
                x + cell_width / 2,
                y + cell_height / 2 + 5,
                [str(count)],
                anchor="middle",
                fill="#ffffff" if level >= WHITE_TEXT_FROM else TEXT,
            )

    # Legend: what the shades mean.
    legend_y = top + cell_height * len(picture.rows) + 24
    svg_text(svg, margin + 8, legend_y + 13, [_("Organisations per cell:")], size=12, fill=MUTED)
    x = margin + 190
    for level, label in [(0, "0"), *legend_ranges(max_count)]:
        ET.SubElement(
            svg,
            "rect",
            {
                "x": str(x),
                "y": str(legend_y),
                "width": "18",
                "height": "18",
                "rx": "3",
                "fill": SHADES[level],
                "stroke": "#adb5bd",
            },
        )
        svg_text(svg, x + 24, legend_y + 13, [label], size=12, fill=MUTED)
        x += 34 + 8 * len(label)
    return svg_string(svg)
