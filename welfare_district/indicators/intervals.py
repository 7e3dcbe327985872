"""95% intervals and the ``unstable`` flag of indicator values, one method per kind of figure.

- ``wilson``: a proportion (the numerator's units are a subset of the denominator's): Wilson score interval.
- ``poisson``: a rate (events or declarations counted over a population at risk, e.g. open cases per 1,000
  residents): the numerator is treated as a Poisson count and the denominator as fixed; the score interval
  for a Poisson mean, x + z^2/2 -/+ z * sqrt(x + z^2/4), divided by the denominator. It is the counting
  analogue of Wilson's interval and, unlike the normal approximation, never goes below zero and gives a
  positive upper bound when nothing was counted.
- ``count_ratio``: a ratio of two disjoint population counts (old-age index: residents 65+ over residents
  0-14). Given their total, the numerator is binomial with share p = x / (x + y), so a Wilson interval for p
  mapped through p / (1 - p) bounds x / y.
- ``none``: no sampling model fits (average family size: members over families); no interval is given.

``unstable`` marks values a reader should not compare: a denominator below MIN_DENOMINATOR; for a proportion,
an interval wider than MAX_INTERVAL_WIDTH on the 0-1 scale; for a rate or a ratio of counts, a relative
standard error above MAX_RELATIVE_SE (read off the interval's half-width), which includes every zero count.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

IntervalMethod = Literal["wilson", "poisson", "count_ratio", "none"]
INTERVAL_METHODS: tuple[IntervalMethod, ...] = ("wilson", "poisson", "count_ratio", "none")
Z95 = 1.959963984540054
MIN_DENOMINATOR = 20
MAX_INTERVAL_WIDTH = 0.15
# 30 % is the usual threshold above which statistical offices flag or withhold a rate as unreliable
MAX_RELATIVE_SE = 0.30


def wilson(successes: np.ndarray, trials: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of successes/trials (trials > 0), clipped to [0, 1]."""
    n = trials
    p = np.clip(successes / n, 0.0, 1.0)
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def poisson_score(count: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Score interval of a Poisson mean from one observed count (count >= 0); the lower bound is >= 0."""
    x = np.maximum(count, 0.0)
    centre = x + z * z / 2
    half = z * np.sqrt(x + z * z / 4)
    return np.maximum(centre - half, 0.0), centre + half


def count_ratio(x: np.ndarray, y: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Interval of x / y for disjoint counts (y > 0): Wilson on x / (x + y), mapped through p / (1 - p)."""
    low_p, high_p = wilson(x, x + y, z)
    # y > 0 keeps high_p below 1; the guard only protects against rounding at huge counts
    return low_p / (1 - low_p), high_p / np.maximum(1 - high_p, 1e-12)


def bounds(num: np.ndarray, den: np.ndarray, methods: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Interval of num / den per row (before any multiplier): NaN where the method is ``none`` or den <= 0.

    ``methods`` holds one IntervalMethod per row. Proportions' numerators are capped at the denominator, as
    the Wilson interval requires; the value itself is not changed here.
    """
    positive = den > 0
    safe = np.where(positive, den, 1.0)
    low = np.full(len(num), np.nan)
    high = np.full(len(num), np.nan)
    rows = positive & (methods == "wilson")
    if rows.any():
        low[rows], high[rows] = wilson(np.minimum(num[rows], safe[rows]), safe[rows])
    rows = positive & (methods == "poisson")
    if rows.any():
        lo, hi = poisson_score(num[rows])
        low[rows], high[rows] = lo / safe[rows], hi / safe[rows]
    rows = positive & (methods == "count_ratio")
    if rows.any():
        low[rows], high[rows] = count_ratio(num[rows], safe[rows])
    return low, high


def unstable(den: np.ndarray, value: np.ndarray, low: np.ndarray, high: np.ndarray,
             methods: np.ndarray) -> np.ndarray:
    """Whether each value (num / den, before any multiplier) is too uncertain to compare; see the module doc."""
    with np.errstate(invalid="ignore", divide="ignore"):
        width = high - low
        relative_se = np.where(value > 0, width / 2 / Z95 / np.where(value > 0, value, 1.0), np.inf)
    too_wide = np.where(methods == "wilson", width > MAX_INTERVAL_WIDTH,
                        np.isin(methods, ("poisson", "count_ratio")) & (relative_se > MAX_RELATIVE_SE))
    return (den < MIN_DENOMINATOR) | (np.isfinite(low) & too_wide)
