"""Warehouse person ids are 64-bit: the register keeps them exact (a float would round their last digits)
and the reached people are placed by them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa

from tests.impact.helpers import beneficiary, build_city, register
from welfare_district.engine import Database
from welfare_district.impact.model import impact_tables
from welfare_district.impact.monitoring import placed_beneficiaries, read_register
from welfare_district.model.warehouse import warehouse_tables

BIG_ID = 2**62 + 12345  # not a float: float(BIG_ID) != BIG_ID


def test_large_person_ids_are_kept_and_placed(db: Database, tmp_path: Path) -> None:
    build_city(db)
    assert all(r.status == "loaded" for r in register(tmp_path, db, [beneficiary("P1", 1)]))
    assert float(BIG_ID) != BIG_ID
    with db.engine.begin() as conn:
        conn.execute(sa.insert(warehouse_tables().person), [{
            "snapshot_year": 2021, "person_id": BIG_ID, "family_id": BIG_ID - 1, "relation": "head",
            "dwelling_id": None, "sex": "M", "birth_date": date(1980, 1, 1), "age": 41, "citizenship": "IT",
            "education": None, "labour_status": "unemployed", "disability_allowance": False,
            "care_allowance": False, "section_id": "Q1Z02S1", "zone_id": "Q1Z02", "quartiere_id": "Q1"}])
        # one linked row with the large id, one unlinked row (a null id in the same column)
        conn.execute(sa.insert(impact_tables().beneficiary), [
            {"file_name": "beneficiari_x.csv", "row_number": 2, "project_id": "P1", "person_ref": f"P{BIG_ID}",
             "person_id": BIG_ID, "link_method": "codice_fiscale", "age": 42, "reached_on": date(2022, 5, 1)},
            {"file_name": "beneficiari_x.csv", "row_number": 3, "project_id": "P1", "person_ref": "u-someone",
             "person_id": None, "link_method": "unlinked", "age": 30, "reached_on": date(2022, 5, 2)}])
    reg = read_register(db)
    assert BIG_ID in {int(i) for i in reg.beneficiaries["person_id"].dropna()}
    placed = placed_beneficiaries(db, reg)
    row = placed[placed["person_ref"] == f"P{BIG_ID}"]
    assert len(row) == 1 and int(row["person_id"].iloc[0]) == BIG_ID
    assert row["zone_id"].iloc[0] == "Q1Z02" and int(row["family_id"].iloc[0]) == BIG_ID - 1
