"""The interval methods against values worked out by hand, and the rules that flag unstable values."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from welfare_district.indicators.intervals import bounds, count_ratio, poisson_score, unstable, wilson
from welfare_district.indicators.library import Indicator, default_library


def test_poisson_score_interval_by_hand() -> None:
    # x + z^2/2 -/+ z * sqrt(x + z^2/4), z = 1.96: for 10, 11.9207 -/+ 6.4888; for 0, (0, z^2)
    low, high = poisson_score(np.array([10.0, 0.0]))
    assert low[0] == pytest.approx(5.4320, abs=1e-3) and high[0] == pytest.approx(18.4095, abs=1e-3)
    assert low[1] == 0.0 and high[1] == pytest.approx(3.8415, abs=1e-3)


def test_count_ratio_is_wilson_on_the_share_mapped_to_a_ratio() -> None:
    low, high = count_ratio(np.array([30.0]), np.array([20.0]))
    p_low, p_high = wilson(np.array([30.0]), np.array([50.0]))
    assert low[0] == pytest.approx(p_low[0] / (1 - p_low[0])) and high[0] == pytest.approx(p_high[0] / (1 - p_high[0]))
    assert low[0] < 30 / 20 < high[0]
    # nobody in the numerator: the ratio's interval starts at 0 and still has an upper bound
    low, high = count_ratio(np.array([0.0]), np.array([40.0]))
    assert low[0] == 0.0 and 0 < high[0] < 0.2


def test_bounds_follow_each_rows_method_and_leave_zero_denominators_empty() -> None:
    num = np.array([1.0, 1.0, 1.0, 1.0, 1.0])
    den = np.array([6.0, 6.0, 6.0, 6.0, 0.0])
    methods = np.array(["wilson", "poisson", "count_ratio", "none", "wilson"], dtype=object)
    low, high = bounds(num, den, methods)
    assert low[0] == pytest.approx(0.0301, abs=1e-4) and high[0] == pytest.approx(0.5635, abs=1e-4)
    assert low[1] == pytest.approx(0.1765 / 6, abs=1e-4) and high[1] == pytest.approx(5.6649 / 6, abs=1e-4)
    assert low[2] < 1 / 6 < high[2]
    assert np.isnan(low[3]) and np.isnan(high[3]) and np.isnan(low[4]) and np.isnan(high[4])


def test_unstable_rates_are_those_with_a_relative_standard_error_above_30_percent() -> None:
    # relative standard error of a Poisson count x is about 1 / sqrt(x): 100 -> 10 %, 5 -> 45 %, 0 -> undefined
    num = np.array([100.0, 5.0, 0.0, 100.0])
    den = np.array([10_000.0, 10_000.0, 10_000.0, 10.0])
    methods = np.array(["poisson"] * 4, dtype=object)
    low, high = bounds(num, den, methods)
    flags = unstable(den, num / den, low, high, methods)
    assert flags.tolist() == [False, True, True, True]  # the last: denominator below the minimum


def test_interval_method_defaults_to_the_kind_and_is_checked() -> None:
    library = default_library()
    assert library["ivsm_large_families"].interval == "wilson"
    assert library["average_family_size"].interval == "none"
    assert library["open_cases"].interval == "poisson"
    assert library["old_age_index"].interval == "count_ratio"
    family_size = library["average_family_size"]
    # a ratio built without saying its interval gets none; saying the default changes nothing, not even the version
    assert dataclasses.replace(family_size, interval=None).interval == "none"
    assert dataclasses.replace(family_size, interval="none").version == family_size.version
    assert dataclasses.replace(family_size, interval="poisson").version != family_size.version
    with pytest.raises(ValueError, match="unknown interval method"):
        dataclasses.replace(family_size, interval="bootstrap")  # type: ignore[arg-type]
    assert isinstance(family_size, Indicator)
