"""The web application factory: REST API under /api/v1, HTML pages, our static files and plotly.js.

Nothing is created at import time; ``create_app(settings)`` builds a fresh app, and its lifespan opens
the database on startup and closes it on shutdown.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from welfare_district import __version__
from welfare_district.engine import Database, connect
from welfare_district.privacy.pseudonym import load_keyring
from welfare_district.settings import Settings, get_settings
from welfare_district.web import vendor
from welfare_district.web.api import build_api_router
from welfare_district.web.api.routes import families as families_api
from welfare_district.web.auth import AuthMiddleware, ensure_auth_tables
from welfare_district.web.auth_guard import FormGuardMiddleware
from welfare_district.web.auth_routes import authorise_route, install_route_authorisation
from welfare_district.web.errors import install_error_handlers
from welfare_district.web.figures_access import build_protected_tables
from welfare_district.web.pages import build_pages_router, families, login
from welfare_district.web.read_cache import ReadCache
from welfare_district.web.templating import STATIC_DIR, build_templates
from welfare_district.web.warmup import start_warmup

# Everything the pages load comes from this server. Plotly writes inline styles, hence 'unsafe-inline'
# for styles only; scripts are our own files and the package's plotly.min.js.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_app(settings: Settings | None = None, *, database: Database | None = None,
               warm_up: bool | None = None) -> FastAPI:
    """Build the web application for ``settings`` (default: from the environment).

    With ``database`` the app uses that open Database and leaves closing it to the caller (tests, a
    host process); otherwise it connects to settings.database_url on startup and closes on shutdown.
    Guarantees: /openapi.json describes /api/v1 and /docs shows it with Swagger UI served from its
    installed package (FastAPI's own /docs and /redoc, which load from a CDN, are off); every response
    carries a Content-Security-Policy restricting the page to this origin; every
    route is authorised through web.auth_routes.ROUTE_ACTIONS; without ``database`` (serving for real),
    placeholder secrets or missing pseudonym keys outside demo mode raise ConfigError before anything runs.
    With ``WELFARE_WARMUP`` on, the lifespan starts filling the read caches in a background thread
    (``web.warmup``) without delaying startup; ``warm_up`` overrides whether an app given ``database`` does.
    """
    settings = settings or get_settings()
    if database is None:
        # serving for real: placeholder secrets or missing pseudonym keys refuse to start
        settings.require_safe_secrets()
        load_keyring(settings)

    # The warm-up serves a server that opened its own database (a restart); an app given an open database
    # (tests, a host process) warms only when asked with warm_up=True.
    warm = settings.warmup and (database is None if warm_up is None else warm_up)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if database is not None:
            app.state.db = database
            warmup = start_warmup(app) if warm else None
            try:
                yield
            finally:
                if warmup is not None:
                    warmup.close()
            return
        db = connect(settings.database_url)
        ensure_auth_tables(db)
        app.state.db = db
        warmup = start_warmup(app) if warm else None
        try:
            yield
        finally:
            if warmup is not None:
                warmup.close()  # before the database closes under it
            app.state.db = None
            db.close()

    app = FastAPI(
        title="Welfare District API",
        version=__version__,
        description="Areas, indicators and services of Welfare District (the HTML pages are not listed).",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
        # every FastAPI route, including those added by later routers, passes the route -> action table
        dependencies=[Depends(authorise_route)],
    )
    app.state.settings = settings
    app.state.templates = build_templates()
    app.state.db_lock = threading.Lock()
    # Prepared indicator reads and serialised maps, dropped whenever the stored figures change.
    app.state.read_cache = ReadCache(composite_base_year=settings.composite_base_year)
    # Disclosure control of every partner and public figure (web/figures_access.py), one pass per table version.
    app.state.protected_tables = build_protected_tables(settings)
    # Set now as well, so an app given a database works even when the lifespan is not run.
    app.state.db = database
    app.state.warmup = None  # the running warm-up's state (web.warmup.Warmup), set by the lifespan
    if database is not None:
        ensure_auth_tables(database)

    install_error_handlers(app)
    app.include_router(build_api_router())
    # Before the /static mount, which would otherwise answer /static/vendor/... with a 404.
    app.include_router(vendor.build_router())
    app.include_router(build_pages_router())
    app.include_router(login.build_router(), include_in_schema=False)
    app.include_router(families.build_router(), include_in_schema=False)
    app.include_router(families_api.build_router())
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    install_route_authorisation(app)

    # Middleware added last runs first: security headers wrap everything, then the principal is resolved,
    # then state-changing requests pass the body limit and the CSRF check.
    app.add_middleware(FormGuardMiddleware)
    app.add_middleware(AuthMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


class SecurityHeadersMiddleware:
    """Adds SECURITY_HEADERS to every HTTP response that does not set them itself.

    Plain ASGI rather than ``@app.middleware("http")``, whose per-request task and body stream cost about
    half a millisecond: as much as answering a cached map.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers.append(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
