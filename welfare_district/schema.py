"""The database's tables against the tables this version of Welfare District declares, and the upgrade.

Tables are created on first use (``create_all`` with checkfirst), so a database made by an older version
keeps its older tables: a column added since then is missing and the first query that needs it fails with
an SQL error far from its cause. ``differences`` lists what an existing database lacks; ``upgrade`` adds
the missing columns that can be added in place (nullable ones: existing rows get NULL, which every reader of
a nullable column handles), all in one transaction, and refuses, changing nothing, when a missing column is
NOT NULL and could only be filled by rebuilding the table's data.
Tables absent from the database are not differences: they are created when their stage first runs. Tables
an earlier version wrote and this one no longer reads (``RETIRED_TABLES``) are differences too: ``upgrade``
drops them in the same transaction.
Extra columns a database has are left alone; column types and keys are not compared (reflection
reports them differently per engine).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa

from welfare_district.engine import Database
from welfare_district.errors import ConfigError

Fix = Literal["add", "rebuild", "drop"]

# Tables earlier versions wrote that nothing reads any more, with where their content is now.
RETIRED_TABLES: dict[str, str] = {
    "family_link": "each record's family is the family_id of its person_link row",
}


@dataclass(frozen=True)
class Difference:
    """One declared column missing from an existing table (or a retired table still present: ``column`` is
    empty, ``fix`` is "drop"), and whether ``upgrade`` can mend it."""

    table: str
    column: str
    fix: Fix

    def describe(self) -> str:
        """One line for a person: which table lacks which column (or is retired), and what to do."""
        if self.fix == "drop":
            return (f"table {self.table} is no longer used ({RETIRED_TABLES[self.table]}): "
                    "`welfare db upgrade` drops it")
        action = ("`welfare db upgrade` adds it" if self.fix == "add"
                  else "it may not be empty: run again the stage that builds this table")
        return f"table {self.table} lacks column {self.column}: {action}"


def declared_tables() -> list[sa.Table]:
    """Every table this version declares, from each module that owns tables, in a stable order."""
    from welfare_district.access.session_store import session_tables
    from welfare_district.access.users import access_tables
    from welfare_district.audit.log import audit_tables
    from welfare_district.directory.model import directory_tables
    from welfare_district.directory.profile import profile_table
    from welfare_district.geo.geocode import geocode_table
    from welfare_district.impact.model import impact_tables
    from welfare_district.indicators.store import indicator_value_table
    from welfare_district.link.staging import link_tables
    from welfare_district.model.areas import area_tables
    from welfare_district.model.records import record_tables
    from welfare_district.model.warehouse import warehouse_tables
    from welfare_district.pipeline import stage_run_table
    from welfare_district.regional_link import register_code_table

    metadatas: list[sa.MetaData] = [
        area_tables().metadata, record_tables().metadata, link_tables().metadata, warehouse_tables().metadata,
        directory_tables().metadata, impact_tables().metadata, access_tables().metadata,
        session_tables().metadata, audit_tables().metadata]
    tables = [t for md in metadatas for t in md.sorted_tables]
    tables += [geocode_table(), indicator_value_table(), profile_table(), stage_run_table(), register_code_table()]
    return sorted({t.name: t for t in tables}.values(), key=lambda t: t.name)


def differences(db: Database) -> list[Difference]:
    """Declared columns missing from the tables the database already has, then the retired tables it still
    has (empty: nothing to do)."""
    # information_schema reads the same on DuckDB and PostgreSQL (SQLAlchemy's inspector does not)
    query = sa.text("SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema()")
    with db.engine.connect() as conn:
        present: dict[str, set[str]] = {}
        for table_name, column_name in conn.execute(query):
            present.setdefault(str(table_name), set()).add(str(column_name))
    found: list[Difference] = []
    for table in declared_tables():
        if table.name not in present:
            continue
        for column in table.columns:
            if column.name not in present[table.name]:
                found.append(Difference(table.name, column.name, _fix(column)))
    found += [Difference(name, "", "drop") for name in RETIRED_TABLES if name in present]
    return found


def _fix(column: sa.Column[object]) -> Fix:
    return "add" if column.nullable and not column.primary_key else "rebuild"


def upgrade(db: Database) -> list[Difference]:
    """Add every missing column that can be added in place and drop the retired tables, in one transaction;
    the differences mended.

    Guarantees: when any missing column needs a rebuild, ConfigError lists them all and nothing changes;
    running it again on an upgraded database changes nothing.
    """
    missing = differences(db)
    blocked = [d for d in missing if d.fix == "rebuild"]
    if blocked:
        raise ConfigError("the database cannot be upgraded in place; nothing was changed:\n"
                          + "\n".join(d.describe() for d in blocked))
    declared = {t.name: t for t in declared_tables()}
    preparer = db.engine.dialect.identifier_preparer
    with db.engine.begin() as conn:
        for d in missing:
            if d.fix == "drop":
                conn.execute(sa.text(f"DROP TABLE {preparer.quote(d.table)}"))
                continue
            column = declared[d.table].columns[d.column]
            kind = column.type.compile(dialect=db.engine.dialect)
            conn.execute(sa.text(f"ALTER TABLE {preparer.quote(d.table)} ADD COLUMN {preparer.quote(d.column)} "
                                 f"{kind}"))
    return missing
