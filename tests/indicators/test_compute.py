"""Indicators computed on the tiny city, on DuckDB and PostgreSQL, against values counted by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from tests.indicators.tiny_city import save_tiny_areas, save_tiny_warehouse
from welfare_district.engine import Database
from welfare_district.errors import InputError, NotFoundError
from welfare_district.indicators.compute import compute_values
from welfare_district.indicators.intervals import wilson
from welfare_district.indicators.library import Indicator, default_library
from welfare_district.indicators.store import compute_and_store, read_values, stale_years

# City, 2024: 16 residents, 6 families (see tiny_city.py); numerator / denominator counted by hand.
CITY_EXPECTED = {
    "ivsm_low_education": (3, 6), "ivsm_low_education_6plus": (3, 15), "ivsm_large_families": (1, 6),
    "ivsm_single_parent": (1, 6), "ivsm_single_parent_young": (0, 6), "ivsm_single_parent_adult": (1, 6),
    "ivsm_care_hardship": (1, 6), "ivsm_overcrowding": (7, 14), "ivsm_young_outside": (1, 4),
    "ivsm_economic_hardship": (1, 6), "old_age_index": (3, 4), "structural_dependency": (7, 9),
    "youth_dependency": (4, 9), "elderly_dependency": (3, 9), "share_75plus": (3, 16), "share_85plus": (1, 16),
    "foreign_citizens": (2, 16), "average_family_size": (16, 6), "one_person_families": (2, 6),
    "elderly_alone_65plus": (1, 3), "elderly_alone_80plus": (1, 2), "minors_single_parent": (2, 5),
    "isee_below_9360": (1, 6), "isee_below_25000": (1, 6), "isee_below_40000": (2, 6),
    "isee_declarations": (3, 6), "disability_allowance": (1, 16), "care_allowance": (2, 16), "open_cases": (1, 16),
}


@pytest.fixture
def tiny(db: Database) -> Database:
    save_tiny_areas(db)
    save_tiny_warehouse(db, [2024])
    return db


def _lib() -> list[Indicator]:
    return list(default_library().values())


def test_every_indicator_matches_the_hand_count_at_city_level(tiny: Database) -> None:
    values = compute_values(tiny, _lib(), [2024], ["city"]).set_index("indicator_id")
    lib = default_library()
    assert set(CITY_EXPECTED) == set(lib)
    for ind_id, (num, den) in CITY_EXPECTED.items():
        row = values.loc[ind_id]
        assert (row["numerator"], row["denominator"]) == (num, den), ind_id
        assert row["value"] == pytest.approx(num / den * lib[ind_id].multiplier), ind_id
        assert row["area_id"] == "028060" and row["year"] == 2024


def test_every_level_and_area_is_reported_and_unplaced_rows_count_only_in_the_city(tiny: Database) -> None:
    values = compute_values(tiny, _lib(), [2024])
    large = values[values["indicator_id"] == "ivsm_large_families"].set_index("area_id")
    assert set(large["level"]) == {"city", "quartiere", "zone", "section"}
    assert len(large) == 9
    num, den, value = (large[c].to_dict() for c in ("numerator", "denominator", "value"))
    assert (num["Q1"], den["Q1"]) == (1, 4)
    assert (num["Q2Z01"], den["Q2Z01"]) == (0, 1)
    assert value["Q1Z01S002"] == pytest.approx(50.0)
    # The family without placement is in the city (6) but in no quartiere (4 + 1).
    assert den["028060"] == 6 and den["Q1"] + den["Q2"] == 5


def test_zero_denominator_gives_null_with_a_reason(tiny: Database) -> None:
    values = compute_values(tiny, _lib(), [2024], ["section"])
    empty = values[values["area_id"] == "Q2Z01S002"]
    assert len(empty) == len(CITY_EXPECTED)
    assert empty["value"].isna().all() and empty["ci_low"].isna().all()
    assert (empty["null_reason"] == "zero denominator").all()
    assert empty["unstable"].all()
    assert np.isfinite(values["value"].dropna()).all()


def test_each_kind_of_indicator_gets_its_own_interval(tiny: Database) -> None:
    values = compute_values(tiny, _lib(), [2024], ["city"]).set_index("indicator_id")
    large = values.loc["ivsm_large_families"]
    # Wilson 95% for 1 of 6: (0.0301, 0.5635), a textbook value.
    assert large["ci_low"] == pytest.approx(3.01, abs=0.01)
    assert large["ci_high"] == pytest.approx(56.35, abs=0.01)
    assert bool(large["unstable"])  # six families are below the minimum denominator
    # old-age index 3 over 4: Wilson for 3 of 7 is (0.1582, 0.7496), mapped through p / (1 - p), x 100
    old = values.loc["old_age_index"]
    assert old["ci_low"] == pytest.approx(18.80, abs=0.01)
    assert old["ci_high"] == pytest.approx(299.3, abs=0.1)
    # one open case among 16 residents: Poisson score interval for 1 is (0.1765, 5.6649), / 16 x 1,000
    cases = values.loc["open_cases"]
    assert cases["ci_low"] == pytest.approx(11.03, abs=0.01)
    assert cases["ci_high"] == pytest.approx(354.06, abs=0.01)
    assert bool(cases["unstable"])
    # members per family has no sampling model: no interval
    assert np.isnan(values["ci_low"].to_dict()["average_family_size"])
    low, high = wilson(np.array([0.0]), np.array([1000.0]))
    assert low[0] == pytest.approx(0.0, abs=1e-12) and 0 < high[0] < 0.004


def test_provenance_columns(tiny: Database) -> None:
    values = compute_values(tiny, _lib(), [2024], ["city", "section"])
    lib = default_library()
    row = values[(values["indicator_id"] == "ivsm_care_hardship") & (values["level"] == "section")].iloc[0]
    assert row["definition_version"] == lib["ivsm_care_hardship"].version
    assert row["boundary_version"] == "syn-1"
    assert pd.Timestamp(row["snapshot_built_at"]).year == 2025
    assert values["computed_at"].notna().all()


def test_unknown_year_or_level_is_refused(tiny: Database) -> None:
    with pytest.raises(NotFoundError, match="2030"):
        compute_values(tiny, _lib(), [2030])
    with pytest.raises(InputError, match="district"):
        compute_values(tiny, _lib(), [2024], ["district"])


def test_missing_snapshot_table_is_reported(db: Database) -> None:
    save_tiny_areas(db)
    save_tiny_warehouse(db, [2024], skip=("dwelling",))
    with pytest.raises(NotFoundError, match="wh_dwelling"):
        compute_values(db, _lib(), [2024])
    isee_only = [default_library()["isee_below_9360"]]
    assert len(compute_values(db, isee_only, [2024], ["city"])) == 1


def test_store_replaces_per_year_and_a_new_year_is_the_only_one_recomputed(tiny: Database) -> None:
    lib = _lib()
    first = compute_and_store(tiny, lib)
    assert first.years == [2024] and first.rows == 9 * len(lib)
    assert stale_years(tiny, lib) == []
    again = compute_and_store(tiny, lib, years=[2024])
    assert again.rows == first.rows
    assert len(read_values(tiny)) == first.rows  # replaced, not appended
    save_tiny_warehouse(tiny, [2025])
    assert stale_years(tiny, lib) == [2025]
    before = read_values(tiny, years=[2024])
    added = compute_and_store(tiny, lib)
    assert added.years == [2025]
    after = read_values(tiny, years=[2024])
    assert (before["computed_at"] == after["computed_at"]).all()
    assert len(read_values(tiny, years=[2025], level="zone")) == 2 * len(lib)


def test_a_failed_store_changes_nothing(tiny: Database) -> None:
    lib = _lib()
    compute_and_store(tiny, lib)
    stored = read_values(tiny)
    with pytest.raises(NotFoundError):
        compute_and_store(tiny, lib, years=[2024, 2031])
    with pytest.raises(InputError):
        compute_and_store(tiny, lib, years=[2024], levels=["nowhere"])
    assert read_values(tiny).equals(stored)
    with tiny.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM indicator_value")).scalar() == len(stored)


def test_a_level_without_a_warehouse_column_is_reached_through_the_area_parents(tiny: Database) -> None:
    # A "district" between quartiere Q1 and zone Q1Z01: no wh_* column names it, the area table does.
    with tiny.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO area (area_id, level, code, name, parent_id, boundary_version, synthetic, "
                             "target_residents, geometry_geojson, bbox_minx, bbox_miny, bbox_maxx, bbox_maxy) "
                             "VALUES ('D1', 'district', 'D1', 'D1', 'Q1', 'd-1', true, 0, '{}', 0, 0, 0, 0)"))
        conn.execute(sa.text("UPDATE area SET parent_id = 'D1' WHERE area_id = 'Q1Z01'"))
    values = compute_values(tiny, [default_library()["ivsm_large_families"]], [2024], ["district"])
    assert values[["area_id", "numerator", "denominator", "boundary_version"]].values.tolist() == [
        ["D1", 1.0, 4.0, "d-1"]]


def test_several_cities_each_count_the_areas_inside_them(tiny: Database) -> None:
    # A region of comuni: quartiere Q2 moves under a second city; each city then equals its own quartieri,
    # and the unplaced family (counted in the single-city case) cannot be given to either.
    with tiny.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO area (area_id, level, code, name, parent_id, boundary_version, synthetic, "
                             "target_residents, geometry_geojson, bbox_minx, bbox_miny, bbox_maxx, bbox_maxy) "
                             "VALUES ('999999', 'city', '999999', 'Other', NULL, 'c-1', true, 0, '{}', 0, 0, 0, 0)"))
        conn.execute(sa.text("UPDATE area SET parent_id = '999999' WHERE area_id = 'Q2'"))
    values = compute_values(tiny, _lib(), [2024], ["city", "quartiere"])
    keyed = values.set_index(["indicator_id", "area_id"])[["numerator", "denominator"]]
    for ind_id in default_library():
        assert keyed.loc[(ind_id, "028060")].tolist() == keyed.loc[(ind_id, "Q1")].tolist(), ind_id
        assert keyed.loc[(ind_id, "999999")].tolist() == keyed.loc[(ind_id, "Q2")].tolist(), ind_id
    assert keyed.loc[("average_family_size", "028060")].sum() + keyed.loc[("average_family_size", "999999")].sum() \
        < sum(CITY_EXPECTED["average_family_size"])
