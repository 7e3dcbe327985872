"""The cells of an indicator table as integer codes, their additive relations, and completeness checks.

Indicator, year and area become small integer codes once, so that finding a cell's parent, or the parts of
an indicator sum, is a sorted-array lookup instead of string joins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from welfare_district.errors import InputError
from welfare_district.privacy.suppression import Equation


@dataclass(frozen=True)
class CellIndex:
    """Codes of the rows of a frame: ``indicator_codes[i]`` indexes ``indicators``, and so on."""

    indicator_codes: np.ndarray
    indicators: list[str]
    year_codes: np.ndarray
    years: list[int]
    area_codes: np.ndarray
    areas: list[str]
    levels: list[str]  # the level of each area in ``areas``
    rank: np.ndarray  # each row's position in (indicator, year, area) order: the same whatever the row order

    @classmethod
    def build(cls, frame: pd.DataFrame) -> CellIndex:
        """Codes of ``frame``'s indicator_id, year, area_id (sorted, so codes follow the values' order).

        Raises InputError when two rows share an (indicator, year, area).
        """
        ind_codes, indicators = pd.factorize(frame["indicator_id"].astype(str), sort=True)
        year_codes, years = pd.factorize(frame["year"].astype("int64"), sort=True)
        area_codes, areas = pd.factorize(frame["area_id"].astype(str), sort=True)
        first = np.unique(area_codes, return_index=True)[1]
        levels = frame["level"].astype(str).to_numpy(dtype=object)[first].tolist()
        index = cls(ind_codes.astype(np.int64), [str(i) for i in indicators], year_codes.astype(np.int64),
                    [int(y) for y in years], area_codes.astype(np.int64), [str(a) for a in areas], levels,
                    np.zeros(0, dtype=np.int64))
        keys = index.keys(index.indicator_codes, index.year_codes, index.area_codes)
        order = np.argsort(keys, kind="stable")
        if len(keys) and bool((np.diff(keys[order]) == 0).any()):
            raise InputError("indicator values repeat an (indicator, level, area, year) key")
        rank = np.empty(len(keys), dtype=np.int64)
        rank[order] = np.arange(len(keys))
        return replace(index, rank=rank)

    def keys(self, indicator: np.ndarray, year: np.ndarray, area: np.ndarray) -> np.ndarray:
        """One int64 per (indicator, year, area) code triple, unique within the frame."""
        return (indicator * len(self.years) + year) * len(self.areas) + area


def check_complete(index: CellIndex, parents: Mapping[str, str | None], sums: tuple[tuple[str, tuple[str, ...]], ...]
                   ) -> None:
    """Raise InputError unless every indicator and year present covers every area of ``parents``, together
    with every indicator it is summed with: a partial table cannot see the relations that protect it."""
    strangers = [a for a in index.areas if a not in parents]
    if strangers:
        raise InputError(f"{len(strangers)} area(s) are not in the area hierarchy, e.g. {strangers[0]!r}")
    groups = index.indicator_codes * len(index.years) + index.year_codes
    counts = np.bincount(groups, minlength=len(index.indicators) * len(index.years))
    for group in np.flatnonzero((counts > 0) & (counts != len(parents))).tolist()[:1]:
        ind, year = index.indicators[group // len(index.years)], index.years[group % len(index.years)]
        raise InputError(f"{ind} {year} has {counts[group]} of the {len(parents)} areas: protect every level "
                         "of an indicator and year together, then filter")
    present = {(index.indicators[g // len(index.years)], index.years[g % len(index.years)])
               for g in np.flatnonzero(counts > 0).tolist()}
    for total, parts in sums:
        family = (total, *parts)
        for year in index.years:
            have = [i for i in family if (i, year) in present]
            if have and len(have) != len(family):
                raise InputError(f"{have[0]} {year} must be protected together with "
                                 f"{', '.join(i for i in family if i not in have)} (their numerators add up)")


def equations(index: CellIndex, parents: Mapping[str, str | None], sums: tuple[tuple[str, tuple[str, ...]], ...]
              ) -> list[Equation]:
    """Every additive relation among the rows: area -> children per indicator and year, and indicator sums."""
    n = len(index.area_codes)
    keys = index.keys(index.indicator_codes, index.year_codes, index.area_codes)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]

    def find(wanted: np.ndarray) -> np.ndarray:
        """Row position of each key, -1 when absent."""
        loc = np.minimum(np.searchsorted(sorted_keys, wanted), max(n - 1, 0))
        hit = (sorted_keys[loc] == wanted) if n else np.zeros(len(wanted), dtype=bool)
        return np.where(hit, order[loc] if n else -1, -1)

    code_of = {a: i for i, a in enumerate(index.areas)}
    parent_of_area = np.array([code_of.get(p, -1) if isinstance(p, str) else -1
                               for p in (parents.get(a) for a in index.areas)], dtype=np.int64)
    parent_codes = parent_of_area[index.area_codes] if n else np.zeros(0, dtype=np.int64)
    children = np.flatnonzero(parent_codes >= 0)
    totals = find(index.keys(index.indicator_codes[children], index.year_codes[children], parent_codes[children]))
    pairs = np.column_stack([totals, children])[totals >= 0]
    pairs = pairs[np.lexsort((index.rank[pairs[:, 1]], index.rank[pairs[:, 0]]))]
    starts = np.flatnonzero(np.r_[True, pairs[1:, 0] != pairs[:-1, 0]]).tolist() if len(pairs) else []
    ends = [*starts[1:], len(pairs)] if starts else []
    result = [Equation(int(pairs[a, 0]), tuple(pairs[a:b, 1].tolist()), True)
              for a, b in zip(starts, ends, strict=True)]
    ind_code = {name: i for i, name in enumerate(index.indicators)}
    for total_id, part_ids in sums:
        if total_id not in ind_code or any(p not in ind_code for p in part_ids):
            continue
        rows = np.flatnonzero(index.indicator_codes == ind_code[total_id])
        rows = rows[np.argsort(index.rank[rows], kind="stable")]
        found = np.column_stack([find(index.keys(np.full(len(rows), ind_code[p]), index.year_codes[rows],
                                                 index.area_codes[rows])) for p in part_ids])
        complete = (found >= 0).all(axis=1)
        for total, parts in zip(rows[complete].tolist(), found[complete].tolist(), strict=True):
            result.append(Equation(int(total), tuple(parts), False))
    return result
