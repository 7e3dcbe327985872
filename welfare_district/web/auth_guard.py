"""CSRF protection and the request-body limit, applied to every state-changing request before any route.

CSRF tokens are synchroniser tokens bound to the session without being stored: HMAC-SHA256 under the secret
key of the session token (signed in) or of a random pre-session cookie (the sign-in form). A page puts the
token in a hidden ``csrf_token`` field; scripts send it in the ``X-CSRF-Token`` header. Every POST, PUT,
PATCH or DELETE to a page must carry a valid one; under /api/ only requests authenticated by the session
cookie must (a client without the cookie has no ambient credentials to abuse). A missing, forged or stale
token gets 403; a body over ``max_body_bytes`` gets 413; both are audited and say nothing else.
"""

from __future__ import annotations

import hmac
from urllib.parse import parse_qs

import anyio.to_thread
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from welfare_district.access.policy import Principal
from welfare_district.audit.log import AuditEvent
from welfare_district.settings import Settings
from welfare_district.web.auth import csrf_binding, csrf_token
from welfare_district.web.auth_audit import actor_of, write_event
from welfare_district.web.i18n import Language, parse_language, translate

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
# File-upload forms (multipart) take a larger body than ``max_body_bytes``, by exact path.
UPLOAD_BODY_BYTES: dict[str, int] = {"/impact/reports": 2 * 1024 * 1024 + 64 * 1024}


def request_csrf_token(request: Request) -> str | None:
    """The token the request's forms must carry, or None when it has neither session nor pre-session."""
    binding = csrf_binding(request.scope.get("state", {}), dict(request.cookies))
    return None if binding is None else csrf_token(request.app.state.settings, binding)


class FormGuardMiddleware:
    """Enforces the body limit and CSRF tokens on every state-changing HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        settings: Settings = scope["app"].state.settings
        limit = UPLOAD_BODY_BYTES.get(scope["path"], settings.max_body_bytes)
        body = await _read_body(scope, receive, limit)
        if body is None:
            await self._refuse(scope, receive, send, 413, "too_large", "auth.body_too_large", "too_large_body")
            return
        if _needs_csrf(scope) and not _csrf_ok(scope, body, settings, await _multipart_token(scope, body)):
            await self._refuse(scope, receive, send, 403, "csrf", "auth.csrf_rejected", "csrf_body")
            return
        await self.app(scope, _replay(body, receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int, code: str, action: str,
                      message_key: str) -> None:
        state = scope.get("state", {})
        principal: Principal | None = state.get("principal")
        event = AuditEvent(actor_of(principal), action, "route", f"{scope['method']} {scope['path']}"[:200],
                           "security", "denied")
        await anyio.to_thread.run_sync(write_event, scope["app"].state, event)
        response = _refusal(scope, status, code, message_key)
        await response(scope, receive, send)


def _needs_csrf(scope: Scope) -> bool:
    path: str = scope["path"]
    if path.startswith("/api/"):
        return bool(scope.get("state", {}).get("session_token"))
    return True


def _csrf_ok(scope: Scope, body: bytes, settings: Settings, multipart_token: str | None = None) -> bool:
    conn = HTTPConnection(scope)
    binding = csrf_binding(scope.get("state", {}), dict(conn.cookies))
    if binding is None:
        return False
    submitted = conn.headers.get(CSRF_HEADER)
    content_type = conn.headers.get("content-type", "").split(";")[0].strip().lower()
    if not submitted and content_type == "application/x-www-form-urlencoded":
        try:
            fields = parse_qs(body.decode("utf-8"), max_num_fields=64)
        except (UnicodeDecodeError, ValueError):
            return False
        values = fields.get(CSRF_FIELD, [])
        submitted = values[0] if len(values) == 1 else None
    if not submitted:
        submitted = multipart_token
    if not submitted or len(submitted) > 128:
        return False
    return hmac.compare_digest(submitted.encode(), csrf_token(settings, binding).encode())


async def _multipart_token(scope: Scope, body: bytes) -> str | None:
    """The ``csrf_token`` field of a multipart form body (file uploads), or None for any other body."""
    content_type = HTTPConnection(scope).headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        return None

    async def no_more() -> Message:
        return {"type": "http.disconnect"}

    try:
        form = await Request(scope, _replay(body, no_more)).form(max_files=2, max_fields=16)
    except Exception:  # any malformed multipart body simply carries no token
        return None
    try:
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    finally:
        await form.close()


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it is (or announces to be) larger than ``limit``."""
    declared = HTTPConnection(scope).headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _refusal(scope: Scope, status: int, code: str, message_key: str) -> Response:
    request = Request(scope)
    settings: Settings = scope["app"].state.settings
    lang: Language = (parse_language(request.query_params.get("lang"))
                      or parse_language(request.cookies.get("lang")) or settings.language)
    if scope["path"].startswith("/api/"):
        return JSONResponse({"error": {"code": code, "message": translate("en", message_key)}}, status_code=status)
    from welfare_district.web.templating import render

    return render(request, "error.html", lang, {"title": translate(lang, "error_title"),
                                                "message": translate(lang, message_key)}, status_code=status)


async def form_fields(request: Request) -> dict[str, str]:
    """The URL-encoded form's single-valued fields (the body is already size-checked by the form guard);
    a field sent twice, or a body that is not a form, counts as missing."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        return {}
    try:
        parsed = parse_qs((await request.body()).decode("utf-8"), max_num_fields=16)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {k: v[0] for k, v in parsed.items() if len(v) == 1}
