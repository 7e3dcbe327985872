"""Data-quality reports: failures counted by field and reason, with example rows by data row number only.

The stored form is two tables the dashboard can read: ``load_log`` (one row per load) and ``load_quality``
(one row per load, field, reason and severity). Neither holds a value from the source.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from welfare_district.engine import Database

EXAMPLES = 5
QUALITY_COLUMNS = ["field", "reason_code", "severity", "failures", "example_rows"]


def summarise(failures: pd.DataFrame) -> pd.DataFrame:
    """Count failures by (field, reason_code, severity); ``example_rows`` lists the first few row numbers.

    Guarantees: sorted by severity (errors first) then descending count; empty input gives an empty frame
    with the same columns.
    """
    if failures.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "failures" else "str") for c in QUALITY_COLUMNS})
    grouped = failures.sort_values("row_number").groupby(["field", "reason_code", "severity"], sort=False)
    out = grouped["row_number"].agg(
        failures="size",
        example_rows=lambda rows: ", ".join(str(r) for r in pd.unique(rows)[:EXAMPLES]),
    ).reset_index()
    out["_rank"] = (out["severity"] != "error").astype(int)
    out = out.sort_values(["_rank", "failures", "field"], ascending=[True, False, True])
    return out.drop(columns="_rank").reset_index(drop=True)[QUALITY_COLUMNS]


def _ensure(db: Database) -> None:
    from welfare_district.ingest.load import ensure_tables

    ensure_tables(db)


def loads_frame(db: Database, load_id: str | None = None) -> pd.DataFrame:
    """The load log (newest first), or the one load ``load_id``; columns as in the ``load_log`` table."""
    from welfare_district.model.records import record_tables

    _ensure(db)
    log = record_tables().load_log
    query = sa.select(log).order_by(log.c.started_at.desc())
    if load_id is not None:
        query = query.where(log.c.load_id == load_id)
    with db.engine.connect() as conn:
        rows = conn.execute(query).fetchall()
    return pd.DataFrame(rows, columns=[c.name for c in log.columns])


def quality_frame(db: Database, load_id: str | None = None) -> pd.DataFrame:
    """Stored quality reports: one row per (load, field, reason, severity) with the file and load time.

    Guarantees: only counts, codes and row numbers, never a source value; newest load first.
    """
    from welfare_district.model.records import record_tables

    _ensure(db)
    tables = record_tables()
    q, log = tables.quality, tables.load_log
    query = (sa.select(q.c.load_id, log.c.source, log.c.file_name, log.c.started_at, q.c.field, q.c.reason_code,
                       q.c.severity, q.c.failures, q.c.example_rows)
             .join(log, log.c.load_id == q.c.load_id)
             .order_by(log.c.started_at.desc(), q.c.severity, q.c.failures.desc()))
    if load_id is not None:
        query = query.where(q.c.load_id == load_id)
    with db.engine.connect() as conn:
        rows = conn.execute(query).fetchall()
    return pd.DataFrame(rows, columns=["load_id", "source", "file_name", "started_at", *QUALITY_COLUMNS])
