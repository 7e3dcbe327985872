"""The synthetic hierarchy: determinism, sizes, ids, nesting, tessellation and resident totals."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import shapely

from welfare_district.geo.areaset import AreaSet
from welfare_district.geo.crs import to_work
from welfare_district.geo.hierarchy import apportion, build_synthetic_hierarchy, split_residents

TOTAL_2023 = 206_496


@pytest.fixture(scope="module")
def work(areaset: AreaSet) -> dict[str, shapely.Geometry]:
    """Every area in EPSG:32632 (metres), keyed by area_id."""
    return {a: to_work(g) for a, g in zip(areaset.areas["area_id"], areaset.areas["geometry"], strict=True)}


def test_same_seed_gives_identical_output(areaset: AreaSet) -> None:
    again = build_synthetic_hierarchy(seed=0)
    pd.testing.assert_frame_equal(again.areas.drop(columns="geometry"),
                                  areaset.areas.drop(columns="geometry"))
    assert shapely.equals_exact(again.areas["geometry"].to_numpy(), areaset.areas["geometry"].to_numpy(),
                                tolerance=0).all()
    other = build_synthetic_hierarchy(seed=1)
    assert not other.level("section")["target_residents"].equals(areaset.level("section")["target_residents"])


def test_levels_counts_and_sizes(areaset: AreaSet) -> None:
    counts = areaset.areas["level"].value_counts()
    assert counts["city"] == 1 and counts["quartiere"] == 6
    assert 50 <= counts["zone"] <= 70
    assert 1_200 <= counts["section"] <= 1_450
    zones = areaset.level("zone")["target_residents"]
    assert zones.between(2_000, 5_000).all()
    sections = areaset.level("section")["target_residents"]
    assert sections.min() >= 20 and 130 <= sections.mean() <= 170


def test_ids_versions_and_flags(areaset: AreaSet) -> None:
    a = areaset.areas
    assert a["area_id"].is_unique
    assert a.loc[a["level"] == "city", "area_id"].tolist() == ["028060"]
    assert a.loc[a["level"] == "quartiere", "area_id"].tolist() == [f"Q{i}" for i in range(1, 7)]
    assert a.loc[a["level"] == "zone", "area_id"].str.fullmatch(r"Q[1-6]Z\d{2}").all()
    assert a.loc[a["level"] == "section", "area_id"].str.fullmatch(r"Q[1-6]Z\d{2}S\d{3}").all()
    lower = a[a["level"].isin(["zone", "section"])]
    assert all(str(i).startswith(str(p)) for i, p in zip(lower["area_id"], lower["parent_id"], strict=True))
    assert lower["synthetic"].all() and (lower["boundary_version"] == "synthetic-v1-seed0").all()
    assert set(a.loc[a["level"] == "quartiere", "boundary_version"]) == {"istat-asc-2011"}
    assert a.loc[a["level"] == "city", "boundary_version"].item() == "istat-2023"
    assert not a.loc[a["level"].isin(["city", "quartiere"]), "synthetic"].any()
    assert re.fullmatch(r"Centro - zona \d+", areaset.get("Q1Z03")["name"])
    assert set(areaset.versions) == set(a["boundary_version"])
    areaset.validate()


def test_residents_sum_to_parent(areaset: AreaSet) -> None:
    a = areaset.areas
    assert areaset.get("028060")["target_residents"] == TOTAL_2023
    for level in ("quartiere", "zone", "section"):
        assert a.loc[a["level"] == level, "target_residents"].sum() == TOTAL_2023
        kids = a[a["level"] == level].groupby("parent_id")["target_residents"].sum()
        parents = a.set_index("area_id").loc[kids.index, "target_residents"]
        assert (kids == parents).all(), level
    # quartieri follow the 2011 census distribution
    q = areaset.level("quartiere").set_index("code")["target_residents"]
    assert abs(q["4"] - 46_203 / 206_192 * TOTAL_2023) < 1


@pytest.mark.parametrize("parent_level", ["quartiere", "zone"])
def test_children_tessellate_their_parent(areaset: AreaSet, work: dict, parent_level: str) -> None:
    for parent in areaset.level(parent_level)["area_id"]:
        kids = [work[k] for k in areaset.children(parent)["area_id"]]
        assert kids, parent
        outer = work[parent]
        union = shapely.union_all(kids)
        assert union.symmetric_difference(outer).area < 0.001 * outer.area, parent
        for kid in kids:  # nesting: nothing of a child lies outside its parent (storage grid aside)
            assert kid.difference(outer).area < 0.002 * kid.area, parent
        tree = shapely.STRtree(kids)
        left, right = tree.query(kids, predicate="intersects")
        overlap = sum(kids[i].intersection(kids[j]).area for i, j in zip(left, right, strict=True) if i < j)
        assert overlap < 1.0, f"siblings under {parent} overlap by {overlap:.2f} m²"


def test_geometries_are_valid_lonlat_polygons(areaset: AreaSet) -> None:
    geoms = areaset.areas["geometry"].to_numpy()
    assert shapely.is_valid(geoms).all()
    assert (shapely.get_type_id(geoms) == 3).all()  # Polygon
    bounds = shapely.bounds(geoms)
    assert (bounds[:, 0] > 11.7).all() and (bounds[:, 3] < 45.5).all()


def test_quartieri_lie_within_the_2023_city_boundary(areaset: AreaSet, work: dict) -> None:
    # Different vintages (ASC 2011 vs limits 2023): they agree to about 1.2% of the area, not exactly.
    union = shapely.union_all([work[q] for q in areaset.level("quartiere")["area_id"]])
    assert union.difference(work["028060"]).area < 0.015 * union.area


def test_to_geojson(areaset: AreaSet) -> None:
    fc = areaset.to_geojson("zone")
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == len(areaset.level("zone"))
    props = fc["features"][0]["properties"]
    assert set(props) == {"area_id", "level", "code", "name", "parent_id", "synthetic", "boundary_version",
                          "target_residents"}
    assert isinstance(props["target_residents"], int) and props["synthetic"] is True
    city = areaset.to_geojson("city")["features"][0]["properties"]
    assert city["parent_id"] is None


def test_apportion_and_split_are_exact() -> None:
    assert apportion(10, [1, 1, 1]).tolist() == [4, 3, 3]
    assert apportion(7, [0, 0]).sum() == 7
    values = split_residents(3_000, 20, np.random.default_rng(5), 0.35, 40, 400)
    assert values.sum() == 3_000 and values.min() >= 40 and values.max() <= 400
