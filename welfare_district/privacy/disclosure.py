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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from welfare_district.errors import InputError
from welfare_district.privacy.cells import CellIndex, check_complete, equations
from welfare_district.privacy.rounding import recompute, round_counts
from welfare_district.privacy.suppression import secondary

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
    indicator and year together, with the indicators it is summed with, and filter afterwards: a level
    protected alone cannot see the sums that cross levels, so a partial frame raises InputError. A frame
    that already carries protection is returned unchanged (rounding twice would add noise twice); a frame
    mixing protected and unprotected rows raises InputError.
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
    return _protect_rows(values, parents, policy, rounding_key)


def _check(values: pd.DataFrame) -> None:
    counts = values[["numerator", "denominator"]]
    if bool(counts.isna().any().any()):
        raise InputError("indicator values must have a numerator and a denominator on every row")
    arr = counts.to_numpy(dtype=float)
    if bool((arr < 0).any()) or not bool(np.isfinite(arr).all()):
        raise InputError("numerators and denominators must be finite counts >= 0")


def _with_columns(frame: pd.DataFrame, policy: DisclosurePolicy) -> pd.DataFrame:
    for column, dtype in (("suppressed", bool), ("protection", object), ("protection_threshold", "int64"),
                          ("rounding_base", "int64")):
        frame[column] = pd.Series(dtype=dtype)
    return frame


def _protect_rows(frame: pd.DataFrame, parents: Mapping[str, str | None], policy: DisclosurePolicy,
                  key: bytes) -> pd.DataFrame:
    index = CellIndex.build(frame)
    check_complete(index, parents, policy.sums)
    # ties are broken by each row's rank in key order, so decisions do not depend on the order of the rows
    thr = np.array([policy.threshold_for(i) for i in index.indicators], dtype=np.int64)[index.indicator_codes]
    num = frame["numerator"].to_numpy(dtype=float)
    den = frame["denominator"].to_numpy(dtype=float)
    proportion = _proportions(frame, index)
    complement = proportion & policy.complement_rule
    primary = ((num > 0) & (num < thr)) | ((den > 0) & (den < thr)) | (complement & (den - num > 0)
                                                                      & (den - num < thr))
    base = policy.rounding_base
    if base > 1:
        r_num, r_den, unroundable = round_counts(index, num, den, thr, complement, proportion, base, key)
        primary |= unroundable
    else:
        r_num, r_den = num.copy(), den.copy()
    extra = secondary(equations(index, parents, policy.sums), num, den, thr, complement, primary, index.rank)
    hidden = primary | extra
    out = frame.copy()
    if base > 1:
        recompute(out, r_num, r_den, _multipliers(frame, index, num, den), proportion,
                  frame["ci_low"].notna().to_numpy())
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


def _proportions(frame: pd.DataFrame, index: CellIndex) -> np.ndarray:
    from welfare_district.indicators.library import default_library

    library = default_library()
    kinds = np.array([library[i].kind == "proportion" if i in library else False for i in index.indicators])
    known = np.array([i in library for i in index.indicators])
    # an indicator outside the library is a proportion when it was given an interval
    return np.where(known[index.indicator_codes], kinds[index.indicator_codes], frame["ci_low"].notna().to_numpy())


def _multipliers(frame: pd.DataFrame, index: CellIndex, num: np.ndarray, den: np.ndarray) -> np.ndarray:
    from welfare_district.indicators.library import default_library

    library = default_library()
    mult = np.array([float(library[i].multiplier) if i in library else np.nan for i in index.indicators])
    value = frame["value"].to_numpy(dtype=float)
    for code in np.flatnonzero(np.isnan(mult)).tolist():
        # outside the library: value = numerator / denominator x multiplier, read off any informative row
        rows = (index.indicator_codes == code) & (num > 0) & (den > 0) & np.isfinite(value)
        mult[code] = round(float(value[rows][0] * den[rows][0] / num[rows][0]), 6) if rows.any() else 1.0
    return mult[index.indicator_codes]


def protected_view(values: pd.DataFrame, areas: pd.DataFrame, policy: DisclosurePolicy, key: bytes,
                   **filters: Any) -> pd.DataFrame:
    """Protect ``values`` against the area table ``areas`` (area_id, parent_id), then keep the rows whose
    columns equal ``filters`` (e.g. level='section'): the slice a partner or public route serves."""
    parents = dict(zip(areas["area_id"].astype(str), areas["parent_id"], strict=True))
    out = protect(values, parents, policy, key)
    for column, wanted in filters.items():
        out = out[out[column] == wanted]
    return out
