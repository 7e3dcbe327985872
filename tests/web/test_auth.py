"""Sign-in, sessions, CSRF and the body limit, on both engines: right status, nothing revealed, audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.web.auth_helpers import AUTH_SETTINGS, PASSWORD, csrf_from, make_user, sign_in
from welfare_district.access.session_store import session_tables
from welfare_district.audit.log import audit_tables
from welfare_district.engine import Database
from welfare_district.errors import ConfigError
from welfare_district.settings import get_settings
from welfare_district.web.app import create_app
from welfare_district.web.auth import SESSION_COOKIE


def _audit(db: Database, action: str) -> list[dict[str, object]]:
    t = audit_tables().log
    with db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(t).where(t.c.action == action).order_by(t.c.seq))
                .mappings()]


def _client(db: Database, make_client: Callable[..., TestClient], **settings: object) -> TestClient:
    return make_client(db, **{**AUTH_SETTINGS, **settings})


def test_login_sets_a_hardened_cookie_stores_only_a_hash_and_shows_the_user(
        db: Database, make_client: Callable[..., TestClient]) -> None:
    user_id = make_user(db, "steward.one", "data_steward", (("city", "c"),))
    client = _client(db, make_client)
    response = sign_in(client, "steward.one")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    token = client.cookies[SESSION_COOKIE]
    with db.engine.connect() as conn:
        stored = [r.token_hash for r in conn.execute(sa.select(session_tables().session))]
    assert len(stored) == 1 and token not in stored[0] and stored[0] != token
    page = client.get("/indicators").text
    assert "steward.one" in page and 'action="/logout"' in page
    rows = _audit(db, "auth.login")
    assert [r["outcome"] for r in rows] == ["ok"] and rows[0]["actor"] == f"user:{user_id}"


def test_secure_cookie_behind_https(db: Database, make_client: Callable[..., TestClient]) -> None:
    make_user(db, "analyst.one", "analyst", (("city", "c"),))
    app = create_app(get_settings(database_url=db.url, base_url="https://welfare.example.it/", **AUTH_SETTINGS),
                     database=db)
    with TestClient(app, base_url="https://testserver") as client:
        cookie = next(c for c in sign_in(client, "analyst.one").headers.get_list("set-cookie")
                      if c.startswith(SESSION_COOKIE + "="))
    assert "Secure" in cookie


def test_login_rotates_the_session_id(db: Database, make_client: Callable[..., TestClient]) -> None:
    make_user(db, "op.rotate", "operator", (("city", "c"),))
    client = _client(db, make_client)
    sign_in(client, "op.rotate")
    first = client.cookies[SESSION_COOKIE]
    token = csrf_from(client.get("/families").text)
    # signing in again from the same browser (the form is reachable with ?next while signed in only via POST)
    response = client.post("/login", data={"username": "op.rotate", "password": PASSWORD, "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303
    second = client.cookies[SESSION_COOKIE]
    assert second != first
    stale = TestClient(client.app, cookies={SESSION_COOKIE: first})
    assert stale.get("/families", follow_redirects=False).status_code == 303  # the old id no longer works


def test_wrong_credentials_reveal_nothing_and_are_audited(db: Database,
                                                          make_client: Callable[..., TestClient]) -> None:
    make_user(db, "op.wrong", "operator")
    client = _client(db, make_client, language="en")
    bad_password = sign_in(client, "op.wrong", "not the password at all")
    unknown_user = sign_in(client, "nobody.here", "not the password at all")
    for response in (bad_password, unknown_user):
        assert response.status_code == 401
        assert "Invalid username or password." in response.text
        assert SESSION_COOKIE not in client.cookies
    assert [r["outcome"] for r in _audit(db, "auth.login_failed")] == ["failed", "failed"]


def test_repeated_failures_are_rate_limited_per_account_and_per_address(
        db: Database, make_client: Callable[..., TestClient]) -> None:
    make_user(db, "op.limit", "operator")
    client = _client(db, make_client, login_max_failures=3, login_window_minutes=15, language="en")
    for _ in range(3):
        assert sign_in(client, "op.limit", "wrong password, again").status_code == 401
    limited = sign_in(client, "op.limit")  # even the right password waits
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 15 * 60
    assert "Too many failed attempts" in limited.text
    # the same address trying other names is limited as well
    assert sign_in(client, "someone.else", "wrong password, again").status_code == 429
    assert len(_audit(db, "auth.rate_limited")) == 2


def test_logout_needs_the_csrf_token_then_ends_the_session(db: Database,
                                                           make_client: Callable[..., TestClient]) -> None:
    make_user(db, "op.out", "operator", (("city", "c"),))
    client = _client(db, make_client)
    sign_in(client, "op.out")
    forged = client.post("/logout", data={"csrf_token": "0" * 64}, follow_redirects=False)
    assert forged.status_code == 403
    assert client.get("/families", follow_redirects=False).status_code == 200  # still signed in
    token = csrf_from(client.get("/families").text)
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/families", follow_redirects=False).status_code == 303
    with db.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(session_tables().session)).scalar() == 0
    assert len(_audit(db, "auth.logout")) == 1
    assert [r["outcome"] for r in _audit(db, "auth.csrf_rejected")] == ["denied"]


def test_login_form_without_or_with_a_forged_token_is_refused(db: Database,
                                                              make_client: Callable[..., TestClient]) -> None:
    make_user(db, "op.csrf", "operator")
    client = _client(db, make_client)
    client.get("/login")
    for token in (None, "f" * 64, csrf_from(client.get("/login").text) + "0"):
        data = {"username": "op.csrf", "password": PASSWORD}
        if token is not None:
            data["csrf_token"] = token
        assert client.post("/login", data=data, follow_redirects=False).status_code == 403
    # a token made for another browser's pre-session is refused too
    other = _client(db, make_client)
    foreign = csrf_from(other.get("/login").text)
    assert client.post("/login", data={"username": "op.csrf", "password": PASSWORD, "csrf_token": foreign},
                       follow_redirects=False).status_code == 403
    assert SESSION_COOKIE not in client.cookies
    assert len(_audit(db, "auth.csrf_rejected")) == 4


def test_tampered_cookie_is_public_and_cleared(db: Database, make_client: Callable[..., TestClient]) -> None:
    make_user(db, "op.tamper", "operator", (("city", "c"),))
    client = _client(db, make_client)
    sign_in(client, "op.tamper")
    token = client.cookies[SESSION_COOKIE]
    client.cookies.set(SESSION_COOKIE, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    page = client.get("/families", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=%2Ffamilies"
    assert any(c.startswith(f"{SESSION_COOKIE}=;") and "Max-Age=0" in c for c in page.headers.get_list("set-cookie"))
    api = client.get("/api/v1/families", params={"purpose": "referral"})
    assert api.status_code == 401 and "operator" not in api.text
    assert len(_audit(db, "auth.denied")) == 2
    # one row per request that carried the tampered cookie (the test client keeps sending it)
    assert [r["outcome"] for r in _audit(db, "auth.session_rejected")] == ["denied", "denied"]


@pytest.mark.parametrize("column", ["last_seen", "created_at"])
def test_idle_and_absolute_timeouts_end_the_session(db: Database, make_client: Callable[..., TestClient],
                                                    column: str) -> None:
    make_user(db, "op.time", "operator", (("city", "c"),))
    client = _client(db, make_client, language="en")
    sign_in(client, "op.time")
    assert client.get("/families", follow_redirects=False).status_code == 200
    back = datetime.now(UTC) - (timedelta(minutes=31) if column == "last_seen" else timedelta(hours=9))
    t = session_tables().session
    with db.engine.begin() as conn:
        values = {"last_seen": back} if column == "last_seen" else {"created_at": back, "last_seen": back}
        conn.execute(t.update().values(**values))
    page = client.get("/families")  # follows the redirect to the sign-in page
    assert page.status_code == 200 and "Your session has expired" in page.text
    with db.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() == 0
    assert len(_audit(db, "auth.session_expired")) == 1


def test_disabled_account_loses_its_session(db: Database, make_client: Callable[..., TestClient]) -> None:
    from tests.web.auth_helpers import pseudonymiser
    from welfare_district.access.users import disable_user

    make_user(db, "op.gone", "operator", (("city", "c"),))
    client = _client(db, make_client)
    sign_in(client, "op.gone")
    disable_user(db.engine, "op.gone", pseudonymiser())
    assert client.get("/families", follow_redirects=False).status_code == 303
    assert sign_in(client, "op.gone").status_code == 401


def test_oversized_payload_gets_413_and_is_audited(db: Database, make_client: Callable[..., TestClient]) -> None:
    client = _client(db, make_client, max_body_bytes=2048)
    client.get("/login")
    response = client.post("/login", content=b"username=" + b"a" * 5000,
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413 and "aaaa" not in response.text
    api = client.post("/api/v1/families", content=b"x" * 5000)
    assert api.status_code == 413
    assert len(_audit(db, "auth.body_too_large")) == 2


def test_next_never_leaves_the_site(db: Database, make_client: Callable[..., TestClient]) -> None:
    make_user(db, "op.next", "operator", (("city", "c"),))
    client = _client(db, make_client)
    token = csrf_from(client.get("/login").text)
    for target, expected in (("//evil.example/x", "/"), ("/\\evil.example", "/"), ("https://evil.example/", "/"),
                             ("/families?purpose=referral", "/families?purpose=referral")):
        response = client.post("/login", data={"username": "op.next", "password": PASSWORD, "csrf_token": token,
                                               "next": target}, follow_redirects=False)
        assert response.headers["location"] == expected
        client.cookies.clear()
        token = csrf_from(client.get("/login").text)


def test_placeholder_secrets_refuse_to_start_outside_demo_mode() -> None:
    good = "k" * 40
    for overrides in ({"secret_key": "change-me"}, {"secret_key": "short but not a placeholder"},
                      {"secret_key": good, "pseudonym_key": "change-me"},
                      {"secret_key": good, "pseudonym_key": good},
                      {"secret_key": good}):  # no pseudonym key at all
        with pytest.raises(ConfigError):
            create_app(get_settings(demo=False, **overrides))
    create_app(get_settings(demo=False, secret_key=good, pseudonym_key="p" * 40))
    create_app(get_settings(demo=True))
