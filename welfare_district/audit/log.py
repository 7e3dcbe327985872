"""The audit log: append-only, hash-chained, written in the same transaction as the action it records.

Each row holds who (an account id, never a name), when, the action, the object type, the object's pseudonym
(domain ``audit``: never a codice fiscale or a name), the purpose (a closed vocabulary, so no free text can
carry personal data) and the outcome. Its ``row_hash`` is an HMAC-SHA256, under a key derived from the
pseudonym key (held outside the database), of the previous row's hash and the row's own fields: editing,
deleting or reordering rows breaks the chain at the first row touched, and without the key nobody can
rebuild a valid chain after tampering. ``audit_head`` holds the last sequence number and hash, updated in the
same transaction, so that deleting the newest rows is detected as well.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from welfare_district.errors import InputError
from welfare_district.privacy.pseudonym import Keyring, Pseudonymiser

GENESIS = "0" * 64
AUDIT_DOMAIN = "audit"
PURPOSES = frozenset({"case_management", "referral", "statistics", "publication", "administration",
                      "data_quality", "security", "ingest", "eligibility_check", "safeguarding"})
OUTCOMES = frozenset({"ok", "denied", "failed"})
_WORD = re.compile(r"^[a-z][a-z0-9_.]{0,63}$")
_ACTOR = re.compile(r"^(user:u[0-9a-f]{16}|system:[a-z][a-z0-9_.-]{0,40}|public)$")
_CHAIN_LABEL = b"welfare-district/audit-chain/v1"


@dataclass(frozen=True)
class AuditTables:
    """The MetaData and the two audit tables."""

    metadata: sa.MetaData
    log: sa.Table
    head: sa.Table


@lru_cache(maxsize=1)
def audit_tables() -> AuditTables:
    """The audit tables (built once, on first use)."""
    md = sa.MetaData()
    log = sa.Table(
        "audit_log", md,
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("occurred_at", sa.String(32), nullable=False),  # ISO 8601 UTC: hashed as stored
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(64), nullable=False),
        sa.Column("object_ref", sa.String(64)),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("key_version", sa.String(16), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("row_hash", sa.String(64), nullable=False),
    )
    head = sa.Table(
        "audit_head", md,
        sa.Column("id", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("row_hash", sa.String(64), nullable=False),
    )
    return AuditTables(md, log, head)


def ensure_tables(engine_or_conn: sa.Engine | sa.Connection) -> None:
    """Create the audit tables if they do not exist (idempotent)."""
    audit_tables().metadata.create_all(engine_or_conn, checkfirst=True)


@dataclass(frozen=True)
class AuditEvent:
    """One action to record. ``object_id`` is the raw identifier: it is pseudonymised before it is stored."""

    actor: str
    action: str
    object_type: str
    object_id: str | None
    purpose: str
    outcome: str = "ok"

    def validate(self) -> None:
        """Raise InputError unless every field fits its closed form (none can hold a name or a CF)."""
        if not _ACTOR.match(self.actor):
            raise InputError("audit actor must be 'user:<account id>', 'system:<name>' or 'public'", field="actor")
        for name in ("action", "object_type"):
            if not _WORD.match(getattr(self, name)):
                raise InputError(f"audit {name} must be lower-case letters, digits, '_' or '.'", field=name)
        if self.purpose not in PURPOSES:
            raise InputError(f"unknown audit purpose; expected one of {', '.join(sorted(PURPOSES))}",
                             field="purpose")
        if self.outcome not in OUTCOMES:
            raise InputError(f"unknown audit outcome; expected one of {', '.join(sorted(OUTCOMES))}",
                             field="outcome")


def chain_key(keyring: Keyring, version: str) -> bytes:
    """The HMAC key of the chain for one key version."""
    return hmac.new(keyring.key(version), _CHAIN_LABEL, hashlib.sha256).digest()


def row_hash(key: bytes, prev_hash: str, fields: dict[str, Any]) -> str:
    """HMAC of the previous hash and the row's fields (canonical JSON): the link of the chain."""
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(key, f"{prev_hash}\n{payload}".encode(), hashlib.sha256).hexdigest()


HASHED = ("seq", "occurred_at", "actor", "action", "object_type", "object_ref", "purpose", "outcome",
          "key_version")


def record(conn: sa.Connection, event: AuditEvent, pseudonymiser: Pseudonymiser, *,
           now: datetime | None = None) -> dict[str, Any]:
    """Append ``event`` to the log on the caller's connection, inside the caller's transaction.

    If this raises, the caller's transaction must fail with it: an action without its audit row never
    commits. Returns the stored row. Concurrent writers are serialised (PostgreSQL: a lock on the head row;
    DuckDB: a conflicting write fails and its transaction rolls back).
    """
    event.validate()
    ensure_tables(conn)
    tables = audit_tables()
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("LOCK TABLE audit_head IN EXCLUSIVE MODE"))
    head = conn.execute(sa.select(tables.head.c.seq, tables.head.c.row_hash).where(tables.head.c.id == 1)).first()
    seq, prev = (int(head.seq) + 1, str(head.row_hash)) if head else (1, GENESIS)
    when = (now or datetime.now(UTC)).astimezone(UTC)
    version = pseudonymiser.keyring.current
    fields = {
        "seq": seq, "occurred_at": when.isoformat(timespec="microseconds"), "actor": event.actor,
        "action": event.action, "object_type": event.object_type,
        "object_ref": None if event.object_id is None else pseudonymiser.pseudonym(event.object_id, AUDIT_DOMAIN),
        "purpose": event.purpose, "outcome": event.outcome, "key_version": version,
    }
    digest = row_hash(chain_key(pseudonymiser.keyring, version), prev, fields)
    row = {**fields, "prev_hash": prev, "row_hash": digest}
    conn.execute(tables.log.insert().values(**row))
    if head:
        conn.execute(tables.head.update().where(tables.head.c.id == 1).values(seq=seq, row_hash=digest))
    else:
        conn.execute(tables.head.insert().values(id=1, seq=seq, row_hash=digest))
    return row


@contextmanager
def audited(conn: sa.Connection, event: AuditEvent, pseudonymiser: Pseudonymiser) -> Iterator[None]:
    """Run the block, then record ``event`` on the same connection and transaction.

    The event is validated before the block runs, so a malformed event stops the action early. When the block
    raises nothing is recorded here (its transaction rolls back); record refusals with ``record`` and
    outcome 'denied' in a transaction of their own.
    """
    event.validate()
    yield
    record(conn, event, pseudonymiser)


@dataclass(frozen=True)
class Verification:
    """Result of ``verify``: ``ok``, rows checked, and the first bad row with what is wrong with it."""

    ok: bool
    rows: int
    first_bad_seq: int | None
    problem: str | None
    head_seq: int
    head_hash: str

    def as_dict(self) -> dict[str, Any]:
        """Plain dict, for JSON output."""
        return asdict(self)


def verify(conn: sa.Connection, keyring: Keyring, *, expect: tuple[int, str] | None = None,
           batch: int = 10_000) -> Verification:
    """Walk the chain in sequence order and report the first row that does not fit.

    Detects edited fields (hash), deleted rows (gap in seq, or prev_hash), reordering (prev_hash), deleted
    newest rows (head), rows written without the key (hash), and, with ``expect`` = (seq, hash) kept outside
    the database, a log truncated or rebuilt before that row.
    """
    ensure_tables(conn)
    t = audit_tables()
    prev, expected_seq, count, keys = GENESIS, 1, 0, {}
    last_seq, matched_expect = 0, expect is None
    while True:
        rows = conn.execute(sa.select(t.log).where(t.log.c.seq >= expected_seq).order_by(t.log.c.seq)
                            .limit(batch)).mappings().all()
        for row in rows:
            seq = int(row["seq"])
            if seq != expected_seq:
                return _bad(count, expected_seq, f"row {expected_seq} is missing (next is {seq})", last_seq, prev)
            if row["prev_hash"] != prev:
                return _bad(count, seq, "its link to the previous row is broken (deleted or reordered rows)",
                            last_seq, prev)
            version = str(row["key_version"])
            if version not in keys:
                if version not in keyring.keys:
                    return _bad(count, seq, f"it was written with key version {version!r}, not in the key file",
                                last_seq, prev)
                keys[version] = chain_key(keyring, version)
            fields = {name: row[name] for name in HASHED}
            fields["seq"] = seq
            if not hmac.compare_digest(row_hash(keys[version], prev, fields), str(row["row_hash"])):
                return _bad(count, seq, "its content does not match its hash (edited)", last_seq, prev)
            if expect is not None and seq == expect[0]:
                if str(row["row_hash"]) != expect[1]:
                    return _bad(count, seq, "its hash differs from the expected one (log rebuilt)", last_seq, prev)
                matched_expect = True
            prev, last_seq, expected_seq, count = str(row["row_hash"]), seq, seq + 1, count + 1
        if len(rows) < batch:
            break
    head = conn.execute(sa.select(t.head.c.seq, t.head.c.row_hash).where(t.head.c.id == 1)).first()
    head_seq, head_hash = (int(head.seq), str(head.row_hash)) if head else (0, GENESIS)
    if (head_seq, head_hash) != (last_seq, prev):
        return _bad(count, last_seq + 1, f"the head says {head_seq} rows: the newest rows were deleted",
                    last_seq, prev)
    if not matched_expect and expect is not None:
        return _bad(count, last_seq + 1, f"missing, and every row up to the expected row {expect[0]} "
                    "(the log was truncated)", last_seq, prev)
    return Verification(True, count, None, None, last_seq, prev)


def _bad(count: int, seq: int, problem: str, last_seq: int, last_hash: str) -> Verification:
    return Verification(False, count, seq, f"row {seq}: {problem}", last_seq, last_hash)


def list_events(conn: sa.Connection, *, limit: int = 50, action: str | None = None,
                actor: str | None = None) -> list[dict[str, Any]]:
    """The newest ``limit`` rows (newest first), optionally of one action or actor."""
    if limit < 1:
        raise InputError("limit must be at least 1", field="limit")
    ensure_tables(conn)
    t = audit_tables().log
    query = sa.select(t).order_by(t.c.seq.desc()).limit(limit)
    if action is not None:
        query = query.where(t.c.action == action)
    if actor is not None:
        query = query.where(t.c.actor == actor)
    return [dict(r) for r in conn.execute(query).mappings()]
