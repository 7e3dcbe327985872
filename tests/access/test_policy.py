"""The authorisation policy: a table of rules, object-level scope checks, fail closed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from welfare_district.access import sessions
from welfare_district.access.policy import ROLES, RULES, Grant, Principal, Resource, authorise
from welfare_district.errors import InputError

FAMILY_IN_Q1 = Resource("family", ("Q1Z01S001", "Q1Z01", "Q1", "C"))
FAMILY_IN_Q2 = Resource("family", ("Q2Z05S010", "Q2Z05", "Q2", "C"))
UNPLACED = Resource("family", ())


def _user(role: str, *grants: tuple[str, str], active: bool = True) -> Principal:
    return Principal("u0000000000000001", role, active, frozenset(Grant(k, t) for k, t in grants))  # type: ignore[arg-type]


def test_an_operator_reads_families_only_inside_their_territory() -> None:
    operator = _user("operator", ("quartiere", "Q1"))
    assert authorise(operator, "family.read", FAMILY_IN_Q1)
    refused = authorise(operator, "family.read", FAMILY_IN_Q2)
    assert not refused and "outside" in refused.reason
    assert not authorise(operator, "family.read", UNPLACED)
    assert not authorise(operator, "family.read", None)
    zone_only = _user("operator", ("zone", "Q2Z05"))
    assert authorise(zone_only, "referral.send", FAMILY_IN_Q2) and not authorise(zone_only, "family.read",
                                                                                 FAMILY_IN_Q1)


def test_a_new_account_has_no_data_access_until_granted() -> None:
    for role in ROLES:
        bare = _user(role)
        for action, rule in RULES.items():
            if rule.get(role, "role") != "role":
                assert not authorise(bare, action, FAMILY_IN_Q1), (role, action)


def test_partners_see_their_own_organisation_only() -> None:
    partner = _user("partner", ("organisation", "caritas"))
    assert authorise(partner, "referral.read", Resource("referral", organisation_id="caritas"))
    assert not authorise(partner, "referral.read", Resource("referral", organisation_id="acli"))
    assert not authorise(partner, "family.read", FAMILY_IN_Q1)
    assert not authorise(partner, "indicators.read_exact")
    assert authorise(partner, "indicators.read_protected")


def test_the_public_and_disabled_accounts() -> None:
    assert authorise(None, "indicators.read_protected") and authorise(None, "services.read")
    assert not authorise(None, "indicators.read_exact") and not authorise(None, "audit.read")
    admin = _user("admin", active=False)
    decision = authorise(admin, "users.manage")
    assert not decision and decision.reason == "the account is disabled"
    assert authorise(_user("admin"), "users.manage") and not authorise(_user("admin"), "family.read", FAMILY_IN_Q1)


def test_unknown_actions_are_refused_and_analysts_need_a_city_grant() -> None:
    assert not authorise(_user("admin"), "users.delete_everything")
    analyst = _user("analyst", ("city", "C"))
    assert authorise(analyst, "indicators.read_exact") and not authorise(_user("analyst"), "indicators.read_exact")
    assert not authorise(analyst, "family.read", FAMILY_IN_Q1)


def test_session_tokens_expire_and_rotate() -> None:
    t0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    token, session = sessions.start("u1", t0)
    assert sessions.matches(session, token) and token not in session.token_hash
    assert sessions.expiry_reason(session, t0 + timedelta(minutes=29)) is None
    assert sessions.expiry_reason(session, t0 + timedelta(minutes=31)) == "idle"
    busy = session
    for minutes in range(20, 8 * 60 + 20, 20):
        busy = sessions.touch(busy, t0 + timedelta(minutes=minutes))
        if sessions.expiry_reason(busy, t0 + timedelta(minutes=minutes)):
            break
    assert sessions.expiry_reason(busy, t0 + timedelta(hours=8)) == "absolute"
    new_token, rotated = sessions.rotate(session, t0 + timedelta(minutes=5))
    assert sessions.matches(rotated, new_token) and not sessions.matches(rotated, token)
    assert rotated.created_at == t0
    assert sessions.expiry_reason(session, t0 - timedelta(seconds=1)) == "clock"
    with pytest.raises(InputError):
        sessions.start("u1", datetime(2026, 3, 1))
