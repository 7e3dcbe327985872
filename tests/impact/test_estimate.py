"""The comparisons on hand-made data: nearest comparison areas, difference in differences, adjusted difference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from welfare_district.impact.estimate import adjusted_difference, did, did_rtm, icc, nearest_areas


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


def test_difference_in_differences_corrected_for_regression_to_the_mean() -> None:
    # earlier period: every area drifts by 1 - 0.2 * level, give or take 0.1 (slope exactly -0.2)
    levels = np.repeat(np.arange(10.0), 2)
    history = pd.DataFrame({"level": levels, "change": 1 - 0.2 * levels + np.tile([0.1, -0.1], 10)})
    # the treated area starts at 9 (expected drift -0.8) and moves by -1.0: 0.2 beyond the drift
    changes = pd.Series({"T": -1.0, "C1": 0.6, "C2": 0.4})
    baseline = pd.Series({"T": 9.0, "C1": 2.0, "C2": 3.0})
    est = did_rtm(changes, baseline, ["T"], ["C1", "C2"], history)
    assert did(changes, ["T"], ["C1", "C2"]).estimate == pytest.approx(-1.5)  # uncorrected: drift taken for effect
    assert est.estimate == pytest.approx(-1.0 - 0.5 + 0.2 * (9.0 - 2.5))
    assert (est.method_code, est.params) == ("did_rtm", {"areas": 2, "history": 20})
    # squared residuals are all 0.01: sigma^2 = 0.01 on both sides; Var(b) = s^2 / sum((level - mean)^2)
    var_b = (20 * 0.01 / 18) / float(((levels - levels.mean()) ** 2).sum())
    half = 1.959963984540054 * (0.01 / 1 + 0.01 / 2 + 6.5 ** 2 * var_b) ** 0.5
    assert (est.low, est.high) == (pytest.approx(est.estimate - half), pytest.approx(est.estimate + half))
    # too short a history: no estimate, and the reason
    short = did_rtm(changes, baseline, ["T"], ["C1", "C2"], history.iloc[:5])
    assert short.estimate is None and short.note_code == "too_few_areas"


def test_no_effect_gives_an_interval_around_zero() -> None:
    changes = pd.Series({"T": 0.2, "C1": 0.5, "C2": -0.4, "C3": 0.1, "C4": -0.2, "C5": 0.3})
    est = did(changes, ["T"], ["C1", "C2", "C3", "C4", "C5"], seed=3)
    assert est.covers_zero


def test_adjusted_difference_without_covariates_is_a_difference_of_means() -> None:
    # 3 reached units, 1 of them still in hardship; 6 not reached, 4 still in hardship
    treated = pd.DataFrame({"outcome": [0.0, 0.0, 1.0]})
    pool = pd.DataFrame({"outcome": [1.0, 1.0, 1.0, 0.0, 1.0, 0.0]})
    est = adjusted_difference(treated, pool, [])
    assert est.estimate == pytest.approx(1 / 3 - 2 / 3)
    assert (est.n_treated, est.n_comparison) == (3, 6)
    assert (est.method_code, est.comparison_code, est.params) == ("regression_adjusted", "units",
                                                                  {"covariates": 0, "units": 6})
    # pool residual variance with 5 degrees of freedom; HC1 variance of the pool mean: sum r^2 / n^2 * n / (n - 1)
    s2 = (4 * (1 / 3) ** 2 + 2 * (2 / 3) ** 2) / 5
    var = s2 / 3 + (4 * (1 / 3) ** 2 + 2 * (2 / 3) ** 2) / 36 * 6 / 5
    half = 1.959963984540054 * var ** 0.5
    assert (est.low, est.high) == (pytest.approx(est.estimate - half), pytest.approx(est.estimate + half))


def test_adjusted_difference_removes_a_baseline_difference() -> None:
    # without the project the outcome rises with x; the reached units have high x and do 0.5 better than
    # the model predicts. A plain difference of means would mix the two.
    x = np.arange(20, dtype=float)
    pool = pd.DataFrame({"x": x, "constant": 1.0, "outcome": 0.05 * x})
    treated = pd.DataFrame({"x": [16.0, 18.0, 19.0], "constant": 1.0,
                            "outcome": [0.05 * 16 - 0.5, 0.05 * 18 - 0.5, 0.05 * 19 - 0.5]})
    est = adjusted_difference(treated, pool, ["x", "constant"])
    assert est.estimate == pytest.approx(-0.5)
    # the plain difference of means: 0.05 * 53 / 3 - 0.5 - 0.05 * 9.5, about -0.09
    assert treated["outcome"].mean() - pool["outcome"].mean() == pytest.approx(0.05 * 53 / 3 - 0.5 - 0.475)
    # the covariate constant over the pool is dropped, not fitted
    assert est.params == {"covariates": 1, "units": 20}


def test_adjusted_difference_keeps_residual_degrees_of_freedom_and_needs_people() -> None:
    pool = pd.DataFrame({"a": np.arange(14.0), "b": np.arange(14.0) % 3, "c": np.arange(14.0) % 2,
                         "outcome": [0.0, 1.0] * 7})
    treated = pool.iloc[:2].copy()
    # 14 pool units keep at least 10 residual degrees of freedom: 3 of the covariates, intercept included
    assert adjusted_difference(treated, pool, ["a", "b", "c"]).params["covariates"] == 3
    assert adjusted_difference(treated, pool.iloc[:13], ["a", "b", "c"]).params["covariates"] == 2
    empty = adjusted_difference(treated.iloc[:0], pool, ["a"])
    assert empty.estimate is None and empty.note_code == "nobody_to_compare" and empty.low is None


def test_intra_cluster_correlation() -> None:
    assert icc(pd.Series([1.0, 1.0, 0.0, 0.0]).to_numpy(), pd.Series(["x", "x", "y", "y"]).to_numpy()) == 1.0
    assert icc(pd.Series([1.0, 0.0, 1.0, 0.0]).to_numpy(), pd.Series(["x", "x", "y", "y"]).to_numpy()) == 0.0
