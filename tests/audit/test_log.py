"""The audit log on both engines: same-transaction writes, tamper detection, no codice fiscale in it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from welfare_district.audit.log import (
    AuditEvent,
    audit_tables,
    audited,
    chain_key,
    list_events,
    record,
    row_hash,
    verify,
)
from welfare_district.engine import Database
from welfare_district.errors import InputError
from welfare_district.privacy.pseudonym import Keyring, Pseudonymiser

RING = Keyring({"k1": b"a" * 40}, "k1")
PSEUDO = Pseudonymiser(RING)
CF_PATTERN = re.compile(r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPR-T][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]")
CFS = ["RSSMRA85T10A562S", "VRDLGU70A01G224X", "BNCNNA92M55L736P"]


def _event(i: int, object_id: str | None = None) -> AuditEvent:
    return AuditEvent("user:u00112233aabbccdd", "family.read", "family", object_id or f"F{i}", "case_management")


def _fill(db: Database, n: int) -> None:
    with db.engine.begin() as conn:
        for i in range(n):
            record(conn, _event(i, CFS[i % 3] if i % 2 else None), PSEUDO,
                   now=datetime(2026, 1, 1, 10, 0, i, tzinfo=UTC))


def _check(db: Database, **kwargs: object) -> object:
    with db.engine.connect() as conn:
        return verify(conn, RING, **kwargs)  # type: ignore[arg-type]


def test_the_action_and_its_audit_row_commit_or_fail_together(db: Database) -> None:
    scratch = sa.Table("scratch", sa.MetaData(), sa.Column("x", sa.Integer))
    scratch.create(db.engine)
    with db.engine.begin() as conn, audited(conn, _event(1), PSEUDO):
        conn.execute(scratch.insert().values(x=1))
    with pytest.raises(RuntimeError), db.engine.begin() as conn:
        with audited(conn, _event(2), PSEUDO):
            conn.execute(scratch.insert().values(x=2))
        raise RuntimeError("the audit write failed")  # anything after the action fails the whole transaction
    with pytest.raises(InputError, match="purpose"), db.engine.begin() as conn:
        conn.execute(scratch.insert().values(x=3))
        record(conn, AuditEvent("system:cli", "users.add", "user", "u1", "gossip"), PSEUDO)
    with db.engine.connect() as conn:
        assert [r.x for r in conn.execute(sa.select(scratch.c.x))] == [1]
        assert len(list_events(conn)) == 1
    assert _check(db).ok  # type: ignore[attr-defined]


def test_a_clean_chain_verifies_and_lists_newest_first(db: Database) -> None:
    _fill(db, 12)
    result = _check(db)
    assert result.ok and result.rows == 12 and result.head_seq == 12  # type: ignore[attr-defined]
    with db.engine.connect() as conn:
        events = list_events(conn, limit=5)
        assert [e["seq"] for e in events] == [12, 11, 10, 9, 8]
        assert list_events(conn, action="nothing") == []
        with pytest.raises(InputError):
            list_events(conn, limit=0)
    head = (result.head_seq, result.head_hash)  # type: ignore[attr-defined]
    assert _check(db, expect=head).ok  # type: ignore[attr-defined]


@pytest.mark.parametrize("tamper, first_bad", [
    ("edit", 5), ("delete", 5), ("reorder", 4), ("delete_newest", 10), ("rebuild", 1), ("truncate_all", 1),
])
def test_tampering_is_detected_at_the_first_bad_row(db: Database, tamper: str, first_bad: int) -> None:
    _fill(db, 10)
    good_head = (10, _check(db).head_hash)  # type: ignore[attr-defined]
    t = audit_tables()
    with db.engine.begin() as conn:
        if tamper == "edit":
            conn.execute(t.log.update().where(t.log.c.seq == 5).values(outcome="denied"))
        elif tamper == "delete":
            conn.execute(t.log.delete().where(t.log.c.seq == 5))
        elif tamper == "reorder":
            conn.execute(t.log.update().where(t.log.c.seq == 4).values(seq=-1))
            conn.execute(t.log.update().where(t.log.c.seq == 5).values(seq=4))
            conn.execute(t.log.update().where(t.log.c.seq == -1).values(seq=5))
        elif tamper == "delete_newest":
            conn.execute(t.log.delete().where(t.log.c.seq == 10))
        elif tamper == "rebuild":
            # someone with database access but without the key rewrites the whole chain consistently
            _rechain(conn, b"guessed key" * 4)
        elif tamper == "truncate_all":
            conn.execute(t.log.delete())
            conn.execute(t.head.delete())
    result = _check(db, expect=good_head)
    assert not result.ok and result.first_bad_seq == first_bad, result  # type: ignore[attr-defined]
    assert f"row {first_bad}" in result.problem  # type: ignore[attr-defined]


def _rechain(conn: sa.Connection, key: bytes) -> None:
    t = audit_tables()
    prev = "0" * 64
    rows = conn.execute(sa.select(t.log).order_by(t.log.c.seq)).mappings().all()
    for row in rows:
        fields = {k: row[k] for k in ("seq", "occurred_at", "actor", "action", "object_type", "object_ref",
                                      "purpose", "outcome", "key_version")}
        fields["outcome"] = "ok"
        digest = row_hash(key, prev, fields)
        conn.execute(t.log.update().where(t.log.c.seq == row["seq"])
                     .values(outcome="ok", prev_hash=prev, row_hash=digest))
        prev = digest
    conn.execute(t.head.update().values(row_hash=prev))


def test_no_codice_fiscale_or_free_text_reaches_the_log(db: Database) -> None:
    _fill(db, 30)
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(audit_tables().log)).mappings().all()
    text = "\n".join(str(v) for row in rows for v in row.values())
    assert CF_PATTERN.search("x RSSMRA85T10A562S y")  # the scan finds a CF when there is one
    assert not CF_PATTERN.search(text)
    assert PSEUDO.pseudonym(CFS[1], "audit") in text  # the pseudonym is there instead
    for bad in (AuditEvent("user:Mario Rossi", "family.read", "family", "F1", "referral"),
                AuditEvent("system:cli", "read RSSMRA85T10A562S", "family", "F1", "referral"),
                AuditEvent("system:cli", "family.read", "family", "F1", "referral", outcome="maybe")):
        with pytest.raises(InputError), db.engine.begin() as conn:
            record(conn, bad, PSEUDO)


def test_rotated_keys_keep_old_rows_verifiable(db: Database) -> None:
    _fill(db, 3)
    rotated = Keyring({"k1": b"a" * 40, "k2": b"b" * 40}, "k2")
    with db.engine.begin() as conn:
        record(conn, _event(99), Pseudonymiser(rotated))
    with db.engine.connect() as conn:
        assert verify(conn, rotated).ok
        assert not verify(conn, RING).ok  # without the k2 key the new row cannot be checked
    assert chain_key(rotated, "k1") == chain_key(RING, "k1")


def test_concurrent_writers_keep_one_unbroken_chain(db: Database) -> None:
    import threading

    _fill(db, 1)  # the tables exist before the writers start
    errors: list[BaseException] = []

    def writer(who: int) -> None:
        for i in range(15):
            for _attempt in range(50):  # a writer that loses a conflict retries, as a route would
                try:
                    with db.engine.begin() as conn:
                        record(conn, _event(who * 100 + i), PSEUDO)
                    break
                except Exception as exc:  # the engines report the conflict with different classes
                    if isinstance(exc, InputError):
                        errors.append(exc)
                        return
            else:
                errors.append(RuntimeError("no attempt succeeded"))

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    result = _check(db)
    assert result.ok and result.rows == 46, result  # type: ignore[attr-defined]
