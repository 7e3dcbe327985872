"""Accounts on both engines: argon2 hashes, grants checked against the areas, every change audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from welfare_district.access import users
from welfare_district.access.policy import Grant, Resource, authorise
from welfare_district.audit.log import list_events, verify
from welfare_district.engine import Database
from welfare_district.errors import InputError, NotFoundError
from welfare_district.model.areas import area_tables
from welfare_district.privacy.pseudonym import Keyring, Pseudonymiser

RING = Keyring({"k1": b"q" * 40}, "k1")
PSEUDO = Pseudonymiser(RING)
PASSWORD = "correct horse battery"


def _areas(db: Database) -> None:
    area_tables().metadata.create_all(db.engine)
    rows = [("C", "city", None), ("Q1", "quartiere", "C"), ("Q1Z01", "zone", "Q1")]
    with db.engine.begin() as conn:
        for area_id, level, parent in rows:
            conn.execute(area_tables().area.insert().values(
                area_id=area_id, level=level, code=area_id, name=area_id, parent_id=parent, boundary_version="t",
                synthetic=True, target_residents=0, geometry_geojson="{}", bbox_minx=0, bbox_miny=0, bbox_maxx=0,
                bbox_maxy=0))


def test_an_account_is_created_without_access_then_granted(db: Database) -> None:
    _areas(db)
    user_id = users.add_user(db.engine, "op.rossi", PASSWORD, "operator", PSEUDO)
    principal = users.authenticate(db.engine, "op.rossi", PASSWORD)
    assert principal is not None and principal.user_id == user_id and principal.grants == frozenset()
    family = Resource("family", ("Q1Z01S001", "Q1Z01", "Q1", "C"))
    assert not authorise(principal, "family.read", family)
    assert users.grant(db.engine, "op.rossi", "quartiere", "Q1", PSEUDO)
    assert not users.grant(db.engine, "op.rossi", "quartiere", "Q1", PSEUDO)  # already there: no change
    principal = users.authenticate(db.engine, "op.rossi", PASSWORD)
    assert principal is not None and principal.grants == frozenset({Grant("quartiere", "Q1")})
    assert authorise(principal, "family.read", family)
    listed = users.list_users(db.engine)
    assert listed[0]["grants"] == ["quartiere:Q1"] and listed[0]["role"] == "operator"


def test_passwords_are_hashed_with_argon2_and_checked(db: Database) -> None:
    users.add_user(db.engine, "analyst1", PASSWORD, "analyst", PSEUDO)
    with db.engine.connect() as conn:
        stored = conn.execute(sa.select(users.access_tables().user.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert users.authenticate(db.engine, "analyst1", "wrong password!!") is None
    assert users.authenticate(db.engine, "nobody", PASSWORD) is None


def test_disabled_accounts_cannot_sign_in(db: Database) -> None:
    users.add_user(db.engine, "partner1", PASSWORD, "partner", PSEUDO)
    assert users.disable_user(db.engine, "partner1", PSEUDO)
    assert not users.disable_user(db.engine, "partner1", PSEUDO)
    assert users.authenticate(db.engine, "partner1", PASSWORD) is None
    assert users.list_users(db.engine)[0]["disabled"] is True


def test_bad_requests_change_nothing(db: Database) -> None:
    _areas(db)
    users.add_user(db.engine, "op2", PASSWORD, "operator", PSEUDO)
    for call, message in (
        (lambda: users.add_user(db.engine, "op2", PASSWORD, "operator", PSEUDO), "already exists"),
        (lambda: users.add_user(db.engine, "Mario Rossi", PASSWORD, "operator", PSEUDO), "usernames"),
        (lambda: users.add_user(db.engine, "op3", "short", "operator", PSEUDO), "at least 12"),
        (lambda: users.add_user(db.engine, "op3", PASSWORD, "superuser", PSEUDO), "unknown role"),
        (lambda: users.grant(db.engine, "op2", "organisation", "caritas", PSEUDO), "cannot receive"),
        (lambda: users.grant(db.engine, "op2", "quartiere", "Q9", PSEUDO), "not a stored quartiere"),
        (lambda: users.grant(db.engine, "op2", "quartiere", "Q1Z01", PSEUDO), "not a stored quartiere"),
        (lambda: users.grant(db.engine, "op2", "planet", "earth", PSEUDO), "unknown grant kind"),
    ):
        with pytest.raises(InputError, match=message):
            call()
    with pytest.raises(NotFoundError):
        users.disable_user(db.engine, "ghost", PSEUDO)
    assert [u["username"] for u in users.list_users(db.engine)] == ["op2"]
    assert users.list_users(db.engine)[0]["grants"] == []


def test_every_change_is_in_the_audit_log_without_the_username(db: Database) -> None:
    _areas(db)
    user_id = users.add_user(db.engine, "mario.rossi", PASSWORD, "operator", PSEUDO)
    users.grant(db.engine, "mario.rossi", "zone", "Q1Z01", PSEUDO)
    users.disable_user(db.engine, "mario.rossi", PSEUDO)
    with db.engine.connect() as conn:
        events = list_events(conn)
        assert verify(conn, RING).ok
    assert [e["action"] for e in events] == ["users.disable", "users.grant", "users.add"]
    assert {e["object_ref"] for e in events} == {PSEUDO.pseudonym(user_id, "audit")}
    assert "rossi" not in repr(events) and user_id not in repr(events)
