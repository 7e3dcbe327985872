"""Who is asking: the session cookie resolved to an ``access.policy.Principal`` on every request.

``AuthMiddleware`` (plain ASGI, like the security headers) sets ``request.state.principal`` on every HTTP
request, API and pages alike: the signed-in account, or None for the public. It also sets
``request.state.session_token`` (the raw cookie of a valid session, used to bind CSRF tokens) and, when the
cookie named an unknown or expired session, clears that cookie on the response. Requests without a session
cookie never touch the database here.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio.to_thread
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from welfare_district.access import session_store
from welfare_district.access.policy import Principal
from welfare_district.access.users import access_tables, load_account
from welfare_district.audit.log import AuditEvent
from welfare_district.audit.log import ensure_tables as ensure_audit_tables
from welfare_district.engine import Database
from welfare_district.settings import Settings
from welfare_district.web.auth_audit import write_event

SESSION_COOKIE = "wd_session"
ANON_COOKIE = "wd_anon"


@dataclass(frozen=True)
class Resolved:
    """The principal of a request, its session token when valid, and whether a stale cookie must be cleared."""

    principal: Principal | None
    token: str | None
    clear_cookie: bool
    problem: str | None = None
    user_name: str | None = None


def now_utc() -> datetime:
    """The current time in UTC (one place, so that the timeouts are tested by moving it)."""
    return datetime.now(UTC)


def resolve_session(db: Database, lock: threading.Lock, settings: Settings, token: str,
                    now: datetime) -> Resolved:
    """The account behind a session token, or None with the reason (unknown, idle, absolute, disabled)."""
    if len(token) > 128:
        return Resolved(None, None, True, "malformed")
    idle = timedelta(minutes=settings.session_idle_minutes)
    absolute = timedelta(hours=settings.session_absolute_hours)
    guard = lock if db.dialect.is_duckdb else threading.Lock()
    with guard, db.engine.begin() as conn:
        found = session_store.resolve(conn, token, now, idle=idle, absolute=absolute)
        if found.session is None:
            return Resolved(None, None, True, found.problem)
        account = load_account(conn, found.session.user_id)
        if account is None or not account[0].active:
            session_store.delete(conn, token)
            return Resolved(None, None, True, "unknown" if account is None else "disabled")
        return Resolved(account[0], token, False, None, account[1])


def ensure_auth_tables(db: Database) -> None:
    """Create the account, session and audit tables if missing (once, when the app gets its database)."""
    with db.engine.begin() as conn:
        access_tables().metadata.create_all(conn, checkfirst=True)
        session_store.ensure_tables(conn)
        ensure_audit_tables(conn)


class AuthMiddleware:
    """Sets ``scope['state']['principal']`` (Principal or None) and ``session_token`` on every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        resolved = await self._resolve(scope)
        state["principal"] = resolved.principal
        state["session_token"] = resolved.token
        state["session_problem"] = resolved.problem
        state["user_name"] = resolved.user_name
        settings: Settings = scope["app"].state.settings
        state["csrf_token"] = csrf_token(settings, f"session:{resolved.token}") if resolved.token else None
        if not resolved.clear_cookie:
            await self.app(scope, receive, send)
            return

        async def send_clearing(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("set-cookie", expired_cookie(settings))
            await send(message)

        await self.app(scope, receive, send_clearing)

    async def _resolve(self, scope: Scope) -> Resolved:
        token = HTTPConnection(scope).cookies.get(SESSION_COOKIE)
        if not token:
            return Resolved(None, None, False)
        app_state = scope["app"].state
        db: Database | None = getattr(app_state, "db", None)
        if db is None:
            return Resolved(None, None, False)
        resolved = await anyio.to_thread.run_sync(
            resolve_session, db, app_state.db_lock, app_state.settings, token, now_utc())
        if resolved.problem is not None:
            # a cookie naming no valid session (forged, tampered, expired, of a disabled account) is recorded
            # once: the response clears it, so a browser does not repeat it
            action = "auth.session_expired" if resolved.problem in ("idle", "absolute") else "auth.session_rejected"
            await anyio.to_thread.run_sync(
                write_event, app_state, AuditEvent("public", action, "session", None, "security", "denied"))
        return resolved


def csrf_token(settings: Settings, binding: str) -> str:
    """The CSRF token of a session or pre-session ``binding`` (unforgeable without the secret key)."""
    key = settings.secret_key.get_secret_value().encode()
    return hmac.new(key, f"csrf\x00{binding}".encode(), hashlib.sha256).hexdigest()


def csrf_binding(state: dict[str, Any], cookies: dict[str, str]) -> str | None:
    """What the request's CSRF token is bound to: its valid session, else its pre-session cookie."""
    session: str | None = state.get("session_token")
    if session:
        return f"session:{session}"
    anon = cookies.get(ANON_COOKIE)
    return f"anon:{anon}" if anon and len(anon) <= 128 else None


def session_cookie(settings: Settings, token: str) -> str:
    """The Set-Cookie value of a session: HttpOnly, SameSite=Lax, Secure on https, no Max-Age (the server
    enforces the timeouts; the browser forgets it when closed)."""
    secure = "; Secure" if settings.secure_cookies else ""
    return f"{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}"


def expired_cookie(settings: Settings) -> str:
    """The Set-Cookie value that removes the session cookie."""
    secure = "; Secure" if settings.secure_cookies else ""
    return f"{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}"
