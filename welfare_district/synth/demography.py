"""Mortality, fertility and the back-projection of the real 2023 pyramid to the first snapshot.

Ages are completed years on 31 December (age = year - birth year), so a cohort ages by exactly one year
per snapshot and the calibration snapshot (31 Dec 2022) is ISTAT's 1 January 2023 table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_AGE = 104  # oldest age simulated; ISTAT's open class 100+ is spread over 100..104
OPEN_AGE = 100
# Gompertz mortality above 40 (log q = a + b age), close to the Veneto life tables of the late 2010s
_GOMPERTZ = {0: (-10.9, 0.098), 1: (-11.9, 0.105)}  # sex code 0 = M, 1 = F
_YOUNG_Q = {0: 0.0004, 1: 0.0002}
# age-specific fertility shape (Italy, late 2010s): peak at 31-33, little before 20 or after 44
ASFR_FIRST, ASFR_LAST, ASFR_PEAK, ASFR_SPREAD = 15, 50, 32.0, 5.2


def death_probability(age: np.ndarray, sex: np.ndarray) -> np.ndarray:
    """Probability of dying during the year in which the person reaches ``age``; capped at 0.6."""
    age = np.asarray(age, dtype=np.float64)
    q = np.empty(age.shape)
    for s, (a, b) in _GOMPERTZ.items():
        sel = np.asarray(sex) == s
        q[sel] = np.maximum(np.exp(a + b * age[sel]), _YOUNG_Q[s])
    q[age <= 0] = 0.0  # newborns are added after the year's deaths (see dynamics)
    return np.minimum(q, 0.6)


def fertility_weight(age: np.ndarray) -> np.ndarray:
    """Relative chance of giving birth at ``age`` (0 outside 15-50); scaled to birth counts elsewhere."""
    age = np.asarray(age)
    out = np.zeros(age.shape)
    inside = (age >= ASFR_FIRST) & (age <= ASFR_LAST)
    out[inside] = np.exp(-0.5 * ((age[inside] - ASFR_PEAK) / ASFR_SPREAD) ** 2)
    return out


def spread_open_age(counts: np.ndarray) -> np.ndarray:
    """Counts by age 0..MAX_AGE from a table whose last entry is the open class 100+."""
    out = np.zeros(MAX_AGE + 1)
    out[:OPEN_AGE] = counts[:OPEN_AGE]
    shares = np.array([0.45, 0.26, 0.15, 0.09, 0.05])[: MAX_AGE - OPEN_AGE + 1]
    out[OPEN_AGE:] = counts[OPEN_AGE] * shares / shares.sum()
    return out


def target_by_age(pyramid: pd.DataFrame, fraction: float) -> np.ndarray:
    """The pyramid (columns age, M, F) as a (MAX_AGE+1, 2) float array [age, sex], scaled by ``fraction``."""
    table = pyramid.sort_values("age")
    return (
        np.stack(
            [spread_open_age(table["M"].to_numpy(float)), spread_open_age(table["F"].to_numpy(float))], axis=1
        )
        * fraction
    )


def back_project(target: np.ndarray, years_back: int) -> tuple[np.ndarray, np.ndarray]:
    """Expected residents by [age, sex] ``years_back`` years before the target date, and births per year.

    Survivors are divided back through the same death probabilities the simulation applies, so that
    simulating forward lands on the target in expectation; migration is balanced by age in the
    simulation, so it is not undone here. Births are indexed 0 = first simulated year.
    """
    start = np.zeros_like(target)
    ages = np.arange(MAX_AGE + 1)
    for s in (0, 1):
        sex = np.full(MAX_AGE + 1, s)
        q = death_probability(ages, sex)
        for a in range(years_back, MAX_AGE + 1):
            survive = np.prod([1 - q[a - years_back + k] for k in range(1, years_back + 1)])
            start[a - years_back, s] = target[a, s] / survive
    births = np.zeros((years_back, 2))
    for s in (0, 1):
        q = death_probability(ages, np.full(MAX_AGE + 1, s))
        for k in range(years_back):  # k = 0: first year; the cohort is (years_back-1-k) at target
            age_at_target = years_back - 1 - k
            births[k, s] = target[age_at_target, s] / np.prod([1 - q[j] for j in range(1, age_at_target + 1)])
    return start, births
