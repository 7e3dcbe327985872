"""The protected rows of one indicator and year, as the read layer turns them into AreaValues.

Every level of the indicator and year is read together with the indicators it is summed with
(``privacy.export.related``), protected through the application's ``ProtectedTables`` (once per table
version) and split by level and area: so whichever route, level or area a figure is asked through, it is the
same protected cell, and no two routes can hide different cells of one table (which would let a reader
combine them). Results are kept in the read cache under the data stamp, next to the exact reads.

A page that needs many indicators of a year (an area profile, the warm-up) protects the whole year at once
(``protect_year``): one read and one protection pass instead of one per indicator, with the same cells
(``protect_whole_year`` says why).

A stored table that cannot be protected (not every area of the hierarchy, a summed indicator missing,
inconsistent counts) fails closed: every one of its cells is published as suppressed ('suppressed:
incomplete'), never exact, and a warning names the indicator and year.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import sqlalchemy as sa

from welfare_district.engine import Database
from welfare_district.errors import InputError
from welfare_district.privacy.cache import ProtectedTables
from welfare_district.web.read_cache import ReadCache, cached

_COLUMNS = ("indicator_id", "level", "area_id", "year", "numerator", "denominator", "value", "ci_low", "ci_high",
            "unstable", "null_reason", "definition_version", "boundary_version", "snapshot_built_at",
            "computed_at")
_FLOATS = ("numerator", "denominator", "value", "ci_low", "ci_high")
_FRAME_COLUMNS = ("indicator_id", "level", "area_id", "null_reason", "computed_at")


class ProtectedRow(NamedTuple):
    """One protected cell: the stored row's fields after disclosure control, and its protection flags."""

    numerator: float | None
    denominator: float | None
    value: float | None
    ci_low: float | None
    ci_high: float | None
    unstable: bool
    null_reason: str | None
    definition_version: str | None
    boundary_version: str | None
    snapshot_built_at: datetime | None
    computed_at: datetime | None
    suppressed: bool
    protection: str
    protection_threshold: int
    rounding_base: int


LevelRows = dict[str, dict[str, ProtectedRow]]
INCOMPLETE = "suppressed: incomplete"
_log = logging.getLogger(__name__)


def _read(db: Database, indicator_ids: list[str] | None, year: int) -> tuple[pd.DataFrame, list[Any]]:
    # The stored rows of ``indicator_ids`` (None: every indicator of the year) as a frame for ``protect``
    # (built column by column: per-row pandas conversion costs more than the protection pass), and the rows
    # themselves, whose provenance fields are kept as read. The frame carries only what protection reads:
    # converting the other timestamps to pandas would cost as much as a protection pass.
    from welfare_district.indicators.store import indicator_value_table

    t = indicator_value_table()
    query = sa.select(*(t.c[c] for c in _COLUMNS)).where(t.c.year == year)
    if indicator_ids is not None:
        query = query.where(t.c.indicator_id.in_(indicator_ids))
    with db.engine.connect() as conn:
        rows = list(conn.execute(query.order_by(t.c.indicator_id, t.c.level, t.c.area_id)).all())
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in _COLUMNS]
    data: dict[str, Any] = {}
    for name, column in zip(_COLUMNS, columns, strict=True):
        if name == "year":
            data[name] = np.array(column, dtype=np.int64)
        elif name in _FLOATS:
            data[name] = np.array(column, dtype=float)  # NULL -> NaN
        elif name == "unstable":
            data[name] = np.array(column, dtype=bool)
        elif name in _FRAME_COLUMNS:
            # an explicit object Series: pandas would otherwise spend time inferring timestamps
            data[name] = pd.Series(np.array(column, dtype=object), dtype=object)
    return pd.DataFrame(data), rows


def _floats(values: list[Any]) -> list[float | None]:
    return [None if v is None or v != v else float(v) for v in values]


def protect_indicator_year(db: Database, indicator_id: str, year: int, tables: ProtectedTables,
                           parents: Mapping[str, str | None]) -> LevelRows:
    """level -> area id -> ProtectedRow of ``indicator_id`` in ``year`` ({} when nothing is stored).

    Guarantees: computed from every level of the indicator and its summed indicators together, so the same
    cells whatever slice is served; byte-identical for the same stored rows and key.
    """
    from welfare_district.privacy.export import related

    frame, rows = _read(db, related(indicator_id, tables.policy), year)
    return _protect_frame(indicator_id, year, frame, rows, tables, parents)


def _protect_frame(indicator_id: str, year: int, frame: pd.DataFrame, rows: list[Any], tables: ProtectedTables,
                   parents: Mapping[str, str | None]) -> LevelRows:
    mine = np.flatnonzero(frame["indicator_id"].to_numpy() == indicator_id)
    if not len(mine):
        return {}
    try:
        out = tables.protect(frame, parents)
    except InputError as exc:
        _log.warning("%s %s cannot be protected, every cell is suppressed: %s", indicator_id, year, exc)
        return _all_suppressed([rows[i] for i in mine.tolist()], tables, indicator_id)
    return _level_rows(_Columns.of(out), rows, mine.tolist())


class _Columns(NamedTuple):
    # the protected frame's columns as Python lists, converted once for every indicator split from them
    figures: tuple[list[float | None], ...]
    unstable: list[Any]
    null_reason: list[Any]
    suppressed: list[Any]
    protection: list[Any]
    threshold: list[Any]
    base: list[Any]

    @classmethod
    def of(cls, out: pd.DataFrame) -> _Columns:
        return cls(tuple(_floats(out[c].tolist()) for c in ("numerator", "denominator", "value", "ci_low",
                                                             "ci_high")),
                   out["unstable"].tolist(), out["null_reason"].tolist(), out["suppressed"].tolist(),
                   out["protection"].tolist(), out["protection_threshold"].tolist(), out["rounding_base"].tolist())


def _level_rows(cols: _Columns, rows: list[Any], positions: list[int]) -> LevelRows:
    # protect keeps the rows and their order: position i of the protected frame is ``rows[i]``
    num, den, value, low, high = cols.figures
    result: LevelRows = {}
    for i in positions:
        raw = rows[i]
        # pandas writes NaN where a column had None
        unstable, null_reason = cols.unstable[i], cols.null_reason[i]
        result.setdefault(str(raw.level), {})[str(raw.area_id)] = ProtectedRow(
            num[i], den[i], value[i], low[i], high[i],
            bool(unstable) if unstable is not None and unstable == unstable else False,
            None if null_reason is None or null_reason != null_reason else str(null_reason),
            raw.definition_version, raw.boundary_version, raw.snapshot_built_at, raw.computed_at,
            bool(cols.suppressed[i]), str(cols.protection[i]), int(cols.threshold[i]), int(cols.base[i]))
    return result


def _all_suppressed(rows: list[Any], tables: ProtectedTables, indicator_id: str) -> LevelRows:
    threshold, base = tables.policy.threshold_for(indicator_id), tables.policy.rounding_base
    result: LevelRows = {}
    for r in rows:
        result.setdefault(str(r.level), {})[str(r.area_id)] = ProtectedRow(
            None, None, None, None, None, False, "suppressed", r.definition_version, r.boundary_version,
            r.snapshot_built_at, r.computed_at, True, INCOMPLETE, threshold, base)
    return result


def protect_whole_year(db: Database, year: int, tables: ProtectedTables, parents: Mapping[str, str | None],
                       indicator_ids: list[str] | None = None) -> dict[str, LevelRows]:
    """Indicator id -> LevelRows of every indicator stored in ``year`` (or of ``indicator_ids`` and those
    summed with them), from one read of the year and one protection pass over all its indicators.

    Guarantees: each indicator's rows equal ``protect_indicator_year``'s, cell for cell. Protection never
    links two indicators that no declared sum relates: primary suppression and rounding are decided per
    cell (the rounding draw hashes year, level, area and counted population, not the table), and secondary
    suppression works equation by equation, every equation lying inside one indicator or one sum family,
    whose cells keep their relative order (and so their tie-breaks) in the larger table. When the year as a
    whole cannot be protected (one indicator incomplete or inconsistent) each family is protected alone,
    so one broken table hides only its own cells ('suppressed: incomplete'), never another's. The whole
    year's protected frame is not kept in ``tables`` (the read cache keeps the rows split from it).
    """
    from welfare_district.privacy.export import related

    wanted = None if indicator_ids is None else sorted({g for i in indicator_ids for g in related(i, tables.policy)})
    frame, rows = _read(db, wanted, year)
    ids = frame["indicator_id"].to_numpy()
    present = sorted({str(i) for i in ids.tolist()})
    # rows are ordered by indicator: each indicator is one contiguous run of positions
    starts = np.searchsorted(ids.astype(str), present, side="left").tolist() if present else []
    ends = [*starts[1:], len(rows)]
    runs = {ind: range(a, b) for ind, a, b in zip(present, starts, ends, strict=True)}
    try:
        cols = _Columns.of(tables.protect(frame, parents, keep=False))
    except InputError:
        return {ind: _protect_frame(ind, year, *_group(frame, rows, related(ind, tables.policy)), tables, parents)
                for ind in present}
    return {ind: _level_rows(cols, rows, list(run)) for ind, run in runs.items()}


def _group(frame: pd.DataFrame, rows: list[Any], group: list[str]) -> tuple[pd.DataFrame, list[Any]]:
    # a subset keeps the read's order, which is the order a read of the group alone gives
    keep = np.flatnonzero(np.isin(frame["indicator_id"].to_numpy(), group))
    return frame.iloc[keep].reset_index(drop=True), [rows[i] for i in keep.tolist()]


def protect_year(db: Database, indicator_ids: list[str], year: int, tables: ProtectedTables,
                 parents: Mapping[str, str | None], cache: ReadCache | None) -> None:
    """Fill the read cache with the protected rows of ``indicator_ids`` in ``year`` (see
    ``protect_whole_year``): one read and one protection pass for every missing indicator of the year.

    Guarantees: afterwards ``protected_rows`` of each of them is a cache hit under the current stamp (unless
    evicted); the same cells as one pass per indicator; concurrent callers for the same year and indicators
    wait for one pass instead of running a second.
    """
    if cache is None:
        return

    def run(missing: list[Hashable]) -> dict[Hashable, LevelRows]:
        ids = [str(key[1]) for key in missing if isinstance(key, tuple)]
        return {("protected_rows", ind, year): table
                for ind, table in protect_whole_year(db, year, tables, parents, ids).items()}

    cache.get_many(db, [("protected_rows", i, year) for i in indicator_ids], run)


def protected_rows(db: Database, indicator_id: str, year: int, tables: ProtectedTables,
                   parents: Mapping[str, str | None], cache: ReadCache | None) -> LevelRows:
    """``protect_indicator_year`` through the read cache (one pass per indicator, year and data stamp)."""
    return cached(cache, db, ("protected_rows", indicator_id, year),
                  lambda: protect_indicator_year(db, indicator_id, year, tables, parents))


def area_parents(db: Database, *, cache: ReadCache | None = None) -> dict[str, str | None]:
    """Area id -> parent id of every stored area (the hierarchy disclosure control protects along); the same
    dict object while the data stamp holds, which ProtectedTables recognises without hashing it again."""
    from welfare_district.web.indicator_reads import area_index

    return cached(cache, db, ("area_parents",),
                  lambda: {a.area_id: a.parent_id for a in area_index(db, cache=cache).by_id.values()})


def protected_level_rows(db: Database, indicator_id: str, year: int, protection: ProtectedTables,
                         cache: ReadCache | None) -> LevelRows:
    """level -> area id -> protected row of the indicator in ``year``, against the stored hierarchy."""
    return protected_rows(db, indicator_id, year, protection, area_parents(db, cache=cache), cache)


__all__ = ["INCOMPLETE", "LevelRows", "ProtectedRow", "area_parents", "protect_indicator_year", "protect_whole_year",
           "protect_year", "protected_level_rows", "protected_rows"]
