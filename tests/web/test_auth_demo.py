"""Demo accounts: one per role, scoped, with passwords that work and change on every demo run."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.web.auth_helpers import AUTH_SETTINGS, pseudonymiser, sign_in
from welfare_district.access.demo_users import create_demo_users
from welfare_district.access.users import list_users
from welfare_district.engine import Database
from welfare_district.errors import ConfigError


def test_demo_accounts_per_role_with_working_passwords(seeded_db: Database,
                                                       make_client: Callable[..., TestClient]) -> None:
    first = create_demo_users(seeded_db.engine, pseudonymiser(), demo=True)
    assert sorted(a.role for a in first) == ["admin", "analyst", "data_steward", "operator", "partner"]
    grants = {u["username"]: u["grants"] for u in list_users(seeded_db.engine)}
    assert len(grants["demo.operator"]) == 1 and grants["demo.operator"][0].startswith("quartiere:")
    assert len(grants["demo.partner"]) == 1 and grants["demo.partner"][0].startswith("organisation:")
    assert grants["demo.analyst"][0].startswith("city:") and grants["demo.admin"] == []
    operator = next(a for a in first if a.role == "operator")
    client = make_client(seeded_db, **AUTH_SETTINGS)
    assert sign_in(client, "demo.operator", operator.password).status_code == 303
    assert client.get("/families", follow_redirects=False).status_code == 200
    # a second run keeps the accounts and replaces every password
    second = create_demo_users(seeded_db.engine, pseudonymiser(), demo=True)
    assert len(list_users(seeded_db.engine)) == 5
    assert all(a.password != b.password for a, b in zip(first, second, strict=True))
    other = make_client(seeded_db, **AUTH_SETTINGS)
    assert sign_in(other, "demo.operator", operator.password).status_code == 401


def test_no_demo_accounts_outside_demo_mode(seeded_db: Database) -> None:
    with pytest.raises(ConfigError):
        create_demo_users(seeded_db.engine, pseudonymiser(), demo=False)
    assert list_users(seeded_db.engine) == []
