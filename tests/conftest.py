"""Test fixtures: every test that takes ``db`` runs once on DuckDB and once on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.pgserver import PostgresServer, find_bindir
from welfare_district.engine import Database, connect

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server on loopback for the whole session; in CI its absence is a failure."""
    bindir = find_bindir()
    if bindir is None:
        if IN_CI:
            pytest.fail("PostgreSQL server binaries not found: CI must install postgresql")
        pytest.skip("PostgreSQL server binaries not found (install postgresql to run these tests)")
    server = PostgresServer(bindir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A fresh, empty database URL per test, on each engine."""
    if request.param == "duckdb":
        yield f"duckdb:///{tmp_path / 'test.duckdb'}"
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server.url().replace("postgresql://", "postgresql+psycopg://"),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """An open Database on a fresh, empty database of the parametrised engine."""
    database = connect(database_url)
    try:
        yield database
    finally:
        database.close()


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    """In CI nothing may be skipped silently: a skipped test turns the run red."""
    skipped = terminalreporter.stats.get("skipped", [])
    if IN_CI and skipped:
        terminalreporter.write_line(
            f"CI: {len(skipped)} test(s) were skipped; in CI every backend and browser test must run.",
            red=True,
        )
        config._welfare_ci_skips = len(skipped)


def pytest_sessionfinish(session, exitstatus):  # type: ignore[no-untyped-def]
    skipped = getattr(session.config, "_welfare_ci_skips", 0)
    if IN_CI and skipped and exitstatus == 0:
        session.exitstatus = 1


# the last register year (structured addresses) and one third-sector list (free text, duplicates across sources)
STAGED_FILES = (("anagrafe", "anagrafe_2025.csv"), ("ts_emporio", "terzo_settore/emporio_solidale_tessere.csv"))


@pytest.fixture(scope="session")
def tiny_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1% synthetic Padova (2024-2025) with its areas and extracts, built once per test process."""
    from welfare_district.synth.generate import generate

    out = tmp_path_factory.mktemp("tiny_city") / "city"
    generate(out, years=(2024, 2025), seed=5, fraction=0.01, extracts=True)
    return out
