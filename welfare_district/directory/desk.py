"""What the operator's desk calls: a family's matches inside the operator's territory, the read audited.

The pages of the desk call these functions with the signed-in account; the pure matching lives in
``matching``, the family profile in ``profile``.
"""

from __future__ import annotations

from dataclasses import dataclass

from welfare_district.access.policy import Principal, Resource
from welfare_district.audit.log import AuditEvent, record
from welfare_district.directory.index import get_index
from welfare_district.directory.matching import Match, match_services
from welfare_district.directory.permissions import actor, require
from welfare_district.directory.profile import FamilyProfile, family_profile
from welfare_district.directory.referrals import FamilyRef
from welfare_district.engine import Database
from welfare_district.privacy.pseudonym import Pseudonymiser


@dataclass(frozen=True)
class FamilyMatches:
    """A family's profile (with hardship flags and suggested needs) and its ranked services."""

    family: FamilyProfile
    matches: list[Match]

    def referral_ref(self) -> FamilyRef:
        """The family as ``send_referral`` takes it."""
        section, zone, quartiere = (*self.family.areas, None, None, None)[:3]
        if len(self.family.areas) < 4:  # an unplaced family has only the city
            section = zone = quartiere = None
        return FamilyRef(str(self.family.family_id), section, zone, quartiere, self.family.profile)


def match_for_family(db: Database, user: Principal, pseudonymiser: Pseudonymiser, family_id: int, *,
                     limit: int = 20) -> FamilyMatches:
    """The family's ranked services, if ``family.read`` allows this user on the family's areas.

    NotFoundError when the family is not in the latest snapshot; NotAllowedError (with a 'denied' audit row)
    outside the operator's territory; otherwise the read is recorded in the audit log.
    """
    found = family_profile(db, family_id)
    require(db, user, "family.read", Resource("family", areas=found.areas), object_type="family",
            object_id=str(family_id), purpose="case_management", pseudonymiser=pseudonymiser)
    matches = match_services(get_index(db), found.profile, limit=limit)
    with db.engine.begin() as conn:
        record(conn, AuditEvent(actor(user), "directory.match", "family", str(family_id), "case_management"),
               pseudonymiser)
    return FamilyMatches(found, matches)
