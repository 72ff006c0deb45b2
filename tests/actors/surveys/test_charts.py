"""Charts of survey results: valid, escaped, accessible SVG from plain data."""

# Parses only the SVG our own code wrote.
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from actors.surveys import charts
from actors.surveys.models import Question
from actors.surveys.selectors.results import (
    CurvePoint,
    OptionCount,
    QuestionResult,
    ResponseCurve,
)

SVG = "{http://www.w3.org/2000/svg}"
INJECTION = "<script>alert('x')</script> & Co"


def parsed(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox")
    assert root.find(f"{SVG}title").text
    assert root.find(f"{SVG}desc").text
    ids = root.get("aria-labelledby").split()
    assert [root.find(f"{SVG}title").get("id"), root.find(f"{SVG}desc").get("id")] == ids
    assert not list(root.iter(f"{SVG}script"))
    assert "style=" not in svg
    return root


def texts(root) -> str:
    return " ".join("".join(element.itertext()) for element in root.iter(f"{SVG}text"))


def test_bar_chart_svg_escapes_labels_and_writes_values():
    bars = [
        charts.Bar(label=INJECTION, value=3, value_label="3 (42,9 %)"),
        charts.Bar(label="Kita-Plätze und Sprachförderung vor der Einschulung", value=1,
                   value_label="1 (14,3 %)"),
        charts.Bar(label="Nie", value=0, value_label="0 (0,0 %)"),
    ]  # fmt: skip
    svg = charts.bar_chart_svg(bars, title=INJECTION, description="d", id_prefix="q1")

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    root = parsed(svg)
    assert "<script>alert('x')</script> &" in texts(root)
    assert "3 (42,9 %)" in texts(root)
    # Long labels are wrapped onto several lines.
    assert len(root.findall(f".//{SVG}tspan")) > 4
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]
    assert widths[0] > widths[1] > widths[2] == 0


def test_scale_chart_svg_has_a_column_per_value_and_the_end_labels():
    svg = charts.scale_chart_svg(
        [0, 1, 1, 3, 2],
        low_label="gar nicht zufrieden",
        high_label="sehr <zufrieden>",
        mean="3,9",
        title="Zufriedenheit",
        description="d",
    )
    root = parsed(svg)
    assert len(list(root.iter(f"{SVG}rect"))) == 5
    written = texts(root)
    assert "Mittelwert: 3,9" in written
    assert "sehr <zufrieden>" in written
    assert "3 (42,9 %)" in written


@pytest.mark.parametrize("days", [1, 2, 26, 120])
def test_curve_chart_svg_labels_days_in_german(days):
    start = date(2026, 2, 2)
    points = [(start + timedelta(days=index), index // 2) for index in range(days)]
    svg = charts.curve_chart_svg(points, final_label="7 · 15,6 %", title="Verlauf", description="d")
    root = parsed(svg)
    written = texts(root)
    assert "2.2." in written
    last = points[-1][0]
    assert f"{last.day}.{last.month}." in written
    assert "7 · 15,6 %" in written
    day_labels = [text for text in written.split() if text.count(".") == 2]
    assert len(day_labels) <= 9
    if days > 1:
        assert root.find(f"{SVG}polyline") is not None


def test_response_curve_chart_describes_the_figures():
    curve = ResponseCurve(
        points=(
            CurvePoint(day=date(2026, 3, 10), new=4, total=4),
            CurvePoint(day=date(2026, 3, 11), new=3, total=7),
        ),
        invited=45,
    )
    root = parsed(charts.response_curve_chart(curve))
    description = root.find(f"{SVG}desc").text
    assert "10.03.2026" in description
    assert "7 von 45" in description
    assert "15,6 %" in description


def test_response_curve_chart_is_empty_without_days():
    assert charts.response_curve_chart(ResponseCurve(points=(), invited=0)) == ""


def _result(kind, options, **kwargs):
    question = Question(kind=kind, text="Frage <b>fett</b>", **kwargs)
    return QuestionResult(question=question, number=1, answered=7, options=options)


def test_question_chart_fits_the_kind():
    options = [OptionCount(label=str(value), count=1, share_display="14,3 %") for value in range(5)]
    scale = _result(Question.Kind.SCALE, options, scale_low_label="schlecht")
    assert "scale-chart" in charts.question_chart(scale, id_prefix="q1")
    choice = _result(Question.Kind.SINGLE_CHOICE, options[:2])
    root = parsed(charts.question_chart(choice, id_prefix="q2"))
    assert root.find(f"{SVG}title").text == "Frage <b>fett</b>"
    assert "7" in root.find(f"{SVG}desc").text
    assert charts.question_chart(_result(Question.Kind.LONG_TEXT, []), id_prefix="q3") == ""


def test_wrap_cuts_long_labels_with_an_ellipsis():
    lines = charts.wrap("wort " * 40, 20, 3)
    assert len(lines) == 3
    assert lines[-1].endswith("…")
