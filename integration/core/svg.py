"""Primitives of our server-side SVG charts (surveys, monitoring), shared by the apps.

Built with ElementTree, which escapes every text it writes, so labels cannot
inject markup. Presentation attributes only (no ``style``), no script, no
external font: safe to inline under the Content Security Policy and in
WeasyPrint. Every chart is a ``role="img"`` with a ``<title>`` and a ``<desc>``.
"""

import textwrap
import xml.etree.ElementTree as ET

SVG_NS = "http://www.w3.org/2000/svg"
TEXT = "#212529"
MUTED = "#495057"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
BAR = "#0a58ca"  # the header blue: 6.4:1 against white
BAR_LIGHT = "#9ec5fe"
GRID = "#dee2e6"
AXIS = "#adb5bd"
LINE_HEIGHT = 16


def svg_root(
    width: int, height: int, *, title: str, description: str, id_prefix: str, css_class: str
) -> ET.Element:
    """The ``<svg>`` element with its accessible title and description."""
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {width} {height}",
            "width": str(width),
            "height": str(height),
            "role": "img",
            "aria-labelledby": f"{id_prefix}-title {id_prefix}-desc",
            "class": css_class,
            "font-family": FONT,
        },
    )
    ET.SubElement(svg, "title", {"id": f"{id_prefix}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{id_prefix}-desc"}).text = description
    return svg


def svg_text(parent, x, y, lines, *, size=13, anchor="start", fill=TEXT, weight=None):
    """A ``<text>``; a list of lines becomes ``<tspan>`` rows ``LINE_HEIGHT`` apart."""
    attributes = {
        "x": f"{x:g}",
        "y": f"{y:g}",
        "font-size": str(size),
        "text-anchor": anchor,
        "fill": fill,
    }
    if weight:
        attributes["font-weight"] = weight
    element = ET.SubElement(parent, "text", attributes)
    if isinstance(lines, str):
        element.text = lines
        return element
    for index, line in enumerate(lines):
        span = ET.SubElement(
            element, "tspan", {"x": f"{x:g}", "dy": "0" if index == 0 else str(LINE_HEIGHT)}
        )
        span.text = line
    return element


def svg_line(parent, x1, y1, x2, y2, *, stroke=GRID, **extra):
    attributes = {"x1": f"{x1:g}", "y1": f"{y1:g}", "x2": f"{x2:g}", "y2": f"{y2:g}"}
    return ET.SubElement(parent, "line", attributes | {"stroke": stroke, **extra})


def wrap(text: str, width: int, max_lines: int = 3, *, break_long_words: bool = True) -> list[str]:
    """``text`` on at most ``max_lines`` lines of ``width`` characters, "…" where cut;
    ``break_long_words=False`` keeps long German compounds whole."""
    lines = textwrap.wrap(
        " ".join(str(text).split()), width=width, break_long_words=break_long_words
    ) or [""]
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][: width - 1] + "…"]
    return lines


def svg_string(svg: ET.Element) -> str:
    return ET.tostring(svg, encoding="unicode")
