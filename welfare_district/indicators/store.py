"""The ``indicator_value`` table: computed indicators with provenance, replaced per year atomically.

``compute_and_store`` recomputes the asked years (or, by default, only the stale ones: years with no stored
values, a rebuilt snapshot or a changed definition) and swaps them in one transaction, so readers see
either the old or the new figures of a year, never a mix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from welfare_district.engine import Database, bulk_insert
from welfare_district.indicators.compute import compute_values, snapshot_years
from welfare_district.indicators.library import Indicator

KEY = ["indicator_id", "level", "area_id", "year"]
COLUMNS = [*KEY, "numerator", "denominator", "value", "ci_low", "ci_high", "unstable", "null_reason",
           "definition_version", "boundary_version", "snapshot_built_at", "computed_at"]


@lru_cache(maxsize=1)
def indicator_value_table() -> sa.Table:
    """The result table (built on first use).

    No primary key: on DuckDB an index over KEY makes replacing a year of a large table about fifty times
    slower (the index is rebuilt at commit); ``save_values`` keeps KEY unique by deleting each replaced
    (year, level, indicator) before inserting it, in one transaction. PostgreSQL gets a unique index on KEY
    (``ensure_table``), where B-tree maintenance is cheap.
    """
    md = sa.MetaData()
    return sa.Table(
        "indicator_value", md,
        sa.Column("indicator_id", sa.String(64), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("area_id", sa.String(64), nullable=False),
        sa.Column("year", sa.SmallInteger, nullable=False),
        sa.Column("numerator", sa.Double, nullable=False),
        sa.Column("denominator", sa.Double, nullable=False),
        sa.Column("value", sa.Double),                      # null when the denominator is zero
        sa.Column("ci_low", sa.Double),                     # 95% interval by the indicator's method, or null
        sa.Column("ci_high", sa.Double),
        sa.Column("unstable", sa.Boolean, nullable=False),
        sa.Column("null_reason", sa.String(64)),
        sa.Column("definition_version", sa.String(32), nullable=False),
        sa.Column("boundary_version", sa.String(200)),
        sa.Column("snapshot_built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )


def _schema() -> pa.Schema:
    f64, text, ts = pa.float64(), pa.string(), pa.timestamp("us", tz="UTC")
    return pa.schema([("indicator_id", text), ("level", text), ("area_id", text), ("year", pa.int16()),
                      ("numerator", f64), ("denominator", f64), ("value", f64), ("ci_low", f64),
                      ("ci_high", f64), ("unstable", pa.bool_()), ("null_reason", text),
                      ("definition_version", text), ("boundary_version", text), ("snapshot_built_at", ts),
                      ("computed_at", ts)])


def ensure_table(db: Database) -> None:
    """Create ``indicator_value`` if it does not exist (idempotent); on PostgreSQL with a unique index on KEY."""
    indicator_value_table().metadata.create_all(db.engine, checkfirst=True)
    if not db.dialect.is_duckdb:
        # Plain DDL: an sa.Index on the table's columns would join its metadata and be created on DuckDB too.
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"CREATE UNIQUE INDEX IF NOT EXISTS ux_indicator_value_key "
                                 f"ON indicator_value ({', '.join(KEY)})"))


def save_values(db: Database, values: pd.DataFrame) -> int:
    """Replace the stored rows of every (year, level, indicator) present in ``values``, in one transaction."""
    ensure_table(db)
    frame = values[COLUMNS].copy()
    frame["snapshot_built_at"] = pd.to_datetime(frame["snapshot_built_at"], utc=True)
    frame["computed_at"] = pd.to_datetime(frame["computed_at"], utc=True)
    data = pa.Table.from_pandas(frame, preserve_index=False).cast(_schema())
    t = indicator_value_table()
    with db.engine.begin() as conn:
        groups = values[["year", "level", "indicator_id"]].drop_duplicates()
        for (year, level), part in groups.groupby(["year", "level"]):
            conn.execute(sa.delete(t).where(t.c.year == int(str(year)), t.c.level == str(level),
                                            t.c.indicator_id.in_(sorted(part["indicator_id"]))))
        return bulk_insert(conn, db.dialect, t.name, data)


def read_values(db: Database, *, indicator_ids: Iterable[str] | None = None, level: str | None = None,
                years: Iterable[int] | None = None) -> pd.DataFrame:
    """Stored values (columns COLUMNS) filtered by indicator, level and year; empty frame when none."""
    ensure_table(db)
    t = db.ibis.table("indicator_value")
    if indicator_ids is not None:
        t = t.filter(t.indicator_id.isin(list(indicator_ids)))
    if level is not None:
        t = t.filter(t.level == level)
    if years is not None:
        t = t.filter(t.year.isin([int(y) for y in years]))
    return t.select(*COLUMNS).order_by(KEY).to_pyarrow().to_pandas()


@dataclass(frozen=True)
class StoreResult:
    """What ``compute_and_store`` did: the years recomputed and the rows written."""

    years: list[int]
    rows: int


def stale_years(db: Database, indicators: list[Indicator]) -> list[int]:
    """Snapshot years whose stored values are missing, older than the snapshot, or of another definition."""
    snaps = snapshot_years(db)
    ensure_table(db)
    t = db.ibis.table("indicator_value")
    # Distinct provenance per year is small; fetching it avoids reading every stored value.
    stored = (t.filter(t.indicator_id.isin([i.id for i in indicators]))
              .select("year", "indicator_id", "definition_version", "snapshot_built_at").distinct()
              .to_pyarrow().to_pandas())
    current = {(i.id, i.version) for i in indicators}
    stale = []
    for year, built_at in sorted(snaps.items()):
        rows = stored[stored["year"] == year]
        have = set(zip(rows["indicator_id"], rows["definition_version"], strict=True))
        stamps = {_utc(b) for b in rows["snapshot_built_at"]}
        if not current <= have or stamps != {_utc(built_at)}:
            stale.append(year)
    return stale


def _utc(value: Any) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def compute_and_store(db: Database, indicators: list[Indicator], years: list[int] | None = None,
                      levels: list[str] | None = None) -> StoreResult:
    """Compute ``indicators`` for ``years`` (default: the stale years only) and store them atomically.

    Guarantees: unknown years or levels raise before anything is written; nothing is half-written.
    """
    chosen = stale_years(db, indicators) if years is None else sorted(set(years))
    if not chosen:
        return StoreResult([], 0)
    values = compute_values(db, indicators, chosen, levels)
    return StoreResult(chosen, save_values(db, values))


def compare_values(truth: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """Per (indicator, level, area, year) present in either set: both values and their differences.

    Columns: KEY, value_truth, value_other, diff (other - truth), abs_diff, rel_diff (diff / truth, null
    when truth is 0 or missing), missing ('truth', 'other' or null).
    """
    left = truth[[*KEY, "value"]].rename(columns={"value": "value_truth"})
    right = other[[*KEY, "value"]].rename(columns={"value": "value_other"})
    out: Any = left.merge(right, on=KEY, how="outer", indicator=True)
    gaps = {"left_only": "other", "right_only": "truth"}
    out["missing"] = pd.Series([gaps.get(str(m)) for m in out["_merge"]], index=out.index, dtype=object)
    out = out.drop(columns="_merge")
    out["diff"] = out["value_other"] - out["value_truth"]
    out["abs_diff"] = out["diff"].abs()
    denom = out["value_truth"].where(out["value_truth"] != 0)
    out["rel_diff"] = out["diff"] / denom
    return out.sort_values(KEY).reset_index(drop=True)
