"""Warehouse snapshot tables: the canonical, integrated picture on each reference date (31 December).

Everything the indicator engine reads is here, one row per resident person, family, occupied dwelling, ISEE
declaration and social-services case per ``snapshot_year``. Area ids are denormalised (section, zone,
quartiere) because every indicator is grouped by them; a row whose address could not be placed has null
area ids and counts only at city level. The integration pipeline writes these tables from the linked,
geocoded sources; the same tables can be built from a synthetic city's ground truth to validate indicators.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa

from welfare_district.engine import postgresql_key

# Vocabularies (English codes; the Italian words of each source system are mapped at ingestion).
EDUCATION = ("none_illiterate", "none_literate", "primary", "lower_secondary", "upper_secondary", "tertiary")
LABOUR = ("employed", "unemployed", "retired", "student", "other_inactive")
RELATION = ("head", "spouse", "partner", "child", "parent", "sibling", "other_relative", "other")
TENURE = ("owned", "rented", "public_housing")


@dataclass(frozen=True)
class WarehouseTables:
    """The MetaData of the warehouse and its tables."""

    metadata: sa.MetaData
    snapshot: sa.Table
    person: sa.Table
    family: sa.Table
    dwelling: sa.Table
    isee: sa.Table
    case: sa.Table


def _area_columns() -> list[sa.Column[str]]:
    return [sa.Column("section_id", sa.String(64)), sa.Column("zone_id", sa.String(64)),
            sa.Column("quartiere_id", sa.String(64))]


@lru_cache(maxsize=1)
def warehouse_tables() -> WarehouseTables:
    """The warehouse tables (built once, on first use); ``metadata.create_all`` is idempotent.

    The yearly tables are replaced per year in one transaction: their keys exist on PostgreSQL only
    (engine.postgresql_key).
    """
    md = sa.MetaData()
    year = "snapshot_year"
    snapshot = sa.Table(
        "wh_snapshot", md,
        sa.Column(year, sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("reference_date", sa.Date, nullable=False),
        sa.Column("boundary_version", sa.String(200), nullable=False),  # of the sections used for placement
        sa.Column("origin", sa.String(200), nullable=False),            # e.g. "pipeline" or "synthetic truth"
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
    )
    person = sa.Table(
        "wh_person", md,
        sa.Column(year, sa.SmallInteger, nullable=False),
        sa.Column("person_id", sa.BigInteger, nullable=False),
        postgresql_key(year, "person_id"),
        sa.Column("family_id", sa.BigInteger, nullable=False),
        sa.Column("relation", sa.String(16), nullable=False),       # RELATION, to the family's head
        sa.Column("dwelling_id", sa.BigInteger),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("age", sa.SmallInteger, nullable=False),          # completed years on the reference date
        sa.Column("citizenship", sa.String(2), nullable=False),     # ISO 3166-1 alpha-2
        sa.Column("education", sa.String(20)),                      # EDUCATION; null below 6 or unknown
        sa.Column("labour_status", sa.String(20)),                  # LABOUR; null below 15 or unknown
        sa.Column("disability_allowance", sa.Boolean, nullable=False),
        sa.Column("care_allowance", sa.Boolean, nullable=False),
        *_area_columns(),
    )
    family = sa.Table(
        "wh_family", md,
        sa.Column(year, sa.SmallInteger, nullable=False),
        sa.Column("family_id", sa.BigInteger, nullable=False),
        postgresql_key(year, "family_id"),
        sa.Column("head_person_id", sa.BigInteger, nullable=False),
        sa.Column("size", sa.SmallInteger, nullable=False),
        sa.Column("dwelling_id", sa.BigInteger),
        sa.Column("tenure", sa.String(16)),                         # TENURE; null when unknown
        *_area_columns(),
    )
    dwelling = sa.Table(
        "wh_dwelling", md,
        sa.Column(year, sa.SmallInteger, nullable=False),
        sa.Column("dwelling_id", sa.BigInteger, nullable=False),
        postgresql_key(year, "dwelling_id"),
        sa.Column("surface_m2", sa.SmallInteger),                   # null when no source gives it
        sa.Column("occupants", sa.SmallInteger, nullable=False),    # residents on the reference date
        *_area_columns(),
    )
    isee = sa.Table(
        "wh_isee", md,
        sa.Column(year, sa.SmallInteger, nullable=False),
        sa.Column("family_id", sa.BigInteger, nullable=False),
        postgresql_key(year, "family_id"),
        sa.Column("declarations", sa.SmallInteger, nullable=False),  # DSU submitted in the year
        sa.Column("isee_eur", sa.Double, nullable=False),            # the latest declaration's value
        *_area_columns(),
    )
    case = sa.Table(
        "wh_case", md,
        sa.Column(year, sa.SmallInteger, nullable=False),
        sa.Column("case_id", sa.BigInteger, nullable=False),
        postgresql_key(year, "case_id"),
        sa.Column("person_id", sa.BigInteger, nullable=False),
        sa.Column("family_id", sa.BigInteger),
        sa.Column("need", sa.String(32), nullable=False),
        sa.Column("opened", sa.Date, nullable=False),
        sa.Column("closed", sa.Date),                                # open on the reference date if null or later
        *_area_columns(),
    )
    return WarehouseTables(md, snapshot, person, family, dwelling, isee, case)


def ensure_warehouse_tables(engine: sa.Engine) -> None:
    """Create the warehouse tables that do not exist yet (idempotent, on every engine)."""
    warehouse_tables().metadata.create_all(engine, checkfirst=True)
