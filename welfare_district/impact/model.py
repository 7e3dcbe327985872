"""SQL tables of the register of actions (SQLAlchemy Core, DuckDB and PostgreSQL).

- ``impact_call``: calls for proposals (bandi): budget, dates, target group, age range, target areas;
- ``impact_project``: funded projects: call, lead organisation (a directory organisation id), partners,
  services delivered (directory service ids), budget, period, target areas;
- ``impact_activity``: what a project did on a date, where, for how many hours and participants;
- ``impact_beneficiary``: one row per person a project reached, **without** name, codice fiscale or birth
  date: the warehouse person id when linkage found the person, else a keyed pseudonym of the identity
  (so the same unlinked person reported twice still counts once);
- ``impact_load``: one row per imported file (kind, SHA-256, rows), so the same file twice changes nothing.

Lists (areas, partners, services) are stored as ``|``-separated ids: they are short and only ever read
whole. Every row an import wrote carries its ``file_name``, so a corrected file replaces its earlier rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa

from welfare_district.engine import Database


@dataclass(frozen=True)
class ImpactTables:
    """The MetaData and the tables of the register of actions."""

    metadata: sa.MetaData
    call: sa.Table
    project: sa.Table
    activity: sa.Table
    beneficiary: sa.Table
    load: sa.Table


@lru_cache(maxsize=1)
def impact_tables() -> ImpactTables:
    """The tables (built once, on first use); ``metadata.create_all`` is idempotent."""
    md = sa.MetaData()
    call = sa.Table(
        "impact_call", md,
        sa.Column("call_id", sa.String(64), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("budget_eur", sa.Double, nullable=False),
        sa.Column("opens_on", sa.Date, nullable=False),
        sa.Column("closes_on", sa.Date, nullable=False),
        sa.Column("target_group", sa.String(64), nullable=False),   # impact.groups.TARGET_GROUPS
        sa.Column("min_age", sa.SmallInteger, nullable=False),
        sa.Column("max_age", sa.SmallInteger, nullable=False),
        sa.Column("target_areas", sa.Text, nullable=False),         # |-separated area ids
        sa.Column("file_name", sa.Text, nullable=False),
    )
    project = sa.Table(
        "impact_project", md,
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("lead_organisation_id", sa.String(64), nullable=False),
        sa.Column("partners", sa.Text, nullable=False),             # |-separated organisation ids
        sa.Column("services", sa.Text, nullable=False),             # |-separated service ids
        sa.Column("budget_eur", sa.Double, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("target_areas", sa.Text, nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
    )
    activity = sa.Table(
        "impact_activity", md,
        sa.Column("file_name", sa.Text, primary_key=True),
        sa.Column("row_number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("activity_date", sa.Date, nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("area_id", sa.String(64), nullable=False),
        sa.Column("hours", sa.Double, nullable=False),
        sa.Column("participants", sa.Integer, nullable=False),
    )
    beneficiary = sa.Table(
        "impact_beneficiary", md,
        sa.Column("file_name", sa.Text, primary_key=True),
        sa.Column("row_number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("person_ref", sa.String(64), nullable=False),     # "P<warehouse id>" or a pseudonym
        sa.Column("person_id", sa.BigInteger),                      # warehouse person id; null: not linked
        sa.Column("link_method", sa.String(16), nullable=False),    # codice_fiscale, name_birth, unlinked
        sa.Column("age", sa.SmallInteger, nullable=False),          # on the day the person was taken in
        sa.Column("reached_on", sa.Date, nullable=False),
    )
    load = sa.Table(
        "impact_load", md,
        sa.Column("file_name", sa.Text, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    return ImpactTables(md, call, project, activity, beneficiary, load)


def ensure_impact_tables(db: Database) -> ImpactTables:
    """Create the tables that do not exist yet (idempotent) and return them."""
    tables = impact_tables()
    tables.metadata.create_all(db.engine, checkfirst=True)
    return tables


def split_ids(text: str | None) -> list[str]:
    """The ids of a ``|``-separated list, trimmed, empty ones dropped, in their order."""
    return [p.strip() for p in (text or "").split("|") if p.strip()]
