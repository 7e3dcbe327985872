"""Partner self-service: a partner proposes changes to its organisation's services; the municipality decides.

A proposal is stored as a pending revision and changes nothing that is published. Approval applies it to the
catalogue (stamping ``last_modified`` and ``assured_date``), moves the catalogue version and records the
decision, all in one transaction; rejection only records the decision. Proposals are checked field by field
with the same rules as an HSDS import, so a bad value is refused when proposed, not when approved.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from welfare_district.access.policy import Principal, Resource
from welfare_district.audit.log import AuditEvent, record
from welfare_district.directory.eligibility import parse_rules, rules_json
from welfare_district.directory.hsds_spec import TABLE_BY_NAME
from welfare_district.directory.hsds_validate import convert_field
from welfare_district.directory.model import bump_version, directory_tables, ensure_tables
from welfare_district.directory.permissions import actor, require
from welfare_district.engine import Database
from welfare_district.errors import InputError, NotFoundError
from welfare_district.privacy.pseudonym import Pseudonymiser

EDITABLE = ("name", "alternate_name", "description", "url", "email", "status", "application_process",
            "fees_description", "eligibility_description", "minimum_age", "maximum_age")
RULES_KEY = "eligibility_rules"


def _check_changes(changes: dict[str, Any]) -> dict[str, Any]:
    if not changes:
        raise InputError("a revision needs at least one change", field="changes")
    clean: dict[str, Any] = {}
    specs = {f.name: f for f in TABLE_BY_NAME["service"].fields}
    for key, value in changes.items():
        if key == RULES_KEY:
            clean[key] = json.loads(rules_json(parse_rules(value if isinstance(value, str | list) else str(value))))
            continue
        if key not in EDITABLE:
            raise InputError(f"'{key}' cannot be changed by a revision; editable: {', '.join(EDITABLE)}, "
                             f"{RULES_KEY}", field=key)
        converted = convert_field(specs[key], value)
        if converted is None and specs[key].required:
            raise InputError("a value is required", field=key)
        clean[key] = converted
    return clean


def _service(db: Database, service_id: str) -> dict[str, Any]:
    ensure_tables(db.engine)
    t = directory_tables().hsds["service"]
    with db.engine.connect() as conn:
        row = conn.execute(sa.select(t).where(t.c.id == service_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"no service with id {service_id!r}")
    return dict(row)


def propose_revision(db: Database, user: Principal, pseudonymiser: Pseudonymiser, service_id: str,
                     changes: dict[str, Any], *, now: datetime | None = None) -> str:
    """Store ``changes`` to a service as a pending revision; returns its id. The published service is untouched.

    Refused, writing nothing, for an unknown service, a non-editable field or an invalid value (InputError);
    NotAllowedError (with a 'denied' audit row) unless the user may edit that organisation's services.
    """
    service = _service(db, service_id)
    clean = _check_changes(changes)
    revision_id = "v" + uuid.uuid4().hex
    require(db, user, "services.edit", Resource("service", organisation_id=service["organization_id"]),
            object_type="service", object_id=service_id, purpose="publication", pseudonymiser=pseudonymiser)
    when = (now or datetime.now(UTC)).astimezone(UTC)
    t = directory_tables().revision
    with db.engine.begin() as conn:
        conn.execute(t.insert().values(revision_id=revision_id, service_id=service_id,
                                       organization_id=service["organization_id"],
                                       changes=json.dumps(clean, sort_keys=True, default=str), status="pending",
                                       proposed_by=actor(user), proposed_at=when))
        record(conn, AuditEvent(actor(user), "services.propose", "service_revision", revision_id, "publication"),
               pseudonymiser, now=when)
    return revision_id


def decide_revision(db: Database, user: Principal, pseudonymiser: Pseudonymiser, revision_id: str, *,
                    approve: bool, note: str | None = None, now: datetime | None = None) -> str:
    """Approve (publish) or reject a pending revision; returns the new status ('approved' or 'rejected').

    NotAllowedError unless the user may approve catalogue changes; InputError when it was already decided.
    """
    ensure_tables(db.engine)
    t = directory_tables()
    with db.engine.connect() as conn:
        rev = conn.execute(sa.select(t.revision).where(t.revision.c.revision_id == revision_id)).mappings().first()
    if rev is None:
        raise NotFoundError(f"no revision with id {revision_id!r}")
    if rev["status"] != "pending":
        raise InputError(f"revision {revision_id} was already {rev['status']}", field="revision")
    require(db, user, "services.approve", Resource("service", organisation_id=rev["organization_id"]),
            object_type="service_revision", object_id=revision_id, purpose="publication",
            pseudonymiser=pseudonymiser)
    when = (now or datetime.now(UTC)).astimezone(UTC)
    status = "approved" if approve else "rejected"
    with db.engine.begin() as conn:
        done = conn.execute(t.revision.update().where(t.revision.c.revision_id == revision_id,
                                                      t.revision.c.status == "pending")
                            .values(status=status, decided_by=actor(user), decided_at=when,
                                    decision_note=note)).rowcount
        if done != 1:
            raise InputError("the revision was decided meanwhile", field="revision")
        if approve:
            _apply(conn, str(rev["service_id"]), json.loads(rev["changes"]), when)
            bump_version(conn)
        record(conn, AuditEvent(actor(user), f"services.{'approve' if approve else 'reject'}", "service_revision",
                                revision_id, "publication"), pseudonymiser, now=when)
    return status


def _apply(conn: sa.Connection, service_id: str, changes: dict[str, Any], when: datetime) -> None:
    t = directory_tables().hsds
    specs = {f.name: f for f in TABLE_BY_NAME["service"].fields}
    values = {k: convert_field(specs[k], v) for k, v in changes.items() if k != RULES_KEY}
    values.update(last_modified=when, assured_date=when.date())
    conn.execute(t["service"].update().where(t["service"].c.id == service_id).values(**values))
    if RULES_KEY in changes:
        text = rules_json(parse_rules(changes[RULES_KEY]))
        rules = t["eligibility_rule"]
        conn.execute(sa.delete(rules).where(rules.c.service_id == service_id))
        conn.execute(rules.insert().values(id=f"{service_id}-rules", service_id=service_id, rules=text))


def list_revisions(db: Database, *, status: str | None = "pending",
                   organization_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Revisions (default: pending), oldest first, optionally of some organisations only."""
    ensure_tables(db.engine)
    t = directory_tables().revision
    query = sa.select(t).order_by(t.c.proposed_at, t.c.revision_id)
    if status is not None:
        query = query.where(t.c.status == status)
    if organization_ids is not None:
        query = query.where(t.c.organization_id.in_(organization_ids))
    with db.engine.connect() as conn:
        return [{**r, "changes": json.loads(r["changes"])} for r in conn.execute(query).mappings()]
