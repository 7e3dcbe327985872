"""Composite indices over indicator values: AMPI (as ISTAT computes IVSM and IDISE), the older MPI, and the
IVSM map classes. Pure numpy/pandas: rows are units (an area, or an area in a year when a time series is
normalised together), columns are indicators.

Constant indicator rule: when an indicator has the same value in every unit (Sup = Inf, so D = 0) the AMPI
rescaling would divide by zero; instead every unit gets r = 100 for that indicator (it neither raises nor
lowers anyone's index) and a warning is recorded. The MPI does the same with z = 100 when the standard
deviation is zero. A unit missing any component gets a NULL index and a warning.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from welfare_district.errors import InputError


@dataclass(frozen=True)
class FixedReference:
    """External reference values Ref_j per indicator (IVSM: Italy 1991)."""

    values: Mapping[str, float]


@dataclass(frozen=True)
class UnitReference:
    """One row of the data is the reference (IDISE: the city's own value in a base period = 100)."""

    unit: Hashable


Reference = FixedReference | UnitReference


@dataclass
class CompositeResult:
    """Per unit: ``scores`` (mean, sd, cv, index, class); ``normalised`` the rescaled components."""

    scores: pd.DataFrame
    normalised: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def _check(data: pd.DataFrame, polarity: Mapping[str, int]) -> pd.Series:
    if data.empty or data.shape[1] == 0:
        raise InputError("a composite index needs at least one unit and one indicator")
    missing = [c for c in data.columns if c not in polarity]
    if missing:
        raise InputError(f"no polarity given for {missing}")
    signs = pd.Series({c: int(polarity[c]) for c in data.columns})
    if bad := [c for c, s in signs.items() if s not in (-1, 1)]:
        raise InputError(f"polarity must be +1 or -1 for a composite; got {bad}")
    return signs


def _reference_values(data: pd.DataFrame, reference: Reference) -> pd.Series:
    if isinstance(reference, UnitReference):
        if reference.unit not in data.index:
            raise InputError(f"reference unit {reference.unit!r} is not among the units")
        row: Any = data.loc[cast(Any, reference.unit)]
        return pd.Series(row, dtype=float)
    if missing := [c for c in data.columns if c not in reference.values]:
        raise InputError(f"no reference value for {missing}")
    return pd.Series({c: float(reference.values[c]) for c in data.columns})


def _penalised(r: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    complete = r.notna().all(axis=1)
    if not complete.all():
        warnings.append(f"{int((~complete).sum())} unit(s) lack a component: their index is null")
    mean = r.mean(axis=1).where(complete)
    sd = r.std(axis=1, ddof=0).where(complete)  # population standard deviation, as ISTAT
    cv = sd / mean
    index = mean + sd * cv  # penalty added: the index measures a negative phenomenon
    scores = pd.DataFrame({"mean": mean, "sd": sd, "cv": cv, "index": index})
    scores["class"] = ivsm_classes(scores["index"])
    return scores


def ampi(data: pd.DataFrame, polarity: Mapping[str, int], reference: Reference) -> CompositeResult:
    """Adjusted Mazziotta-Pareto Index of every row of ``data``.

    Guarantees: goalposts (Inf, Sup) are the min and max over all rows; r_ij = 70 + 60 (x - Min)/(Max - Min)
    (reversed for polarity -1) with Min/Max = Ref -/+ (Sup - Inf)/2; index = M + S*cv with S the population
    standard deviation; a unit equal to the reference scores exactly 100; constant indicators give r = 100.
    """
    signs = _check(data, polarity)
    x = data.astype(float)
    ref = _reference_values(x, reference)
    inf, sup = x.min(), x.max()
    d = (sup - inf) / 2
    lo, hi = ref - d, ref + d
    warnings = []
    r = pd.DataFrame(index=x.index, columns=x.columns, dtype=float)
    for col in x.columns:
        if not d[col] > 0:
            warnings.append(f"{col}: same value in every unit (Sup = Inf); r = 100 for every unit")
            r[col] = np.where(x[col].notna(), 100.0, np.nan)
            continue
        scaled = (x[col] - lo[col]) / (hi[col] - lo[col]) if signs[col] > 0 else (hi[col] - x[col]) / (
            hi[col] - lo[col])
        r[col] = 70 + 60 * scaled
    return CompositeResult(_penalised(r, warnings), r, warnings)


def mpi(data: pd.DataFrame, polarity: Mapping[str, int]) -> CompositeResult:
    """The original Mazziotta-Pareto Index: z = 100 +/- 10 (x - mean)/sd (population sd), index = M + S*cv."""
    signs = _check(data, polarity)
    x = data.astype(float)
    mean, sd = x.mean(), x.std(ddof=0)
    warnings = []
    z = pd.DataFrame(index=x.index, columns=x.columns, dtype=float)
    for col in x.columns:
        if not sd[col] > 0:
            warnings.append(f"{col}: same value in every unit (sd = 0); z = 100 for every unit")
            z[col] = np.where(x[col].notna(), 100.0, np.nan)
            continue
        z[col] = 100 + 10 * signs[col] * (x[col] - mean[col]) / sd[col]
    return CompositeResult(_penalised(z, warnings), z, warnings)


IVSM_CLASSES = ("low", "medium-low", "medium", "medium-high", "high")


def ivsm_class(value: float | None) -> str | None:
    """ISTAT's IVSM map class: < 97 low, 97-98 medium-low, 98-99 medium, 99-103 medium-high, > 103 high."""
    if value is None or not np.isfinite(value):
        return None
    if value < 97:
        return "low"
    if value < 98:
        return "medium-low"
    if value < 99:
        return "medium"
    if value <= 103:
        return "medium-high"
    return "high"


def ivsm_classes(values: pd.Series) -> pd.Series:
    """``ivsm_class`` of every value (None for missing)."""
    labels = [ivsm_class(None if pd.isna(v) else float(v)) for v in values]
    return pd.Series(labels, index=values.index, dtype=object)


def wide(values: pd.DataFrame, indicator_ids: list[str], level: str) -> pd.DataFrame:
    """Rows of ``indicator_value`` (one level) as units x indicators, indexed by (area_id, year)."""
    part = values[(values["level"] == level) & values["indicator_id"].isin(indicator_ids)]
    table = part.pivot_table(index=["area_id", "year"], columns="indicator_id", values="value", aggfunc="first",
                             dropna=False)
    return table.reindex(columns=indicator_ids)


def ampi_from_values(values: pd.DataFrame, indicator_ids: list[str], level: str, polarity: Mapping[str, int],
                     reference: Reference, reference_level: str = "city") -> CompositeResult:
    """AMPI of every (area, year) of ``level`` from ``indicator_value`` rows, all years normalised together.

    A UnitReference naming an (area_id, year) that is not of ``level`` (e.g. the city in a base year, the
    IDISE convention) takes its values from ``reference_level``; it does not join the goalposts.
    """
    data = wide(values, indicator_ids, level)
    if isinstance(reference, UnitReference) and reference.unit not in data.index:
        ref_rows = wide(values, indicator_ids, reference_level)
        if reference.unit not in ref_rows.index:
            raise InputError(f"reference unit {reference.unit!r} is not among the {level} or {reference_level} rows")
        row = ref_rows.loc[[cast(Any, reference.unit)]].iloc[0]
        reference = FixedReference({str(k): float(v) for k, v in row.to_dict().items()})
    return ampi(data, polarity, reference)
