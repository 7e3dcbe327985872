"""Fixtures of the web tests: the synthetic hierarchy, seeded databases, the small city with indicators and
TestClients on both engines."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.pgserver import PostgresServer
from tests.web.city_db import fill_city_db, generate_city
from tests.web.figures_helpers import analyst_client  # noqa: F401  (a fixture: clients signed in as analyst)
from welfare_district.engine import Database, connect
from welfare_district.geo.areaset import AreaSet
from welfare_district.geo.hierarchy import build_synthetic_hierarchy
from welfare_district.geo.store import save_areas
from welfare_district.settings import get_settings
from welfare_district.web.app import create_app

# The disclosure-control rounding key of the test apps (public figures are protected and need one).
TEST_PSEUDONYM_KEY = "web-tests-pseudonym-key-0123456789abcdef"


@pytest.fixture(scope="session")
def areaset() -> AreaSet:
    """Padova's synthetic hierarchy (seed 0), built once per session."""
    return build_synthetic_hierarchy(seed=0)


@pytest.fixture
def seeded_db(db: Database, areaset: AreaSet) -> Database:
    """The parametrised database with the synthetic hierarchy saved through the geography store."""
    save_areas(db, areaset)
    return db


@pytest.fixture
def make_client() -> Iterator[Callable[..., TestClient]]:
    """Build a TestClient over an app using the given open database; the lifespan runs and is closed after."""
    clients: list[TestClient] = []

    def factory(database: Database, **settings: Any) -> TestClient:
        settings.setdefault("pseudonym_key", TEST_PSEUDONYM_KEY)
        app = create_app(get_settings(database_url=database.url, **settings), database=database)
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(seeded_db: Database, make_client: Callable[..., TestClient]) -> TestClient:
    """A client of an app over the seeded database, default language Italian."""
    return make_client(seeded_db, language="it")


@pytest.fixture(scope="session")
def city_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small synthetic Padova of tests/web/city_db.py (snapshots 2023-2025), generated once."""
    return generate_city(tmp_path_factory.mktemp("web_city") / "city")


@pytest.fixture(scope="session", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def city_db(request: pytest.FixtureRequest, city_dataset: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """An open database per engine holding the small city's areas, warehouse and indicators (read only)."""
    if request.param == "duckdb":
        url = f"duckdb:///{tmp_path_factory.mktemp('web_city_db') / 'city.duckdb'}"
        admin = None
    else:
        server: PostgresServer = request.getfixturevalue("pg_server")
        name = f"city_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(server.url().replace("postgresql://", "postgresql+psycopg://"),
                                 isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = server.url(name)
    database = connect(url)
    try:
        fill_city_db(database, city_dataset)
        yield database
    finally:
        database.close()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture
def city_client(city_db: Database, make_client: Callable[..., TestClient]) -> TestClient:
    """A client of an app over the small city's database (both engines), default language Italian."""
    return make_client(city_db, language="it")
