"""Accounts and grants in the database; every change is audited in its own transaction.

A new account has a role and no grants, so it reaches no data until an administrator grants a territory or
an organisation. Usernames are stored for login only: the audit log names accounts by their random id.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from welfare_district.access.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from welfare_district.access.policy import GRANT_KINDS, GRANTABLE, ROLES, Grant, GrantKind, Principal, Role
from welfare_district.audit.log import AuditEvent, audited
from welfare_district.errors import InputError, NotFoundError
from welfare_district.privacy.pseudonym import Pseudonymiser

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
_TARGET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
CLI_ACTOR = "system:cli"


@dataclass(frozen=True)
class AccessTables:
    """The MetaData and the account tables."""

    metadata: sa.MetaData
    user: sa.Table
    grant: sa.Table


@lru_cache(maxsize=1)
def access_tables() -> AccessTables:
    """The account tables (built once, on first use)."""
    md = sa.MetaData()
    user = sa.Table(
        "app_user", md,
        sa.Column("user_id", sa.String(17), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True)),
    )
    grant = sa.Table(
        "user_grant", md,
        sa.Column("user_id", sa.String(17), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("target", sa.String(64), primary_key=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
    )
    return AccessTables(md, user, grant)


def ensure_tables(engine: sa.Engine) -> None:
    """Create the account tables if they do not exist (idempotent)."""
    access_tables().metadata.create_all(engine, checkfirst=True)


def _actor_row(conn: sa.Connection, username: str) -> sa.Row[Any]:
    t = access_tables().user
    row = conn.execute(sa.select(t).where(t.c.username == username)).first()
    if row is None:
        raise NotFoundError(f"no account named {username!r}")
    return row


def add_user(engine: sa.Engine, username: str, password: str, role: str, pseudonymiser: Pseudonymiser, *,
             actor: str = CLI_ACTOR) -> str:
    """Create an account with ``role`` and no grants; returns its id. Audited as ``users.add``.

    InputError (nothing written) for a malformed username, an unknown role, a weak password or a taken name.
    """
    if not _USERNAME.match(username):
        raise InputError("usernames are 3-64 lower-case letters, digits, '.', '_' or '-'", field="username")
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}", field="role")
    digest = hash_password(password)
    ensure_tables(engine)
    t = access_tables().user
    user_id = "u" + secrets.token_hex(8)
    with engine.begin() as conn:
        if conn.execute(sa.select(t.c.user_id).where(t.c.username == username)).first() is not None:
            raise InputError(f"an account named {username!r} already exists", field="username")
        with audited(conn, AuditEvent(actor, "users.add", "user", user_id, "administration"), pseudonymiser):
            conn.execute(t.insert().values(user_id=user_id, username=username, password_hash=digest, role=role,
                                           disabled=False, created_at=datetime.now(UTC)))
    return user_id


def disable_user(engine: sa.Engine, username: str, pseudonymiser: Pseudonymiser, *, actor: str = CLI_ACTOR) -> bool:
    """Disable an account (it keeps its history; it can no longer sign in or act). False if already disabled."""
    ensure_tables(engine)
    t = access_tables().user
    with engine.begin() as conn:
        row = _actor_row(conn, username)
        if row.disabled:
            return False
        with audited(conn, AuditEvent(actor, "users.disable", "user", row.user_id, "administration"),
                     pseudonymiser):
            conn.execute(t.update().where(t.c.user_id == row.user_id)
                         .values(disabled=True, disabled_at=datetime.now(UTC)))
    return True


def grant(engine: sa.Engine, username: str, kind: str, target: str, pseudonymiser: Pseudonymiser, *,
          actor: str = CLI_ACTOR) -> bool:
    """Grant a territory or organisation to an account; False when it already had it. Audited as
    ``users.grant``. InputError when the kind does not suit the role or an area id does not exist."""
    if kind not in GRANT_KINDS:
        raise InputError(f"unknown grant kind {kind!r}; expected one of {', '.join(GRANT_KINDS)}", field="kind")
    if not _TARGET.match(target):
        raise InputError("a grant target is an area or organisation id (letters, digits, . _ : -)", field="target")
    ensure_tables(engine)
    t = access_tables().grant
    with engine.begin() as conn:
        row = _actor_row(conn, username)
        allowed = GRANTABLE[row.role]
        if kind not in allowed:
            raise InputError(f"role {row.role} cannot receive a {kind} grant"
                             + (f" (only: {', '.join(sorted(allowed))})" if allowed else ""), field="kind")
        if kind in ("city", "quartiere", "zone"):
            _check_area(conn, kind, target)
        exists = conn.execute(sa.select(t.c.user_id).where(t.c.user_id == row.user_id, t.c.kind == kind,
                                                           t.c.target == target)).first()
        if exists is not None:
            return False
        with audited(conn, AuditEvent(actor, "users.grant", "user", row.user_id, "administration"), pseudonymiser):
            conn.execute(t.insert().values(user_id=row.user_id, kind=kind, target=target,
                                           granted_at=datetime.now(UTC)))
    return True


def _check_area(conn: sa.Connection, level: str, area_id: str) -> None:
    from welfare_district.model.areas import area_tables

    if not sa.inspect(conn).has_table("area"):
        raise InputError("no areas are stored yet: run `welfare areas build` before granting territories")
    a = area_tables().area
    found = conn.execute(sa.select(a.c.level).where(a.c.area_id == area_id)).first()
    if found is None or found.level != level:
        raise InputError(f"{area_id!r} is not a stored {level} id", field="target")


def list_users(engine: sa.Engine) -> list[dict[str, Any]]:
    """Every account (username, id, role, disabled, created_at, grants as 'kind:target'), by username."""
    ensure_tables(engine)
    tables = access_tables()
    with engine.connect() as conn:
        grants: dict[str, list[str]] = {}
        for g in conn.execute(sa.select(tables.grant).order_by(tables.grant.c.kind, tables.grant.c.target)):
            grants.setdefault(g.user_id, []).append(f"{g.kind}:{g.target}")
        rows = conn.execute(sa.select(tables.user).order_by(tables.user.c.username)).mappings().all()
    return [{"username": r["username"], "user_id": r["user_id"], "role": r["role"], "disabled": bool(r["disabled"]),
             "created_at": r["created_at"], "grants": grants.get(r["user_id"], [])} for r in rows]


def load_principal(conn: sa.Connection, user_id: str) -> Principal:
    """The account as the policy sees it; NotFoundError for an unknown id."""
    tables = access_tables()
    row = conn.execute(sa.select(tables.user).where(tables.user.c.user_id == user_id)).first()
    if row is None:
        raise NotFoundError("no such account")
    grants = frozenset(Grant(_kind(g.kind), g.target) for g in conn.execute(
        sa.select(tables.grant).where(tables.grant.c.user_id == user_id)))
    return Principal(row.user_id, _role(row.role), not row.disabled, grants)


def _kind(value: str) -> GrantKind:
    for k in GRANT_KINDS:
        if k == value:
            return k
    raise InputError(f"unknown grant kind {value!r} in the database")


def _role(value: str) -> Role:
    for r in ROLES:
        if r == value:
            return r
    raise InputError(f"unknown role {value!r} in the database")


def authenticate(engine: sa.Engine, username: str, password: str) -> Principal | None:
    """The account if ``password`` is right and the account active; None otherwise, in about the same time
    whether or not the username exists. Upgrades an outdated hash on success."""
    ensure_tables(engine)
    t = access_tables().user
    with engine.begin() as conn:
        row = conn.execute(sa.select(t).where(t.c.username == username)).first()
        if row is None:
            verify_password(dummy_hash(), password)
            return None
        if not verify_password(row.password_hash, password) or row.disabled:
            return None
        if needs_rehash(row.password_hash):
            conn.execute(t.update().where(t.c.user_id == row.user_id).values(password_hash=hash_password(password)))
        return load_principal(conn, row.user_id)


def set_password(engine: sa.Engine, username: str, password: str, pseudonymiser: Pseudonymiser, *,
                 actor: str = CLI_ACTOR) -> None:
    """Replace an account's password (Argon2id hash); its sessions are not touched here. Audited as
    ``users.password``; InputError for a weak password, NotFoundError for an unknown account."""
    digest = hash_password(password)
    ensure_tables(engine)
    t = access_tables().user
    with engine.begin() as conn:
        row = _actor_row(conn, username)
        with audited(conn, AuditEvent(actor, "users.password", "user", row.user_id, "administration"),
                     pseudonymiser):
            conn.execute(t.update().where(t.c.user_id == row.user_id).values(password_hash=digest))


def load_account(conn: sa.Connection, user_id: str) -> tuple[Principal, str] | None:
    """The account as the policy sees it and its username, in one query (read on every signed-in request);
    None for an unknown id."""
    tables = access_tables()
    u, g = tables.user, tables.grant
    rows = conn.execute(sa.select(u.c.username, u.c.role, u.c.disabled, g.c.kind, g.c.target)
                        .select_from(u.outerjoin(g, g.c.user_id == u.c.user_id))
                        .where(u.c.user_id == user_id)).all()
    if not rows:
        return None
    grants = frozenset(Grant(_kind(r.kind), r.target) for r in rows if r.kind is not None)
    return Principal(user_id, _role(rows[0].role), not rows[0].disabled, grants), str(rows[0].username)
