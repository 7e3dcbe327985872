"""The server-drawn bar-and-line chart: proportional bars, ticks in each language, escaping, bad input."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from welfare_district.web.svg_charts import BAR_COLOUR, LINE_COLOUR, Series, bar_line_chart, month_label, nice_ticks

NS = {"s": "http://www.w3.org/2000/svg"}
MONTHS = ["2024-11", "2024-12", "2025-01", "2025-02"]


def _chart(bars: list[float], hours: list[float], lang: str = "it", **kw: str) -> ET.Element:
    markup = bar_line_chart(MONTHS[:len(bars)], Series(kw.get("bar", "Attività"), bars),
                            Series(kw.get("line", "Ore"), hours), lang,  # type: ignore[arg-type]
                            title=kw.get("title", "Titolo"), desc=kw.get("desc", "Descrizione"), chart_id="c")
    return ET.fromstring(str(markup))  # well-formed XML, or this raises


def test_bars_are_proportional_to_their_values_from_a_zero_base() -> None:
    svg = _chart([2, 4, 0, 8], [1.5, 3, 0, 6])
    rects = svg.findall("s:g[@class='svgchart__bars']/s:rect", NS)
    heights = [float(r.get("height", "")) for r in rects]
    bottoms = {round(float(r.get("y", "")) + h, 1) for r, h in zip(rects, heights, strict=True)}
    assert len(bottoms) == 1  # one base line
    assert heights[2] == 0 and heights[1] == pytest.approx(2 * heights[0], abs=0.1)
    assert heights[3] == pytest.approx(4 * heights[0], abs=0.1)
    # the line's points: the highest value highest up, zero on the base line
    ys = [float(c.get("cy", "")) for c in svg.findall("s:g[@class='svgchart__line']/s:circle", NS)]
    assert ys[3] < ys[1] < ys[0] and ys[2] == pytest.approx(bottoms.pop(), abs=0.1)
    assert rects[0].get("fill") is None and svg.find("s:g[@class='svgchart__bars']", NS).get("fill") == BAR_COLOUR
    assert svg.find("s:g[@class='svgchart__line']/s:polyline", NS).get("stroke") == LINE_COLOUR


def test_axes_ticks_and_months_follow_the_language() -> None:
    it = _chart([1200, 3, 5, 7], [0.5, 1.25, 2, 2.5])
    left = [t.text for t in it.findall("s:g[@class='svgchart__axis svgchart__axis--left']/s:text", NS)]
    right = [t.text for t in it.findall("s:g[@class='svgchart__axis svgchart__axis--right']/s:text", NS)]
    assert left == ["0", "250", "500", "750", "1.000", "1.250"] and right == ["0,0", "0,5", "1,0", "1,5", "2,0", "2,5"]
    months = it.findall("s:g[@class='svgchart__axis svgchart__axis--months']/s:text", NS)
    assert [m.text for m in months] == ["nov", "dic", "gen", "feb"]
    # the year under the first month and under January only
    assert [m.find("s:tspan", NS) is not None for m in months] == [True, False, True, False]
    en = _chart([1200, 3, 5, 7], [0.5, 1.25, 2, 2.5], "en", bar="Activities", line="Hours")
    left_en = [t.text for t in en.findall("s:g[@class='svgchart__axis svgchart__axis--left']/s:text", NS)]
    assert left_en[4] == "1,000"
    assert [m.text for m in en.findall("s:g[@class='svgchart__axis svgchart__axis--months']/s:text", NS)] == [
        "Nov", "Dec", "Jan", "Feb"]
    titles = [t.text for t in en.findall("s:text[@class='svgchart__title']", NS)]
    assert titles == ["Activities", "Hours"]
    tips = [t.text for t in en.findall(".//s:rect/s:title", NS)]
    assert tips[0] == "Nov 2024: Activities 1,200"
    assert [t.text for t in it.findall(".//s:circle/s:title", NS)][1] == "dic 2024: Ore 1,2"  # 1.25 to 1 digit


def test_counts_axis_has_whole_steps_and_every_month_keeps_a_tooltip() -> None:
    many = [f"{2020 + i // 12}-{i % 12 + 1:02d}" for i in range(30)]
    markup = str(bar_line_chart(many, Series("A", [1] * 30), Series("H", [0.2] * 30), "en", title="t", desc="d"))
    svg = ET.fromstring(markup)
    left = [t.text for t in svg.findall("s:g[@class='svgchart__axis svgchart__axis--left']/s:text", NS)]
    assert left == ["0", "1"]
    assert len(svg.findall("s:g[@class='svgchart__axis svgchart__axis--months']/s:text", NS)) == 10  # every third
    assert len(svg.findall(".//s:rect/s:title", NS)) == 30 and len(svg.findall(".//s:circle/s:title", NS)) == 30


def test_text_is_escaped_and_the_chart_is_described() -> None:
    svg = _chart([1, 2], [1, 2], title="<b>T&C</b>", desc='"quoted" <desc>', bar="<script>x</script>")
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "c-title c-desc"
    assert svg.find("s:title", NS).text == "<b>T&C</b>" and svg.find("s:desc", NS).text == '"quoted" <desc>'
    assert "<script>x</script>" in [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    raw = str(bar_line_chart(["2024-01"], Series("<script>", [1]), Series("H", [1]), "it", title="t", desc="d"))
    assert "<script>" not in raw and "&lt;script&gt;" in raw


@pytest.mark.parametrize(("months", "bars", "error"), [
    ([], [], "at least one category"),
    (["2024-01", "2024-02"], [1.0], "has 1 values for 2 categories"),
    (["2024-01"], [-1.0], "negative or non-finite"),
    (["2024-01"], [float("nan")], "negative or non-finite"),
    (["2024-13"], [1.0], "YYYY-MM"),
    (["<x>"], [1.0], "YYYY-MM"),
])
def test_bad_input_is_a_specific_error(months: list[str], bars: list[float], error: str) -> None:
    with pytest.raises(ValueError, match=re.escape(error)):
        bar_line_chart(months, Series("A", bars), Series("H", [0.0] * len(bars)), "it", title="t", desc="d")


def test_all_zero_values_still_draw_an_axis() -> None:
    svg = _chart([0, 0], [0, 0])
    assert [t.text for t in svg.findall("s:g[@class='svgchart__axis svgchart__axis--left']/s:text", NS)] == [
        "0", "1"]
    assert all(float(r.get("height", "")) == 0 for r in svg.findall(".//s:g[@class='svgchart__bars']/s:rect", NS))


def test_nice_ticks_and_month_labels() -> None:
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(0.9) == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    assert nice_ticks(3, whole=True) == [0, 1, 2, 3]
    assert nice_ticks(12.5) == [0, 2.5, 5, 7.5, 10, 12.5]
    assert month_label("2024-09", "it") == ("set", "2024") and month_label("2024-09", "en") == ("Sep", "2024")
