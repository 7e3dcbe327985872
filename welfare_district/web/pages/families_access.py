"""The checked, audited reads behind the family pages and the family API.

Each read runs in one transaction that also writes its audit row (who, which family reference, purpose,
outcome): if the audit row cannot be written the read fails with it. A reference that does not exist and
one outside the operator's territory get the same answer (not found), and both are recorded as denied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from welfare_district.access.policy import Principal, authorise
from welfare_district.audit.log import AuditEvent, record
from welfare_district.privacy.pseudonym import is_pseudonym
from welfare_district.web.auth_audit import actor_of, pseudonymiser_of, transaction
from welfare_district.web.pages.families_data import MAX_RESULTS, FamilyProfile, build_profile, family_index, search

Purpose = Literal["case_management", "referral", "eligibility_check", "safeguarding"]
PURPOSES: tuple[Purpose, ...] = ("case_management", "referral", "eligibility_check", "safeguarding")
_AREA_MAX = 64


def parse_purpose(value: str | None) -> Purpose | None:
    """The purpose if it is one of the closed list, else None."""
    for p in PURPOSES:
        if p == value:
            return p
    return None


@dataclass(frozen=True)
class SearchResult:
    """References found (at most MAX_RESULTS), whether more matched, and whether any snapshot exists."""

    refs: list[str]
    truncated: bool
    has_data: bool


def search_families(app_state: Any, principal: Principal, purpose: Purpose, *, ref: str | None,
                    area: str | None) -> SearchResult:
    """Families of the principal's territory matching ``ref`` or ``area``; audited as ``family.search``."""
    pseudonymiser = pseudonymiser_of(app_state)
    ref = (ref or "").strip() or None
    area = (area or "").strip()[:_AREA_MAX] or None
    with transaction(app_state) as conn:
        index = family_index(app_state, conn, pseudonymiser)
        found = [] if index is None or (ref is not None and not is_pseudonym(ref)) else \
            search(index, principal, ref=ref, area=area)
        record(conn, AuditEvent(actor_of(principal), "family.search", "family_search", None, purpose),
               pseudonymiser)
    return SearchResult(found[:MAX_RESULTS], len(found) > MAX_RESULTS, index is not None)


def read_family(app_state: Any, principal: Principal, ref: str, purpose: Purpose) -> FamilyProfile | None:
    """The profile of family ``ref`` when it is in the principal's territory, else None; audited either way.

    The audit row is written in the read's transaction: when it fails, the read fails (nothing returned).
    """
    pseudonymiser = pseudonymiser_of(app_state)
    actor = actor_of(principal)
    with transaction(app_state) as conn:
        index = family_index(app_state, conn, pseudonymiser)
        place = index.by_ref.get(ref) if index is not None and is_pseudonym(ref) else None
        allowed = place is not None and index is not None and \
            bool(authorise(principal, "family.read", place.resource(index.city_id)))
        if not allowed or index is None:
            # the object's id is the reference asked for (or nothing, if it is not even a pseudonym)
            record(conn, AuditEvent(actor, "family.read", "family", ref if is_pseudonym(ref) else None, purpose,
                                    "denied"), pseudonymiser)
            return None
        profile = build_profile(app_state.db, conn, index, ref)
        record(conn, AuditEvent(actor, "family.read", "family", ref, purpose), pseudonymiser)
    return profile
