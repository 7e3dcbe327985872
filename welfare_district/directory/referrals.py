"""Referrals from the municipality to a service's organisation, with a status model like the FHIR Task.

Statuses: requested -> received -> accepted -> in-progress -> completed; requested or received -> rejected;
any open status -> cancelled (by the sender). The partner moves a referral forward, the sender may cancel it;
every other move is refused and names the allowed ones. A referral needs the family's consent (who gave it,
when, for which purpose), an active service, and carries only a pseudonym of the family and the profile fields
the service's rules read: never a codice fiscale, a name or an address. Each step writes its row, its step
record and its audit row in one transaction: a refused step writes nothing.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa

from welfare_district.access.policy import Principal, Resource
from welfare_district.audit.log import AuditEvent, record
from welfare_district.directory.eligibility import Profile, fields_needed, parse_rules
from welfare_district.directory.model import directory_tables, ensure_tables
from welfare_district.directory.permissions import NotAllowedError, actor, require
from welfare_district.engine import Database
from welfare_district.errors import InputError, NotFoundError
from welfare_district.privacy.pseudonym import Pseudonymiser

Status = Literal["requested", "received", "accepted", "rejected", "in-progress", "completed", "cancelled"]
STATUSES: tuple[Status, ...] = ("requested", "received", "accepted", "rejected", "in-progress", "completed",
                                "cancelled")
# from -> {to: who moves it}
TRANSITIONS: dict[str, dict[str, str]] = {
    "requested": {"received": "partner", "rejected": "partner", "cancelled": "sender"},
    "received": {"accepted": "partner", "rejected": "partner", "cancelled": "sender"},
    "accepted": {"in-progress": "partner", "cancelled": "sender"},
    "in-progress": {"completed": "partner", "cancelled": "sender"},
    "rejected": {}, "completed": {}, "cancelled": {},
}
CONSENT_GIVERS = ("person", "guardian", "legal_representative")
CONSENT_PURPOSES = ("referral", "referral_and_feedback")
FAMILY_DOMAIN = "referral"
MAX_NOTE = 2000


@dataclass(frozen=True)
class Consent:
    """The family's consent to the referral: who gave it, when, for which purpose (closed vocabularies)."""

    given_by: str
    given_at: datetime
    purpose: str

    def check(self, now: datetime) -> None:
        """InputError unless every field is in its vocabulary and the date is not in the future."""
        if self.given_by not in CONSENT_GIVERS:
            raise InputError(f"consent given_by must be one of {', '.join(CONSENT_GIVERS)}", field="consent")
        if self.purpose not in CONSENT_PURPOSES:
            raise InputError(f"consent purpose must be one of {', '.join(CONSENT_PURPOSES)}", field="consent")
        if self.given_at.tzinfo is None or self.given_at > now:
            raise InputError("consent date must be a time-zone aware moment not in the future", field="consent")


@dataclass(frozen=True)
class FamilyRef:
    """The family as a referral needs it: its id (pseudonymised before storage), areas and matching profile."""

    family_id: str
    section_id: str | None
    zone_id: str | None
    quartiere_id: str | None
    profile: Profile

    @property
    def areas(self) -> tuple[str, ...]:
        """Every known area id of the residence, for territory checks."""
        return tuple(a for a in (self.section_id, self.zone_id, self.quartiere_id, *(self.profile.area_ids or []))
                     if a)


def _note(note: str | None) -> str | None:
    if note is not None and len(note) > MAX_NOTE:
        raise InputError(f"a note has at most {MAX_NOTE} characters", field="note")
    return note.strip() or None if note is not None else None


def send_referral(db: Database, user: Principal, pseudonymiser: Pseudonymiser, *, family: FamilyRef,
                  service_id: str, consent: Consent | None, note: str | None = None,
                  now: datetime | None = None) -> str:
    """Create a referral in status 'requested' and return its id.

    Refused, writing nothing: without consent, to an unknown or inactive service (InputError / NotFoundError);
    outside the operator's territory (NotAllowedError, with a 'denied' audit row).
    """
    when = (now or datetime.now(UTC)).astimezone(UTC)
    if consent is None:
        raise InputError("consent is required: record who gave it, when, and for which purpose", field="consent")
    consent.check(when)
    ensure_tables(db.engine)
    t = directory_tables()
    with db.engine.connect() as conn:
        service = conn.execute(sa.select(t.hsds["service"]).where(t.hsds["service"].c.id == service_id)
                               ).mappings().first()
        rules_row = conn.execute(sa.select(t.hsds["eligibility_rule"].c.rules).where(
            t.hsds["eligibility_rule"].c.service_id == service_id)).scalars().first()
    if service is None:
        raise NotFoundError(f"no service with id {service_id!r}")
    if service["status"] != "active":
        raise InputError(f"service {service_id} is {service['status']}: referrals go to active services only",
                         field="service_id")
    referral_id = "r" + uuid.uuid4().hex
    require(db, user, "referral.send", Resource("family", areas=family.areas), object_type="referral",
            object_id=referral_id, purpose="referral", pseudonymiser=pseudonymiser)
    rules = parse_rules(rules_row) if rules_row else []
    shared = family.profile.model_dump(include=fields_needed(rules))
    row = {"referral_id": referral_id, "service_id": service_id, "organization_id": service["organization_id"],
           "family_ref": pseudonymiser.pseudonym(family.family_id, FAMILY_DOMAIN),
           "section_id": family.section_id, "zone_id": family.zone_id, "quartiere_id": family.quartiere_id,
           "shared_data": json.dumps(shared, sort_keys=True), "status": "requested",
           "consent_given_by": consent.given_by, "consent_recorded_by": actor(user),
           "consent_at": consent.given_at.astimezone(UTC), "consent_purpose": consent.purpose,
           "requested_by": actor(user), "requested_at": when, "first_contact_at": None, "updated_at": when}
    with db.engine.begin() as conn:
        conn.execute(t.referral.insert().values(**row))
        conn.execute(t.referral_step.insert().values(referral_id=referral_id, step=1, from_status=None,
                                                     to_status="requested", stepped_at=when, actor=actor(user),
                                                     note=_note(note)))
        record(conn, AuditEvent(actor(user), "referral.send", "referral", referral_id, "referral"), pseudonymiser,
               now=when)
    return referral_id


def _load(db: Database, referral_id: str) -> dict[str, Any]:
    ensure_tables(db.engine)
    t = directory_tables().referral
    with db.engine.connect() as conn:
        row = conn.execute(sa.select(t).where(t.c.referral_id == referral_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"no referral with id {referral_id!r}")
    return dict(row)


def _resource(ref: dict[str, Any]) -> Resource:
    areas = tuple(a for a in (ref["section_id"], ref["zone_id"], ref["quartiere_id"]) if a)
    return Resource("referral", areas=areas, organisation_id=ref["organization_id"])


def move_referral(db: Database, user: Principal, pseudonymiser: Pseudonymiser, referral_id: str, to_status: str,
                  *, note: str | None = None, now: datetime | None = None) -> Status:
    """Move a referral to ``to_status``; returns it. Refused, writing nothing, when the move is not allowed from
    the current status (InputError naming the allowed moves) or is the other side's to make (NotAllowedError)."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    if to_status not in STATUSES:
        raise InputError(f"unknown status {to_status!r}; expected one of {', '.join(STATUSES)}", field="status")
    ref = _load(db, referral_id)
    current = str(ref["status"])
    allowed = TRANSITIONS[current]
    if to_status not in allowed:
        options = ", ".join(allowed) or "none (it is closed)"
        raise InputError(f"a referral cannot go from {current} to {to_status}; allowed: {options}", field="status")
    side = allowed[to_status]
    if (side == "partner") != (user.role == "partner"):
        raise NotAllowedError(f"only the {'receiving organisation' if side == 'partner' else 'sender'} may move "
                              f"a referral to {to_status}")
    action = f"referral.{to_status.replace('-', '_')}"
    require(db, user, "referral.update", _resource(ref), object_type="referral", object_id=referral_id,
            purpose="referral", pseudonymiser=pseudonymiser)
    t = directory_tables()
    values: dict[str, Any] = {"status": to_status, "updated_at": when}
    if side == "partner" and ref["first_contact_at"] is None:
        values["first_contact_at"] = when
    with db.engine.begin() as conn:
        changed = conn.execute(t.referral.update().where(t.referral.c.referral_id == referral_id,
                                                         t.referral.c.status == current).values(**values)).rowcount
        if changed != 1:
            raise InputError("the referral changed meanwhile: reload it and try again", field="status")
        step = conn.execute(sa.select(sa.func.max(t.referral_step.c.step)).where(
            t.referral_step.c.referral_id == referral_id)).scalar_one()
        conn.execute(t.referral_step.insert().values(referral_id=referral_id, step=int(step or 0) + 1,
                                                     from_status=current, to_status=to_status, stepped_at=when,
                                                     actor=actor(user), note=_note(note)))
        record(conn, AuditEvent(actor(user), action, "referral", referral_id, "referral"), pseudonymiser, now=when)
    return to_status


def get_referral(db: Database, user: Principal, pseudonymiser: Pseudonymiser, referral_id: str) -> dict[str, Any]:
    """One referral with its steps, for the sender's territory or the receiving organisation (audited read)."""
    ref = _load(db, referral_id)
    require(db, user, "referral.read", _resource(ref), object_type="referral", object_id=referral_id,
            purpose="referral", pseudonymiser=pseudonymiser)
    t = directory_tables().referral_step
    with db.engine.begin() as conn:
        steps = conn.execute(sa.select(t).where(t.c.referral_id == referral_id).order_by(t.c.step)).mappings().all()
        record(conn, AuditEvent(actor(user), "referral.read", "referral", referral_id, "referral"), pseudonymiser)
    return {**ref, "shared_data": json.loads(ref["shared_data"]), "steps": [dict(s) for s in steps]}


def list_referrals(db: Database, user: Principal, *, status: str | None = None,
                   limit: int = 100) -> list[dict[str, Any]]:
    """A partner's inbox (referrals to its organisations) or an operator's outbox (referrals from its territory),
    newest first, without the shared data (open one with ``get_referral``)."""
    if status is not None and status not in STATUSES:
        raise InputError(f"unknown status {status!r}", field="status")
    if not 1 <= limit <= 1000:
        raise InputError("limit must be between 1 and 1000", field="limit")
    ensure_tables(db.engine)
    t = directory_tables().referral
    query = sa.select(*(c for c in t.c if c.name != "shared_data")).order_by(t.c.requested_at.desc()).limit(limit)
    if status is not None:
        query = query.where(t.c.status == status)
    if not user.active:
        raise NotAllowedError("the account is disabled")
    if user.role == "partner":
        orgs = [g.target for g in user.grants if g.kind == "organisation"]
        query = query.where(t.c.organization_id.in_(orgs))
    elif user.role == "operator":
        if not any(g.kind == "city" for g in user.grants):
            places = [g.target for g in user.grants if g.kind in ("quartiere", "zone")]
            query = query.where(sa.or_(t.c.quartiere_id.in_(places), t.c.zone_id.in_(places)))
    else:
        raise NotAllowedError(f"role {user.role} has no referral inbox or outbox")
    with db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]
