"""Staging record tables: validated rows of every source, one table per subject, each row with its lineage.

A source declaration maps its columns to the canonical *fields* below; a row of a source lands in every
target table the declaration names, carrying the fields that table has. Lineage columns (load, source, file,
content hash, data row number) are on every row, so any record can be traced back to the line it came from.
The ingest bookkeeping tables (load log, failures, quarantine, per-load quality summary) live here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import sqlalchemy as sa

FieldKind = Literal["text", "int", "decimal", "date", "cf", "cf_list"]

# Canonical field -> kind. The kind decides how a source value is parsed and which SQL type stores it.
FIELD_KINDS: dict[str, FieldKind] = {
    # identity of a person as the source holds it
    "person_key": "text", "codice_fiscale": "cf", "surname": "text", "given_name": "text",
    "full_name": "text", "sex": "text", "birth_date": "date", "birth_place": "text", "birth_province": "text",
    "birth_country": "text", "birth_place_code": "text", "citizenship": "text", "address": "text",
    "house_number": "text", "house_number_suffix": "text", "flat": "text", "staircase": "text",
    "municipality": "text", "phone": "text", "registered_on": "date",
    # families and households
    "family_code": "text", "relation": "text", "household_size": "int",
    # dwellings (waste-tax accounts, public housing)
    "dwelling_code": "text", "holder_cf": "cf", "holder_name": "text", "surface_m2": "decimal",
    "occupants": "int", "category": "text", "occupied_since": "date", "monthly_rent": "decimal",
    "assigned_on": "date", "change_type": "text", "change_date": "date", "change_year": "int",
    # ISEE declarations
    "protocol": "text", "submitted_on": "date", "isee_type": "text", "members": "int", "member_cfs": "cf_list",
    "isr": "decimal", "isp": "decimal", "equivalence_scale": "decimal", "isee_value": "decimal",
    "expires_on": "date",
    # labour office; education and employment_status also come from the register's individual record
    "employment_status": "text", "available_since": "date", "education": "text", "office": "text",
    # welfare benefits paid to a person (INPS civil invalidity)
    "benefit_type": "text", "benefit_start": "date",
    # school enrolment
    "pupil_id": "text", "school_year": "text", "school_code": "text", "school_name": "text",
    "school_order": "text", "class_year": "text", "class_section": "text",
    # social-services cases
    "case_number": "text", "intervention_area": "text", "opened_on": "date", "closed_on": "date",
    "case_status": "text", "social_worker": "text",
    # third-sector beneficiary lists
    "record_key": "text", "service": "text", "needs": "text", "notes": "text",
    # service catalogue
    "service_id": "text", "organisation_id": "text", "site_id": "text", "service_name": "text",
    "domain": "text", "domain_code": "text", "description": "text", "recipients": "text",
    "requirements": "text", "access_mode": "text", "cost": "text", "opening_hours": "text", "email": "text",
    "languages": "text",
}

# Fields every record table carries, besides its subject fields.
LINEAGE = ("load_id", "source", "file_name", "file_sha256", "row_number", "reference_year", "warnings")

# Subject fields of each staging table. ``cf_status`` is added where a codice fiscale is stored.
RECORD_TABLES: dict[str, tuple[str, ...]] = {
    "person_record": (
        "person_key", "codice_fiscale", "surname", "given_name", "full_name", "sex", "birth_date",
        "birth_place", "birth_province", "birth_country", "birth_place_code", "citizenship", "address",
        "house_number", "house_number_suffix", "flat", "municipality", "phone", "registered_on",
        # as the person declared them to the source (the register's scheda individuale, the labour office)
        "education", "employment_status",
    ),
    "family_membership_record": (
        "person_key", "codice_fiscale", "family_code", "relation", "household_size",
    ),
    "dwelling_record": (
        "dwelling_code", "holder_cf", "holder_name", "address", "staircase", "flat", "surface_m2",
        "occupants", "category", "occupied_since", "monthly_rent", "assigned_on", "change_type", "change_date",
        "change_year",
    ),
    "isee_record": (
        "protocol", "codice_fiscale", "submitted_on", "isee_type", "members", "member_cfs", "isr", "isp",
        "equivalence_scale", "isee_value", "expires_on",
    ),
    "labour_record": (
        "codice_fiscale", "employment_status", "available_since", "education", "office", "municipality",
    ),
    "school_record": (
        "pupil_id", "codice_fiscale", "school_year", "school_code", "school_name", "school_order",
        "class_year", "class_section",
    ),
    "case_record": (
        "case_number", "codice_fiscale", "office", "intervention_area", "opened_on", "closed_on",
        "case_status", "social_worker",
    ),
    "beneficiary_record": (
        "record_key", "codice_fiscale", "service", "needs", "registered_on", "expires_on", "household_size",
        "notes",
    ),
    "benefit_record": (
        "record_key", "codice_fiscale", "benefit_type", "benefit_start",
    ),
    "service_record": (
        "service_id", "organisation_id", "site_id", "service_name", "domain", "domain_code", "description",
        "recipients", "requirements", "access_mode", "cost", "opening_hours", "phone", "email", "languages",
    ),
}

CF_STATUS = ("valid", "omocode", "invalid", "missing")


def _sql_type(kind: FieldKind) -> sa.types.TypeEngine[Any]:
    if kind == "int":
        return sa.BigInteger()
    if kind == "decimal":
        return sa.Double()
    if kind == "date":
        return sa.Date()
    return sa.Text()


def _lineage_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("load_id", sa.String(36), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("row_number", sa.BigInteger, nullable=False),
        sa.Column("reference_year", sa.Integer, nullable=True),
        # reason codes of the warnings raised on this row, '|'-separated; empty when clean
        sa.Column("warnings", sa.Text, nullable=False),
    ]


@dataclass(frozen=True)
class RecordTables:
    """The MetaData of every staging and ingest bookkeeping table, and the tables by name."""

    metadata: sa.MetaData
    records: dict[str, sa.Table]
    load_log: sa.Table
    failure: sa.Table
    quarantine: sa.Table
    quality: sa.Table


def table_fields(table: str) -> tuple[str, ...]:
    """Subject fields of a staging table plus ``cf_status`` when it stores a codice fiscale."""
    fields = RECORD_TABLES[table]
    return (*fields, "cf_status") if "codice_fiscale" in fields else fields


@lru_cache(maxsize=1)
def record_tables() -> RecordTables:
    """Build the tables once, on first use. ``metadata.create_all(engine)`` is idempotent."""
    md = sa.MetaData()
    records: dict[str, sa.Table] = {}
    for name, fields in RECORD_TABLES.items():
        cols = [sa.Column(f, _sql_type(FIELD_KINDS[f]), nullable=True) for f in fields]
        if "codice_fiscale" in fields:
            cols.append(sa.Column("cf_status", sa.String(8), nullable=True))
        records[name] = sa.Table(name, md, *_lineage_columns(), *cols)
    load_log = sa.Table(
        "load_log", md,
        sa.Column("load_id", sa.String(36), primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("strict", sa.Boolean, nullable=False),
        sa.Column("rows_read", sa.BigInteger, nullable=False),
        sa.Column("rows_loaded", sa.BigInteger, nullable=False),
        sa.Column("rows_quarantined", sa.BigInteger, nullable=False),
        sa.Column("rows_flagged", sa.BigInteger, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        # the same content of the same source is loaded once; the constraint also stops a concurrent twin
        sa.UniqueConstraint("source", "file_sha256", name="uq_load_log_source_sha"),
    )
    failure = sa.Table(
        "ingest_failure", md,
        sa.Column("load_id", sa.String(36), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("row_number", sa.BigInteger, nullable=False),
        sa.Column("field", sa.Text, nullable=False),
        sa.Column("reason_code", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
    )
    quarantine = sa.Table(
        "quarantine_record", md,
        sa.Column("load_id", sa.String(36), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("row_number", sa.BigInteger, nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),
        # the row as read (source column -> text), kept so a steward can correct and reload it
        sa.Column("raw", sa.Text, nullable=False),
    )
    quality = sa.Table(
        "load_quality", md,
        sa.Column("load_id", sa.String(36), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("field", sa.Text, nullable=False),
        sa.Column("reason_code", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("failures", sa.BigInteger, nullable=False),
        sa.Column("example_rows", sa.Text, nullable=False),
    )
    # Reads and deletes by load need an index on PostgreSQL. DuckDB finds a load's rows through the zone maps
    # (each load is appended in one piece), while an index there is an ART kept up to date on every insert
    # and written again at each checkpoint: loading a city cost seconds more per file, merging a region's
    # comuni into one database far more.
    for table in (*records.values(), failure, quarantine, quality):
        sa.Index(f"ix_{table.name}_load_id", table.c.load_id).ddl_if(dialect="postgresql")
    return RecordTables(md, records, load_log, failure, quarantine, quality)
