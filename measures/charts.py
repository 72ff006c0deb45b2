"""Charts of the monitoring as server-side SVG: pages and the concept report embed the same.

Pure functions of an indicator and its observations (no request, no database
query: the caller passes the observations as a list), drawn with the shared
primitives of ``integration.core.svg``. Numbers are written the German way
through Django's localisation ("1.234,5").
"""

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from integration.core import numbers
from integration.core.svg import (
    AXIS,
    BAR,
    MUTED,
    svg_line,
    svg_root,
    svg_string,
    svg_text,
)

from .models import Indicator, Observation

WIDTH = 640
TARGET = "#146c43"  # Bootstrap's dark green: 6.8:1 against white
# Above this many points the values are written only at the last one.
MAX_VALUE_LABELS = 12


def number_display(value: Decimal | float | int | None) -> str:
    """``value`` localised with as many decimals as it needs (at most two): "1.234,5"."""
    return numbers.number_display(value, grouping=True)


def value_display(value, unit: str) -> str:
    """A value with its unit: "5,2 %", "1.234 Personen"."""
    number = number_display(value)
    return f"{number} {unit}".strip() if number else ""


def period_display(observation: Observation) -> str:
    """The observation's period label, else the year of its end: "2024"."""
    return observation.period_label or str(observation.period_end.year)


def nice_scale(low: float, high: float, ticks: int = 5) -> tuple[float, float, float]:
    """Round axis bounds around ``low``..``high`` and the step between gridlines."""
    if high == low:
        # A flat line sits in the middle of a band around it.
        spread = abs(high) * 0.2 or 1.0
        low, high = low - spread, high + spread
    raw = (high - low) / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(factor * magnitude for factor in (1, 2, 2.5, 5, 10) if raw <= factor * magnitude)
    bottom = math.floor(low / step) * step
    top = math.ceil(high / step) * step
    return bottom, top, step


def _axis_bounds(values: list[float]) -> tuple[float, float, float]:
    low, high = min(values), max(values)
    # Start at zero when the values are positive and zero is not far off, so
    # that small changes do not look like great ones; else zoom in.
    if low >= 0 and low <= high / 2:
        low = 0.0
    elif high > low:
        # Some room below the lowest value, so that it does not sit on the axis.
        low -= (high - low) * 0.1
    return nice_scale(low, high)


def _description(indicator: Indicator, observations: Sequence[Observation]) -> str:
    unit = indicator.unit
    if observations:
        figures = "; ".join(
            f"{period_display(o)}: {value_display(o.value, unit)}" for o in observations
        )
    else:
        figures = _("No values recorded yet.")
    parts = [figures]
    if indicator.target_value is not None:
        parts.append(
            _("Target: %(target)s (%(direction)s).")
            % {
                "target": value_display(indicator.target_value, unit),
                "direction": _("higher is better")
                if indicator.higher_is_better
                else _("lower is better"),
            }
        )
    if indicator.source:
        parts.append(_("Source: %(source)s") % {"source": indicator.source})
    return " ".join(part if part.endswith(".") else f"{part}." for part in parts)


def indicator_chart_svg(
    *, indicator: Indicator, observations: Sequence[Observation], id_prefix: str
) -> str:
    """A line chart of ``observations`` (oldest first) over time, with the target dashed.

    The x axis is proportional to time (``period_end``), labelled with the
    period labels; every point carries its value (a long series only the last).
    Works for no, one and many observations; needs no request or database.
    """
    observations = sorted(observations, key=lambda o: o.period_end)
    height, left, right, top, bottom = 280, 64, 120, 28, 44
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    svg = svg_root(
        WIDTH,
        height,
        title=indicator.name,
        description=_description(indicator, observations),
        id_prefix=id_prefix,
        css_class="indicator-chart img-fluid",
    )
    target = float(indicator.target_value) if indicator.target_value is not None else None
    values = [float(o.value) for o in observations]
    bottom_value, top_value, step = _axis_bounds(
        values + ([target] if target is not None else []) or [0.0]
    )
    base = top + plot_height

    def y_of(value: float) -> float:
        return top + plot_height * (1 - (value - bottom_value) / (top_value - bottom_value))

    tick = bottom_value
    while tick <= top_value + step / 2:
        y = y_of(tick)
        svg_line(svg, left, y, left + plot_width, y)
        svg_text(svg, left - 6, y + 4, number_display(tick), size=12, anchor="end")
        tick += step
    svg_line(svg, left, base, left + plot_width, base, stroke=AXIS)
    svg_text(svg, 4, 14, indicator.unit, size=12, fill=MUTED)

    if target is not None:
        y = y_of(target)
        dashed = {"stroke-dasharray": "6 4", "stroke-width": "1.5", "class": "target-line"}
        svg_line(svg, left, y, left + plot_width, y, stroke=TARGET, **dashed)
        # Two lines ("Zielwert:" / "300 Personen"), so a long unit fits the margin.
        svg_text(
            svg,
            left + plot_width + 6,
            y - 2,
            [_("Target:"), value_display(target, indicator.unit)],
            size=12,
            fill=TARGET,
            weight="bold",
        )

    if not observations:
        svg_text(
            svg,
            left + plot_width / 2,
            top + plot_height / 4,
            _("No values recorded yet."),
            anchor="middle",
            fill=MUTED,
        )
        return svg_string(svg)

    first, last = observations[0].period_end, observations[-1].period_end
    span = (last - first).days

    # The first and last points keep some distance from the axis and the target's label.
    inset = 18

    def x_of(day: date) -> float:
        if span == 0:
            return left + plot_width / 2
        return left + inset + (plot_width - 2 * inset) * (day - first).days / span

    points = [(x_of(o.period_end), y_of(float(o.value))) for o in observations]
    if len(points) > 1:
        outline = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        ET.SubElement(
            svg,
            "polyline",
            {"points": outline, "fill": "none", "stroke": BAR, "stroke-width": "2.5"},
        )
    labelled_values = range(len(points)) if len(points) <= MAX_VALUE_LABELS else [len(points) - 1]
    for index, ((x, y), observation) in enumerate(zip(points, observations, strict=True)):
        ET.SubElement(svg, "circle", {"cx": f"{x:.1f}", "cy": f"{y:.1f}", "r": "4", "fill": BAR})
        if index in labelled_values:
            svg_text(
                svg,
                x,
                y - 9,
                number_display(observation.value),
                size=12,
                anchor="middle",
                weight="bold",
            )
    every = max(1, math.ceil(len(observations) / 8))
    labelled = list(range(0, len(observations), every))
    if labelled[-1] != len(observations) - 1:
        if len(labelled) > 1 and len(observations) - 1 - labelled[-1] < every:
            labelled.pop()
        labelled.append(len(observations) - 1)
    for index in labelled:
        x = points[index][0]
        svg_line(svg, x, base, x, base + 4, stroke=AXIS)
        svg_text(svg, x, base + 20, period_display(observations[index]), size=12, anchor="middle")
    return svg_string(svg)


def indicator_sparkline_svg(
    *, indicator: Indicator, observations: Sequence[Observation], id_prefix: str
) -> str:
    """A small line of the values (oldest first) for the overview, the target dotted; "" without
    values. Decorative next to the figures written beside it, but titled all the same."""
    observations = sorted(observations, key=lambda o: o.period_end)
    if not observations:
        return ""
    width, height, pad = 160, 40, 4
    svg = svg_root(
        width,
        height,
        title=indicator.name,
        description=_description(indicator, observations),
        id_prefix=id_prefix,
        css_class="indicator-sparkline",
    )
    values = [float(o.value) for o in observations]
    target = float(indicator.target_value) if indicator.target_value is not None else None
    low = min([*values, target] if target is not None else values)
    high = max([*values, target] if target is not None else values)
    if high == low:
        low, high = low - 1, high + 1

    def y_of(value: float) -> float:
        return pad + (height - 2 * pad) * (1 - (value - low) / (high - low))

    first, span = (
        observations[0].period_end,
        (observations[-1].period_end - observations[0].period_end).days,
    )

    def x_of(day: date) -> float:
        if span == 0:
            return width / 2
        return pad + (width - 2 * pad) * (day - first).days / span

    if target is not None:
        y = y_of(target)
        svg_line(svg, pad, y, width - pad, y, stroke=TARGET, **{"stroke-dasharray": "3 3"})
    points = [(x_of(o.period_end), y_of(float(o.value))) for o in observations]
    if len(points) > 1:
        ET.SubElement(
            svg,
            "polyline",
            {
                "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in points),
                "fill": "none",
                "stroke": BAR,
                "stroke-width": "2",
            },
        )
    x, y = points[-1]
    ET.SubElement(svg, "circle", {"cx": f"{x:.1f}", "cy": f"{y:.1f}", "r": "3", "fill": BAR})
    return svg_string(svg)
