"""Every difference between the supported SQL engines lives here (DuckDB, PostgreSQL).

The rest of the code speaks Ibis (analytics) or SQLAlchemy Core (operational records) and asks this
module whenever the two engines need different URLs, connections or bulk-load paths.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pyarrow as pa
import sqlalchemy as sa

from welfare_district.errors import EngineError

SUPPORTED = ("duckdb", "postgres")


@dataclass(frozen=True)
class Dialect:
    """How to talk to one engine: its name, URLs for SQLAlchemy and Ibis, and bulk loading."""

    name: str

    @property
    def is_duckdb(self) -> bool:
        return self.name == "duckdb"


def parse_url(url: str) -> tuple[Dialect, str]:
    """Split a database URL into its dialect and the part that engine needs.

    For DuckDB the second element is the database file path (or ':memory:'); for PostgreSQL it is a
    SQLAlchemy URL using the psycopg 3 driver.
    """
    scheme = url.split(":", 1)[0].lower()
    if scheme == "duckdb":
        rest = url[len("duckdb:") :]
        if not rest.startswith("///"):
            raise EngineError(f"DuckDB URL must look like duckdb:///path/to/file.duckdb, got {url!r}")
        path = rest[3:].split("?", 1)[0] or ":memory:"
        duckdb_config(url)  # a bad option is refused here, before anything opens
        return Dialect("duckdb"), path
    if scheme in ("postgresql", "postgres") or scheme.startswith("postgresql+"):
        parts = urlsplit(url)
        if not parts.hostname and "host=" not in parts.query:
            raise EngineError(f"PostgreSQL URL has no host: {redact(url)}")
        return Dialect("postgres"), "postgresql+psycopg://" + url.split("://", 1)[1]
    raise EngineError(f"Unsupported database URL scheme {scheme!r}: use duckdb:/// or postgresql://")


def redact(url: str) -> str:
    """Return the URL with any password replaced, for messages and logs."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def postgres_ibis_kwargs(sa_url: str) -> dict[str, Any]:
    """Connection keywords for ibis.postgres.connect from a SQLAlchemy URL."""
    u = sa.engine.make_url(sa_url)
    kwargs: dict[str, Any] = {
        "host": u.host or "localhost",
        "port": u.port or 5432,
        "user": unquote(u.username) if u.username else None,
        "password": u.password,
        "database": u.database,
    }
    return {k: v for k, v in kwargs.items() if v is not None}


# DuckDB settings a URL may carry (?memory_limit=6GB&threads=2): the ones that bound what a run costs.
DUCKDB_URL_OPTIONS = ("memory_limit", "threads", "temp_directory")


def duckdb_config(url: str) -> dict[str, str]:
    """The DuckDB configuration given in the query string of a duckdb:/// URL ({} when none).

    Guarantees: only DUCKDB_URL_OPTIONS are accepted, each once; anything else raises EngineError naming it.
    """
    query = urlsplit(url).query
    config: dict[str, str] = {}
    for part in filter(None, query.split("&")):
        name, _, value = part.partition("=")
        name, value = unquote(name), unquote(value)
        if name not in DUCKDB_URL_OPTIONS or not value or name in config:
            raise EngineError(f"Unsupported or repeated DuckDB URL option {name!r}: use "
                              + ", ".join(f"{o}=..." for o in DUCKDB_URL_OPTIONS))
        config[name] = value
    return config


def duckdb_path(path: str) -> str:
    """Make sure the folder of a DuckDB file exists; return the path as DuckDB expects it."""
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return path


def postgresql_key(*columns: str) -> sa.PrimaryKeyConstraint:
    """A primary key created on PostgreSQL only, for large tables that are replaced whole or per year.

    On DuckDB a primary key is an ART index rebuilt at commit: replacing the two million rows of a city's
    linkage or geocoding results took about 51 s with it and under 2 s without (first loads 3x faster too).
    The writers of these tables delete and insert in one transaction, which keeps the key unique; the
    PostgreSQL key (cheap B-tree upkeep there) makes the tests on PostgreSQL catch any writer that would not.
    Databases created before keep their DuckDB key and work as before.
    """
    return sa.PrimaryKeyConstraint(*columns).ddl_if(dialect="postgresql")


def bulk_insert(conn: sa.Connection, dialect: Dialect, table: str, data: pa.Table) -> int:
    """Append an Arrow table to an existing table inside the caller's transaction.

    DuckDB scans the Arrow table directly; PostgreSQL receives it through COPY. Both run inside the
    open transaction of ``conn``, so a failure later in the same transaction rolls the rows back.
    Returns the number of rows written.
    """
    if data.num_rows == 0:
        return 0
    cols = ", ".join(_quote(c) for c in data.column_names)
    if dialect.is_duckdb:
        raw = conn.connection.dbapi_connection
        raw.register("__bulk_src", data)  # type: ignore[union-attr]
        try:
            raw.execute(f"INSERT INTO {_quote(table)} ({cols}) SELECT {cols} FROM __bulk_src")  # type: ignore[union-attr]
        finally:
            raw.unregister("__bulk_src")  # type: ignore[union-attr]
        return data.num_rows
    raw = conn.connection.dbapi_connection
    with raw.cursor() as cur, cur.copy(f"COPY {_quote(table)} ({cols}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for batch in data.to_batches(max_chunksize=50_000):
            for row in zip(*(col.to_pylist() for col in batch.columns), strict=True):
                copy.write_row(row)
    return data.num_rows


# How large DuckDB lets its write-ahead log grow during a batch of loads before it checkpoints (default 16 MiB).
# Bounded because rows not yet checkpointed stay in memory: 160 MB kept a comune's peak where it was.
BATCH_CHECKPOINT_THRESHOLD = "160MB"


@contextmanager
def batched_checkpoints(engine: sa.Engine, dialect: Dialect) -> Iterator[None]:
    """Inside the block DuckDB checkpoints less often, and once when the block completes; a no-op elsewhere.

    Every automatic checkpoint rewrites (and compresses again) the partly filled last row group of each table
    that grew since the previous one, so a folder of small loads appending to the same tables paid for the
    same rows about ten times (some 8 CPU-s per comune). Commits are as durable as before (each one writes
    the log); only the moment the log is folded into the file changes. The previous setting is restored even
    when the block fails, and a failed block skips the final checkpoint (DuckDB runs it later as usual).
    """
    if not dialect.is_duckdb:
        yield
        return
    with engine.connect() as conn:
        before = conn.exec_driver_sql("SELECT current_setting('checkpoint_threshold')").scalar()
        conn.exec_driver_sql(f"SET GLOBAL checkpoint_threshold = '{BATCH_CHECKPOINT_THRESHOLD}'")
    try:
        yield
        with engine.begin() as conn:
            conn.exec_driver_sql("CHECKPOINT")
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql("SET GLOBAL checkpoint_threshold = ?", (str(before),))


def _quote(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise EngineError(f"Refusing unsafe identifier {name!r}")
    return f'"{name}"'
