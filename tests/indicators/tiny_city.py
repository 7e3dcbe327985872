"""A six-family city small enough to count every indicator by hand (expected values in the tests).

Areas: city 028060 > Q1 > Q1Z01 > sections S001, S002; Q2 > Q2Z01 > S001 (families) and S002 (empty).
Family 6 has no address placement: it counts at city level only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import sqlalchemy as sa

from welfare_district.engine import Database, bulk_insert
from welfare_district.model.areas import area_tables
from welfare_district.model.warehouse import ensure_warehouse_tables
from welfare_district.synth.truth_warehouse import warehouse_arrow

AREAS = [("028060", "city", None, "istat-2023"), ("Q1", "quartiere", "028060", "asc-2011"),
         ("Q2", "quartiere", "028060", "asc-2011"), ("Q1Z01", "zone", "Q1", "syn-1"), ("Q2Z01", "zone", "Q2", "syn-1"),
         ("Q1Z01S001", "section", "Q1Z01", "syn-1"), ("Q1Z01S002", "section", "Q1Z01", "syn-1"),
         ("Q2Z01S001", "section", "Q2Z01", "syn-1"), ("Q2Z01S002", "section", "Q2Z01", "syn-1")]

# family: (section, dwelling surface, members as (age, relation, labour, education))
Member = tuple[int, str, str | None, str | None]
FAMILIES: dict[int, tuple[str | None, int | None, list[Member]]] = {
    1: ("Q1Z01S001", 35, [(40, "head", "unemployed", "none_illiterate"), (10, "child", None, "primary"),
                         (8, "child", None, "primary")]),
    2: ("Q1Z01S001", 50, [(82, "head", "retired", "primary"), (78, "spouse", "retired", "primary")]),
    3: ("Q1Z01S002", 30, [(85, "head", "retired", "primary")]),
    4: ("Q1Z01S002", 45, [(45, "head", "employed", "upper_secondary"), (44, "spouse", "other_inactive",
                                                                         "none_literate"),
                          (20, "child", "student", "upper_secondary"), (18, "child", "other_inactive",
                                                                        "lower_secondary"),
                          (16, "child", "student", "lower_secondary"), (12, "child", None, "primary"),
                          (3, "child", None, None)]),
    5: ("Q2Z01S001", None, [(30, "head", "employed", "tertiary"), (28, "partner", "unemployed",
                                                                   "upper_secondary")]),
    6: (None, 60, [(50, "head", "other_inactive", "none_literate")]),
}


def _area_ids(section: str | None) -> dict[str, str | None]:
    return {"section_id": section, "zone_id": section[:5] if section else None,
            "quartiere_id": section[:2] if section else None}


def save_tiny_areas(db: Database) -> None:
    """Store the nine areas (dummy geometries: the indicator engine reads ids and parents only)."""
    t = area_tables()
    t.metadata.create_all(db.engine, checkfirst=True)
    rows = [{"area_id": a, "level": lv, "code": a, "name": a, "parent_id": p, "boundary_version": bv,
             "synthetic": True, "target_residents": 0, "geometry_geojson": "{}", "bbox_minx": 0.0,
             "bbox_miny": 0.0, "bbox_maxx": 0.0, "bbox_maxy": 0.0} for a, lv, p, bv in AREAS]
    with db.engine.begin() as conn:
        conn.execute(sa.delete(t.area))
        conn.execute(sa.insert(t.area), rows)


def tiny_tables(year: int) -> dict[str, pd.DataFrame]:
    """The warehouse rows of the tiny city for one snapshot year."""
    persons, families, dwellings = [], [], []
    pid = 0
    for fid, (section, surface, members) in FAMILIES.items():
        area = _area_ids(section)
        head = pid + 1
        for age, relation, labour, education in members:
            pid += 1
            persons.append({"snapshot_year": year, "person_id": pid, "family_id": fid, "relation": relation,
                            "dwelling_id": fid, "sex": "F", "birth_date": date(year - age, 6, 1), "age": age,
                            "citizenship": "IT" if fid != 5 else "RO", "education": education,
                            "labour_status": labour, "disability_allowance": age == 85,
                            "care_allowance": age >= 80, **area})
        families.append({"snapshot_year": year, "family_id": fid, "head_person_id": head, "size": len(members),
                         "dwelling_id": fid, "tenure": "rented", **area})
        dwellings.append({"snapshot_year": year, "dwelling_id": fid, "surface_m2": surface,
                          "occupants": len(members), **area})
    isee = [{"snapshot_year": year, "family_id": 1, "declarations": 2, "isee_eur": 8000.0, **_area_ids("Q1Z01S001")},
            {"snapshot_year": year, "family_id": 4, "declarations": 1, "isee_eur": 30000.0,
             **_area_ids("Q1Z01S002")}]
    case = [{"snapshot_year": year, "case_id": 1, "person_id": 7, "family_id": 3, "need": "elderly_care",
             "opened": date(year - 1, 5, 1), "closed": None, **_area_ids("Q1Z01S002")},
            {"snapshot_year": year, "case_id": 2, "person_id": 1, "family_id": 1, "need": "economic",
             "opened": date(year - 1, 5, 1), "closed": date(year, 6, 30), **_area_ids("Q1Z01S001")}]
    snapshot = [{"snapshot_year": year, "reference_date": date(year, 12, 31), "boundary_version": "syn-1",
                 "origin": "test", "built_at": datetime(year + 1, 1, 2, tzinfo=UTC)}]
    return {"snapshot": pd.DataFrame(snapshot), "person": pd.DataFrame(persons), "family": pd.DataFrame(families),
            "dwelling": pd.DataFrame(dwellings), "isee": pd.DataFrame(isee), "case": pd.DataFrame(case)}


def save_tiny_warehouse(db: Database, years: list[int], skip: tuple[str, ...] = ()) -> None:
    """Write the tiny city's snapshots for ``years`` (tables named in ``skip`` are not created)."""
    ensure_warehouse_tables(db.engine)
    with db.engine.begin() as conn:
        for name in skip:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS wh_{name}"))
        for year in years:
            for name, frame in tiny_tables(year).items():
                if name not in skip:
                    bulk_insert(conn, db.dialect, f"wh_{name}", warehouse_arrow(frame, name))
