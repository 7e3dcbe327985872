"""Signed-in principals for the web tests, set through a dependency override (never a production back door).

A test signs a client in by overriding ``deps.get_principal`` (what the sign-in middleware's principal reaches
the routes through), without accounts or sessions; ``analyst_client`` is a client of the small city signed in
as an analyst with a city-wide grant (exact figures).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from welfare_district.access.policy import Grant, Principal
from welfare_district.engine import Database
from welfare_district.web.deps import get_principal

CITY_GRANT = Grant("city", "028060")
ANALYST = Principal("u-analyst", "analyst", grants=frozenset({CITY_GRANT}))
STEWARD = Principal("u-steward", "data_steward", grants=frozenset({CITY_GRANT}))
PARTNER = Principal("u-partner", "partner", grants=frozenset({Grant("organisation", "org-1")}))
OPERATOR = Principal("u-operator", "operator", grants=frozenset({CITY_GRANT}))
NEW_ANALYST = Principal("u-new", "analyst")  # no grant yet: no exact figures


def sign_in(client: TestClient, principal: Principal | None) -> TestClient:
    """Make every following request of ``client`` come from ``principal`` (None: the public)."""
    app = client.app
    app.dependency_overrides[get_principal] = lambda: principal  # type: ignore[attr-defined]
    return client


@pytest.fixture
def analyst_client(city_db: Database, make_client: Callable[..., TestClient]) -> TestClient:
    """A client of the small city signed in as an analyst with a city grant (exact figures)."""
    return sign_in(make_client(city_db, language="it"), ANALYST)
