"""One database, two views of it: an Ibis backend for analytics and a SQLAlchemy engine for records.

``connect(url)`` is the only way the platform opens a database. Both handles share one underlying
connection (DuckDB) or one server (PostgreSQL), so what one writes the other reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis
import sqlalchemy as sa
from ibis.backends import BaseBackend

from welfare_district.engine import dialect as _dialect
from welfare_district.engine.dialect import Dialect, batched_checkpoints, bulk_insert, postgresql_key, redact
from welfare_district.errors import EngineError

__all__ = ["Database", "Dialect", "batched_checkpoints", "bulk_insert", "connect", "postgresql_key", "redact"]


@dataclass
class Database:
    """An open database: ``ibis`` for analytical expressions, ``engine`` for SQLAlchemy Core."""

    url: str
    dialect: Dialect
    ibis: BaseBackend
    engine: sa.Engine
    _closers: list[Any] = field(default_factory=list, repr=False)

    def close(self) -> None:
        """Release every connection this Database opened; safe to call twice."""
        self.engine.dispose()
        for closer in self._closers:
            closer()
        self._closers.clear()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(url: str | None = None) -> Database:
    """Open the database at ``url`` (default: the WELFARE_DATABASE_URL setting).

    Guarantees: the server answered (a trivial query ran) before this returns; otherwise EngineError
    with the URL's password redacted.
    """
    if url is None:
        from welfare_district.settings import get_settings

        url = get_settings().database_url
    dialect, target = _dialect.parse_url(url)
    try:
        if dialect.is_duckdb:
            return _connect_duckdb(url, dialect, target)
        return _connect_postgres(url, dialect, target)
    except EngineError:
        raise
    except Exception as exc:  # driver errors differ per engine; normalise them here
        raise EngineError(f"Cannot open database {redact(url)}: {_first_line(exc)}") from exc


def _connect_duckdb(url: str, dialect: Dialect, path: str) -> Database:
    import duckdb
    import duckdb_engine

    # DuckDB refuses a second connection to the same file with another configuration, so
    # SQLAlchemy and Ibis both get cursors of one native connection.
    config: dict[str, str | bool | int | float | list[str]] = dict(_dialect.duckdb_config(url))
    raw = duckdb.connect(_dialect.duckdb_path(path), config=config)
    engine = sa.create_engine(
        "duckdb://", creator=lambda: duckdb_engine.ConnectionWrapper(raw.cursor()), poolclass=sa.pool.QueuePool
    )
    backend = ibis.duckdb.from_connection(raw)
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    return Database(url, dialect, backend, engine, [raw.close])


def _connect_postgres(url: str, dialect: Dialect, sa_url: str) -> Database:
    engine = sa.create_engine(sa_url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    backend = ibis.postgres.connect(**_dialect.postgres_ibis_kwargs(sa_url))
    return Database(url, dialect, backend, engine, [backend.disconnect])


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
