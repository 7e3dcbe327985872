"""Atomic, idempotent loads: one source file -> staging records, quarantine, failures and a load log row.

Policy. By default a row with an *error* is quarantined (with its reasons) and every other row is loaded;
rows with only *warnings* are loaded and carry their reason codes in ``warnings``. With ``strict=True`` any
error refuses the whole file: nothing is written and ``LoadRejectedError`` names the first failing row, field and
reason. Either way the write is one transaction: all tables change together or none does. The same content
of the same source (by SHA-256) is loaded once; a second attempt changes nothing and says so.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from welfare_district.engine import Database, bulk_insert
from welfare_district.errors import InputError
from welfare_district.ingest.report import summarise
from welfare_district.ingest.validate import Validation, validate
from welfare_district.model.records import record_tables
from welfare_district.sources.catalogue import SourceDeclaration
from welfare_district.sources.readers import RawTable, read_csv, read_excel, read_sql

Status = Literal["loaded", "unchanged"]


@dataclass
class LoadResult:
    """What one load did: counts, the failures found and the quality summary (no personal data)."""

    load_id: str
    source: str
    file_name: str
    sha256: str
    status: Status
    strict: bool
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_flagged: int = 0
    failures: pd.DataFrame = field(default_factory=pd.DataFrame)
    quality: pd.DataFrame = field(default_factory=pd.DataFrame)


class LoadRejectedError(InputError):
    """A strict load met at least one error: nothing was written. ``result`` holds the full report."""

    def __init__(self, result: LoadResult) -> None:
        errors = result.failures[result.failures["severity"] == "error"]
        first = errors.iloc[0]
        super().__init__(f"strict load refused, nothing loaded: {len(errors)} error(s); first: "
                         f"{first['reason_code']} ({first['message']})", path=result.file_name,
                         row=int(first["row_number"]), field=str(first["field"]))
        self.result = result


def ensure_tables(db: Database) -> None:
    """Create the staging and bookkeeping tables if missing (idempotent)."""
    record_tables().metadata.create_all(db.engine, checkfirst=True)


def read_source(decl: SourceDeclaration, location: str | Path, *, data: bytes | None = None,
                sha256: str | None = None) -> RawTable:
    """Read a file (or, for an sql source, a database URL) as the declaration says; ``data`` and ``sha256``, a
    file's bytes and their digest when already at hand, spare reading and hashing it again."""
    required = [c for c, spec in decl.columns.items() if not spec.optional]
    if decl.format == "csv":
        return read_csv(Path(location), encoding=decl.encoding, separator=decl.separator,
                        header_row=decl.header_row or 1, required=required, data=data, sha256=sha256)
    if decl.format == "xlsx":
        return read_excel(Path(location), sheet=decl.sheet, header_row=decl.header_row or None, required=required,
                          data=data, sha256=sha256)
    return read_sql(str(location), decl.table or "", order_by=decl.order_by, required=required)


def _reference_year(decl: SourceDeclaration, name: str) -> int | None:
    if decl.reference_year is None:
        return None
    found = re.search(decl.reference_year, name)
    return int(found.group(1)) if found else None


def _arrow(table: sa.Table, frame: pd.DataFrame) -> pa.Table:
    none = pd.Series(None, index=frame.index, dtype=object)
    arrays = [_array(col, frame.get(col.name, none)) for col in table.columns]
    return pa.Table.from_arrays(arrays, names=[c.name for c in table.columns])


def _array(col: sa.Column[object], values: pd.Series) -> pa.Array:
    """One column's values as the Arrow type its SQL type stores; value by value, so it commutes with filtering."""
    if isinstance(col.type, sa.Date):
        arr = pa.array(pd.to_datetime(values).astype("datetime64[us]"), type=pa.timestamp("us"))
        return arr.cast(pa.date32())
    if isinstance(col.type, sa.DateTime):
        return pa.array(values, type=pa.timestamp("us", tz="UTC"))
    if isinstance(col.type, sa.Boolean):
        return pa.array(values.astype(object), type=pa.bool_())
    if isinstance(col.type, sa.Integer | sa.BigInteger):
        return pa.array(pd.to_numeric(values).astype("Int64"), type=pa.int64(), from_pandas=True)
    if isinstance(col.type, sa.Double | sa.Float):
        return pa.array(pd.to_numeric(values), type=pa.float64(), from_pandas=True)
    # straight from the column's own buffers (nulls stay null), not through one Python object per cell
    return pa.array(values, type=pa.string(), from_pandas=True)


class _GoodRows:
    """The rows of a load without errors, as Arrow columns for the record tables.

    Each validated field is converted once for all of the source's target tables and then filtered in Arrow,
    rather than filtering and copying the whole frame in pandas and converting every table's copy again. A
    value that is the same on every row (lineage, a column the source lacks) is converted once and repeated.
    ``_array`` converts value by value, so the result is the one the filtered frame gave.
    """

    def __init__(self, checked: Validation, bad: pd.Index, lineage: Mapping[str, object]) -> None:
        values = checked.values
        keep = ~values.index.isin(bad)
        self.values, self.lineage = values, lineage
        self.keep, self.all_kept, self.rows = pa.array(keep), bool(keep.all()), int(np.count_nonzero(keep))
        flagged = checked.flagged_warnings()
        warnings = np.full(len(values), "", dtype=object)
        warnings[values.index.get_indexer(flagged.index)] = flagged.to_numpy(dtype=object)
        self.derived = {"row_number": pd.Series(values.index.to_numpy(dtype="int64")),
                        "warnings": pd.Series(warnings, dtype="str")}
        self._converted: dict[tuple[str, str], pa.Array] = {}

    def table(self, table: sa.Table) -> pa.Table:
        """A record table's columns for these rows: lineage, row number, warnings and the validated fields."""
        arrays = []
        for col in table.columns:
            if col.name in self.derived or (col.name in self.values.columns and col.name not in self.lineage):
                arrays.append(self._filtered(col))
            else:  # lineage, or a field this source does not have: one value for every row
                value = self.lineage.get(col.name)
                one = _array(col, pd.Series([value], dtype=object if value is None else None))
                arrays.append(pa.repeat(one[0], self.rows))
        return pa.Table.from_arrays(arrays, names=[c.name for c in table.columns])

    def _filtered(self, col: sa.Column[object]) -> pa.Array:
        key = (col.name, repr(col.type))
        if key not in self._converted:
            values = self.derived[col.name] if col.name in self.derived else self.values[col.name]
            arr = _array(col, values)
            self._converted[key] = arr if self.all_kept else arr.filter(self.keep)
        return self._converted[key]


def _previous(db: Database, source: str, sha: str) -> str | None:
    log = record_tables().load_log
    with db.engine.connect() as conn:
        row = conn.execute(sa.select(log.c.load_id).where(log.c.source == source, log.c.file_sha256 == sha)).first()
    return None if row is None else str(row[0])


def _file_content(path: Path) -> tuple[bytes, str] | None:
    """A file's bytes and their SHA-256 (the digest the readers give), or None when it cannot be read (the
    reader then reports it with its usual message)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data, hashlib.sha256(data).hexdigest()


def _loaded_file(db: Database, source: str, sha: str) -> tuple[str, int] | None:
    """(load id, rows read) of an earlier load for ``source`` of the content with digest ``sha``, if any."""
    log = record_tables().load_log
    with db.engine.connect() as conn:
        row = conn.execute(sa.select(log.c.load_id, log.c.rows_read)
                           .where(log.c.source == source, log.c.file_sha256 == sha)).first()
    return None if row is None else (str(row[0]), int(row[1]))


def load_file(db: Database, decl: SourceDeclaration, location: str | Path, *, strict: bool = False,
              file_name: str | None = None) -> LoadResult:
    """Read, validate and load one file of source ``decl`` in a single transaction.

    Guarantees: either every table (records, quarantine, failures, quality, load log) changes or none does;
    the same content of the same source is never loaded twice (status 'unchanged', nothing written);
    with ``strict`` any error raises LoadRejectedError and nothing is written; no message holds a value.
    """
    ensure_tables(db)
    return load_into_tables(db, decl, location, strict=strict, file_name=file_name)


def load_into_tables(db: Database, decl: SourceDeclaration, location: str | Path, *, strict: bool = False,
                     file_name: str | None = None) -> LoadResult:
    """``load_file`` into tables that ``ensure_tables`` has already created (a folder checks them once, rather
    than some fifteen catalogue queries per file); the same guarantees."""
    started = datetime.now(UTC)
    content = _file_content(Path(location)) if decl.format != "sql" else None
    if content is not None:
        # a file already loaded is recognised by its bytes alone, before the (much slower) parse
        found = _loaded_file(db, decl.name, content[1])
        if found is not None:
            load_id, rows = found
            return LoadResult(load_id, decl.name, file_name or Path(location).name, content[1], "unchanged",
                              strict, rows_read=rows)
    # the bytes already read and hashed are parsed as they are, not read and hashed again; they are not kept
    # through validation (a comune's largest files are some 40 MB)
    data, sha = content if content is not None else (None, None)
    del content
    raw = read_source(decl, location, data=data, sha256=sha)
    del data
    name = file_name or (Path(location).name if decl.format != "sql" else raw.file_name)
    previous = _previous(db, decl.name, raw.sha256)
    if previous is not None:
        return LoadResult(previous, decl.name, name, raw.sha256, "unchanged", strict, rows_read=len(raw.frame))
    checked = validate(decl, raw)
    result = _result(decl, name, raw, checked, strict)
    if strict and result.rows_quarantined:
        raise LoadRejectedError(result)
    _write(db, decl, raw, checked, result, started)
    return result


def _result(decl: SourceDeclaration, name: str, raw: RawTable, checked: Validation, strict: bool) -> LoadResult:
    bad = checked.error_rows()
    flagged = checked.failures.loc[checked.failures["severity"] == "warning", "row_number"]
    return LoadResult(
        str(uuid.uuid4()), decl.name, name, raw.sha256, "loaded", strict, rows_read=len(raw.frame),
        rows_loaded=len(raw.frame) - len(bad), rows_quarantined=len(bad),
        rows_flagged=int(flagged[~flagged.isin(bad)].nunique()), failures=checked.failures,
        quality=summarise(checked.failures),
    )


def _write(db: Database, decl: SourceDeclaration, raw: RawTable, checked: Validation, result: LoadResult,
           started: datetime) -> None:
    bad = checked.error_rows()
    lineage = {"load_id": result.load_id, "source": decl.name, "file_name": result.file_name,
               "file_sha256": raw.sha256, "reference_year": _reference_year(decl, result.file_name)}
    good = _GoodRows(checked, bad, lineage)
    failures = checked.failures.assign(load_id=result.load_id, source=decl.name, file_name=result.file_name)
    quarantine = pd.DataFrame({
        "load_id": result.load_id, "source": decl.name, "file_name": result.file_name,
        "file_sha256": raw.sha256, "row_number": bad.to_numpy(dtype="int64"),
        "reasons": _reasons(checked.failures, bad), "raw": _raw_json(raw.frame.loc[bad]),
    })
    quality = result.quality.assign(load_id=result.load_id, source=decl.name)
    log = pd.DataFrame([{
        **{k: lineage[k] for k in ("load_id", "source", "file_name", "file_sha256")}, "strict": result.strict,
        "rows_read": result.rows_read, "rows_loaded": result.rows_loaded,
        "rows_quarantined": result.rows_quarantined, "rows_flagged": result.rows_flagged,
        "started_at": started, "finished_at": datetime.now(UTC),
    }])
    try:
        _insert(db, decl, good, {"quarantine": quarantine, "failure": failures, "quality": quality,
                                 "load_log": log})
    except Exception as exc:
        if not _is_duplicate_key(exc):
            raise
        # only the load log has a key: the same content was loaded meanwhile by another process
        raise InputError("the same content of this source was loaded concurrently; nothing was written",
                         path=result.file_name) from exc


def _reasons(failures: pd.DataFrame, rows: pd.Index) -> np.ndarray:
    """Per row of ``rows``: its failures as "field: reason" joined by "; ", in the failures' order."""
    # one dict pass; a pandas groupby with a Python join per group cost ~50 us per quarantined row
    wanted = set(rows.tolist())
    joined: dict[int, list[str]] = {}
    for row, column, code in zip(failures["row_number"].tolist(), failures["field"].tolist(),
                                 failures["reason_code"].tolist(), strict=True):
        if row in wanted:
            joined.setdefault(row, []).append(f"{column}: {code}")
    return np.array(["; ".join(joined[r]) if r in joined else None for r in rows.tolist()], dtype=object)


def _raw_json(rows: pd.DataFrame) -> list[str]:
    """Each row as read, as a JSON object of source column -> text (what ``to_dict("records")`` gave)."""
    names = list(rows.columns)
    if not names:
        return ["{}"] * len(rows)
    # whole columns to Python lists: building one dict per row through pandas cost ~0.1 ms a row
    cells = zip(*(rows.iloc[:, i].tolist() for i in range(len(names))), strict=True)
    return [json.dumps(dict(zip(names, r, strict=True)), ensure_ascii=False) for r in cells]


def _is_duplicate_key(exc: BaseException | None) -> bool:
    # Bulk loads use the drivers' own connections, so their errors arrive unwrapped by SQLAlchemy, and
    # DuckDB may report the aborted transaction while cleaning up: look along the chain.
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, sa.exc.IntegrityError) or type(exc).__name__ in ("ConstraintException",
                                                                            "UniqueViolation"):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _insert(db: Database, decl: SourceDeclaration, good: _GoodRows, bookkeeping: dict[str, pd.DataFrame]) -> None:
    tables = record_tables()
    with db.engine.begin() as conn:
        for target in decl.targets:
            bulk_insert(conn, db.dialect, target, good.table(tables.records[target]))
        # the load log last, so a concurrent load of the same content fails on its key and rolls back
        for name in ("quarantine", "failure", "quality", "load_log"):
            table = getattr(tables, name)
            bulk_insert(conn, db.dialect, table.name, _arrow(table, bookkeeping[name]))
