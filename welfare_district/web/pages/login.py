"""Sign-in and sign-out: GET/POST /login and POST /logout.

The form's CSRF token is bound to a random pre-session cookie; a successful sign-in ends any session the
browser had, starts a new one (a fresh token: the session id is rotated) and drops the pre-session cookie.
Failed attempts count per account and per client address: after ``login_max_failures`` within
``login_window_minutes`` either one gets 429 with Retry-After until the window frees up. Every outcome is
audited in the same transaction as its own writes; the messages never say whether the account exists.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from welfare_district.access import session_store
from welfare_district.access.users import authenticate
from welfare_district.audit.log import AuditEvent, record
from welfare_district.settings import Settings
from welfare_district.web.auth import ANON_COOKIE, SESSION_COOKIE, csrf_token, expired_cookie, now_utc, session_cookie
from welfare_district.web.auth_audit import actor_of, exclusive, pseudonymiser_of, transaction
from welfare_district.web.auth_guard import form_fields
from welfare_district.web.deps import LanguageDep, PrincipalDep, SettingsDep
from welfare_district.web.i18n import Language, translate
from welfare_district.web.templating import render

# Same-site paths only: '/x', never '//host' or '/\\host', which browsers treat as another site.
_SAFE_NEXT = re.compile(r"^/(?![/\\])[A-Za-z0-9/_.,;:=?&%~+-]{0,500}$")
MAX_USERNAME = 64
MAX_PASSWORD = 1024


def safe_next(value: str | None) -> str:
    """``value`` when it is a path of this site, else '/' (no open redirect)."""
    return value if value and _SAFE_NEXT.match(value) else "/"


def _form(request: Request, lang: Language, settings: Settings, *, next_url: str, message: str | None = None,
          status_code: int = 200, username: str = "", headers: dict[str, str] | None = None) -> HTMLResponse:
    anon = request.cookies.get(ANON_COOKIE)
    fresh = not anon or len(anon) > 128
    if fresh:
        anon = secrets.token_urlsafe(32)
    assert anon is not None
    context = {"csrf_token": csrf_token(settings, f"anon:{anon}"), "next_url": next_url, "message": message,
               "username": username[:MAX_USERNAME]}
    response = render(request, "login.html", lang, context, status_code=status_code, active="login")
    if fresh:
        response.set_cookie(ANON_COOKIE, anon, httponly=True, samesite="lax", secure=settings.secure_cookies,
                            path="/")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _attempt(request: Request, settings: Settings, username: str, password: str,
             now: datetime) -> tuple[str, str | int | None]:
    """Check the credentials and write the outcome: ('ok', token), ('limited', seconds) or ('failed', None)."""
    state = request.app.state
    pseudonymiser = pseudonymiser_of(state)
    secret = settings.secret_key.get_secret_value().encode()
    client = request.client.host if request.client else "unknown"
    account_key = session_store.failure_key(secret, "account", username.strip().lower())
    keys = [account_key, session_store.failure_key(secret, "address", client)]
    window = timedelta(minutes=settings.login_window_minutes)
    subject = f"username:{username.strip().lower()}"
    with transaction(state) as conn:
        wait = session_store.retry_after(conn, keys, now, limit=settings.login_max_failures, window=window)
        if wait:
            record(conn, AuditEvent("public", "auth.rate_limited", "account", subject, "security", "denied"),
                   pseudonymiser)
            return "limited", wait
    principal = None
    if 0 < len(username) <= MAX_USERNAME and 0 < len(password) <= MAX_PASSWORD:
        with exclusive(state) as db:
            principal = authenticate(db.engine, username.strip().lower(), password)
    with transaction(state) as conn:
        if principal is None:
            session_store.add_failure(conn, keys, now, window=window)
            record(conn, AuditEvent("public", "auth.login_failed", "account", subject, "security", "failed"),
                   pseudonymiser)
            return "failed", None
        old = request.cookies.get(SESSION_COOKIE)
        if old:
            session_store.delete(conn, old)
        token = session_store.create(conn, principal.user_id, now)
        session_store.clear_failures(conn, [account_key])
        record(conn, AuditEvent(actor_of(principal), "auth.login", "user", principal.user_id, "security"),
               pseudonymiser)
    return "ok", token


def _logout(request: Request) -> None:
    state = request.app.state
    token = request.cookies.get(SESSION_COOKIE)
    pseudonymiser = pseudonymiser_of(state)
    with transaction(state) as conn:
        user_id = session_store.delete(conn, token) if token else None
        if user_id is not None:
            record(conn, AuditEvent(f"user:{user_id}", "auth.logout", "user", user_id, "security"), pseudonymiser)


def build_router() -> APIRouter:
    """The /login and /logout routes."""
    router = APIRouter()

    @router.get("/login", response_class=HTMLResponse, name="login_page")
    def login_page(request: Request, lang: LanguageDep, settings: SettingsDep, principal: PrincipalDep,
                   next: str | None = None, expired: bool = False) -> Response:
        """The sign-in form (a signed-in visitor goes straight to ``next``)."""
        target = safe_next(next)
        if principal is not None:
            return RedirectResponse(target, status_code=303)
        problem = request.scope.get("state", {}).get("session_problem")
        message = translate(lang, "login_expired") if expired or problem in ("idle", "absolute") else (
            translate(lang, "login_required") if next else None)
        return _form(request, lang, settings, next_url=target, message=message)

    @router.post("/login", response_class=HTMLResponse, name="login_submit")
    async def login_submit(request: Request, lang: LanguageDep, settings: SettingsDep) -> Response:
        """Check the credentials; on success set the new session cookie and go to ``next``."""
        fields = await form_fields(request)
        username, password = fields.get("username", ""), fields.get("password", "")
        target = safe_next(fields.get("next"))
        outcome, value = await anyio.to_thread.run_sync(_attempt, request, settings, username, password, now_utc())
        if outcome == "limited":
            seconds = int(value or 1)
            message = translate(lang, "login_rate_limited", minutes=max(1, (seconds + 59) // 60))
            return _form(request, lang, settings, next_url=target, message=message, status_code=429,
                         username=username, headers={"Retry-After": str(seconds)})
        if outcome == "failed":
            return _form(request, lang, settings, next_url=target, message=translate(lang, "login_failed"),
                         status_code=401, username=username)
        response = RedirectResponse(target, status_code=303)
        response.headers.append("set-cookie", session_cookie(settings, str(value)))
        response.delete_cookie(ANON_COOKIE, path="/", httponly=True, samesite="lax",
                               secure=settings.secure_cookies)
        return response

    @router.post("/logout", name="logout")
    async def logout(request: Request, settings: SettingsDep) -> Response:
        """End the session (CSRF-checked like every form) and go back to the map."""
        await anyio.to_thread.run_sync(_logout, request)
        response = RedirectResponse("/", status_code=303)
        response.headers.append("set-cookie", expired_cookie(settings))
        return response

    return router
