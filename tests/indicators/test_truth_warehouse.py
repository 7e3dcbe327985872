"""The warehouse built from a synthetic city's truth, and indicators on it checked against pandas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from welfare_district.engine import Database
from welfare_district.errors import InputError
from welfare_district.geo.folder import read_area_folder
from welfare_district.geo.store import save_areas
from welfare_district.indicators.compute import compute_values
from welfare_district.indicators.library import default_library
from welfare_district.indicators.store import compare_values
from welfare_district.synth.truth_warehouse import build_truth_warehouse


def _truth(city: Path, name: str) -> pd.DataFrame:
    return pq.read_table(city / "truth" / f"{name}.parquet").to_pandas()


def _count(db: Database, table: str) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_tables_follow_the_truth(db: Database, small_city: Path) -> None:
    counts = build_truth_warehouse(small_city, db)
    py, fy = _truth(small_city, "person_year"), _truth(small_city, "family_year")
    assert counts["wh_person"] == len(py) and counts["wh_family"] == len(fy)
    assert counts["wh_snapshot"] == 2
    assert counts["wh_dwelling"] == py.groupby(["year", "dwelling_id"]).ngroups
    assert counts["wh_isee"] == _truth(small_city, "isee").groupby(["year", "family_id"]).ngroups
    person = db.ibis.table("wh_person").to_pyarrow().to_pandas()
    ages = person["snapshot_year"] - pd.to_datetime(person["birth_date"]).dt.year
    assert (person["age"] == ages).all()
    assert person["section_id"].notna().all()
    assert (person["section_id"].str[:5] == person["zone_id"]).all()
    # Building again replaces the snapshot rather than adding to it.
    build_truth_warehouse(small_city, db)
    assert _count(db, "wh_person") == len(py)


def test_a_failed_build_changes_nothing(db: Database, small_city: Path, tmp_path: Path) -> None:
    build_truth_warehouse(small_city, db, years=[2025])
    with pytest.raises(InputError, match="2031"):
        build_truth_warehouse(small_city, db, years=[2031])
    with pytest.raises(InputError, match="truth table missing"):
        build_truth_warehouse(tmp_path, db)
    assert _count(db, "wh_snapshot") == 1


def test_indicators_match_an_independent_count(db: Database, small_city: Path) -> None:
    build_truth_warehouse(small_city, db)
    areaset, civici = read_area_folder(small_city / "areas")
    save_areas(db, areaset, civici)
    lib = default_library()
    values = compute_values(db, list(lib.values()), [2024, 2025])
    fy, py = _truth(small_city, "family_year"), _truth(small_city, "person_year")
    dw = _truth(small_city, "dwellings")
    births = _truth(small_city, "persons").set_index("person_id")["birth_date"]
    py["age"] = py["year"] - pd.to_datetime(py["person_id"].map(births)).dt.year
    fam = fy[fy["year"] == 2025].merge(dw[["dwelling_id", "zone_id"]], on="dwelling_id")
    ages = py[py["year"] == 2025].groupby("family_id")["age"].agg(["min", "max", "count"])
    fam = fam.join(ages, on="family_id")
    care = (fam["count"] >= 2) & (fam["min"] >= 65) & (fam["max"] >= 80)
    expected = pd.DataFrame({
        "ivsm_large_families": (fam["size"] >= 6).groupby(fam["zone_id"]).mean() * 100,
        "ivsm_care_hardship": care.groupby(fam["zone_id"]).mean() * 100,
        "one_person_families": (fam["size"] == 1).groupby(fam["zone_id"]).mean() * 100,
    })
    got = values[(values["level"] == "zone") & (values["year"] == 2025)]
    rows = []
    for ind_id in expected.columns:
        for zone, value in expected[ind_id].items():
            rows.append({"indicator_id": ind_id, "level": "zone", "area_id": zone, "year": 2025, "value": value})
    diff = compare_values(pd.DataFrame(rows), got[got["indicator_id"].isin(expected.columns)])
    assert diff["missing"].isna().all()
    assert diff["abs_diff"].max() < 1e-9
    # Every level is complete: one row per area, indicator and year.
    areas = areaset.areas
    assert len(values) == len(areas) * len(lib) * 2
    city = values[(values["level"] == "city") & (values["year"] == 2025)].set_index("indicator_id")
    assert city["denominator"].to_dict()["ivsm_large_families"] == len(fy[fy["year"] == 2025])


def test_compare_values_reports_differences_and_gaps() -> None:
    key = {"level": "city", "area_id": "028060", "year": 2025}
    truth = pd.DataFrame([{"indicator_id": "a", **key, "value": 2.0}, {"indicator_id": "b", **key, "value": 0.0}])
    other = pd.DataFrame([{"indicator_id": "a", **key, "value": 2.5}, {"indicator_id": "c", **key, "value": 1.0}])
    diff = compare_values(truth, other).set_index("indicator_id")
    assert diff["diff"].to_dict()["a"] == 0.5 and diff["rel_diff"].to_dict()["a"] == 0.25
    assert diff["missing"].to_dict() == {"a": None, "b": "other", "c": "truth"}
