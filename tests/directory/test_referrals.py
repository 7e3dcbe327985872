"""Referrals on both engines: consent, active services, allowed moves, minimum data, audit per step, figures."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.directory.conftest import ADMIN, OPERATOR, PARTNER_ALFA, PARTNER_BETA, PSEUDO, RING, build_city
from welfare_district.access.policy import Grant, Principal
from welfare_district.audit.log import audit_tables, verify
from welfare_district.directory.eligibility import Profile
from welfare_district.directory.index import get_index
from welfare_district.directory.model import directory_tables
from welfare_district.directory.permissions import NotAllowedError
from welfare_district.directory.profile import family_profile
from welfare_district.directory.referral_figures import referral_figures
from welfare_district.directory.referrals import (
    Consent,
    FamilyRef,
    get_referral,
    list_referrals,
    move_referral,
    send_referral,
)
from welfare_district.directory.revisions import decide_revision, list_revisions, propose_revision
from welfare_district.directory.search import get_service
from welfare_district.engine import Database
from welfare_district.errors import InputError, NotFoundError

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CONSENT = Consent("person", T0 - timedelta(minutes=5), "referral")


def _audit_rows(db: Database) -> list[tuple[str, str]]:
    with db.engine.connect() as conn:
        if not sa.inspect(conn).has_table("audit_log"):
            return []
        return [(r.action, r.outcome) for r in conn.execute(
            sa.select(audit_tables().log.c.action, audit_tables().log.c.outcome).order_by(audit_tables().log.c.seq))]


def _family(db: Database, family_id: int = 1) -> FamilyRef:
    fp = family_profile(db, family_id)
    section, zone, quartiere = (*fp.areas, None, None, None)[:3]
    return FamilyRef(str(fp.family_id), section, zone, quartiere, fp.profile)


def test_a_referral_moves_through_its_statuses_with_an_audit_row_per_step(db: Database, tmp_path: Path) -> None:
    build_city(db, tmp_path / "cat")
    rid = send_referral(db, OPERATOR, PSEUDO, family=_family(db), service_id="S0002", consent=CONSENT,
                        note="bambini di 8 e 10 anni", now=T0)
    move_referral(db, PARTNER_ALFA, PSEUDO, rid, "received", now=T0 + timedelta(hours=26))
    move_referral(db, PARTNER_ALFA, PSEUDO, rid, "accepted", note="primo colloquio fissato", now=T0 + timedelta(days=2))
    move_referral(db, PARTNER_ALFA, PSEUDO, rid, "in-progress", now=T0 + timedelta(days=3))
    move_referral(db, PARTNER_ALFA, PSEUDO, rid, "completed", now=T0 + timedelta(days=30))
    assert _audit_rows(db) == [("referral.send", "ok"), ("referral.received", "ok"), ("referral.accepted", "ok"),
                               ("referral.in_progress", "ok"), ("referral.completed", "ok")]
    seen = get_referral(db, OPERATOR, PSEUDO, rid)
    assert [s["to_status"] for s in seen["steps"]] == ["requested", "received", "accepted", "in-progress",
                                                       "completed"]
    assert seen["steps"][2]["note"] == "primo colloquio fissato" and seen["status"] == "completed"
    assert seen["consent_given_by"] == "person" and seen["consent_purpose"] == "referral"
    # only what the service's rules read (an age range): no id, name, ISEE or area
    assert seen["shared_data"] == {"ages": [8, 10, 40]}
    assert seen["family_ref"].startswith("k1.") and seen["family_ref"] != "1"
    with db.engine.connect() as conn:
        assert verify(conn, RING).ok
    assert [r["referral_id"] for r in list_referrals(db, PARTNER_ALFA)] == [rid]
    assert list_referrals(db, PARTNER_BETA) == [] and "shared_data" not in list_referrals(db, OPERATOR)[0]


def test_refusals_are_clear_and_write_nothing(db: Database, tmp_path: Path) -> None:
    build_city(db, tmp_path / "cat")
    family = _family(db)
    with pytest.raises(InputError, match="consent is required"):
        send_referral(db, OPERATOR, PSEUDO, family=family, service_id="S0002", consent=None, now=T0)
    with pytest.raises(InputError, match="not in the future"):
        send_referral(db, OPERATOR, PSEUDO, family=family, service_id="S0002",
                      consent=Consent("person", T0 + timedelta(days=1), "referral"), now=T0)
    with pytest.raises(InputError, match="purpose"):
        send_referral(db, OPERATOR, PSEUDO, family=family, service_id="S0002",
                      consent=Consent("person", T0, "marketing"), now=T0)
    with pytest.raises(NotFoundError, match="S9999"):
        send_referral(db, OPERATOR, PSEUDO, family=family, service_id="S9999", consent=CONSENT, now=T0)
    t = directory_tables().hsds["service"]
    with db.engine.begin() as conn:
        conn.execute(t.update().where(t.c.id == "S0003").values(status="inactive"))
    with pytest.raises(InputError, match="S0003 is inactive: referrals go to active services only"):
        send_referral(db, OPERATOR, PSEUDO, family=family, service_id="S0003", consent=CONSENT, now=T0)
    assert _audit_rows(db) == []
    rid = send_referral(db, OPERATOR, PSEUDO, family=family, service_id="S0002", consent=CONSENT, now=T0)
    before = _audit_rows(db)
    with pytest.raises(InputError, match="cannot go from requested to completed; allowed: received, rejected, "
                                         "cancelled"):
        move_referral(db, PARTNER_ALFA, PSEUDO, rid, "completed", now=T0)
    with pytest.raises(NotAllowedError, match="only the sender"):
        move_referral(db, PARTNER_ALFA, PSEUDO, rid, "cancelled", now=T0)
    with pytest.raises(NotAllowedError, match="only the receiving organisation"):
        move_referral(db, OPERATOR, PSEUDO, rid, "received", now=T0)
    with pytest.raises(InputError, match="unknown status"):
        move_referral(db, PARTNER_ALFA, PSEUDO, rid, "done", now=T0)
    assert _audit_rows(db) == before  # refused moves leave no trace but the refusal itself
    with pytest.raises(NotAllowedError, match="another organisation"):
        move_referral(db, PARTNER_BETA, PSEUDO, rid, "received", now=T0)
    assert _audit_rows(db) == [*before, ("referral.update", "denied")]
    move_referral(db, OPERATOR, PSEUDO, rid, "cancelled", now=T0)
    with pytest.raises(InputError, match="from cancelled to received; allowed: none"):
        move_referral(db, PARTNER_ALFA, PSEUDO, rid, "received", now=T0)
    with db.engine.connect() as conn:
        steps = conn.execute(sa.select(sa.func.count()).select_from(directory_tables().referral_step)).scalar_one()
    assert steps == 2


def test_an_operator_refers_only_families_of_its_territory(db: Database, tmp_path: Path) -> None:
    build_city(db, tmp_path / "cat")
    outside = _family(db, 5)  # lives in Q2
    with pytest.raises(NotAllowedError, match="outside the granted territory"):
        send_referral(db, OPERATOR, PSEUDO, family=outside, service_id="S0002", consent=CONSENT, now=T0)
    assert _audit_rows(db) == [("referral.send", "denied")]
    with db.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(directory_tables().referral)).scalar_one() == 0


def test_referral_figures_per_area_and_service(db: Database, tmp_path: Path) -> None:
    build_city(db, tmp_path / "cat")
    city_operator = Principal("u00000000000000a2", "operator", grants=frozenset({Grant("city", "028060")}))
    one, five = _family(db, 1), _family(db, 5)
    sent = [send_referral(db, city_operator, PSEUDO, family=f, service_id=s, consent=CONSENT, now=T0)
            for f, s in ((one, "S0002"), (one, "S0004"), (five, "S0002"), (one, "S0002"))]
    move_referral(db, PARTNER_ALFA, PSEUDO, sent[0], "received", now=T0 + timedelta(days=1))
    move_referral(db, PARTNER_ALFA, PSEUDO, sent[0], "accepted", now=T0 + timedelta(days=2))
    move_referral(db, PARTNER_ALFA, PSEUDO, sent[0], "in-progress", now=T0 + timedelta(days=2))
    move_referral(db, PARTNER_ALFA, PSEUDO, sent[0], "completed", now=T0 + timedelta(days=9))
    move_referral(db, PARTNER_ALFA, PSEUDO, sent[3], "received", now=T0 + timedelta(days=3))
    move_referral(db, PARTNER_ALFA, PSEUDO, sent[3], "accepted", now=T0 + timedelta(days=4))
    move_referral(db, PARTNER_ALFA, PSEUDO, sent[2], "rejected", now=T0 + timedelta(hours=12))
    figures = referral_figures(db)
    rows = {(r.area_id, r.service_id): (r.sent, r.accepted, r.completed, r.median_days_to_first_contact)
            for r in figures.itertuples()}
    assert rows == {("Q1", "S0002"): (2, 2, 1, 2.0), ("Q1", "S0004"): (1, 0, 0, None),
                    ("Q2", "S0002"): (1, 0, 0, 0.5)}
    city = referral_figures(db, level="city", by_service=False)
    assert city.to_dict("records") == [{"area_id": None, "service_id": None, "sent": 4, "accepted": 2,
                                        "completed": 1, "median_days_to_first_contact": 1.0}]
    assert referral_figures(db, since=T0 + timedelta(days=1)).empty


def test_partner_revisions_are_published_only_when_approved(db: Database, tmp_path: Path) -> None:
    build_city(db, tmp_path / "cat")
    version = get_index(db).version
    rev = propose_revision(db, PARTNER_ALFA, PSEUDO, "S0002", {
        "description": "Aiuto compiti e laboratori", "eligibility_rules": [{"kind": "age", "min_age": 6,
                                                                             "max_age": 16}]}, now=T0)
    assert get_service(get_index(db), "S0002")["description"] == "Aiuto compiti. Destinatari: Ragazzi."
    assert [r["revision_id"] for r in list_revisions(db)] == [rev]
    with pytest.raises(NotAllowedError, match="another organisation"):
        propose_revision(db, PARTNER_BETA, PSEUDO, "S0002", {"name": "Mio"}, now=T0)
    with pytest.raises(InputError, match="'organization_id' cannot be changed"):
        propose_revision(db, PARTNER_ALFA, PSEUDO, "S0002", {"organization_id": "E002"}, now=T0)
    with pytest.raises(InputError, match="not_allowed"):
        propose_revision(db, PARTNER_ALFA, PSEUDO, "S0002", {"status": "sleeping"}, now=T0)
    with pytest.raises(NotAllowedError, match=r"may not services\.approve"):
        decide_revision(db, PARTNER_ALFA, PSEUDO, rev, approve=True, now=T0)
    assert decide_revision(db, ADMIN, PSEUDO, rev, approve=True, now=T0 + timedelta(days=1)) == "approved"
    index = get_index(db)
    doc = get_service(index, "S0002")
    assert index.version == version + 1 and doc["description"] == "Aiuto compiti e laboratori"
    assert str(doc["assured_date"]) == "2026-03-03"
    assert json.loads(json.dumps(doc["eligibility_rules"][0]["rules"])) == [{"kind": "age", "max_age": 16,
                                                                             "min_age": 6}]
    assert index.services["S0002"].rules[0].max_age == 16  # type: ignore[union-attr]
    with pytest.raises(InputError, match="already approved"):
        decide_revision(db, ADMIN, PSEUDO, rev, approve=False, now=T0)
    other = propose_revision(db, PARTNER_ALFA, PSEUDO, "S0004", {"status": "inactive"}, now=T0)
    assert decide_revision(db, ADMIN, PSEUDO, other, approve=False, note="ancora attivo", now=T0) == "rejected"
    assert get_index(db).services["S0004"].status == "active"
    actions = [a for a, _ in _audit_rows(db)]
    assert actions.count("services.propose") == 2 and "services.approve" in actions and "services.reject" in actions


def test_anonymous_profile_referral_needs_a_family(db: Database, tmp_path: Path) -> None:
    build_city(db, tmp_path / "cat")
    anonymous = FamilyRef("desk-1", None, None, None, Profile(ages=[70]))
    with pytest.raises(NotAllowedError, match="no known location"):
        send_referral(db, OPERATOR, PSEUDO, family=anonymous, service_id="S0002", consent=CONSENT, now=T0)


def test_the_desk_matches_and_refers_a_family_of_its_territory(db: Database, tmp_path: Path) -> None:
    from welfare_district.directory.desk import match_for_family

    build_city(db, tmp_path / "cat")
    found = match_for_family(db, OPERATOR, PSEUDO, 1, limit=5)
    assert [m.service_id for m in found.matches] == ["S0001", "S0002", "S0004"]
    assert _audit_rows(db) == [("directory.match", "ok")]
    rid = send_referral(db, OPERATOR, PSEUDO, family=found.referral_ref(), service_id="S0001", consent=CONSENT,
                        now=T0)
    shared = get_referral(db, OPERATOR, PSEUDO, rid)["shared_data"]
    assert shared == {"area_ids": ["Q1Z01S001", "Q1Z01", "Q1", "028060"], "isee_eur": 8000.0}
    with pytest.raises(NotAllowedError, match="outside the granted territory"):
        match_for_family(db, OPERATOR, PSEUDO, 5)
    assert _audit_rows(db)[-1] == ("family.read", "denied")
    with pytest.raises(NotAllowedError, match="outside the granted territory"):  # unplaced: in no quartiere
        match_for_family(db, OPERATOR, PSEUDO, 6)
