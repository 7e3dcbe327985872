"""Statistical disclosure control of indicator tables for partners and the public (never for analysts).

``protect(values, parents, policy, rounding_key)`` takes ``indicator_value`` rows of any levels and returns
the same rows, in the same order, with:
1. primary suppression: a cell whose numerator, denominator or (for proportions) complement is a count
   between 0 and the threshold (3, or 10 for special-category indicators) is hidden;
2. secondary suppression (see ``suppression``): no area total, no sum of sub-areas and no indicator that is
   the sum of others can rebuild a hidden cell;
3. random rounding of every published count to a multiple of the base (5): the direction is drawn from a
   keyed hash of (year, level, area, counted population), unbiased on average, the same for the same
   population in every indicator (so repeated denominators cannot be averaged) and unknown without the key,
   so two overlapping figures that differ by one or two people (differencing) do not reveal them; the value,
   interval and ``unstable`` flag are recomputed from the rounded counts.
Hidden cells get numerator, denominator, value and interval None and ``null_reason`` 'suppressed'. Every
row carries ``suppressed``, ``protection`` ('rounded', 'exact', 'suppressed: primary', 'suppressed:
secondary'), ``protection_threshold`` and ``rounding_base``. Same input and key, byte-identical output.
Rules and their legal grounds: docs/privacy.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from welfare_district.errors import InputError
from welfare_district.privacy.suppression import Equation, secondary

if TYPE_CHECKING:
    from welfare_district.privacy.pseudonym import Keyring
    from welfare_district.settings import Settings

KEY = ["indicator_id", "level", "area_id", "year"]
REQUIRED = [*KEY, "numerator", "denominator", "value", "ci_low", "ci_high"]
PROTECTION_COLUMNS = ["suppressed", "protection", "protection_threshold", "rounding_base"]
PRIMARY, SECONDARY, ROUNDED, EXACT = "suppressed: primary", "suppressed: secondary", "rounded", "exact"
SISTAN_MINIMUM = 3
# Indicators whose numerator is the sum of others' numerators over the same denominator.
DEFAULT_SUMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ivsm_single_parent", ("ivsm_single_parent_young", "ivsm_single_parent_adult")),
    ("structural_dependency", ("youth_dependency", "elderly_dependency")),
)


@dataclass(frozen=True)
class DisclosurePolicy:
    """The disclosure rules as data. Special categories (GDPR art. 9: health, disability, social care) get
    the higher threshold; they are named by theme or indicator id here, not in the indicator library."""

    threshold: int = 3
    special_threshold: int = 10
    special_themes: frozenset[str] = frozenset({"care"})
    special_indicators: frozenset[str] = frozenset({"disability_allowance", "care_allowance", "open_cases"})
    rounding_base: int = 5
    complement_rule: bool = True
    sums: tuple[tuple[str, tuple[str, ...]], ...] = DEFAULT_SUMS
    themes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.threshold < SISTAN_MINIMUM or self.special_threshold < self.threshold:
            raise InputError(f"disclosure thresholds must be >= {SISTAN_MINIMUM} (SISTAN code art. 5) and the "
                             "special threshold at least the ordinary one")
        if self.rounding_base < 1:
            raise InputError("the rounding base must be a positive integer (1 = no rounding)")

    @classmethod
    def from_settings(cls, settings: Settings) -> DisclosurePolicy:
        """The policy of the WELFARE_DISCLOSURE_* settings, with the library's themes."""
        return cls(threshold=settings.disclosure_threshold,
                   special_threshold=settings.disclosure_special_threshold,
                   rounding_base=settings.disclosure_rounding_base, themes=library_themes())

    def threshold_for(self, indicator_id: str) -> int:
        """The smallest publishable count of one indicator."""
        special = indicator_id in self.special_indicators or self.themes.get(indicator_id) in self.special_themes
        return self.special_threshold if special else self.threshold


def library_themes() -> dict[str, str]:
    """Indicator id -> theme of the standard library."""
    from welfare_district.indicators.library import default_library

    return {i.id: i.theme for i in default_library().values()}


def rounding_key(keyring: Keyring) -> bytes:
    """The key of the rounding draws, derived from the keyring's first (oldest) key.

    The oldest key is used so that rotating pseudonym keys does not re-draw every rounding: two different
    roundings of the same published count would let anyone average them back to the exact figure.
    """
    first = next(iter(keyring.keys.values()))
    return hmac.new(first, b"welfare-district/disclosure-rounding/v1", hashlib.sha256).digest()


def protect(values: pd.DataFrame, parents: Mapping[str, str | None], policy: DisclosurePolicy,
            rounding_key: bytes) -> pd.DataFrame:
    """The rows of ``values`` with disclosure control applied (see the module docstring).

    ``parents`` maps each area id to its parent's (the area table's parent_id). Protect every level of an
    indicator and year together and filter afterwards: a level protected alone cannot see the sums that
    cross levels. A frame that already carries protection is returned unchanged (rounding twice would
    add noise twice); a frame mixing protected and unprotected rows raises InputError.
    """
    missing = [c for c in REQUIRED if c not in values.columns]
    if missing:
        raise InputError(f"indicator values lack the columns {missing}")
    if "protection" in values.columns:
        done = values["protection"].notna()
        if bool(done.all()):
            return values.copy()
        if bool(done.any()):
            raise InputError("some rows are already protected and some are not: protect the exact values")
    _check(values)
    if values.empty:
        return _with_columns(values.copy(), policy)
    # decisions are taken in key order, so they do not depend on the order the rows came in
    order = values.reset_index(drop=True).sort_values(KEY, kind="stable").index.to_numpy()
    frame = values.iloc[order].reset_index(drop=True)
    out = _protect_sorted(frame, parents, policy, rounding_key)
    result = out.iloc[np.argsort(order, kind="stable")]
    result.index = values.index
    return result


def _check(values: pd.DataFrame) -> None:
    counts = values[["numerator", "denominator"]]
    if bool(counts.isna().any().any()):
        raise InputError("indicator values must have a numerator and a denominator on every row")
    arr = counts.to_numpy(dtype=float)
    if bool((arr < 0).any()) or not bool(np.isfinite(arr).all()):
        raise InputError("numerators and denominators must be finite counts >= 0")
    if bool(values.duplicated(KEY).any()):
        raise InputError("indicator values repeat an (indicator, level, area, year) key")


def _with_columns(frame: pd.DataFrame, policy: DisclosurePolicy) -> pd.DataFrame:
    for column, dtype in (("suppressed", bool), ("protection", object), ("protection_threshold", "int64"),
                          ("rounding_base", "int64")):
        frame[column] = pd.Series(dtype=dtype)
    return frame


def _protect_sorted(frame: pd.DataFrame, parents: Mapping[str, str | None], policy: DisclosurePolicy,
                    key: bytes) -> pd.DataFrame:
    ids = frame["indicator_id"].astype(str)
    thresholds = {i: policy.threshold_for(i) for i in ids.unique()}
    thr = ids.map(thresholds).to_numpy(dtype=np.int64)
    num = frame["numerator"].to_numpy(dtype=float)
    den = frame["denominator"].to_numpy(dtype=float)
    proportion = _proportions(frame, ids)
    complement = proportion & policy.complement_rule
    primary = ((num > 0) & (num < thr)) | ((den > 0) & (den < thr)) | (complement & (den - num > 0)
                                                                      & (den - num < thr))
    base = policy.rounding_base
    if base > 1:
        r_num, r_den, unroundable = _round(frame, num, den, thr, complement, proportion, base, key)
        primary |= unroundable
    else:
        r_num, r_den = num.copy(), den.copy()
    extra = secondary(_equations(frame, parents, policy), num, den, thr, complement, primary)
    hidden = primary | extra
    out = frame.copy()
    mult = _multipliers(frame, ids, num, den)
    if base > 1:
        _recompute(out, r_num, r_den, mult, proportion, frame["ci_low"].notna().to_numpy())
    for column in ("numerator", "denominator", "value", "ci_low", "ci_high"):
        out[column] = out[column].astype(object).where(~hidden, None)
    if "unstable" in out.columns:
        out["unstable"] = out["unstable"].astype(object).where(~hidden, None)
    if "null_reason" in out.columns:
        out["null_reason"] = out["null_reason"].astype(object).where(~hidden, "suppressed")
    out["suppressed"] = hidden
    label = ROUNDED if base > 1 else EXACT
    out["protection"] = np.where(primary, PRIMARY, np.where(extra, SECONDARY, label)).astype(object)
    out["protection_threshold"] = thr
    out["rounding_base"] = np.int64(base)
    return out


def _proportions(frame: pd.DataFrame, ids: pd.Series) -> np.ndarray:
    from welfare_district.indicators.library import default_library

    kinds = {i.id: i.kind == "proportion" for i in default_library().values()}
    known = ids.map(kinds)
    # an indicator outside the library is a proportion when it was given an interval
    return known.where(known.notna(), frame["ci_low"].notna()).astype(bool).to_numpy()


def _multipliers(frame: pd.DataFrame, ids: pd.Series, num: np.ndarray, den: np.ndarray) -> np.ndarray:
    from welfare_district.indicators.library import default_library

    known = {i.id: float(i.multiplier) for i in default_library().values()}
    value = frame["value"].to_numpy(dtype=float)
    ok = (num > 0) & (den > 0) & np.isfinite(value)
    inferred = pd.Series(np.where(ok, value * den / np.where(num > 0, num, 1.0), np.nan)).groupby(
        ids.to_numpy()).transform("first")
    mult = ids.map(known).to_numpy(dtype=float)
    mult = np.where(np.isnan(mult), inferred.round(6).to_numpy(dtype=float), mult)
    return np.where(np.isnan(mult), 1.0, mult)


def _definitions(ids: pd.Series) -> dict[str, tuple[str, str]]:
    """Indicator id -> labels of its numerator's and denominator's populations.

    Indicators that count the same population (most share 'all residents' or 'all families' as denominator)
    share the label, hence the rounding draw: like the cell-key method, the same set of people always gets
    the same noise, so averaging repeated figures recovers nothing.
    """
    from welfare_district.indicators.filters import to_data
    from welfare_district.indicators.library import default_library

    library = default_library()
    out = {}
    for ind in ids.unique():
        known = library.get(str(ind))
        if known is None:
            out[str(ind)] = (f"{ind}#numerator", f"{ind}#denominator")
        else:
            out[str(ind)] = (_digest(to_data(known.numerator)), _digest(to_data(known.denominator)))
    return out


def _digest(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _draws(frame: pd.DataFrame, populations: list[str], key: bytes) -> np.ndarray:
    """A uniform number in [0, 1) per cell from a keyed hash of (year, level, area, counted population).

    The count itself is left out on purpose: otherwise two figures would round alike exactly when their
    counts are equal, and a difference in rounding would reveal a difference of one person.
    """
    place_codes, places = pd.factorize(frame["year"].astype(str) + "|" + frame["level"].astype(str) + "|"
                                       + frame["area_id"].astype(str))
    pop_codes, pops = pd.factorize(pd.Series(populations, dtype=object))
    combined = place_codes.astype(np.int64) * max(len(pops), 1) + pop_codes
    unique, inverse = np.unique(combined, return_inverse=True)
    place_list, pop_list, width = places.tolist(), pops.tolist(), max(len(pops), 1)
    draws = np.array([int.from_bytes(hashlib.blake2b(f"{place_list[c // width]}|{pop_list[c % width]}".encode(),
                                                     key=key[:64], digest_size=8).digest(), "big")
                      for c in unique.tolist()], dtype=float) / 2.0**64
    return draws[inverse] if len(draws) else np.zeros(0)


def _round(frame: pd.DataFrame, num: np.ndarray, den: np.ndarray, thr: np.ndarray, complement: np.ndarray,
           proportion: np.ndarray, base: int, key: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rounded counts, and the cells that no rounding can publish safely (they become primary)."""
    if bool((np.abs(num - np.round(num)) > 1e-9).any() or (np.abs(den - np.round(den)) > 1e-9).any()):
        raise InputError("random rounding needs whole counts; set the rounding base to 1 for other figures")
    n_lo, d_lo = np.floor(num / base) * base, np.floor(den / base) * base
    n_hi, d_hi = np.where(num > n_lo, n_lo + base, n_lo), np.where(den > d_lo, d_lo + base, d_lo)
    ids = frame["indicator_id"].astype(str)
    definitions = _definitions(ids)
    id_list = ids.tolist()
    u_num = _draws(frame, [definitions[i][0] for i in id_list], key)
    u_den = _draws(frame, [definitions[i][1] for i in id_list], key)
    r_num = np.where(u_num < (num - n_lo) / base, n_hi, n_lo)
    r_den = np.where(u_den < (den - d_lo) / base, d_hi, d_lo)
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


def _recompute(out: pd.DataFrame, r_num: np.ndarray, r_den: np.ndarray, mult: np.ndarray,
               proportion: np.ndarray, had_ci: np.ndarray) -> None:
    from welfare_district.indicators.compute import MAX_INTERVAL_WIDTH, MIN_DENOMINATOR, wilson

    positive = r_den > 0
    safe = np.where(positive, r_den, 1.0)
    low, high = wilson(np.minimum(r_num, safe), safe)
    with_ci = positive & proportion & had_ci
    out["numerator"] = r_num
    out["denominator"] = r_den
    out["value"] = np.where(positive, r_num / safe * mult, np.nan)
    out["ci_low"] = np.where(with_ci, low * mult, np.nan)
    out["ci_high"] = np.where(with_ci, high * mult, np.nan)
    if "unstable" in out.columns:
        out["unstable"] = (r_den < MIN_DENOMINATOR) | (np.where(with_ci, high - low, 0.0) > MAX_INTERVAL_WIDTH)


def _equations(frame: pd.DataFrame, parents: Mapping[str, str | None], policy: DisclosurePolicy
               ) -> list[Equation]:
    """Every additive relation among the rows: area -> children, and indicator sums, per indicator and year."""
    cells = pd.DataFrame({"indicator_id": frame["indicator_id"].astype(str), "year": frame["year"].astype("int64"),
                          "area_id": frame["area_id"].astype(str), "pos": np.arange(len(frame))})
    parent_ids = pd.Series([p if isinstance(p, str) else None for p in map(parents.get, cells["area_id"])],
                           dtype=object)  # the city, or a missing parent (None or NaN), has no equation
    children = cells.assign(parent_id=parent_ids.to_numpy()).dropna(subset=["parent_id"])
    links = children.merge(cells.rename(columns={"area_id": "parent_id", "pos": "total"}),
                           on=["indicator_id", "year", "parent_id"])
    pairs = links[["total", "pos"]].to_numpy(dtype=np.int64)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    starts = np.flatnonzero(np.r_[True, pairs[1:, 0] != pairs[:-1, 0]]).tolist() if len(pairs) else []
    ends = [*starts[1:], len(pairs)] if starts else []
    equations = [Equation(int(pairs[a, 0]), tuple(pairs[a:b, 1].tolist()), True)
                 for a, b in zip(starts, ends, strict=True)]
    keyed = cells.set_index(["indicator_id", "year", "area_id"])["pos"]
    for total_id, part_ids in policy.sums:
        totals = cells[cells["indicator_id"] == total_id]
        if totals.empty:
            continue
        found = np.column_stack([keyed.reindex(pd.MultiIndex.from_arrays(
            [[p] * len(totals), totals["year"], totals["area_id"]])).to_numpy(dtype=float) for p in part_ids])
        complete = ~np.isnan(found).any(axis=1)
        for total, parts in zip(totals["pos"].to_numpy()[complete].tolist(),
                                found[complete].astype(np.int64).tolist(), strict=True):
            equations.append(Equation(int(total), tuple(parts), False))
    return equations


def protected_view(values: pd.DataFrame, areas: pd.DataFrame, policy: DisclosurePolicy, key: bytes,
                   **filters: Any) -> pd.DataFrame:
    """Protect ``values`` against the area table ``areas`` (area_id, parent_id), then keep the rows whose
    columns equal ``filters`` (e.g. level='section'): the slice a partner or public route serves."""
    parents = dict(zip(areas["area_id"].astype(str), areas["parent_id"], strict=True))
    out = protect(values, parents, policy, key)
    for column, wanted in filters.items():
        out = out[out[column] == wanted]
    return out
