"""Fixtures of the web tests: the synthetic hierarchy, seeded databases and TestClients on both engines."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from welfare_district.engine import Database
from welfare_district.geo.areaset import AreaSet
from welfare_district.geo.hierarchy import build_synthetic_hierarchy
from welfare_district.geo.store import save_areas
from welfare_district.settings import get_settings
from welfare_district.web.app import create_app


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
