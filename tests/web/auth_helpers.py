"""Helpers of the sign-in tests: accounts with grants, and clients signed in through the real login form."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from welfare_district.access.policy import Role
from welfare_district.access.users import access_tables, add_user, ensure_tables
from welfare_district.engine import Database
from welfare_district.privacy.pseudonym import Pseudonymiser, load_keyring
from welfare_district.settings import get_settings

PASSWORD = "correct horse battery staple"
AUTH_SETTINGS: dict[str, Any] = {"demo": True, "secret_key": "test secret key of the sign-in tests, 48 chars"}


def pseudonymiser() -> Pseudonymiser:
    """The demo pseudonymiser the test apps use."""
    return Pseudonymiser(load_keyring(get_settings(demo=True)))


def make_user(db: Database, username: str, role: Role, grants: tuple[tuple[str, str], ...] = ()) -> str:
    """An account with ``grants`` written directly (territory ids need not exist); returns its id."""
    ensure_tables(db.engine)
    user_id = add_user(db.engine, username, PASSWORD, role, pseudonymiser())
    if grants:
        with db.engine.begin() as conn:
            conn.execute(access_tables().grant.insert(), [
                {"user_id": user_id, "kind": kind, "target": target, "granted_at": datetime.now(UTC)}
                for kind, target in grants])
    return user_id


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token of the first form in ``html``."""
    found = CSRF_FIELD.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    """Post the login form as a browser would (GET the form for its token, then POST); returns the response."""
    token = csrf_from(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False)


def signed_in(make_client: Callable[..., TestClient], db: Database, username: str, **settings: Any) -> TestClient:
    """A client of a demo-mode app over ``db`` signed in as ``username`` (which must exist)."""
    client = make_client(db, **{**AUTH_SETTINGS, **settings})
    response = sign_in(client, username)
    assert response.status_code == 303, response.text
    return client


def steward_client(make_client: Callable[..., TestClient], db: Database, **settings: Any) -> TestClient:
    """A client signed in as a data steward with a city-wide grant (the account is created once per db)."""
    with db.engine.connect() as conn:
        ensure_tables(db.engine)
        t = access_tables().user
        exists = conn.execute(sa.select(t.c.user_id).where(t.c.username == "test.steward")).first()
    if exists is None:
        make_user(db, "test.steward", "data_steward", (("city", "c"),))
    return signed_in(make_client, db, "test.steward", **settings)
