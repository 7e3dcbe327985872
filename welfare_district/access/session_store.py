"""Server-side web sessions and failed sign-ins, stored with SQLAlchemy (DuckDB and PostgreSQL alike).

Only the SHA-256 of a session token is stored (``sessions.token_hash``), so a copy of the table does not let
anyone sign in. Expiry follows ``sessions.expiry_reason``: an expired row is deleted when it is next seen.
Failed sign-ins are kept per account and per client address under keyed hashes (never the username or the
address itself), so the rate limit survives restarts and holds across worker processes.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa

from welfare_district.access import sessions
from welfare_district.access.sessions import Session

# last_seen is written at most once a minute per session: a write per request would cost more than the
# minute of precision it buys for the inactivity timeout.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionTables:
    """The MetaData, the session table and the failed sign-in table."""

    metadata: sa.MetaData
    session: sa.Table
    failure: sa.Table


@lru_cache(maxsize=1)
def session_tables() -> SessionTables:
    """The web session tables (built once, on first use)."""
    md = sa.MetaData()
    session = sa.Table(
        "web_session", md,
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(17), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    )
    failure = sa.Table(
        "login_failure", md,
        sa.Column("key_hash", sa.String(64), nullable=False, index=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
    )
    return SessionTables(md, session, failure)


def ensure_tables(engine: sa.Engine | sa.Connection) -> None:
    """Create the session tables if they do not exist (idempotent)."""
    session_tables().metadata.create_all(engine, checkfirst=True)


def _utc(value: datetime) -> datetime:
    # drivers hand back aware times in the session's zone, or naive UTC: compare them all in UTC
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def create(conn: sa.Connection, user_id: str, now: datetime) -> str:
    """Store a new session for ``user_id`` and return its token (to be set in the cookie, never stored)."""
    token, session = sessions.start(user_id, now)
    conn.execute(session_tables().session.insert().values(
        token_hash=session.token_hash, user_id=user_id, created_at=now, last_seen=now))
    return token


@dataclass(frozen=True)
class Lookup:
    """The outcome of ``resolve``: the session when valid, else why not ('unknown', 'idle', 'absolute'...)."""

    session: Session | None
    problem: str | None


def resolve(conn: sa.Connection, token: str, now: datetime, *, idle: timedelta,
            absolute: timedelta) -> Lookup:
    """The valid session of ``token`` (touched at ``now``), or why there is none; expired rows are deleted."""
    t = session_tables().session
    digest = sessions.token_hash(token)
    row = conn.execute(sa.select(t).where(t.c.token_hash == digest)).first()
    if row is None:
        return Lookup(None, "unknown")
    found = Session(row.token_hash, row.user_id, _utc(row.created_at), _utc(row.last_seen))
    reason = sessions.expiry_reason(found, now, idle=idle, absolute=absolute)
    if reason is not None:
        conn.execute(t.delete().where(t.c.token_hash == digest))
        return Lookup(None, reason)
    if now - found.last_seen >= TOUCH_EVERY:
        found = sessions.touch(found, now)
        conn.execute(t.update().where(t.c.token_hash == digest).values(last_seen=found.last_seen))
    return Lookup(found, None)


def delete(conn: sa.Connection, token: str) -> str | None:
    """End the session of ``token``; returns its account id, or None when there was no such session."""
    t = session_tables().session
    digest = sessions.token_hash(token)
    row = conn.execute(sa.select(t.c.user_id).where(t.c.token_hash == digest)).first()
    if row is None:
        return None
    conn.execute(t.delete().where(t.c.token_hash == digest))
    return str(row.user_id)


def delete_expired(conn: sa.Connection, now: datetime, *, idle: timedelta, absolute: timedelta) -> int:
    """Remove every session past either timeout; returns how many."""
    t = session_tables().session
    result = conn.execute(t.delete().where(sa.or_(t.c.last_seen <= now - idle, t.c.created_at <= now - absolute)))
    return int(result.rowcount or 0)


def failure_key(secret: bytes, kind: str, value: str) -> str:
    """The keyed hash under which failures of one account ('account') or client address ('address') count."""
    return hmac.new(secret, f"login-failure\x00{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()


def retry_after(conn: sa.Connection, keys: list[str], now: datetime, *, limit: int, window: timedelta) -> int:
    """Seconds to wait before another attempt when any of ``keys`` has ``limit`` failures within ``window``;
    0 when sign-in may be tried now."""
    t = session_tables().failure
    wait = 0
    for key in keys:
        times = sorted(_utc(r.failed_at) for r in conn.execute(
            sa.select(t.c.failed_at).where(t.c.key_hash == key, t.c.failed_at > now - window)))
        if len(times) >= limit:
            # the pause lasts until enough failures leave the window to allow one more try
            frees_at = times[len(times) - limit] + window
            wait = max(wait, max(1, int((frees_at - now).total_seconds() + 0.999)))
    return wait


def add_failure(conn: sa.Connection, keys: list[str], now: datetime, *, window: timedelta) -> None:
    """Count one failed sign-in under each key, dropping failures older than ``window``."""
    t = session_tables().failure
    conn.execute(t.delete().where(t.c.failed_at <= now - window))
    for key in keys:
        conn.execute(t.insert().values(key_hash=key, failed_at=now))


def clear_failures(conn: sa.Connection, keys: list[str]) -> None:
    """Forget the failures of ``keys`` (after a successful sign-in of that account)."""
    t = session_tables().failure
    conn.execute(t.delete().where(t.c.key_hash.in_(keys)))
