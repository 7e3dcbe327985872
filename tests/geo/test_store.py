"""Saving and reading the hierarchy and the register, on DuckDB and PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely
import sqlalchemy as sa

from welfare_district.engine import Database
from welfare_district.errors import InputError, NotFoundError
from welfare_district.geo.areaset import AreaSet
from welfare_district.geo.crs import geometry_from_geojson
from welfare_district.geo.store import (
    count_by_level,
    ensure_tables,
    read_areas,
    read_areas_geojson,
    read_areaset,
    read_civici,
    save_areas,
)


def test_round_trip_keeps_every_area_and_civico(db: Database, areaset: AreaSet, civici: pd.DataFrame) -> None:
    save_areas(db, areaset, civici)
    stored = read_areaset(db)
    a = areaset.areas.sort_values("area_id").reset_index(drop=True)
    b = stored.areas.sort_values("area_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
    assert shapely.equals_exact(a["geometry"].to_numpy(), b["geometry"].to_numpy(), tolerance=0).all()
    assert set(stored.versions) == set(areaset.versions)
    pd.testing.assert_frame_equal(read_civici(db), civici)


def test_read_areas_returns_records_of_one_level(db: Database, areaset: AreaSet,
                                                 civici: pd.DataFrame) -> None:
    save_areas(db, areaset, civici)
    zones = read_areas(db, "zone")
    assert [z.area_id for z in zones] == sorted(areaset.level("zone")["area_id"])
    first = zones[0]
    assert first.level == "zone" and first.synthetic and first.parent_id == "Q1"
    assert first.geometry["type"] == "Polygon"
    expected = areaset.get(first.area_id)["geometry"]
    assert geometry_from_geojson(first.geometry).equals(expected)
    city = read_areas(db, "city")
    assert len(city) == 1 and city[0].parent_id is None and city[0].target_residents == 206_496
    with pytest.raises(InputError, match="unknown area level 'ward'"):
        read_areas(db, "ward")


def test_geojson_for_maps_can_be_simplified(db: Database, areaset: AreaSet) -> None:
    save_areas(db, areaset)
    full = read_areas_geojson(db, "quartiere")
    simple = read_areas_geojson(db, "quartiere", simplify_tolerance=0.0005)
    assert [f["id"] for f in full["features"]] == ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6"]
    assert full["features"][0]["properties"]["name"] == "Centro"

    def vertices(fc: dict) -> int:
        return sum(len(shapely.get_coordinates(geometry_from_geojson(f["geometry"]))) for f in fc["features"])

    assert vertices(simple) < vertices(full) / 2
    assert all(geometry_from_geojson(f["geometry"]).is_valid for f in simple["features"])


def test_save_replaces_everything_and_keeps_version_history(db: Database, areaset: AreaSet,
                                                            civici: pd.DataFrame) -> None:
    save_areas(db, areaset, civici)
    top = areaset.areas[areaset.areas["level"].isin(["city", "quartiere"])].reset_index(drop=True)
    smaller = AreaSet(top, areaset.versions)
    save_areas(db, smaller)
    assert read_areas(db, "zone") == []
    assert read_civici(db).empty
    counts = count_by_level(db)
    assert counts["level"].tolist() == ["city", "quartiere"]
    with db.engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT version, level FROM boundary_version")).fetchall()
    assert len(versions) == 4  # the synthetic zone/section versions stay as history


def test_invalid_input_changes_nothing(db: Database, areaset: AreaSet, civici: pd.DataFrame) -> None:
    save_areas(db, areaset, civici)
    broken = civici.copy()
    broken.loc[5, "section_id"] = "Q9Z01S001"
    with pytest.raises(InputError, match="section_id not in the areas"):
        save_areas(db, areaset, broken)
    orphan = areaset.areas.copy()
    orphan.loc[orphan["area_id"] == "Q1Z01", "parent_id"] = "Q7"
    with pytest.raises(InputError, match="Q1Z01 \\(zone\\) has parent 'Q7'"):
        save_areas(db, AreaSet(orphan, areaset.versions))
    assert len(read_civici(db)) == len(civici)
    assert len(read_areas(db, "section")) == len(areaset.level("section"))


def test_empty_database_reads_cleanly(db: Database) -> None:
    ensure_tables(db)
    ensure_tables(db)  # idempotent
    assert read_areas(db, "section") == []
    assert read_civici(db).empty
    with pytest.raises(NotFoundError, match="welfare areas build"):
        read_areaset(db)
