"""The merge stage of a regional run: the comune files' results become the region's, in one transaction.

What a comune's stages write (staged records with their load log, failures, quarantine and quality; links;
geocodes; warehouse years; trusted register codes) is copied from each comune's DuckDB file into the
regional database, and the people of a register code found in two comuni are joined (regional_link.py). Before the
copy, the rows an earlier merge brought are removed: the loads whose file lies in a comune folder, and every
row of the link, geocode and warehouse tables (in a regional run only the comuni write those). Files outside
the comune folders (the service catalogue) keep their loads. ``wh_snapshot`` gets one row per year found in
any comune, built now, so the indicator stage recomputes those years.

On DuckDB the comune files are attached read-only and copied by SQL; on PostgreSQL their rows travel as
Arrow batches through COPY. Either way a failure rolls the whole merge back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from welfare_district.engine import Database, bulk_insert
from welfare_district.errors import InputError
from welfare_district.regional_link import MoverReport, join_movers, register_code_table

BATCH_ROWS = 250_000  # rows per Arrow batch towards PostgreSQL: bounded memory, few round trips


@dataclass
class MergeReport:
    """Rows copied per table and the snapshot years the region now has."""

    rows: dict[str, int] = field(default_factory=dict)
    years: list[int] = field(default_factory=list)
    movers: MoverReport = field(default_factory=MoverReport)


@dataclass(frozen=True)
class _Tables:
    log: sa.Table  # load_log: which loads came from comune folders
    by_load: list[sa.Table]  # rows belong to a load of the log
    whole: list[sa.Table]  # replaced whole

    def copied(self) -> list[sa.Table]:
        """Every table a comune file contributes, the load log after the rows of its loads."""
        return [*self.by_load, self.log, *self.whole]


def _tables(conn: sa.Connection) -> _Tables:
    """The tables a merge writes, created inside the merge's transaction (a merge rolled back leaves none)."""
    from welfare_district.geo.geocode import geocode_table
    from welfare_district.link.staging import link_tables
    from welfare_district.model.records import record_tables
    from welfare_district.model.warehouse import warehouse_tables

    rec = record_tables()
    links = link_tables()
    geocodes = geocode_table()
    wh = warehouse_tables()
    codes = register_code_table()
    for table in (rec.load_log, links.person, geocodes, wh.person, codes):
        table.metadata.create_all(conn, checkfirst=True)  # each of these tables' metadata holds its family
    return _Tables(
        log=rec.load_log,
        by_load=[*rec.records.values(), rec.failure, rec.quarantine, rec.quality],
        whole=[links.person, links.review, geocodes, wh.person, wh.family, wh.dwelling, wh.isee,
               wh.case, codes],
    )


class RegionMerge:
    """A merge in progress inside one open transaction: comune files are added one by one, in any order,
    then ``finish`` joins the movers and writes the snapshot years. Open it with ``open_merge``."""

    def __init__(self, conn: sa.Connection, db: Database, tables: _Tables) -> None:
        self._conn = conn
        self._db = db
        self._tables = tables
        self._copy = _copy_duckdb if db.dialect.is_duckdb else _copy_arrow
        self._years: set[int] = set()
        self.report = MergeReport()
        self.finished = False

    def add(self, path: Path) -> None:
        """Copy every row of the comune file at ``path``. Raises InputError (and the transaction is rolled
        back by ``open_merge``) when the file is missing or unreadable, or holds a file another comune holds."""
        if self.finished:
            raise RuntimeError("this merge is finished")
        _require_file(path)
        try:
            copied, found = self._copy(self._conn, self._db, path, self._tables.copied())
        except sa.exc.IntegrityError as exc:
            raise InputError("two comuni hold the same file content (the same source file in two folders); "
                             f"nothing merged: {str(exc.orig).splitlines()[0]}") from None
        except (duckdb.Error, sa.exc.DBAPIError) as exc:
            raise InputError(f"cannot read the comune's database file, nothing merged: {_first_line(exc)}",
                             path=str(path)) from None
        for name, n in copied.items():
            self.report.rows[name] = self.report.rows.get(name, 0) + n
        self._years |= found

    def finish(self) -> MergeReport:
        """Join the residents who moved between the comuni added and write ``wh_snapshot``; the report."""
        self.report.years = sorted(self._years)
        self.report.movers = join_movers(self._conn, self._db)
        _write_snapshots(self._conn, self._db, self.report.years)
        self.finished = True
        return self.report


@contextmanager
def open_merge(db: Database, is_comune_folder: Callable[[str], bool]) -> Iterator[RegionMerge]:
    """Begin the merge's transaction and remove the rows an earlier merge brought; commit when the block
    ends after ``finish()``, roll back on any error (then nothing changes, not even a table is created).

    ``is_comune_folder`` tells whether the first folder of a stored file name is a comune's (such loads
    came from an earlier merge and are replaced, even when that comune's folder is gone). Loads of files
    outside comune folders are kept.
    """
    from welfare_district.model.warehouse import warehouse_tables

    with db.engine.begin() as conn:
        tables = _tables(conn)
        log = tables.log
        earlier = [str(load_id) for load_id, name in conn.execute(sa.select(log.c.load_id, log.c.file_name))
                   if "/" in str(name) and is_comune_folder(str(name).split("/", 1)[0])]
        for table in [*tables.by_load, log]:
            for start in range(0, len(earlier), 1000):
                conn.execute(sa.delete(table).where(table.c.load_id.in_(earlier[start:start + 1000])))
        for table in [*tables.whole, warehouse_tables().snapshot]:
            conn.execute(sa.delete(table))
        merge = RegionMerge(conn, db, tables)
        yield merge
        if not merge.finished:
            raise RuntimeError("the merge's block ended before finish(): nothing merged")


def merge_comuni(db: Database, databases: list[Path], is_comune_folder: Callable[[str], bool]) -> MergeReport:
    """Replace the region's comune-derived rows with those of ``databases`` (one DuckDB file per comune).

    Guarantees: one transaction (on any error nothing changes); every row of the tables listed in the module
    docstring of every comune file is copied once; loads of files outside comune folders are kept. Raises
    InputError when a comune file is missing or two comuni hold the same file content.
    """
    for path in databases:  # all checked before the transaction removes anything
        _require_file(path)
    with open_merge(db, is_comune_folder) as merge:
        for path in databases:
            merge.add(path)
        return merge.finish()


def _require_file(path: Path) -> None:
    if not path.is_file():
        raise InputError("the comune's database file is missing: run its stages first", path=str(path))


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _copy_duckdb(conn: sa.Connection, db: Database, path: Path,
                 tables: list[sa.Table]) -> tuple[dict[str, int], set[int]]:
    """Attach the comune file read-only and copy by SQL inside the caller's transaction."""
    raw: Any = conn.connection.dbapi_connection
    quoted = str(path).replace("'", "''")
    raw.execute(f"ATTACH '{quoted}' AS comune_part (READ_ONLY)")
    # the copy keeps no row order (readers sort by their keys): DuckDB then inserts in parallel, a sixth faster
    raw.execute("SET preserve_insertion_order = false")
    try:
        def run(sql: str, params: list[object] | None = None) -> list[Any]:
            return list(raw.execute(sql, params or []).fetchall())

        copied = {}
        for table in tables:
            present = {r[0] for r in run("SELECT column_name FROM duckdb_columns() WHERE database_name = "
                                         "'comune_part' AND table_name = ?", [table.name])}
            if not present:
                continue  # a table the comune's stages never created adds no rows
            cols = ", ".join(f'"{c.name}"' for c in table.columns if c.name in present)
            copied[table.name] = int(run(f'SELECT COUNT(*) FROM comune_part."{table.name}"')[0][0])
            raw.execute(f'INSERT INTO "{table.name}" ({cols}) SELECT {cols} FROM comune_part."{table.name}"')
        has_years = run("SELECT COUNT(*) FROM duckdb_tables() WHERE database_name = 'comune_part' "
                        "AND table_name = 'wh_snapshot'")[0][0]
        years = {int(r[0]) for r in run("SELECT snapshot_year FROM comune_part.wh_snapshot")} if has_years else set()
    finally:
        raw.execute("RESET preserve_insertion_order")
        raw.execute("DETACH comune_part")
    return copied, years


def _copy_arrow(conn: sa.Connection, db: Database, path: Path,
                tables: list[sa.Table]) -> tuple[dict[str, int], set[int]]:
    """Read the comune file in Arrow batches and append them through the target's bulk insert."""
    copied = {}
    with duckdb.connect(str(path), read_only=True) as con:
        names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        for table in tables:
            if table.name not in names:
                continue
            present = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ?",
                                                  [table.name]).fetchall()}
            cols = ", ".join(f'"{c.name}"' for c in table.columns if c.name in present)
            reader = con.sql(f'SELECT {cols} FROM "{table.name}"').to_arrow_reader(BATCH_ROWS)
            copied[table.name] = sum(bulk_insert(conn, db.dialect, table.name, pa.Table.from_batches([b]))
                                     for b in reader)
        years = ({int(r[0]) for r in con.execute("SELECT snapshot_year FROM wh_snapshot").fetchall()}
                 if "wh_snapshot" in names else set())
    return copied, years


def _write_snapshots(conn: sa.Connection, db: Database, years: list[int]) -> None:
    from welfare_district.synth.truth_warehouse import warehouse_arrow
    from welfare_district.warehouse.build import ORIGIN, section_version

    if not years:
        return
    snapshot = pd.DataFrame({"snapshot_year": years, "reference_date": [date(y, 12, 31) for y in years],
                             "boundary_version": section_version(db), "origin": ORIGIN,
                             "built_at": datetime.now(UTC)})
    bulk_insert(conn, db.dialect, "wh_snapshot", warehouse_arrow(snapshot, "snapshot"))
