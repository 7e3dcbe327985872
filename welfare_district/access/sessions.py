"""Session-token helpers for the web layer: random ids, rotation, inactivity and absolute expiry.

Pure functions over timestamps: the web layer stores sessions wherever it likes and asks these functions
whether one is still valid. Only a hash of the token is meant to be stored, so a copy of the session table
does not let anyone sign in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from welfare_district.errors import InputError

TOKEN_BYTES = 32
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=8)


@dataclass(frozen=True)
class Session:
    """A signed-in session: the token's hash, the account, and when it started and was last used."""

    token_hash: str
    user_id: str
    created_at: datetime
    last_seen: datetime


def new_token() -> str:
    """A fresh unguessable token (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What is stored instead of the token: its SHA-256 (the token is random, so no key is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def start(user_id: str, now: datetime) -> tuple[str, Session]:
    """A new session for ``user_id``: the token to give the browser, and the session to store."""
    _aware(now)
    token = new_token()
    return token, Session(token_hash(token), user_id, now, now)


def matches(session: Session, token: str) -> bool:
    """True when ``token`` is this session's, compared in constant time."""
    return hmac.compare_digest(session.token_hash, token_hash(token))


def expiry_reason(session: Session, now: datetime, *, idle: timedelta = IDLE_TIMEOUT,
                  absolute: timedelta = ABSOLUTE_TIMEOUT) -> str | None:
    """Why the session is no longer valid ('idle', 'absolute', 'clock'), or None while it is."""
    _aware(now)
    if now < session.last_seen or now < session.created_at:
        return "clock"  # a timestamp from the future: refuse rather than extend
    if now - session.created_at >= absolute:
        return "absolute"
    if now - session.last_seen >= idle:
        return "idle"
    return None


def touch(session: Session, now: datetime) -> Session:
    """The session marked as used at ``now`` (the absolute expiry does not move)."""
    _aware(now)
    return replace(session, last_seen=max(session.last_seen, now))


def rotate(session: Session, now: datetime) -> tuple[str, Session]:
    """A new token for the same session (after sign-in or a change of privileges): the old token stops
    working, the absolute expiry is kept."""
    _aware(now)
    token = new_token()
    return token, replace(session, token_hash=token_hash(token), last_seen=max(session.last_seen, now))


def _aware(now: datetime) -> None:
    if now.tzinfo is None:
        raise InputError("session times must carry a time zone")
