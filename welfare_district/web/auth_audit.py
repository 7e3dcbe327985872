"""Audit rows written by the web layer: sign-ins, sign-outs, refusals and reads of individual-level data.

Every row goes through ``welfare_district.audit.record`` (pseudonymised object, closed purpose list). A
refusal is recorded in a transaction of its own; a read is recorded in the transaction of the read, so that
when the audit row cannot be written the read fails too.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from welfare_district.access.policy import Principal
from welfare_district.audit.log import AuditEvent, record
from welfare_district.engine import Database
from welfare_district.errors import EngineError
from welfare_district.privacy.pseudonym import Pseudonymiser, load_keyring
from welfare_district.settings import Settings

_KEYRING_LOCK = threading.Lock()


def actor_of(principal: Principal | None) -> str:
    """The audit actor of a request: ``user:<account id>`` or ``public``."""
    return "public" if principal is None else f"user:{principal.user_id}"


def pseudonymiser_of(app_state: Any) -> Pseudonymiser:
    """The app's Pseudonymiser, loaded from the settings on first use (ConfigError without usable keys)."""
    found: Pseudonymiser | None = getattr(app_state, "pseudonymiser", None)
    if found is not None:
        return found
    with _KEYRING_LOCK:
        found = getattr(app_state, "pseudonymiser", None)
        if found is None:
            settings: Settings = app_state.settings
            found = Pseudonymiser(load_keyring(settings))
            app_state.pseudonymiser = found
    return found


@contextmanager
def exclusive(app_state: Any) -> Iterator[Database]:
    """The app's database, holding the DuckDB lock (one native connection serves every thread) until the
    block ends; PostgreSQL needs no lock."""
    db: Database | None = getattr(app_state, "db", None)
    if db is None:
        raise EngineError("The database is not open (the application has not started)")
    lock: threading.Lock = app_state.db_lock if db.dialect.is_duckdb else threading.Lock()
    with lock:
        yield db


@contextmanager
def transaction(app_state: Any) -> Iterator[sa.Connection]:
    """A transaction on the app's database, holding the DuckDB lock for its duration."""
    with exclusive(app_state) as db, db.engine.begin() as conn:
        yield conn


def write_event(app_state: Any, event: AuditEvent) -> None:
    """Record ``event`` in a transaction of its own (refusals, sign-outs without other writes)."""
    pseudonymiser = pseudonymiser_of(app_state)
    with transaction(app_state) as conn:
        record(conn, event, pseudonymiser)
