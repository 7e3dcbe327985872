"""The engine layer: one URL gives Ibis and SQLAlchemy views of the same database, on every engine."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
import sqlalchemy as sa

from welfare_district.engine import Database, bulk_insert, connect, redact
from welfare_district.errors import EngineError


def test_ibis_sees_what_sqlalchemy_wrote(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (a INTEGER, b VARCHAR)"))
        conn.execute(sa.text("INSERT INTO t VALUES (1, 'x'), (2, 'y')"))
    assert db.ibis.table("t").count().execute() == 2
    assert db.ibis.table("t").a.sum().execute() == 3


def test_bulk_insert_is_rolled_back_with_its_transaction(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (a INTEGER, b VARCHAR)"))
    data = pa.table({"a": [1, 2, 3], "b": ["x", None, "z"]})
    with pytest.raises(RuntimeError), db.engine.begin() as conn:
        assert bulk_insert(conn, db.dialect, "t", data) == 3
        raise RuntimeError("fail after the insert")
    assert db.ibis.table("t").count().execute() == 0
    with db.engine.begin() as conn:
        bulk_insert(conn, db.dialect, "t", data)
    rows = db.ibis.table("t").order_by("a").execute()
    assert rows["a"].tolist() == [1, 2, 3]
    assert rows["b"].isna().tolist() == [False, True, False]


def test_unknown_scheme_is_refused() -> None:
    with pytest.raises(EngineError, match="Unsupported database URL scheme 'mysql'"):
        connect("mysql://x@localhost/db")


def test_unreachable_postgres_gives_clear_error_without_password() -> None:
    with pytest.raises(EngineError) as info:
        connect("postgresql://user:s3cret@127.0.0.1:1/nowhere")
    assert "Cannot open database" in str(info.value)
    assert "s3cret" not in str(info.value)


def test_redact_hides_password() -> None:
    assert redact("postgresql://u:pw@h:5432/d") == "postgresql://u:***@h:5432/d"


def test_duckdb_options_in_the_url_bound_the_connection(tmp_path: Path) -> None:
    with connect(f"duckdb:///{tmp_path / 'opts.duckdb'}?memory_limit=1GB&threads=1") as db:
        limit, threads = db.ibis.con.execute(
            "SELECT current_setting('memory_limit'), current_setting('threads')").fetchone()
    assert threads == 1 and limit.endswith("MiB") and float(limit.split()[0]) < 1024
    assert (tmp_path / "opts.duckdb").exists()


@pytest.mark.parametrize("query", ["memory=1GB", "threads=1&threads=2", "memory_limit="])
def test_an_unknown_or_repeated_duckdb_option_is_refused(tmp_path: Path, query: str) -> None:
    with pytest.raises(EngineError, match="DuckDB URL option"):
        connect(f"duckdb:///{tmp_path / 'bad.duckdb'}?{query}")
    assert not (tmp_path / "bad.duckdb").exists()
