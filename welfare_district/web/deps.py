"""FastAPI dependencies shared by the API and the pages: settings, the open Database, the read cache, the
language."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Query, Request

from welfare_district.access.policy import Principal
from welfare_district.engine import Database
from welfare_district.errors import EngineError
from welfare_district.settings import Settings
from welfare_district.web.i18n import COOKIE_NAME, Language, parse_language
from welfare_district.web.read_cache import ReadCache


def get_app_settings(request: Request) -> Settings:
    """The Settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Iterator[Database]:
    """The app's open Database, held exclusively for this request on DuckDB.

    One DuckDB connection serves the whole process and its Python handle is not safe for concurrent
    use from several threads, so requests take turns; PostgreSQL pools connections and needs no lock.
    """
    db: Database | None = getattr(request.app.state, "db", None)
    if db is None:
        raise EngineError("The database is not open (the application has not started)")
    lock: threading.Lock = request.app.state.db_lock
    if not db.dialect.is_duckdb:
        yield db
        return
    with lock:
        yield db


class DatabaseAccess:
    """The app's Database taken only for the statements that need it (see ``use``).

    Routes that mostly answer from the read cache take this instead of DatabaseDep, which would hold the
    DuckDB lock for the whole request, including the time spent sending the body.
    """

    def __init__(self, db: Database, lock: threading.Lock) -> None:
        self._db, self._lock = db, lock

    @contextmanager
    def use(self) -> Iterator[Database]:
        """The Database, held exclusively on DuckDB until the block ends."""
        if not self._db.dialect.is_duckdb:
            yield self._db
            return
        with self._lock:
            yield self._db


async def get_database_access(request: Request) -> DatabaseAccess:
    """The app's open Database, to be taken with ``use()`` only around database work.

    Async because it does no I/O: FastAPI then calls it on the event loop instead of the thread pool.
    """
    db: Database | None = getattr(request.app.state, "db", None)
    if db is None:
        raise EngineError("The database is not open (the application has not started)")
    return DatabaseAccess(db, request.app.state.db_lock)


async def get_read_cache(request: Request) -> ReadCache:
    """The app's cache of prepared indicator reads (pass it as ``cache=`` to indicator_reads); async because
    it does no I/O, so FastAPI calls it without a trip through the thread pool."""
    cache: ReadCache = request.app.state.read_cache
    return cache


def get_language(
    request: Request,
    lang: Annotated[str | None, Query(description="Page language: it or en (kept in a cookie).")] = None,
) -> Language:
    """The page language: ?lang= if valid, else the language cookie, else the configured default."""
    settings: Settings = request.app.state.settings
    return parse_language(lang) or parse_language(request.cookies.get(COOKIE_NAME)) or settings.language


async def get_principal(request: Request) -> Principal | None:
    """The signed-in account of this request, or None for the public.

    Set on every request by ``web.auth.AuthMiddleware``; an app without it (never built by create_app) is
    treated as public rather than failing open.
    """
    principal: Principal | None = getattr(request.state, "principal", None)
    return principal


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
LanguageDep = Annotated[Language, Depends(get_language)]
ReadCacheDep = Annotated[ReadCache, Depends(get_read_cache)]
DatabaseAccessDep = Annotated[DatabaseAccess, Depends(get_database_access)]
PrincipalDep = Annotated[Principal | None, Depends(get_principal)]
