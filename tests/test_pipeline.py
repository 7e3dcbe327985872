"""The pipeline stores the areas a dataset was generated on, on every engine, and reports each stage."""

from __future__ import annotations

from pathlib import Path

import pytest

from welfare_district.engine import Database
from welfare_district.errors import InputError
from welfare_district.geo.civici import build_synthetic_civici
from welfare_district.geo.folder import read_area_folder
from welfare_district.geo.hierarchy import build_synthetic_hierarchy
from welfare_district.geo.store import count_by_level, read_civici
from welfare_district.pipeline import PipelineInput, run_pipeline
from welfare_district.synth.writer import write_areas


@pytest.fixture(scope="module")
def area_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    areas = build_synthetic_hierarchy(3)
    civici = build_synthetic_civici(areas, 3)
    root = tmp_path_factory.mktemp("dataset")
    write_areas(root / "areas", [areas.areas], [civici])
    return root


def test_folder_round_trip_keeps_every_area_and_civico(area_folder: Path) -> None:
    areaset, civici = read_area_folder(area_folder / "areas")
    expected = build_synthetic_hierarchy(3)
    got = areaset.areas.set_index("area_id").sort_index()
    want = expected.areas.set_index("area_id").sort_index()
    assert got.index.tolist() == want.index.tolist()
    assert got["target_residents"].tolist() == want["target_residents"].tolist()
    assert got["parent_id"].fillna("").tolist() == want["parent_id"].fillna("").tolist()
    assert all(a.equals_exact(b, 1e-6) for a, b in zip(got["geometry"], want["geometry"], strict=True))
    ref = build_synthetic_civici(expected, 3)
    for col in ("civico_id", "street_code", "number", "section_id"):
        assert civici[col].astype(str).tolist() == ref[col].astype(str).tolist()
    assert civici["suffix"].tolist() == ref["suffix"].tolist()
    assert (civici["lon"] - ref["lon"]).abs().max() < 1e-6


def test_pipeline_loads_the_dataset_areas(db: Database, area_folder: Path) -> None:
    seen: list[str] = []
    results = run_pipeline(db, PipelineInput(area_folder), on_stage=seen.append)
    assert seen == ["areas"] and results[0].stage == "areas"
    counts = count_by_level(db).set_index("level")["areas"].to_dict()
    assert counts["quartiere"] == 6 and counts["section"] > 1000
    assert len(read_civici(db)) > 20_000


def test_missing_area_file_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "areas").mkdir()
    with pytest.raises(InputError, match=r"city\.geojson.*area file missing"):
        read_area_folder(tmp_path / "areas")
