"""The synthetic house-number register: unique addresses, points inside sections, coverage, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from welfare_district.geo.areaset import AreaSet
from welfare_district.geo.civici import CIVICI_COLUMNS, build_synthetic_civici
from welfare_district.geo.reference import load_streets


def test_columns_and_types(civici: pd.DataFrame) -> None:
    assert list(civici.columns) == CIVICI_COLUMNS
    assert civici["civico_id"].dtype == np.int64 and civici["civico_id"].is_unique
    assert civici["number"].dtype == np.int64 and (civici["number"] > 0).all()
    assert civici["lon"].dtype == np.float64 and civici["lat"].dtype == np.float64
    assert set(civici["suffix"].dropna()) <= {"A", "B", "bis"}
    assert civici["suffix"].isna().mean() > 0.9


def test_addresses_are_unique(civici: pd.DataFrame) -> None:
    key = civici[["street_code", "number"]].assign(suffix=civici["suffix"].fillna(""))
    assert not key.duplicated().any()


def test_every_coded_street_is_used_with_its_real_name(civici: pd.DataFrame) -> None:
    streets = load_streets().dropna(subset=["street_code"])
    used = civici[["street_code", "street_type", "street_name"]].drop_duplicates()
    merged = used.merge(streets, left_on=["street_code", "street_type", "street_name"],
                        right_on=["street_code", "dug", "duf"], how="left", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert len(used) == len(streets)  # all 2,179 coded streets, including the two sharing code 75929


def test_each_point_lies_inside_its_section(areaset: AreaSet, civici: pd.DataFrame) -> None:
    geom = dict(zip(areaset.areas["area_id"], areaset.areas["geometry"], strict=True))
    for section_id, group in civici.groupby("section_id"):
        assert shapely.contains_xy(geom[section_id], group["lon"].to_numpy(), group["lat"].to_numpy()).all()


def test_sections_have_enough_civici(areaset: AreaSet, civici: pd.DataFrame) -> None:
    sections = areaset.level("section").set_index("area_id")
    per = civici.groupby("section_id").size().reindex(sections.index, fill_value=0)
    assert per.min() >= 3
    ratio = sections["target_residents"].sum() / per.sum()
    assert 6 <= ratio <= 10
    assert (sections["target_residents"] / per).max() <= 12


def test_zone_and_quartiere_follow_the_section(areaset: AreaSet, civici: pd.DataFrame) -> None:
    parent = dict(zip(areaset.areas["area_id"], areaset.areas["parent_id"], strict=True))
    assert (civici["section_id"].map(parent) == civici["zone_id"]).all()
    assert (civici["zone_id"].map(parent) == civici["quartiere_id"]).all()


def test_street_and_number_pinpoint_one_section(civici: pd.DataFrame) -> None:
    per_number = civici.groupby(["street_code", "number"])["section_id"].nunique()
    assert (per_number == 1).all()
    zones = civici.groupby("street_code")["zone_id"].nunique()
    assert zones.max() <= 3 and (zones == 1).mean() > 0.8  # most streets stay in one zone
    # numbers run along the street: odd and even sides both start low
    first = civici[civici["suffix"].isna()].groupby("street_code")["number"].min()
    assert (first <= 4).mean() > 0.95


def test_same_seed_same_register(areaset: AreaSet, civici: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(build_synthetic_civici(areaset, seed=0), civici)
