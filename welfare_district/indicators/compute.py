"""Indicator definitions -> Ibis expressions -> values per area level and snapshot year.

Every numerator and denominator is a sum of row counts, so each source table is aggregated once, in the
database, per (year, section, zone, quartiere); the small result is rolled up to every level of the area
table in pandas (exact, because sums are additive). The same Ibis code runs on DuckDB and PostgreSQL.

Intervals and stability (welfare_district/indicators/intervals.py, documented in docs/indicators.md): each
indicator names its interval method (Wilson for proportions, Poisson for rates, a ratio of two counts, or
none), scaled by the multiplier; ``unstable`` flags small denominators and wide intervals. A zero denominator
gives value NULL with ``null_reason`` 'zero denominator', never an error or infinity.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import sqlalchemy as sa

from welfare_district.engine import Database
from welfare_district.errors import InputError, NotFoundError
from welfare_district.indicators.filters import (
    All,
    AnyOf,
    Between,
    Cmp,
    Count,
    Field,
    Filter,
    In,
    IsNull,
)
from welfare_district.indicators.intervals import bounds, unstable
from welfare_district.indicators.library import Indicator

SOURCE_TABLES = {"person": ("wh_person",), "family": ("wh_family", "wh_person"), "dwelling": ("wh_dwelling",),
                 "isee": ("wh_isee",), "case": ("wh_case",)}
_KEYS = ["snapshot_year", "section_id", "zone_id", "quartiere_id"]
_OPS: dict[str, Callable[[Any, Any], Any]] = {"==": operator.eq, "!=": operator.ne, "<": operator.lt,
                                              "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def to_ibis(f: Filter, t: ir.Table) -> ir.BooleanValue:
    """Translate a declarative filter into a boolean Ibis expression over table ``t``."""
    if isinstance(f, Cmp):
        right = t[f.value.name] if isinstance(f.value, Field) else ibis.literal(f.value)
        return _OPS[f.op](t[f.field], right)
    if isinstance(f, Between):
        return t[f.field].between(f.low, f.high)
    if isinstance(f, In):
        return t[f.field].isin(list(f.values))
    if isinstance(f, IsNull):
        return t[f.field].isnull()
    if isinstance(f, All | AnyOf):
        if not f.parts:
            return ibis.literal(isinstance(f, All))
        exprs = [to_ibis(p, t) for p in f.parts]
        out = exprs[0]
        for e in exprs[1:]:
            out = (out & e) if isinstance(f, All) else (out | e)
        return out
    return ~to_ibis(f.part, t)


def family_features(person: ir.Table) -> ir.Table:
    """Per (snapshot_year, family_id): the FAMILY_FEATURES of the library, from the family's residents."""
    def flag(cond: ir.BooleanValue) -> ir.IntegerScalar:
        return cond.ifelse(1, 0).sum()

    return person.group_by(["snapshot_year", "family_id"]).aggregate(
        family_members=person.count(),
        family_children=flag(person.relation == "child"),
        family_spouses_partners=flag(person.relation.isin(["spouse", "partner"])),
        family_min_age=person.age.min(),
        family_max_age=person.age.max(),
        family_head_age=(person.relation == "head").ifelse(person.age, ibis.null()).max(),
        family_employed_or_retired=flag(person.labour_status.isin(["employed", "retired"])),
    )


def source_table(db: Database, source: str, years: list[int]) -> ir.Table:
    """The rows one source contributes for ``years``, with every column the library names for it."""
    def base(name: str) -> ir.Table:
        t = db.ibis.table(name)
        return t.filter(t.snapshot_year.isin(years))

    if source in ("person", "family"):
        person = base("wh_person")
        # Keys renamed so the self-join (person with its own families) has no ambiguous names.
        feats = family_features(person).rename(f_year="snapshot_year", f_family="family_id")
        main = person if source == "person" else base("wh_family")
        joined = main.left_join(feats, [main.snapshot_year == feats.f_year, main.family_id == feats.f_family])
        return joined.select(*main.columns, *[c for c in feats.columns if c.startswith("family_")])
    if source == "case":
        case = base("wh_case")
        snap = db.ibis.table("wh_snapshot").select("snapshot_year", "reference_date")
        return case.inner_join(snap, "snapshot_year").select(*[case[c] for c in case.columns],
                                                             snap.reference_date)
    return base({"dwelling": "wh_dwelling", "isee": "wh_isee"}[source])


def _aggregate(db: Database, source: str, counts: list[tuple[str, Count]], years: list[int]) -> pd.DataFrame:
    t = source_table(db, source, years)
    metrics = {}
    for name, c in counts:
        every = c.where is None or c.where == All()
        if c.measure is None:
            agg = t.count() if every else to_ibis(c.where, t).ifelse(1, 0).sum()  # type: ignore[arg-type]
        else:
            col = t[c.measure].cast("int64")
            agg = col.sum() if every else to_ibis(c.where, t).ifelse(col, 0).sum()  # type: ignore[arg-type]
        metrics[name] = agg.cast("float64")
    frame = t.group_by(_KEYS).aggregate(**metrics).to_pandas()
    return frame.fillna({name: 0.0 for name, _ in counts})


@dataclass(frozen=True)
class AreaLevels:
    """The areas to report on: per level, the ids and boundary versions, and each section's ancestor."""

    areas: pd.DataFrame  # area_id, level, parent_id, boundary_version

    def levels(self) -> list[str]:
        """Levels present in the area table, from the coarsest."""
        order = {"city": 0, "quartiere": 1, "zone": 2, "section": 3}
        return sorted(self.areas["level"].unique(), key=lambda lv: (order.get(lv, 9), lv))

    def ancestor(self, level: str) -> dict[str, str]:
        """section_id -> the id of its ancestor (or itself) at ``level``."""
        parent = dict(zip(self.areas["area_id"], self.areas["parent_id"], strict=True))
        lvl = dict(zip(self.areas["area_id"], self.areas["level"], strict=True))
        out = {}
        for sec in self.areas.loc[self.areas["level"] == "section", "area_id"]:
            node: str | None = sec
            while node is not None and lvl.get(node) != level:
                node = parent.get(node)
            if node is not None:
                out[sec] = node
        return out


def read_area_levels(db: Database) -> AreaLevels:
    """The stored area table (ids, levels, parents, boundary versions); NotFoundError when empty."""
    if "area" not in _tables(db):
        raise NotFoundError("No areas are stored in this database: run `welfare areas build` first")
    frame = db.ibis.table("area").select("area_id", "level", "parent_id", "boundary_version").to_pandas()
    if frame.empty:
        raise NotFoundError("No areas are stored in this database: run `welfare areas build` first")
    return AreaLevels(frame)


def _tables(db: Database) -> set[str]:
    # Through SQLAlchemy: the Ibis listing is not reliable across DuckDB releases.
    return set(sa.inspect(db.engine).get_table_names())


def check_sources(db: Database, indicators: Iterable[Indicator]) -> None:
    """NotFoundError naming the first warehouse table the indicators need that the database lacks."""
    present = _tables(db)
    needed = {"wh_snapshot"}
    for ind in indicators:
        for c in (ind.numerator, ind.denominator):
            needed.update(SOURCE_TABLES[c.source])
    missing = sorted(needed - present)
    if missing:
        raise NotFoundError(f"The warehouse snapshot lacks table(s) {', '.join(missing)}: build the warehouse "
                            "(pipeline or truth warehouse) before computing indicators")


def compute_counts(db: Database, indicators: list[Indicator], years: list[int],
                   areas: AreaLevels, levels: list[str]) -> pd.DataFrame:
    """Numerator and denominator of every indicator per (level, area_id, year), every area of each level
    included (an area without rows gets zero counts)."""
    check_sources(db, indicators)
    names: dict[Count, str] = {}
    for ind in indicators:
        for c in (ind.numerator, ind.denominator):
            names.setdefault(c, f"c{len(names)}")
    by_source: dict[str, list[tuple[str, Count]]] = {}
    for c, name in names.items():
        by_source.setdefault(c.source, []).append((name, c))
    parts = [_aggregate(db, src, counts, years) for src, counts in by_source.items()]
    cols = list(names.values())
    rows = pd.concat([p.reindex(columns=[*_KEYS, *cols]) for p in parts], ignore_index=True)
    rows[cols] = rows[cols].fillna(0.0)
    out = []
    for level in levels:
        out.append(_roll_up(rows, cols, level, areas, years))
    table = pd.concat(out, ignore_index=True)
    result = []
    for ind in indicators:
        result.append(pd.DataFrame({
            "indicator_id": ind.id, "level": table["level"], "area_id": table["area_id"],
            "year": table["snapshot_year"].astype("int64"),
            "numerator": table[names[ind.numerator]], "denominator": table[names[ind.denominator]]}))
    return pd.concat(result, ignore_index=True)


def _roll_up(rows: pd.DataFrame, cols: list[str], level: str, areas: AreaLevels, years: list[int]) -> pd.DataFrame:
    ids = areas.areas.loc[areas.areas["level"] == level, "area_id"].tolist()
    if level == "city" and len(ids) == 1:
        # Rows without area ids count here only: the city is every resident wherever placed.
        key = pd.Series(ids[0], index=rows.index, dtype=object)
    elif level == "city":
        # Several cities (a region of comuni): each counts the rows placed inside it; an unplaced row
        # cannot be given to one of them, so it counts in none (the placement report states how many).
        key = rows["section_id"].map(areas.ancestor(level))
    elif level in ("section", "zone", "quartiere"):
        key = rows[f"{level}_id"]
    else:
        key = rows["section_id"].map(areas.ancestor(level))
    sums = rows.assign(area_id=key).dropna(subset=["area_id"]).groupby(["snapshot_year", "area_id"])[cols].sum()
    grid = pd.MultiIndex.from_product([sorted(years), ids], names=["snapshot_year", "area_id"])
    full = sums.reindex(grid, fill_value=0.0).reset_index()
    return full.assign(level=level)


def finish(counts: pd.DataFrame, indicators: list[Indicator]) -> pd.DataFrame:
    """Add value, the indicator's 95% interval, ``unstable`` and ``null_reason`` to counted rows."""
    by_id = {i.id: i for i in indicators}
    mult = counts["indicator_id"].map(lambda i: by_id[i].multiplier).astype(float).to_numpy()
    methods = counts["indicator_id"].map(lambda i: by_id[i].interval).to_numpy(dtype=object)
    num, den = counts["numerator"].to_numpy(float), counts["denominator"].to_numpy(float)
    positive = den > 0
    value = np.where(positive, num / np.where(positive, den, 1.0), np.nan)
    low, high = bounds(num, den, methods)
    out = counts.copy()
    out["value"] = value * mult
    out["ci_low"] = low * mult
    out["ci_high"] = high * mult
    out["unstable"] = unstable(den, value, low, high, methods)
    out["null_reason"] = pd.Series(positive, index=out.index).map({True: None, False: "zero denominator"})
    return out


def snapshot_years(db: Database) -> dict[int, Any]:
    """Snapshot years in the warehouse and their built_at timestamps."""
    if "wh_snapshot" not in _tables(db):
        raise NotFoundError("The warehouse has no snapshot table (wh_snapshot): build the warehouse first")
    frame = db.ibis.table("wh_snapshot").select("snapshot_year", "built_at").to_pandas()
    return {int(y): b for y, b in zip(frame["snapshot_year"], frame["built_at"], strict=True)}


def compute_values(db: Database, indicators: list[Indicator], years: list[int],
                   levels: list[str] | None = None) -> pd.DataFrame:
    """Every indicator x level x area x year, with value, interval, stability and provenance columns.

    Guarantees: an unknown year or level raises (NotFoundError / InputError) before anything is computed.
    """
    snaps = snapshot_years(db)
    if unknown := sorted(set(years) - set(snaps)):
        raise NotFoundError(f"No warehouse snapshot for year(s) {unknown}; available: {sorted(snaps)}")
    areas = read_area_levels(db)
    present = areas.levels()
    chosen = present if levels is None else list(levels)
    if bad := [lv for lv in chosen if lv not in present]:
        raise InputError(f"Unknown level(s) {bad}; the area table has {present}")
    table = finish(compute_counts(db, indicators, sorted(years), areas, chosen), indicators)
    versions = {i.id: i.version for i in indicators}
    bv = dict(zip(areas.areas["area_id"], areas.areas["boundary_version"], strict=True))
    table["definition_version"] = table["indicator_id"].map(versions)
    table["boundary_version"] = table["area_id"].map(bv)
    table["snapshot_built_at"] = table["year"].map(snaps)
    table["computed_at"] = pd.Timestamp.now(tz="UTC")
    return table
