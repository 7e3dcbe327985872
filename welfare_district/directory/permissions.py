"""Authorisation of directory actions through ``access.policy.authorise``, with refusals kept in the audit log."""

from __future__ import annotations

from welfare_district.access.policy import Principal, Resource, authorise
from welfare_district.audit.log import AuditEvent, record
from welfare_district.engine import Database
from welfare_district.errors import PermissionDeniedError
from welfare_district.privacy.pseudonym import Pseudonymiser


class NotAllowedError(PermissionDeniedError):
    """The account may not do this (the message says why; the web layer answers 403)."""


def actor(user: Principal) -> str:
    """The audit actor of an account: ``user:<account id>`` (never a name)."""
    return f"user:{user.user_id}"


def require(db: Database, user: Principal, action: str, resource: Resource, *, object_type: str,
            object_id: str | None, purpose: str, pseudonymiser: Pseudonymiser) -> None:
    """Return when the policy allows ``action``; otherwise record a 'denied' audit row (its own transaction)
    and raise NotAllowedError with the policy's reason."""
    decision = authorise(user, action, resource)
    if decision:
        return
    with db.engine.begin() as conn:
        record(conn, AuditEvent(actor(user), action, object_type, object_id, purpose, "denied"), pseudonymiser)
    raise NotAllowedError(f"not allowed to {action}: {decision.reason}")
