"""Indicator reads shaped for display: the web layer's single door to the stored indicator figures.

The API and the pages both read ``indicator_value`` through these functions, which return typed
dataclasses (not DataFrames). Every read validates its arguments first: an unknown indicator, year or area
raises NotFoundError and a malformed level raises InputError, each naming the bad value. Reads go through
SQLAlchemy Core (Ibis compiles too slowly for a request path); pass ``cache=app.state.read_cache`` to reuse
prepared results until the pipeline rewrites the figures (see ``read_cache``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa

from welfare_district.engine import Database
from welfare_district.errors import InputError, NotFoundError
from welfare_district.indicators.library import Indicator, default_library
from welfare_district.web.areas import AreaLevel, AreaSummary
from welfare_district.web.protected_reads import area_parents, protect_year, protected_level_rows
from welfare_district.web.read_cache import ReadCache, cached, data_stamp

if TYPE_CHECKING:
    from welfare_district.privacy.cache import ProtectedTables
    from welfare_district.web.composite_reads import CompositeValue

NOT_COMPUTED = "not computed"  # null_reason of an area that has no stored row for the asked figure
LEVELS = tuple(level.value for level in AreaLevel)


@dataclass(frozen=True)
class AreaValue:
    """One indicator figure of one area and year; ``value`` is None when not computed (see null_reason)."""

    area_id: str
    code: str
    name: str
    level: str
    parent_id: str | None
    numerator: float | None
    denominator: float | None
    value: float | None
    ci_low: float | None
    ci_high: float | None
    unstable: bool
    null_reason: str | None
    definition_version: str | None = None
    boundary_version: str | None = None
    snapshot_built_at: datetime | None = None
    computed_at: datetime | None = None
    # Disclosure control (privacy.disclosure): None on the analysts' exact figures; otherwise 'rounded',
    # 'exact' (base 1), 'suppressed: primary' or 'suppressed: secondary'.
    suppressed: bool = False
    protection: str | None = None
    protection_threshold: int | None = None
    rounding_base: int | None = None


@dataclass(frozen=True)
class RankedValue:
    """An area's place in a ranking: 1 is first; equal values share a rank; None when the value is null."""

    rank: int | None
    value: AreaValue


@dataclass(frozen=True)
class ProfileEntry:
    """One indicator in an area profile: the area, its parent and the city in the year, and the area's series."""

    indicator: Indicator
    value: AreaValue
    parent: AreaValue | None
    city: AreaValue | None
    series: list[tuple[int, AreaValue]]


@dataclass(frozen=True)
class AreaProfile:
    """An area's summary, its ancestors (city first) and every indicator of the library for ``year``."""

    area: AreaSummary
    ancestors: list[AreaSummary]
    year: int
    years: list[int]
    entries: list[ProfileEntry]


@dataclass(frozen=True)
class AreaIndex:
    """Every stored area without geometry: by id, and per level in area-id order."""

    by_id: dict[str, AreaSummary]
    by_level: dict[str, list[AreaSummary]]


@lru_cache(maxsize=1)
def _library() -> dict[str, Indicator]:
    return default_library()


def indicators() -> list[Indicator]:
    """Every indicator of the library, in documentation order."""
    return list(_library().values())


def get_indicator(indicator_id: str) -> Indicator:
    """The definition with this id; NotFoundError naming the id and listing the known ids otherwise."""
    found = _library().get(indicator_id)
    if found is None:
        raise NotFoundError(f"Unknown indicator {indicator_id!r}; known: {', '.join(_library())}")
    return found


def check_level(level: str) -> str:
    """``level`` when it is one of city, quartiere, zone, section; InputError naming it otherwise."""
    if level not in LEVELS:
        raise InputError(f"Unknown level {level!r}; known: {', '.join(LEVELS)}")
    return level


def _has_table(db: Database, name: str) -> bool:
    return sa.inspect(db.engine).has_table(name)


def available_years(db: Database, *, cache: ReadCache | None = None) -> list[int]:
    """Years with stored indicator values, ascending; [] when there are none or the table is missing."""
    from welfare_district.indicators.store import indicator_value_table

    def build() -> list[int]:
        if not _has_table(db, "indicator_value"):
            return []
        t = indicator_value_table()
        with db.engine.connect() as conn:
            return [int(y) for (y,) in conn.execute(sa.select(t.c.year).distinct().order_by(t.c.year))]

    return cached(cache, db, ("years",), build)


def check_year(db: Database, year: int, *, cache: ReadCache | None = None) -> int:
    """``year`` when values are stored for it; NotFoundError naming it and the available years otherwise."""
    years = available_years(db, cache=cache)
    if year not in years:
        known = ", ".join(map(str, years)) or "none (run `welfare indicators compute`)"
        raise NotFoundError(f"No indicator values for year {year}; available years: {known}")
    return year


def latest_year(db: Database, *, cache: ReadCache | None = None) -> int:
    """The most recent year with stored values; NotFoundError when nothing is stored yet."""
    years = available_years(db, cache=cache)
    if not years:
        raise NotFoundError("No indicator values are stored yet (run `welfare indicators compute`)")
    return years[-1]


def area_index(db: Database, *, cache: ReadCache | None = None) -> AreaIndex:
    """Every stored area (no geometry), by id and by level; empty when no areas are stored."""
    from welfare_district.model.areas import area_tables

    def build() -> AreaIndex:
        by_id: dict[str, AreaSummary] = {}
        by_level: dict[str, list[AreaSummary]] = {level: [] for level in LEVELS}
        if not _has_table(db, "area"):
            return AreaIndex(by_id, by_level)
        a = area_tables().area
        query = sa.select(a.c.area_id, a.c.level, a.c.code, a.c.name, a.c.parent_id, a.c.synthetic,
                          a.c.boundary_version, a.c.target_residents).order_by(a.c.area_id)
        with db.engine.connect() as conn:
            for r in conn.execute(query):
                summary = AreaSummary(area_id=str(r.area_id), level=str(r.level), code=str(r.code),
                                      name=str(r.name), parent_id=None if r.parent_id is None else str(r.parent_id),
                                      synthetic=bool(r.synthetic), boundary_version=str(r.boundary_version),
                                      residents=None if r.target_residents is None else int(r.target_residents))
                by_id[summary.area_id] = summary
                by_level.setdefault(summary.level, []).append(summary)
        return AreaIndex(by_id, by_level)

    return cached(cache, db, ("areas",), build)


def find_area_summary(db: Database, area_id: str, *, cache: ReadCache | None = None) -> AreaSummary:
    """The stored area with ``area_id`` at any level; NotFoundError naming the id otherwise."""
    found = area_index(db, cache=cache).by_id.get(area_id)
    if found is None:
        raise NotFoundError(f"Area {area_id!r} does not exist")
    return found


def _value_columns() -> list[Any]:
    from welfare_district.indicators.store import indicator_value_table

    t = indicator_value_table()
    return [t.c[name] for name in ("indicator_id", "area_id", "year", "numerator", "denominator", "value",
                                   "ci_low", "ci_high", "unstable", "null_reason", "definition_version",
                                   "boundary_version", "snapshot_built_at", "computed_at")]


def _select_rows(db: Database, *conditions: Any) -> list[Any]:
    # Callers check the year first, so the table exists (a year was read from it).
    with db.engine.connect() as conn:
        return list(conn.execute(sa.select(*_value_columns()).where(*conditions)))


def _num(x: Any) -> float | None:
    # NaN is not valid JSON and means "no figure" here, like NULL
    return None if x is None or x != x else float(x)


def to_area_value(area: AreaSummary, row: Any | None) -> AreaValue:
    """An AreaValue of ``area`` from a stored row, or the not-computed value when ``row`` is None."""
    if row is None:
        return AreaValue(area.area_id, area.code, area.name, area.level, area.parent_id, None, None, None, None,
                         None, False, NOT_COMPUTED)
    return AreaValue(area.area_id, area.code, area.name, area.level, area.parent_id, _num(row.numerator),
                     _num(row.denominator), _num(row.value), _num(row.ci_low), _num(row.ci_high),
                     bool(row.unstable), row.null_reason, row.definition_version, row.boundary_version,
                     row.snapshot_built_at, row.computed_at, bool(getattr(row, "suppressed", False)),
                     getattr(row, "protection", None), getattr(row, "protection_threshold", None),
                     getattr(row, "rounding_base", None))


def mode_of(protection: ProtectedTables | None) -> str:
    """The cache-key part naming which figures a read returns: 'exact' or 'protected'."""
    return "exact" if protection is None else "protected"


def level_values(db: Database, indicator_id: str, level: str, year: int, *,
                 cache: ReadCache | None = None, protection: ProtectedTables | None = None) -> list[AreaValue]:
    """The indicator at every area of ``level`` in ``year``, in area order, areas without a row included.

    With ``protection`` the figures are the disclosure-controlled ones (every level protected together).
    """
    from welfare_district.indicators.store import indicator_value_table

    get_indicator(indicator_id)
    check_level(level)
    check_year(db, year, cache=cache)

    def build() -> list[AreaValue]:
        rows: dict[str, Any]
        if protection is not None:
            rows = dict(protected_level_rows(db, indicator_id, year, protection, cache).get(level, {}))
        else:
            t = indicator_value_table()
            rows = {r.area_id: r for r in _select_rows(db, t.c.indicator_id == indicator_id, t.c.level == level,
                                                       t.c.year == year)}
        return [to_area_value(a, rows.get(a.area_id))
                for a in area_index(db, cache=cache).by_level.get(level, [])]

    return cached(cache, db, ("level_values", mode_of(protection), indicator_id, level, year), build)


def area_value(db: Database, indicator_id: str, area_id: str, year: int, *,
               cache: ReadCache | None = None, protection: ProtectedTables | None = None) -> AreaValue:
    """The indicator at one area (any level) in ``year``; the not-computed value when no row is stored;
    protected with ``protection`` (the same cell as in its level's table)."""
    from welfare_district.indicators.store import indicator_value_table

    get_indicator(indicator_id)
    area = find_area_summary(db, area_id, cache=cache)
    check_year(db, year, cache=cache)
    if cache is not None or protection is not None:
        return next(v for v in level_values(db, indicator_id, area.level, year, cache=cache, protection=protection)
                    if v.area_id == area_id)
    t = indicator_value_table()
    rows = _select_rows(db, t.c.indicator_id == indicator_id, t.c.level == area.level, t.c.area_id == area_id,
                        t.c.year == year)
    return to_area_value(area, rows[0] if rows else None)


def _check_years(db: Database, years: Iterable[int] | None, cache: ReadCache | None) -> list[int]:
    if years is None:
        return available_years(db, cache=cache)
    return sorted({check_year(db, int(y), cache=cache) for y in years})


def series(db: Database, indicator_id: str, area_ids: Sequence[str], years: Iterable[int] | None = None, *,
           cache: ReadCache | None = None, protection: ProtectedTables | None = None,
           ) -> dict[str, list[tuple[int, AreaValue]]]:
    """The indicator over ``years`` (default: every stored year) for each area, keyed in the asked order.

    Guarantees: one (year, AreaValue) per year, ascending, years without a row included as not computed;
    with ``protection`` each point is the protected cell of its year's table.
    """
    from welfare_district.indicators.store import indicator_value_table

    get_indicator(indicator_id)
    areas = [find_area_summary(db, a, cache=cache) for a in dict.fromkeys(area_ids)]
    chosen = _check_years(db, years, cache)
    if protection is not None:
        tables = {y: protected_level_rows(db, indicator_id, y, protection, cache) for y in chosen}
        return {a.area_id: [(y, to_area_value(a, tables[y].get(a.level, {}).get(a.area_id))) for y in chosen]
                for a in areas}
    t = indicator_value_table()
    rows = {(r.area_id, int(r.year)): r for r in _select_rows(
        db, t.c.indicator_id == indicator_id, t.c.area_id.in_([a.area_id for a in areas]),
        t.c.year.in_(chosen))} if areas and chosen else {}
    return {a.area_id: [(y, to_area_value(a, rows.get((a.area_id, y)))) for y in chosen] for a in areas}


def ancestors(db: Database, area: AreaSummary, *, cache: ReadCache | None = None) -> list[AreaSummary]:
    """The areas enclosing ``area``, city first, its parent last (empty for the city)."""
    index = area_index(db, cache=cache)
    chain: list[AreaSummary] = []
    parent = area.parent_id
    while parent is not None and parent in index.by_id and len(chain) < len(LEVELS):
        chain.append(index.by_id[parent])
        parent = index.by_id[parent].parent_id
    return chain[::-1]


def profile(db: Database, area_id: str, year: int, *, cache: ReadCache | None = None,
            protection: ProtectedTables | None = None) -> AreaProfile:
    """Every indicator at the area in ``year`` with its parent's and the city's value, and the area's series.

    Guarantees: entries follow the library order; ``parent`` is the area one level up (the city for a
    quartiere), ``city`` the city; both are None for the city itself.
    """
    area = find_area_summary(db, area_id, cache=cache)
    check_year(db, year, cache=cache)

    def build() -> AreaProfile:
        from welfare_district.indicators.store import indicator_value_table

        chain = ancestors(db, area, cache=cache)
        city = chain[0] if chain and chain[0].level == AreaLevel.CITY.value else None
        parent = chain[-1] if chain else None
        years = available_years(db, cache=cache)
        wanted = [a for a in (area, parent, city) if a is not None]
        rows: dict[tuple[str, str, int], Any]
        if protection is not None:
            rows = {}
            for y in years:
                protect_year(db, [i.id for i in indicators()], y, protection, area_parents(db, cache=cache), cache)
            for ind in indicators():
                for y in years:
                    table = protected_level_rows(db, ind.id, y, protection, cache)
                    rows.update({(ind.id, a.area_id, y): table[a.level][a.area_id] for a in wanted
                                 if a.area_id in table.get(a.level, {})})
        else:
            t = indicator_value_table()
            rows = {(r.indicator_id, r.area_id, int(r.year)): r
                    for r in _select_rows(db, t.c.area_id.in_([a.area_id for a in wanted]))}

        def at(ind: str, who: AreaSummary | None, y: int) -> AreaValue | None:
            return None if who is None else to_area_value(who, rows.get((ind, who.area_id, y)))

        entries = []
        for ind in indicators():
            value = to_area_value(area, rows.get((ind.id, area.area_id, year)))
            entries.append(ProfileEntry(ind, value, at(ind.id, parent, year), at(ind.id, city, year),
                                        [(y, to_area_value(area, rows.get((ind.id, area.area_id, y))))
                                         for y in years]))
        return AreaProfile(area, chain, year, years, entries)

    return cached(cache, db, ("profile", mode_of(protection), area_id, year), build)


def rank_values(values: list[AreaValue], descending: bool = True) -> list[RankedValue]:
    """``values`` ranked: non-null first by value (ties keep their order and share a rank), then the
    suppressed (protected) areas in area order, then the other nulls; the last two have rank None."""
    present = [(v.value, v) for v in values if v.value is not None]
    # sorted is stable, so areas with equal values keep their area order either way
    ordered = [v for _, v in sorted(present, key=lambda p: -p[0] if descending else p[0])]
    ranked: list[RankedValue] = []
    for i, v in enumerate(ordered):
        same = i > 0 and ordered[i - 1].value == v.value
        ranked.append(RankedValue(ranked[-1].rank if same else i + 1, v))
    hidden = [RankedValue(None, v) for v in values if v.value is None and v.suppressed]
    return ranked + hidden + [RankedValue(None, v) for v in values if v.value is None and not v.suppressed]


def ranking(db: Database, indicator_id: str, level: str, year: int, descending: bool = True, *,
            cache: ReadCache | None = None, protection: ProtectedTables | None = None) -> list[RankedValue]:
    """Every area of ``level`` ranked by the indicator in ``year`` (see ``rank_values``)."""
    values = level_values(db, indicator_id, level, year, cache=cache, protection=protection)
    return cached(cache, db, ("ranking", mode_of(protection), indicator_id, level, year, descending),
                  lambda: rank_values(values, descending))


def composite(db: Database, level: str, year: int, method: Literal["ampi", "mpi"] = "ampi", *,
              base_year: int | None = None, cache: ReadCache | None = None,
              protection: ProtectedTables | None = None) -> list[CompositeValue]:
    """The IVSM composite of every area of ``level`` in ``year``: list of CompositeValue (see composite_reads)."""
    from welfare_district.web.composite_reads import composite_values

    return composite_values(db, level, year, method, base_year=base_year, cache=cache, protection=protection)


__all__ = [
    "NOT_COMPUTED",
    "AreaIndex",
    "AreaProfile",
    "AreaValue",
    "ProfileEntry",
    "RankedValue",
    "ancestors",
    "area_index",
    "area_parents",
    "area_value",
    "available_years",
    "check_level",
    "check_year",
    "composite",
    "data_stamp",
    "find_area_summary",
    "get_indicator",
    "indicators",
    "latest_year",
    "level_values",
    "mode_of",
    "profile",
    "protected_level_rows",
    "rank_values",
    "ranking",
    "series",
    "to_area_value",
]
