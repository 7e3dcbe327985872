"""Server-side authorisation of every route: one table (route -> action) consulted by one dependency.

``ROUTE_ACTIONS`` names, for each ``METHOD /path`` of the app, the ``access.policy`` action a request needs
(None: open to everyone, such as the sign-in form and static files). ``authorise_route`` is installed as an
app-wide dependency, so it runs before every FastAPI route, including routes added later: a route missing
from the table is refused (fail closed) and tests/web/test_routes_matrix.py fails until it is listed.
Actions whose scope depends on the object (an operator's territory, a partner's organisation) are checked
here for the role only; the route itself must call ``authorise`` with the object's Resource.

Refusals: the public asking for a protected page is sent to /login?next=... (pages) or gets 401 (API); a
signed-in account without the right gets 403. Both messages are generic and both are audited.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import iter_route_contexts

from welfare_district.access.policy import Principal, role_may
from welfare_district.audit.log import AuditEvent
from welfare_district.web.auth_audit import actor_of, write_event
from welfare_district.web.i18n import translate
from welfare_district.web.templating import render

log = logging.getLogger(__name__)

_FIGURES = "indicators.read_protected"
_SERVICES = "services.read"
ROUTE_ACTIONS: dict[str, str | None] = {
    # open: the API description, static files, signing in and out
    "GET /openapi.json": None,
    "GET /docs": None,
    "GET /static/vendor/swagger-ui/{name}": None,
    "GET /static/vendor/plotly.min.js": None,
    "GET /static": None,
    "GET /login": None,
    "POST /login": None,
    "POST /logout": None,
    # aggregated figures: public, disclosure-controlled unless the principal may read exact figures
    "GET /api/v1/areas": _FIGURES,
    "GET /api/v1/areas/{area_id}": _FIGURES,
    "GET /api/v1/areas/{area_id}/profile": _FIGURES,
    "GET /api/v1/indicators": _FIGURES,
    "GET /api/v1/indicators/{indicator_id}": _FIGURES,
    "GET /api/v1/values": _FIGURES,
    "GET /api/v1/series": _FIGURES,
    "GET /api/v1/rankings": _FIGURES,
    "GET /api/v1/composite": _FIGURES,
    "GET /api/v1/map": _FIGURES,
    "GET /api/v1/exports/values.csv": _FIGURES,
    "GET /api/v1/exports/values.xlsx": _FIGURES,
    "GET /api/v1/exports/values.geojson": _FIGURES,
    "GET /api/v1/exports/rankings.csv": _FIGURES,
    "GET /": _FIGURES,
    "GET /fragments/map": _FIGURES,
    "GET /areas/{area_id}": _FIGURES,
    "GET /trends": _FIGURES,
    "GET /rankings": _FIGURES,
    "GET /indicators": _FIGURES,
    "GET /indicators/{indicator_id}": _FIGURES,
    # the service directory (HSDS): public
    "GET /api/v1/service_at_locations": _SERVICES,
    "GET /api/v1/services": _SERVICES,
    "GET /api/v1/services/{service_id}": _SERVICES,
    "GET /api/v1/organizations": _SERVICES,
    "GET /api/v1/organizations/{organization_id}": _SERVICES,
    "GET /api/v1/taxonomies": _SERVICES,
    "GET /api/v1/taxonomy_terms": _SERVICES,
    # data stewardship: load log, failures and the record-linkage report
    "GET /quality": "quality.read",
    # operators' family profiles (territory checked again on the family itself)
    "GET /families": "family.search",
    "POST /families": "family.search",
    "GET /families/{family_ref}": "family.read",
    "GET /api/v1/families": "family.search",
    "GET /api/v1/families/{family_ref}": "family.read",
    # service directory pages: search and detail are public; the desk and referrals check the family's
    # territory or the referral's organisation again inside; partners propose, the municipality approves
    "GET /services": _SERVICES,
    "GET /services/{service_id}": _SERVICES,
    "GET /impact": "indicators.read_protected",
    "GET /impact/projects/{project_id}": "indicators.read_protected",
    # partners send their own projects' reports (the project's organisation is checked again inside)
    "GET /impact/reports": "activity.report",
    "POST /impact/reports": "activity.report",
    "GET /impact/reports/templates/{kind}.csv": "activity.report",
    "GET /desk": "family.read",
    "POST /desk": "family.read",
    "POST /referrals": "referral.send",
    "GET /referrals": "referral.read",
    "GET /referrals/{referral_id}": "referral.read",
    "POST /referrals/{referral_id}": "referral.update",
    "GET /catalogue/admin": "services.approve",
    "POST /catalogue/admin/revisions/{revision_id}": "services.approve",
    "GET /catalogue/admin/services": "services.edit",
    "GET /catalogue/admin/services/{service_id}": "services.edit",
    "POST /catalogue/admin/services/{service_id}": "services.edit",
}


class AuthRequiredError(Exception):
    """The public asked for something that needs an account."""


class AccessDeniedError(Exception):
    """A signed-in account asked for something its role or grants do not allow."""


def route_paths(app: FastAPI) -> dict[int, str]:
    """Full path of every route object of ``app`` (prefixes of included routers applied), by identity."""
    return {id(rc.original_route): str(rc.path) for rc in iter_route_contexts(app.routes) if rc.path}


def route_key(request: Request) -> str:
    """``METHOD /full/path`` of the matched route (HEAD counts as GET), or ``METHOD ?`` when unknown."""
    method = "GET" if request.method == "HEAD" else request.method
    route = request.scope.get("route")
    paths: dict[int, str] = getattr(request.app.state, "route_paths", {})
    path = paths.get(id(route)) if route is not None else None
    return f"{method} {path if path else '?'}"


def is_api(request: Request) -> bool:
    """True for the JSON API (answers are JSON, never a redirect)."""
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


async def authorise_route(request: Request) -> None:
    """Refuse the request unless the route's action is allowed to its principal (see ROUTE_ACTIONS)."""
    key = route_key(request)
    principal: Principal | None = getattr(request.state, "principal", None)
    if key not in ROUTE_ACTIONS:
        log.error("route %s is missing from the authorisation table: refused", key)
        await _refuse(request, principal, key, "route")
    action = ROUTE_ACTIONS[key]
    if action is None or role_may(principal, action):
        return
    await _refuse(request, principal, key, action)


async def _refuse(request: Request, principal: Principal | None, key: str, action: str) -> None:
    event = AuditEvent(actor_of(principal), "auth.denied", "route", key, "security", "denied")
    await anyio.to_thread.run_sync(write_event, request.app.state, event)
    if principal is None:
        raise AuthRequiredError(action)
    raise AccessDeniedError(action)


def forbidden(request: Request) -> Response:
    """The 403 answer: JSON under /api, a page elsewhere; it names nothing about the object asked for."""
    from welfare_district.web.deps import get_language

    lang = get_language(request, request.query_params.get("lang"))
    if is_api(request):
        return JSONResponse({"error": {"code": "forbidden", "message": translate("en", "forbidden_body")}},
                        status_code=403)
    return render(request, "error.html", lang, {"title": translate(lang, "forbidden_title"),
                                                "message": translate(lang, "forbidden_body")}, status_code=403)


def login_redirect(request: Request) -> Response:
    """The 401 answer: JSON under /api; a redirect to the sign-in page with ?next= elsewhere."""
    if is_api(request):
        return JSONResponse({"error": {"code": "unauthenticated", "message": "Sign-in required."}},
                            status_code=401, headers={"WWW-Authenticate": 'Cookie realm="welfare"'})
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    expired = getattr(request.state, "session_problem", None) in ("idle", "absolute")
    return RedirectResponse(f"/login?next={quote(target, safe='')}{'&expired=1' if expired else ''}",
                            status_code=303)


async def _auth_required(request: Request, exc: Exception) -> Response:
    return login_redirect(request)


async def _access_denied(request: Request, exc: Exception) -> Response:
    return forbidden(request)


def install_route_authorisation(app: FastAPI) -> None:
    """Record the routes' full paths and the handlers of the two refusals (after every router is included)."""
    app.state.route_paths = route_paths(app)
    app.add_exception_handler(AuthRequiredError, _auth_required)
    app.add_exception_handler(AccessDeniedError, _access_denied)

