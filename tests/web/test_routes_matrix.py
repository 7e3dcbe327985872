"""Every route of the app, for the public and each of the five roles: allowed or refused, as expected.

The expected table is written out here, independently of the app's own table: a route added to the app
without an entry below fails ``test_every_route_is_in_the_expected_table``, and a route whose refusal
differs from the expectation fails the matrix. A refusal is a redirect to the sign-in page or a 401 (the
public) or a 403 (a signed-in role); anything else counts as allowed (a 404 for an unknown id is allowed).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from tests.web.auth_helpers import AUTH_SETTINGS, csrf_from, make_user, sign_in
from welfare_district.engine import Database

ROLES = ("public", "admin", "data_steward", "operator", "analyst", "partner")
EVERYONE = frozenset(ROLES)
_FIGURES = [
    "GET /api/v1/areas", "GET /api/v1/areas/{area_id}", "GET /api/v1/areas/{area_id}/profile",
    "GET /api/v1/indicators", "GET /api/v1/indicators/{indicator_id}", "GET /api/v1/values",
    "GET /api/v1/series", "GET /api/v1/rankings", "GET /api/v1/composite", "GET /api/v1/map",
    "GET /api/v1/exports/values.csv", "GET /api/v1/exports/values.xlsx", "GET /api/v1/exports/values.geojson",
    "GET /api/v1/exports/rankings.csv", "GET /", "GET /fragments/map",
    "GET /areas/{area_id}", "GET /trends", "GET /rankings", "GET /indicators", "GET /indicators/{indicator_id}",
]
_DIRECTORY = [
    "GET /api/v1/service_at_locations", "GET /api/v1/services", "GET /api/v1/services/{service_id}",
    "GET /api/v1/organizations", "GET /api/v1/organizations/{organization_id}", "GET /api/v1/taxonomies",
    "GET /api/v1/taxonomy_terms",
]
_IMPACT = [
    "GET /api/v1/calls", "GET /api/v1/calls/{call_id}", "GET /api/v1/projects", "GET /api/v1/projects/{project_id}",
    "GET /api/v1/projects/{project_id}/impact", "GET /api/v1/exports/projects.csv",
]
EXPECTED: dict[str, frozenset[str]] = {
    "GET /openapi.json": EVERYONE,
    "GET /static/vendor/plotly.min.js": EVERYONE,
    "GET /docs": EVERYONE,
    "GET /static/vendor/swagger-ui/{name}": EVERYONE,
    "GET /static": EVERYONE,
    "GET /login": EVERYONE,
    "POST /login": EVERYONE,
    "POST /logout": EVERYONE,
    **{key: EVERYONE for key in _FIGURES},
    **{key: EVERYONE for key in _DIRECTORY},
    **{key: EVERYONE for key in _IMPACT},
    "GET /quality": frozenset({"data_steward"}),
    "GET /families": frozenset({"operator"}),
    "POST /families": frozenset({"operator"}),
    "GET /families/{family_ref}": frozenset({"operator"}),
    "GET /api/v1/families": frozenset({"operator"}),
    "GET /api/v1/families/{family_ref}": frozenset({"operator"}),
    "GET /services": EVERYONE,
    "GET /services/{service_id}": EVERYONE,
    "GET /impact": EVERYONE,
    "GET /impact/projects/{project_id}": EVERYONE,
    "GET /impact/reports": frozenset({"admin", "data_steward", "partner"}),
    "POST /impact/reports": frozenset({"admin", "data_steward", "partner"}),
    "GET /impact/reports/templates/{kind}.csv": frozenset({"admin", "data_steward", "partner"}),
    "GET /desk": frozenset({"operator"}),
    "POST /desk": frozenset({"operator"}),
    "POST /referrals": frozenset({"operator"}),
    "GET /referrals": frozenset({"operator", "partner"}),
    "GET /referrals/{referral_id}": frozenset({"operator", "partner"}),
    "POST /referrals/{referral_id}": frozenset({"operator", "partner"}),
    "GET /catalogue/admin": frozenset({"admin", "data_steward"}),
    "POST /catalogue/admin/revisions/{revision_id}": frozenset({"admin", "data_steward"}),
    "GET /catalogue/admin/services": frozenset({"admin", "partner"}),
    "GET /catalogue/admin/services/{service_id}": frozenset({"admin", "partner"}),
    "POST /catalogue/admin/services/{service_id}": frozenset({"admin", "partner"}),
}
SAMPLE = {"{area_id}": "Q1", "{indicator_id}": "ivsm_low_education", "{level}": "quartiere",
          "{service_id}": "x", "{organization_id}": "x", "{call_id}": "x", "{project_id}": "x",
          "{family_ref}": "demo." + "a" * 32, "{referral_id}": "x", "{revision_id}": "x", "{kind}": "attivita",
          "{name}": "swagger-ui.css"}
QUERY = {"GET /families": "?purpose=referral", "GET /families/{family_ref}": "?purpose=referral",
         "GET /api/v1/families": "?purpose=referral", "GET /api/v1/families/{family_ref}": "?purpose=referral"}
GRANTS = {"data_steward": (("city", "c"),), "operator": (("quartiere", "Q1"),), "analyst": (("city", "c"),),
          "partner": (("organisation", "org1"),)}


def app_route_keys(client: TestClient) -> list[str]:
    """``METHOD /path`` of every route of the app, read from ``app.routes`` (included routers expanded)."""
    keys = []
    for rc in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        for method in sorted(rc.methods or {"GET"}):
            if method != "HEAD":
                keys.append(f"{method} {rc.path}")
    return keys


def _url(key: str) -> str:
    path = key.split(" ", 1)[1]
    for name, value in SAMPLE.items():
        path = path.replace(name, value)
    if path == "/static":
        path = "/static/css/site.css"
    return path + QUERY.get(key, "")


def _refused(role: str, status: int, location: str | None, body: str) -> bool:
    if role == "public":
        return (status == 303 and (location or "").startswith("/login?next=")) or \
            (status == 401 and '"unauthenticated"' in body)
    return status == 403


@pytest.fixture
def role_clients(seeded_db: Database, make_client: Callable[..., TestClient]) -> dict[str, TestClient]:
    """A client per role, signed in through the form (the public one is not)."""
    clients = {"public": make_client(seeded_db, **AUTH_SETTINGS)}
    for role in ROLES[1:]:
        make_user(seeded_db, f"matrix.{role.replace('_', '.')}", role, GRANTS.get(role, ()))  # type: ignore[arg-type]
        client = make_client(seeded_db, **AUTH_SETTINGS)
        assert sign_in(client, f"matrix.{role.replace('_', '.')}").status_code == 303
        clients[role] = client
    return clients


def test_every_route_is_in_the_expected_table(role_clients: dict[str, TestClient]) -> None:
    keys = app_route_keys(role_clients["public"])
    missing = sorted(set(keys) - set(EXPECTED))
    assert not missing, f"routes without an expected allow/deny entry: {missing}"
    stale = sorted(set(EXPECTED) - set(keys))
    assert not stale, f"expected entries for routes the app no longer has: {stale}"
    from welfare_district.web.auth_routes import ROUTE_ACTIONS

    assert set(keys) <= set(ROUTE_ACTIONS), "the app's own table must list every route"


def test_every_route_for_every_role(role_clients: dict[str, TestClient]) -> None:
    keys = sorted(app_route_keys(role_clients["public"]), key=lambda k: k == "POST /logout")  # logout last
    wrong = []
    for role, client in role_clients.items():
        for key in keys:
            method = key.split(" ", 1)[0]
            if method == "POST":
                page = client.get("/login" if role == "public" else "/indicators").text
                response = client.post(_url(key), data={"csrf_token": csrf_from(page), "username": "nobody.x",
                                                        "password": "not a real password"},
                                       follow_redirects=False)
            else:
                response = client.get(_url(key), follow_redirects=False)
            refused = _refused(role, response.status_code, response.headers.get("location"), response.text)
            if refused == (role in EXPECTED[key]):
                wrong.append(f"{role} {key}: {response.status_code}")
            if refused:
                # a refusal names nothing about the object or the rule
                assert "family" not in response.text.lower().replace("families", "")
    assert not wrong, "unexpected allow/deny:\n" + "\n".join(wrong)


def test_a_route_added_later_is_refused_until_listed(seeded_db: Database,
                                                     make_client: Callable[..., TestClient]) -> None:
    client = make_client(seeded_db, **AUTH_SETTINGS)

    @client.app.get("/added-later")  # type: ignore[attr-defined,untyped-decorator]
    def added_later() -> dict[str, str]:
        return {"secret": "never served"}

    response = client.get("/added-later", follow_redirects=False)
    assert response.status_code in (303, 401) and "never served" not in response.text
