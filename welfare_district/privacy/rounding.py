"""Random rounding of published counts, with draws from a keyed hash of the population counted.

A count c between two multiples of the base rounds up with probability (c mod base) / base, so it is unbiased
on average. The draw for a cell is a keyed BLAKE2b of (year, level, area, counted population): the count is
left out (otherwise two figures would round alike exactly when equal, and a difference in rounding would
reveal a difference of one person), and the population is named by its definition, not by the indicator,
so every indicator over "all residents" rounds that denominator alike and averaging recovers nothing.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd

from welfare_district.errors import InputError
from welfare_district.privacy.cells import CellIndex


def populations(indicators: list[str]) -> tuple[list[str], list[str]]:
    """Labels of the numerator's and the denominator's population of each indicator (by definition)."""
    from welfare_district.indicators.filters import to_data
    from welfare_district.indicators.library import default_library

    library = default_library()
    nums, dens = [], []
    for ind in indicators:
        known = library.get(ind)
        nums.append(_digest(to_data(known.numerator)) if known else f"{ind}#numerator")
        dens.append(_digest(to_data(known.denominator)) if known else f"{ind}#denominator")
    return nums, dens


def _digest(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def draws(index: CellIndex, population_of_indicator: list[str], key: bytes) -> np.ndarray:
    """A uniform number in [0, 1) per row; the same (year, level, area, population) gets the same number."""
    pop_codes_of_ind, pops = pd.factorize(pd.Series(population_of_indicator, dtype=object))
    width = max(len(pops), 1)
    place = index.year_codes * len(index.areas) + index.area_codes
    combined = place * width + pop_codes_of_ind[index.indicator_codes]
    unique, inverse = np.unique(combined, return_inverse=True)
    if not len(unique):
        return np.zeros(0)
    place_of, pop_of = np.divmod(unique, width)
    years, areas = np.divmod(place_of, len(index.areas))
    prefixes = {int(p): f"{index.years[y]}|{index.levels[a]}|{index.areas[a]}|"
                for p, y, a in zip(place_of.tolist(), years.tolist(), areas.tolist(), strict=True)}
    pop_list, k = pops.tolist(), key[:64]
    digests = b"".join(hashlib.blake2b((prefixes[p] + pop_list[q]).encode(), key=k, digest_size=8).digest()
                       for p, q in zip(place_of.tolist(), pop_of.tolist(), strict=True))
    return (np.frombuffer(digests, dtype=">u8").astype(float) / 2.0**64)[inverse]


def round_counts(index: CellIndex, num: np.ndarray, den: np.ndarray, thr: np.ndarray, complement: np.ndarray,
                 proportion: np.ndarray, base: int, key: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rounded numerators and denominators, and the cells no rounding can publish safely (to suppress)."""
    if bool((np.abs(num - np.round(num)) > 1e-9).any() or (np.abs(den - np.round(den)) > 1e-9).any()):
        raise InputError("random rounding needs whole counts; set the rounding base to 1 for other figures")
    n_lo, d_lo = np.floor(num / base) * base, np.floor(den / base) * base
    n_hi, d_hi = np.where(num > n_lo, n_lo + base, n_lo), np.where(den > d_lo, d_lo + base, d_lo)
    num_pops, den_pops = populations(index.indicators)
    r_num = np.where(draws(index, num_pops, key) < (num - n_lo) / base, n_hi, n_lo)
    r_den = np.where(draws(index, den_pops, key) < (den - d_lo) / base, d_hi, d_lo)
    # a positive count never rounds below the threshold: a published figure always stands for enough units
    r_num = np.where((num > 0) & (r_num < thr), n_hi, r_num)
    r_den = np.where((den > 0) & (r_den < thr), d_hi, r_den)
    # a proportion stays a proportion, and its complement stays publishable
    r_den = np.where(proportion & (r_num > r_den), d_hi, r_den)
    bad = complement & (r_den - r_num > 0) & (r_den - r_num < thr)
    r_den = np.where(bad, d_hi, r_den)
    bad = complement & (r_den - r_num > 0) & (r_den - r_num < thr)
    r_num = np.where(bad & (n_lo >= thr), n_lo, r_num)
    bad = complement & (r_den - r_num > 0) & (r_den - r_num < thr)
    return r_num, r_den, bad


def recompute(out: pd.DataFrame, r_num: np.ndarray, r_den: np.ndarray, mult: np.ndarray,
              proportion: np.ndarray, had_ci: np.ndarray) -> None:
    """Set counts, value, interval and ``unstable`` of ``out`` from the rounded counts.

    The interval follows each indicator's own method (indicators.intervals), so a published rounded figure
    carries the same kind of interval as the exact one; an indicator outside the library keeps a Wilson
    interval when it is a proportion that had one, and none otherwise.
    """
    from welfare_district.indicators.intervals import bounds, unstable
    from welfare_district.indicators.library import default_library

    known = {i.id: i.interval for i in default_library().values()}
    fallback = np.where(proportion & had_ci, "wilson", "none")
    methods = out["indicator_id"].map(known).to_numpy(dtype=object)
    methods = np.where(pd.isna(methods), fallback, methods)
    methods = np.where(had_ci, methods, "none")
    positive = r_den > 0
    value = np.where(positive, r_num / np.where(positive, r_den, 1.0), np.nan)
    low, high = bounds(r_num, r_den, methods)
    out["numerator"] = r_num
    out["denominator"] = r_den
    out["value"] = value * mult
    out["ci_low"] = low * mult
    out["ci_high"] = high * mult
    if "unstable" in out.columns:
        out["unstable"] = unstable(r_den, value, low, high, methods)
