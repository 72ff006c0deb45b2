"""Charts of survey results as server-side SVG: the results page and the PDF embed the same.

Pure functions from plain data (no request, no database). Built with
ElementTree, which escapes every text it writes, so answers and option labels
cannot inject markup. Presentation attributes only (no ``style``), no script,
no external font: safe to inline under the Content Security Policy and in
WeasyPrint. Each chart is an ``role="img"`` with a ``<title>`` and a ``<desc>``
that carries the figures; the pages show them as a table as well.
"""

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from integration.core.svg import (
    AXIS,
    BAR,
    BAR_LIGHT,
    LINE_HEIGHT,
    MUTED,
    TEXT,
    svg_root,
    wrap,
)
from integration.core.svg import svg_line as _line
from integration.core.svg import svg_text as _text

from .selectors.results import QuestionResult, percent_display

WIDTH = 640
# Roughly the width of an average character at 13 px in the sans-serif fonts we meet.
CHAR_WIDTH = 7


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    value_label: str  # written at the end of the bar, e.g. "5 (41,7 %)"


def _svg(width: int, height: int, *, title: str, description: str, id_prefix: str, css: str):
    return svg_root(
        width,
        height,
        title=title,
        description=description,
        id_prefix=id_prefix,
        css_class=f"results-chart img-fluid {css}",
    )


def bar_chart_svg(
    bars: Sequence[Bar], *, title: str, description: str, id_prefix: str = "bar-chart"
) -> str:
    """Horizontal bars, one per option: the label wrapped on the left, the value at the end."""
    label_chars, value_width, gap, margin = 30, 110, 10, 4
    label_width = label_chars * CHAR_WIDTH
    bar_left = margin + label_width + gap
    bar_room = WIDTH - bar_left - value_width - margin
    labels = [wrap(bar.label, label_chars) for bar in bars]
    heights = [max(30, LINE_HEIGHT * len(lines) + 14) for lines in labels]
    height = sum(heights) + 2 * margin
    svg = _svg(
        WIDTH, height, title=title, description=description, id_prefix=id_prefix, css="bar-chart"
    )
    largest = max((bar.value for bar in bars), default=0) or 1
    y = margin
    for bar, lines, row_height in zip(bars, labels, heights, strict=True):
        middle = y + row_height / 2
        first_baseline = middle + 5 - LINE_HEIGHT * (len(lines) - 1) / 2
        _text(svg, margin, first_baseline, lines)
        length = bar_room * bar.value / largest
        ET.SubElement(
            svg,
            "rect",
            {
                "x": str(bar_left),
                "y": f"{middle - 9:g}",
                "width": f"{max(length, 1 if bar.value else 0):.1f}",
                "height": "18",
                "rx": "2",
                "fill": BAR,
            },
        )
        _text(svg, bar_left + length + 6, middle + 5, bar.value_label, fill=TEXT, weight="bold")
        y += row_height
    _line(svg, bar_left, margin, bar_left, height - margin, stroke=AXIS)
    return ET.tostring(svg, encoding="unicode")


def scale_chart_svg(
    counts: Sequence[int],
    *,
    low_label: str,
    high_label: str,
    mean: str,
    title: str,
    description: str,
    id_prefix: str = "scale-chart",
) -> str:
    """Columns for the answers 1 to 5, with the count above each and the labels of 1 and 5."""
    height, margin, top, column = 250, 8, 28, 56
    baseline = height - 78
    step = (WIDTH - 2 * margin) / len(counts)
    total = sum(counts)
    svg = _svg(
        WIDTH, height, title=title, description=description, id_prefix=id_prefix, css="scale-chart"
    )
    largest = max(counts, default=0) or 1
    for index, count in enumerate(counts):
        centre = margin + step * (index + 0.5)
        length = (baseline - top) * count / largest
        ET.SubElement(
            svg,
            "rect",
            {
                "x": f"{centre - column / 2:g}",
                "y": f"{baseline - length:.1f}",
                "width": str(column),
                "height": f"{length:.1f}",
                "rx": "2",
                "fill": BAR,
            },
        )
        value = f"{count} ({percent_display(count, total)})" if total else str(count)
        _text(svg, centre, baseline - length - 8, value, anchor="middle", weight="bold")
        _text(svg, centre, baseline + 20, str(index + 1), size=15, anchor="middle", weight="bold")
    _line(svg, margin, baseline, WIDTH - margin, baseline, stroke=AXIS)
    for index, label in ((0, low_label), (len(counts) - 1, high_label)):
        if label:
            centre = margin + step * (index + 0.5)
            _text(
                svg, centre, baseline + 40, wrap(label, 18, 2), size=12, anchor="middle", fill=MUTED
            )
    if mean:
        _text(svg, WIDTH - margin, 16, _("Mean: %(mean)s") % {"mean": mean}, anchor="end")
    return ET.tostring(svg, encoding="unicode")


def _nice_ceiling(value: int) -> int:
    """A round top for an axis: 1, 2, 5, 10, 20, 50, … at least ``value``."""
    if value <= 5:
        return max(value, 1)
    magnitude = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * magnitude:
            return int(factor * magnitude)
    return int(10 * magnitude)  # pragma: no cover (the loop always returns)


def curve_chart_svg(
    points: Sequence[tuple[date, int]],
    *,
    final_label: str,
    title: str,
    description: str,
    id_prefix: str = "curve-chart",
) -> str:
    """Cumulative answers per day as a line over a filled area; German day labels below.

    ``final_label`` is written at the last point, e.g. "7 · 15,6 %".
    """
    height, left, right, top, bottom = 250, 40, 96, 22, 44
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    svg = _svg(
        WIDTH, height, title=title, description=description, id_prefix=id_prefix, css="curve-chart"
    )
    ceiling = _nice_ceiling(max((total for _day, total in points), default=0))
    ticks = min(ceiling, 5)  # every ceiling above 5 divides by 5
    for tick in range(ticks + 1):
        y = top + plot_height * (1 - tick / ticks)
        _line(svg, left, y, left + plot_width, y)
        _text(svg, left - 6, y + 4, str(ceiling * tick // ticks), size=12, anchor="end")

    def x_of(index):
        if len(points) == 1:
            return left + plot_width / 2
        return left + plot_width * index / (len(points) - 1)

    base = top + plot_height
    coordinates = [
        (x_of(index), top + plot_height * (1 - total / ceiling))
        for index, (_day, total) in enumerate(points)
    ]
    if len(coordinates) > 1:
        outline = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
        area = f"{coordinates[0][0]:.1f},{base:.1f} {outline} {coordinates[-1][0]:.1f},{base:.1f}"
        ET.SubElement(svg, "polygon", {"points": area, "fill": BAR_LIGHT, "opacity": "0.5"})
        ET.SubElement(
            svg,
            "polyline",
            {"points": outline, "fill": "none", "stroke": BAR, "stroke-width": "2.5"},
        )
    # Dots on every day of a short curve; a long one only marks its end.
    for x, y in coordinates if len(coordinates) <= 31 else coordinates[-1:]:
        ET.SubElement(svg, "circle", {"cx": f"{x:.1f}", "cy": f"{y:.1f}", "r": "3", "fill": BAR})
    if coordinates:
        x, y = coordinates[-1]
        _text(svg, x + 8, y + 4, final_label, weight="bold")

    # About eight day labels, always the first and the last day.
    every = max(1, math.ceil(len(points) / 8))
    labelled = list(range(0, len(points), every))
    if labelled and labelled[-1] != len(points) - 1:
        # The last day replaces a label too close to it.
        if len(points) - 1 - labelled[-1] < every / 2 and len(labelled) > 1:
            labelled.pop()
        labelled.append(len(points) - 1)
    for index in labelled:
        day = points[index][0]
        x = x_of(index)
        _line(svg, x, base, x, base + 4, stroke=AXIS)
        _text(svg, x, base + 20, f"{day.day}.{day.month}.", size=12, anchor="middle")
    _line(svg, left, base, left + plot_width, base, stroke=AXIS)
    _text(svg, 4, 12, _("Answers (cumulative)"), size=12, fill=MUTED)
    return ET.tostring(svg, encoding="unicode")


# --- The charts of a question's result ---------------------------------------------------


def question_chart(result: QuestionResult, *, id_prefix: str) -> str:
    """The chart that fits the question's kind, or "" (text and number questions)."""
    if not result.has_chart:
        return ""
    question = result.question
    figures = "; ".join(
        f"{option.label}: {option.count} ({option.share_display})" for option in result.options
    )
    description = _("%(count)s answered. %(figures)s") % {
        "count": result.answered,
        "figures": figures,
    }
    if result.kind == question.Kind.SCALE:
        return scale_chart_svg(
            [option.count for option in result.options],
            low_label=question.scale_low_label,
            high_label=question.scale_high_label,
            mean=result.mean,
            title=question.text,
            description=description,
            id_prefix=id_prefix,
        )
    bars = [
        Bar(
            label=option.label,
            value=option.count,
            value_label=f"{option.count} ({option.share_display})",
        )
        for option in result.options
    ]
    return bar_chart_svg(bars, title=question.text, description=description, id_prefix=id_prefix)


def response_curve_chart(curve, *, id_prefix: str = "response-curve") -> str:
    """The curve of a ``ResponseCurve``, or "" before the first day."""
    if not curve.points:
        return ""
    first, last = curve.points[0], curve.points[-1]
    description = _(
        "From %(first)s to %(last)s the number of answers rose to %(total)s of %(invited)s "
        "invited (%(rate)s)."
    ) % {
        "first": f"{first.day:%d.%m.%Y}",
        "last": f"{last.day:%d.%m.%Y}",
        "total": last.total,
        "invited": curve.invited,
        "rate": percent_display(last.total, curve.invited),
    }
    return curve_chart_svg(
        [(point.day, point.total) for point in curve.points],
        final_label=f"{last.total} · {percent_display(last.total, curve.invited)}",
        title=_("Answers over time"),
        description=description,
        id_prefix=id_prefix,
    )
