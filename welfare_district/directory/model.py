"""SQL tables of the directory (SQLAlchemy Core, DuckDB and PostgreSQL): the HSDS catalogue, referrals, revisions.

Catalogue tables are named ``hsds_<table>`` and built from ``hsds_spec.TABLES``. ``directory_version`` holds
one counter bumped in the same transaction as every change to the published catalogue, so readers can keep
an in-memory index and rebuild it only when the counter moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from welfare_district.directory.hsds_spec import TABLES, FieldSpec

PREFIX = "hsds_"


@dataclass(frozen=True)
class DirectoryTables:
    """The MetaData, the catalogue tables by HSDS name, and the operational tables."""

    metadata: sa.MetaData
    hsds: dict[str, sa.Table]
    version: sa.Table
    referral: sa.Table
    referral_step: sa.Table
    revision: sa.Table


def _column(spec: FieldSpec) -> sa.Column[Any]:
    types: dict[str, sa.types.TypeEngine[Any]] = {
        "id": sa.String(64), "text": sa.Text(), "int": sa.Integer(), "float": sa.Double(), "date": sa.Date(),
        "datetime": sa.DateTime(timezone=True), "json": sa.Text(),
    }
    return sa.Column(spec.name, types[spec.kind], primary_key=spec.name == "id",
                     nullable=not spec.required or spec.name == "id")


@lru_cache(maxsize=1)
def directory_tables() -> DirectoryTables:
    """The directory tables (built once, on first use); ``ensure_tables`` creates them."""
    md = sa.MetaData()
    hsds = {t.name: sa.Table(PREFIX + t.name, md, *(_column(f) for f in t.fields)) for t in TABLES}
    version = sa.Table(
        "directory_version", md,
        sa.Column("id", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("fingerprint", sa.String(64)),                       # of the last import, None after edits
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    referral = sa.Table(
        "referral", md,
        sa.Column("referral_id", sa.String(40), primary_key=True),
        sa.Column("service_id", sa.String(64), nullable=False, index=True),
        sa.Column("organization_id", sa.String(64), nullable=False, index=True),
        sa.Column("family_ref", sa.String(64), nullable=False),        # pseudonym, domain 'referral'
        sa.Column("section_id", sa.String(64)),
        sa.Column("zone_id", sa.String(64)),
        sa.Column("quartiere_id", sa.String(64)),
        sa.Column("shared_data", sa.Text, nullable=False),             # JSON: only the fields the rules need
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("consent_given_by", sa.String(32), nullable=False),  # person, guardian, legal_representative
        sa.Column("consent_recorded_by", sa.String(64), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consent_purpose", sa.String(32), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_contact_at", sa.DateTime(timezone=True)),   # the partner's first step
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    referral_step = sa.Table(
        "referral_step", md,
        sa.Column("referral_id", sa.String(40), primary_key=True),
        sa.Column("step", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("from_status", sa.String(16)),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("stepped_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("note", sa.Text),
    )
    revision = sa.Table(
        "service_revision", md,
        sa.Column("revision_id", sa.String(40), primary_key=True),
        sa.Column("service_id", sa.String(64), nullable=False, index=True),
        sa.Column("organization_id", sa.String(64), nullable=False),
        sa.Column("changes", sa.Text, nullable=False),                 # JSON: field -> new value
        sa.Column("status", sa.String(16), nullable=False),            # pending, approved, rejected
        sa.Column("proposed_by", sa.String(64), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(64)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decision_note", sa.Text),
    )
    return DirectoryTables(md, hsds, version, referral, referral_step, revision)


def ensure_tables(engine_or_conn: sa.Engine | sa.Connection) -> None:
    """Create the directory tables that do not exist yet (idempotent, on every engine)."""
    directory_tables().metadata.create_all(engine_or_conn, checkfirst=True)


def bump_version(conn: sa.Connection, fingerprint: str | None = None) -> int:
    """Increase the catalogue counter inside the caller's transaction; returns the new value.

    ``fingerprint`` is the digest of an imported catalogue (None for any other change)."""
    from datetime import UTC, datetime

    t = directory_tables().version
    current = conn.execute(sa.select(t.c.version).where(t.c.id == 1)).scalar_one_or_none()
    now = datetime.now(UTC)
    if current is None:
        conn.execute(t.insert().values(id=1, version=1, fingerprint=fingerprint, changed_at=now))
        return 1
    conn.execute(t.update().where(t.c.id == 1).values(version=int(current) + 1, fingerprint=fingerprint,
                                                            changed_at=now))
    return int(current) + 1


def catalogue_version(conn: sa.Connection) -> int:
    """The catalogue counter (0 before the first load)."""
    t = directory_tables().version
    value = conn.execute(sa.select(t.c.version).where(t.c.id == 1)).scalar_one_or_none()
    return 0 if value is None else int(value)


def last_fingerprint(conn: sa.Connection) -> str | None:
    """The digest of the last import, if nothing changed the catalogue since."""
    t = directory_tables().version
    value = conn.execute(sa.select(t.c.fingerprint).where(t.c.id == 1)).scalar_one_or_none()
    return None if value is None else str(value)
