"""Figure builders on hand-made inputs: classes, hover rows, label contrast, missing and unstable areas, charts."""

from __future__ import annotations

import math

import pytest

from welfare_district.web.figures_charts import Line, Panel, components_chart, small_multiples, trend_chart
from welfare_district.web.figures_map import ClassMethod, MapArea, classify, hover_rows, text_colour


def test_quantile_classes_split_the_values_evenly() -> None:
    values = [float(v) for v in range(1, 11)]
    classes = classify(values, ClassMethod.QUANTILES, "en")
    assert len(classes.colours) == 5 and classes.edges[0] == 1 and classes.edges[-1] == 10
    counts = [sum(1 for v in values if classes.index(v) == k) for k in range(5)]
    assert counts == [2, 2, 2, 2, 2]
    assert classes.labels[0] == "1.0–2.8"


def test_ties_merge_quantile_classes_and_missing_values_have_none() -> None:
    classes = classify([5.0, 5.0, 5.0, 5.0, 9.0, None], ClassMethod.QUANTILES, "it")
    assert len(classes.colours) == len(classes.labels) == len(classes.edges) - 1 < 5
    assert classes.index(None) is None and classes.index(math.nan) is None
    assert classes.index(9.0) == len(classes.colours) - 1


def test_many_zeros_do_not_swallow_the_quantile_classes() -> None:
    values = [0.0] * 80 + [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 17.4]
    classes = classify(values, ClassMethod.QUANTILES, "en")
    assert len(classes.colours) == 5
    assert classes.index(0.0) == 0 and classes.index(17.4) == 4 and classes.index(6.0) not in (0, 4)


def test_equal_intervals_use_italian_decimal_commas() -> None:
    classes = classify([0.0, 2.5, 10.0], ClassMethod.EQUAL, "it")
    assert classes.edges == (0.0, 2.0, 4.0, 6.0, 8.0, 10.0)
    assert classes.labels[1] == "2,0–4,0"
    assert [classes.index(v) for v in (0.0, 2.0, 3.9, 10.0)] == [0, 1, 1, 4]


@pytest.mark.parametrize(("value", "klass"), [(96.99, 0), (97.0, 1), (98.5, 2), (103.0, 3), (103.01, 4)])
def test_ivsm_classes_follow_istat_limits(value: float, klass: int) -> None:
    classes = classify([], ClassMethod.IVSM, "en")
    assert classes.index(value) == klass
    assert classes.labels[0] == "low (< 97)" and classes.labels[-1] == "high (> 103)"


def test_hover_rows_state_counts_interval_class_and_instability() -> None:
    areas = [MapArea("a", "A", 1.0, 3, 300, 0.2, 2.9), MapArea("b", "B", 5.0, 1, 20, unstable=True),
             MapArea("c", "C", None), MapArea("d", "D", None, protected=True, reason="too few people")]
    classes = classify([a.value for a in areas], ClassMethod.EQUAL, "en")
    rows = [hover_rows(a, classes, "en", 1) for a in areas]
    assert rows[0][:5] == ["A", "1.0", "3", "300", "0.2–2.9"] and rows[0][5] == classes.labels[0]
    assert rows[1][6] == "Unstable value: read with caution"
    assert rows[2][1] == "n/a" and rows[2][5] == "–"
    assert rows[3][1] == "protected figure" and rows[3][6] == "too few people" and rows[3][2:6] == ["–"] * 4


def test_names_are_black_on_light_classes_and_white_on_dark_ones() -> None:
    classes = classify([1.0, 2.0, 3.0, 4.0, 5.0], ClassMethod.EQUAL, "en")
    assert text_colour(classes, 1.0) == "#000000" and text_colour(classes, 5.0) == "#ffffff"
    assert text_colour(classes, None) == "#000000"  # the light grey of "no value"


def test_charts_keep_one_trace_per_series_and_panel() -> None:
    lines = [Line("A", [2023, 2024], [1.0, None]), Line("City", [2023, 2024], [2.0, 2.5], city=True)]
    trend = trend_chart(lines, "Share", "it")
    assert [t.name for t in trend.data] == ["A", "City"] and trend.data[1].line.dash == "dash"
    multiples = small_multiples([Panel(f"P{i}", lines[0], lines[1]) for i in range(6)], "en", columns=4)
    assert len(multiples.data) == 12 and sum(bool(t.showlegend) for t in multiples.data) == 2
    bars = components_chart(["x", "y", "z"], [95.0, None, 104.0], "reference", "en")
    assert list(bars.data[0].y) == ["z", "x"]
