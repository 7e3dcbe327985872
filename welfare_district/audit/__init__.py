"""The audit trail: who did what to which (pseudonymised) object, for which purpose, with which outcome."""

from welfare_district.audit.log import AuditEvent, audited, list_events, record, verify

__all__ = ["AuditEvent", "audited", "list_events", "record", "verify"]
