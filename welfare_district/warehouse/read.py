"""Reads of the warehouse for display: counts that pages show without running the indicator engine."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from welfare_district.engine import Database

# area level -> the denormalised id column of the warehouse tables
LEVEL_COLUMNS = {"section": "section_id", "zone": "zone_id", "quartiere": "quartiere_id"}


@dataclass(frozen=True)
class RegisterCount:
    """Residents per area in the latest snapshot, and those whose address is not placed in any area."""

    year: int
    counts: dict[str, int]
    unplaced: int


def residents_by_area(db: Database, level: str) -> RegisterCount | None:
    """Residents of the latest warehouse snapshot per area of ``level``; None when there is no snapshot yet.

    Guarantees: the counts plus ``unplaced`` add up to the snapshot's residents.
    """
    column = LEVEL_COLUMNS.get(level)
    # SQLAlchemy's inspector, not Ibis's list_tables, which fails with DuckDB 2 in the installed Ibis
    if column is None or not sa.inspect(db.engine).has_table("wh_person"):
        return None
    person = db.ibis.table("wh_person")
    year = person.snapshot_year.max().execute()
    if year is None or year != year:  # empty table (None, or NaN from some drivers)
        return None
    latest = person.filter(person.snapshot_year == int(year))
    grouped = latest.group_by(latest[column].name("area_id")).aggregate(n=latest.count()).execute()
    counts = {str(a): int(n) for a, n in zip(grouped["area_id"], grouped["n"], strict=True) if a is not None
              and a == a}
    total = int(grouped["n"].sum())
    return RegisterCount(year=int(year), counts=counts, unplaced=total - sum(counts.values()))
