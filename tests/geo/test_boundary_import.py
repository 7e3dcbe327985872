"""Importing real zone/section layers: good files replace a level, bad files change nothing."""

from __future__ import annotations

import copy
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import shapely
import sqlalchemy as sa
from pyogrio.raw import write

from welfare_district.engine import Database
from welfare_district.geo.areaset import AreaSet
from welfare_district.geo.boundary_import import BoundaryImportError, import_boundaries
from welfare_district.geo.crs import geometry_to_geojson, reproject, to_work
from welfare_district.geo.store import read_areaset, read_civici, save_areas

EPSG_32632 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32632"}}


@pytest.fixture(scope="module")
def section_features(areaset: AreaSet) -> list[dict[str, Any]]:
    """The synthetic sections as GeoJSON features in EPSG:32632, coded like ISTAT ('SEZ' 1..n)."""
    sections = areaset.level("section")
    return [{"type": "Feature",
             "properties": {"SEZ": f"{i + 1:05d}", "ZONA": zone, "NOME": f"Sezione {i + 1}"},
             "geometry": geometry_to_geojson(to_work(geom))}
            for i, (zone, geom) in enumerate(zip(sections["parent_id"], sections["geometry"], strict=True))]


def _write_geojson(path: Path, features: list[dict[str, Any]],
                   crs: dict[str, Any] | None = EPSG_32632) -> Path:
    data: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        data["crs"] = crs
    path.write_text(json.dumps(data))
    return path


def _snapshot(db: Database) -> dict[str, pd.DataFrame]:
    keys = {"area": "area_id", "civico": "civico_id", "boundary_version": "version, level"}
    with db.engine.connect() as conn:
        return {t: pd.DataFrame(conn.execute(sa.text(f"SELECT * FROM {t} ORDER BY {k}")).fetchall())
                for t, k in keys.items()}


def _assert_unchanged(before: dict[str, pd.DataFrame], db: Database) -> None:
    after = _snapshot(db)
    for table, frame in before.items():
        pd.testing.assert_frame_equal(after[table], frame, obj=table)


@pytest.fixture
def stored(db: Database, areaset: AreaSet, civici: pd.DataFrame) -> Database:
    save_areas(db, areaset, civici)
    return db


def test_good_section_layer_replaces_sections(stored: Database, tmp_path: Path, areaset: AreaSet,
                                              civici: pd.DataFrame, section_features: list) -> None:
    path = _write_geojson(tmp_path / "sezioni_2021.geojson", section_features)
    result = import_boundaries(stored, path, "section", "SEZ", "ZONA", "NOME")
    assert result.areas == len(section_features) and result.civici == len(civici)
    assert result.boundary_version.startswith("sezioni_2021-") and len(result.boundary_version) == 25
    after = read_areaset(stored)
    sections = after.level("section")
    assert sections["area_id"].tolist()[:2] == ["00001", "00002"] and sections["name"].iloc[0] == "Sezione 1"
    assert not sections["synthetic"].any()
    assert set(sections["boundary_version"]) == {result.boundary_version}
    # same polygons as before: residents and civici land exactly where they were
    old_sections = areaset.level("section")
    code_of = dict(zip(old_sections["area_id"], sections["area_id"], strict=True))
    assert sections["target_residents"].tolist() == old_sections["target_residents"].tolist()
    new_civici = read_civici(stored)
    assert (new_civici["section_id"] == civici["section_id"].map(code_of)).all()
    assert (new_civici["zone_id"] == civici["zone_id"]).all()
    pd.testing.assert_frame_equal(after.level("zone").drop(columns="geometry"),
                                  areaset.level("zone").sort_values("area_id").reset_index(drop=True)
                                  .drop(columns="geometry"))


def test_good_zone_layer_as_zipped_shapefile_in_another_crs(stored: Database, tmp_path: Path,
                                                            areaset: AreaSet, civici: pd.DataFrame) -> None:
    zones = areaset.level("zone")
    geoms = [reproject(g, "EPSG:4326", "EPSG:3003") for g in zones["geometry"]]  # Monte Mario / Italy 1
    codes = np.arange(101, 101 + len(zones), dtype=np.int32)
    parents = np.array([int(p[1:]) for p in zones["parent_id"]], dtype=np.int32)  # ISTAT COD_ASC 1..6
    shp = tmp_path / "uu.shp"
    write(shp, shapely.to_wkb(np.asarray(geoms, dtype=object)), [codes, parents, zones["name"].to_numpy()],
          ["UU", "COD_ASC", "NOME"], driver="ESRI Shapefile", geometry_type="Polygon", crs="EPSG:3003")
    archive = tmp_path / "unita_urbane.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("uu.*"):
            zf.write(part, part.name)
    result = import_boundaries(stored, archive, "zone", "UU", "COD_ASC", "NOME")
    assert result.areas == len(zones) and result.reattached == len(areaset.level("section"))
    after = read_areaset(stored)
    new_zones = after.level("zone")
    assert new_zones["area_id"].tolist() == [str(c) for c in codes] and not new_zones["synthetic"].any()
    zone_of = dict(zip(zones["area_id"], [str(c) for c in codes], strict=True))
    sections = after.level("section")
    old_sections = areaset.level("section").set_index("area_id")
    assert (sections["parent_id"] == sections["area_id"].map(old_sections["parent_id"]).map(zone_of)).all()
    assert new_zones.set_index("area_id")["target_residents"].sum() == 206_496
    assert (read_civici(stored)["zone_id"] == civici["zone_id"].map(zone_of)).all()
    assert new_zones["parent_id"].tolist() == zones["parent_id"].tolist()


def _bow_tie(features: list) -> str:
    features[2]["geometry"] = {"type": "Polygon", "coordinates": [[[725000, 5030000], [725100, 5030100],
                                                                   [725100, 5030000], [725000, 5030100],
                                                                   [725000, 5030000]]]}
    return r"feature 3 \(code '00003'\): invalid polygon \(Self-intersection"


def _duplicate(features: list) -> str:
    features[4]["properties"]["SEZ"] = "00001"
    return r"feature 5 \(code '00001'\): duplicate code, already used by feature 1"


def _unknown_parent(features: list) -> str:
    features[6]["properties"]["ZONA"] = "Q9Z99"
    return r"feature 7 \(code '00007'\): parent code 'Q9Z99' matches no zone"


def _not_nested(features: list) -> str:
    features[0]["properties"]["ZONA"] = "Q6Z01"  # a Centro section declared in a zone of Ovest
    return r"feature 1 \(code '00001'\): 100\.0% of its area lies outside parent Q6Z01"


@pytest.mark.parametrize("spoil", [_bow_tie, _duplicate, _unknown_parent, _not_nested])
def test_bad_layer_is_refused_and_changes_nothing(stored: Database, tmp_path: Path,
                                                  section_features: list, spoil: Any) -> None:
    features = copy.deepcopy(section_features)
    expected = spoil(features)
    path = _write_geojson(tmp_path / "sezioni.geojson", features)
    before = _snapshot(stored)
    with pytest.raises(BoundaryImportError, match=expected) as info:
        import_boundaries(stored, path, "section", "SEZ", "ZONA")
    assert "nothing imported" in str(info.value) and str(path) in str(info.value)
    _assert_unchanged(before, stored)


def test_every_problem_is_reported_at_once(stored: Database, tmp_path: Path, section_features: list) -> None:
    features = copy.deepcopy(section_features)
    patterns = [spoil(features) for spoil in (_bow_tie, _duplicate, _unknown_parent, _not_nested)]
    before = _snapshot(stored)
    with pytest.raises(BoundaryImportError) as info:
        import_boundaries(stored, _write_geojson(tmp_path / "s.geojson", features), "section", "SEZ", "ZONA")
    assert len(info.value.problems) == 4
    for pattern in patterns:
        assert any(re.search(pattern, p) for p in info.value.problems), pattern
    _assert_unchanged(before, stored)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_missing_crs_is_refused(stored: Database, tmp_path: Path, areaset: AreaSet) -> None:
    zones = areaset.level("zone")
    shp = tmp_path / "zone_senza_prj.shp"
    write(shp, shapely.to_wkb(np.asarray([to_work(g) for g in zones["geometry"]], dtype=object)),
          [zones["area_id"].to_numpy(), zones["parent_id"].to_numpy()], ["CODE", "PARENT"],
          driver="ESRI Shapefile", geometry_type="Polygon", crs=None)
    assert not shp.with_suffix(".prj").exists()
    before = _snapshot(stored)
    with pytest.raises(BoundaryImportError, match="declares no coordinate reference system"):
        import_boundaries(stored, shp, "zone", "CODE", "PARENT")
    _assert_unchanged(before, stored)


def test_undeclared_metres_and_partial_layers_are_refused(stored: Database, tmp_path: Path,
                                                          section_features: list) -> None:
    before = _snapshot(stored)
    # GeoJSON without a crs member is read as lon/lat: metre coordinates then fall far outside Padova.
    with pytest.raises(BoundaryImportError, match="lies outside the Padova area once read as EPSG:4326"):
        import_boundaries(stored, _write_geojson(tmp_path / "a.geojson", section_features, crs=None),
                          "section", "SEZ", "ZONA")
    with pytest.raises(BoundaryImportError, match=r"covers only \d+\.\d% of the zone areas"):
        import_boundaries(stored, _write_geojson(tmp_path / "b.geojson", section_features[:100]),
                          "section", "SEZ", "ZONA")
    with pytest.raises(BoundaryImportError, match="field 'SEZIONE' not found"):
        import_boundaries(stored, _write_geojson(tmp_path / "c.geojson", section_features),
                          "section", "SEZIONE", "ZONA")
    _assert_unchanged(before, stored)
