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

import pandas as pd
import sqlalchemy as sa

from welfare_district.engine import Database
from welfare_district.errors import InputError
from welfare_district.privacy.cache import ProtectedTables
from welfare_district.web.read_cache import ReadCache, cached

_COLUMNS = ("indicator_id", "level", "area_id", "year", "numerator", "denominator", "value", "ci_low", "ci_high",
            "unstable", "null_reason", "definition_version", "boundary_version", "snapshot_built_at",
            "computed_at")


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


def _frame(db: Database, indicator_ids: list[str], year: int) -> pd.DataFrame:
    from welfare_district.indicators.store import indicator_value_table

    t = indicator_value_table()
    query = (sa.select(*(t.c[c] for c in _COLUMNS))
             .where(t.c.indicator_id.in_(indicator_ids), t.c.year == year)
             .order_by(t.c.indicator_id, t.c.level, t.c.area_id))
    with db.engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=list(_COLUMNS))
    return frame.astype({"year": "int64", "numerator": "float64", "denominator": "float64", "value": "float64",
                         "ci_low": "float64", "ci_high": "float64"})


def _opt(x: Any) -> Any:
    # pandas gives NaN/NaT for missing values; the read layer wants None
    return None if x is None or (isinstance(x, float) and x != x) or x is pd.NaT else x


def _time(x: Any) -> datetime | None:
    x = _opt(x)
    return x.to_pydatetime() if isinstance(x, pd.Timestamp) else x


def protect_indicator_year(db: Database, indicator_id: str, year: int, tables: ProtectedTables,
                           parents: Mapping[str, str | None]) -> LevelRows:
    """level -> area id -> ProtectedRow of ``indicator_id`` in ``year`` ({} when nothing is stored).

    Guarantees: computed from every level of the indicator and its summed indicators together, so the same
    cells whatever slice is served; byte-identical for the same stored rows and key.
    """
    from welfare_district.privacy.export import related

    frame = _frame(db, related(indicator_id, tables.policy), year)
    if not (frame["indicator_id"] == indicator_id).any():
        return {}
    try:
        out = tables.protect(frame, parents)
    except InputError as exc:
        _log.warning("%s %s cannot be protected, every cell is suppressed: %s", indicator_id, year, exc)
        return _all_suppressed(frame[frame["indicator_id"] == indicator_id], tables, indicator_id)
    out = out[out["indicator_id"] == indicator_id]
    result: LevelRows = {}
    for r in out.itertuples(index=False):
        unstable = _opt(r.unstable)
        row = ProtectedRow(_opt(r.numerator), _opt(r.denominator), _opt(r.value), _opt(r.ci_low), _opt(r.ci_high),
                           bool(unstable) if unstable is not None else False, _opt(r.null_reason),
                           _opt(r.definition_version), _opt(r.boundary_version), _time(r.snapshot_built_at),
                           _time(r.computed_at), bool(r.suppressed), str(r.protection),
                           int(r.protection_threshold), int(r.rounding_base))  # type: ignore[arg-type]
        result.setdefault(str(r.level), {})[str(r.area_id)] = row
    return result


def _all_suppressed(frame: pd.DataFrame, tables: ProtectedTables, indicator_id: str) -> LevelRows:
    threshold, base = tables.policy.threshold_for(indicator_id), tables.policy.rounding_base
    result: LevelRows = {}
    for r in frame.itertuples(index=False):
        result.setdefault(str(r.level), {})[str(r.area_id)] = ProtectedRow(
            None, None, None, None, None, False, "suppressed", _opt(r.definition_version), _opt(r.boundary_version),
            _time(r.snapshot_built_at), _time(r.computed_at), True, INCOMPLETE, threshold, base)
    return result


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


__all__ = ["INCOMPLETE", "LevelRows", "ProtectedRow", "area_parents", "protect_indicator_year", "protected_level_rows",
           "protected_rows"]
