"""The protected rows of one indicator and year, as the read layer turns them into AreaValues.

Every level of the indicator and year is read together with the indicators it is summed with
(``privacy.export.related``), protected through the application's ``ProtectedTables`` (once per table
version) and split by level and area: so whichever route, level or area a figure is asked through, it is the
same protected cell, and no two routes can hide different cells of one table (which would let a reader
combine them). Results are kept in the read cache under the data stamp, next to the exact reads.

A stored table that cannot be protected (not every area of the hierarchy, a summed indicator missing,
inconsistent counts) fails closed: every one of its cells is published as suppressed ('suppressed:
incomplete'), never exact, and a warning names the indicator and year.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
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


def _read(db: Database, indicator_ids: list[str], year: int) -> tuple[pd.DataFrame, list[Any]]:
    # The stored rows as a frame for ``protect`` (built column by column: per-row pandas conversion costs
    # more than the protection pass), and the rows themselves, whose provenance fields are kept as read.
    from welfare_district.indicators.store import indicator_value_table

    t = indicator_value_table()
    query = (sa.select(*(t.c[c] for c in _COLUMNS))
             .where(t.c.indicator_id.in_(indicator_ids), t.c.year == year)
             .order_by(t.c.indicator_id, t.c.level, t.c.area_id))
    with db.engine.connect() as conn:
        rows = list(conn.execute(query).all())
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in _COLUMNS]
    data: dict[str, Any] = {}
    for name, column in zip(_COLUMNS, columns, strict=True):
        if name == "year":
            data[name] = np.array(column, dtype=np.int64)
        elif name in _FLOATS:
            data[name] = np.array(column, dtype=float)  # NULL -> NaN
        elif name == "unstable":
            data[name] = np.array(column, dtype=bool)
        else:
            data[name] = np.array(column, dtype=object)
    return pd.DataFrame(data), rows


def _missing(value: Any) -> Any:
    # pandas writes NaN where a column had None
    return None if value is None or (isinstance(value, float) and value != value) else value


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
    # protect keeps the rows and their order: position i of ``out`` is ``rows[i]``
    part = out.iloc[mine]
    figures = [_floats(part[c].tolist()) for c in ("numerator", "denominator", "value", "ci_low", "ci_high")]
    flags = [part[c].tolist() for c in ("unstable", "null_reason", "suppressed", "protection",
                                        "protection_threshold", "rounding_base")]
    result: LevelRows = {}
    for k, i in enumerate(mine.tolist()):
        raw = rows[i]
        unstable, null_reason, suppressed, protection, threshold, base = (_missing(f[k]) for f in flags)
        result.setdefault(str(raw.level), {})[str(raw.area_id)] = ProtectedRow(
            figures[0][k], figures[1][k], figures[2][k], figures[3][k], figures[4][k],
            bool(unstable) if unstable is not None else False,
            None if null_reason is None else str(null_reason), raw.definition_version,
            raw.boundary_version, raw.snapshot_built_at, raw.computed_at, bool(suppressed), str(protection),
            int(threshold), int(base))
    return result


def _all_suppressed(rows: list[Any], tables: ProtectedTables, indicator_id: str) -> LevelRows:
    threshold, base = tables.policy.threshold_for(indicator_id), tables.policy.rounding_base
    result: LevelRows = {}
    for r in rows:
        result.setdefault(str(r.level), {})[str(r.area_id)] = ProtectedRow(
            None, None, None, None, None, False, "suppressed", r.definition_version, r.boundary_version,
            r.snapshot_built_at, r.computed_at, True, INCOMPLETE, threshold, base)
    return result


def protect_year(db: Database, indicator_ids: list[str], year: int, tables: ProtectedTables,
                 parents: Mapping[str, str | None], cache: ReadCache | None) -> None:
    """Fill the read cache with the protected rows of ``indicator_ids`` in ``year`` from one read of the year.

    Each indicator is still protected with exactly the rows of its own group (the same frame, so the same
    cells and the same ProtectedTables entry as ``protect_indicator_year``): only the database reads are
    shared, which saves one query per indicator on a profile page.
    """
    from welfare_district.privacy.export import related

    if cache is None:
        return
    stamp = cache.stamp(db)
    wanted = [i for i in indicator_ids if cache.peek(("protected_rows", i, year), stamp) is None]
    if not wanted:
        return
    groups = {i: related(i, tables.policy) for i in wanted}
    frame, rows = _read(db, sorted({g for group in groups.values() for g in group}), year)
    ids = frame["indicator_id"].to_numpy()
    for indicator_id, group in groups.items():
        # a subset keeps the read's order, which is the order a read of the group alone gives
        keep = np.flatnonzero(np.isin(ids, group))
        part = frame.iloc[keep].reset_index(drop=True)
        result = _protect_frame(indicator_id, year, part, [rows[i] for i in keep.tolist()], tables, parents)
        cache.put(("protected_rows", indicator_id, year), stamp, result)


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


__all__ = ["INCOMPLETE", "LevelRows", "ProtectedRow", "area_parents", "protect_indicator_year", "protect_year",
           "protected_level_rows", "protected_rows"]
