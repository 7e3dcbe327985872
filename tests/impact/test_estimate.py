"""The comparisons on hand-made data: nearest comparison areas, difference in differences, matched difference."""

from __future__ import annotations

import pandas as pd
import pytest

from welfare_district.impact.estimate import did, icc, matched_difference, nearest_areas


def test_nearest_areas_are_chosen_on_standardised_baseline_values() -> None:
    # column b has fifty times the spread of a: unstandardised, b alone would pick C4 (same b as T).
    # z-scores: T (-0.75, -0.79), C1 (-0.69, 1.76), C2 (0.50, -0.66), C3 (-0.81, 0.48), C4 (1.75, -0.79)
    base = pd.DataFrame({"a": [1.0, 1.1, 3.0, 0.9, 5.0], "b": [100.0, 300.0, 110.0, 200.0, 100.0]},
                        index=["T", "C1", "C2", "C3", "C4"])
    assert nearest_areas(base, ["T"], ["C1", "C2", "C3", "C4"], k=1) == ["C2"]
    assert nearest_areas(base, ["T"], ["C1", "C2", "C3", "C4"], k=2) == ["C2", "C3"]


def test_difference_in_differences_worked_example() -> None:
    # outcome per 100 families, baseline -> follow-up
    panel = pd.DataFrame({"area": ["T1", "T2", "C1", "C2", "C3", "C4"],
                          "before": [10.0, 12.0, 11.0, 9.0, 10.0, 12.0],
                          "after": [7.0, 9.0, 11.5, 9.5, 9.5, 12.5]}).set_index("area")
    changes = panel["after"] - panel["before"]  # T: -3, -3; C: +0.5, +0.5, -0.5, +0.5
    est = did(changes, ["T1", "T2"], ["C1", "C2", "C3", "C4"], seed=1)
    assert est.estimate == pytest.approx(-3.0 - 0.25)
    assert est.low is not None and est.high is not None
    assert est.low < est.estimate < est.high and est.high < 0
    assert (est.n_treated, est.n_comparison) == (2, 4)
    assert "bootstrap" in est.method and est.comparison == "4 comparison areas"
    # same seed, same interval; one comparison area gives no estimate
    assert did(changes, ["T1", "T2"], ["C1", "C2", "C3", "C4"], seed=1) == est
    assert did(changes, ["T1"], ["C1"]).estimate is None


def test_no_effect_gives_an_interval_around_zero() -> None:
    changes = pd.Series({"T": 0.2, "C1": 0.5, "C2": -0.4, "C3": 0.1, "C4": -0.2, "C5": 0.3})
    est = did(changes, ["T"], ["C1", "C2", "C3", "C4", "C5"], seed=3)
    assert est.covers_zero


def test_matched_difference_worked_example() -> None:
    # stratum a: 2 reached, both out of hardship a year later; 4 not reached, 3 still in hardship
    # stratum b: 1 reached, still in; 2 not reached, 1 still in; stratum c has no comparison unit
    treated = pd.DataFrame({"stratum": ["a", "a", "b", "c"], "outcome": [0.0, 0.0, 1.0, 1.0]})
    pool = pd.DataFrame({"stratum": ["a"] * 4 + ["b"] * 2, "outcome": [1.0, 1.0, 1.0, 0.0, 1.0, 0.0]})
    est = matched_difference(treated, pool)
    assert est.estimate == pytest.approx(((0 - 0.75) * 2 + (1 - 0.5)) / 3)
    assert est.n_treated == 3 and est.n_comparison == 6
    assert est.note == "1 reached units without a comparison unit left out"
    # pooled within-stratum variance of the pool: (3 * 0.0625 + 0.5625 + 2 * 0.25) / (6 - 2)
    s2 = (3 * 0.0625 + 0.5625 + 0.5) / 4
    s2_t = max(pd.Series([0.0, 0.0, 1.0]).var(ddof=1), s2)
    var = s2_t / 3 + ((2 / 3) ** 2 / 4 + (1 / 3) ** 2 / 2) * s2
    half = 1.959963984540054 * var ** 0.5
    assert (est.low, est.high) == (pytest.approx(est.estimate - half), pytest.approx(est.estimate + half))


def test_intra_cluster_correlation() -> None:
    assert icc(pd.Series([1.0, 1.0, 0.0, 0.0]).to_numpy(), pd.Series(["x", "x", "y", "y"]).to_numpy()) == 1.0
    assert icc(pd.Series([1.0, 0.0, 1.0, 0.0]).to_numpy(), pd.Series(["x", "x", "y", "y"]).to_numpy()) == 0.0
