"""The shipped reference data loads with the figures stated in SOURCES.md."""

from __future__ import annotations

import pytest
import shapely

from welfare_district.errors import NotFoundError
from welfare_district.geo.crs import to_work
from welfare_district.geo.reference import (
    load_comune_boundary,
    load_comuni,
    load_population,
    load_quartieri,
    load_streets,
)


def test_six_quartieri_with_census_2011_counts() -> None:
    quartieri = load_quartieri()
    assert [q.code for q in quartieri] == [1, 2, 3, 4, 5, 6]
    assert [q.name for q in quartieri] == ["Centro", "Nord", "Est", "Sud-Est", "Sud-Ovest", "Ovest"]
    assert sum(q.popres for q in quartieri) == 206_192
    assert quartieri[0].famiglie == 12_972 and quartieri[3].popres == 46_203
    assert all(q.maschi < q.popres for q in quartieri)


def test_quartieri_are_valid_lonlat_polygons_that_tile_padova() -> None:
    quartieri = load_quartieri()
    for q in quartieri:
        assert q.geometry.geom_type == "Polygon" and q.geometry.is_valid
        minx, miny, maxx, maxy = q.geometry.bounds
        assert 11.7 < minx < maxx < 12.0 and 45.3 < miny < maxy < 45.5  # lon/lat, not metres
    work = [to_work(q.geometry) for q in quartieri]
    assert sum(g.area for g in work) / 1e6 == pytest.approx(93.03, abs=0.05)
    union = shapely.union_all(work)
    assert union.area == pytest.approx(sum(g.area for g in work), rel=1e-4)  # no overlaps


def test_comune_boundary_is_the_2023_limit() -> None:
    boundary = to_work(load_comune_boundary())
    assert boundary.is_valid
    assert boundary.area / 1e6 == pytest.approx(94.10, abs=0.05)


def test_population_by_age_and_sex() -> None:
    pop23 = load_population(2023)
    assert list(pop23.columns) == ["age", "F", "M", "tot"]
    assert pop23["age"].tolist() == list(range(101))
    assert int(pop23["tot"].sum()) == 206_496
    assert (pop23["F"] + pop23["M"] == pop23["tot"]).all()
    assert int(load_population(2022)["tot"].sum()) == 206_651
    pop23.loc[0, "tot"] = -1  # callers get a copy
    assert int(load_population(2023)["tot"].sum()) == 206_496


def test_unknown_population_year_is_a_clear_error() -> None:
    with pytest.raises(NotFoundError, match="No population table for year 2019: shipped years are 2022, 20"):
        load_population(2019)


def test_street_register() -> None:
    streets = load_streets()
    assert list(streets.columns) == ["street_code", "dug", "duf", "progressivo"]
    assert len(streets) == 2_181
    assert streets["progressivo"].is_unique
    codes = streets["street_code"].dropna()
    assert len(codes) == 2_179 and (codes.str.len() == 5).all() and codes.str.isdigit().all()
    assert streets.loc[streets["duf"] == "ETTORE BOLISANI", "street_code"].item() == "09176"  # zero-padded
    assert (streets["dug"] == "VIA").sum() == 1_858


def test_comuni_list_has_padova() -> None:
    comuni = load_comuni()
    assert len(comuni) == 7_896
    padova = comuni[comuni["CODISTAT"] == "028060"]
    assert padova["CODCATASTALE"].item() == "G224"
    assert padova["DENOMINAZIONE_IT"].item() == "PADOVA"
