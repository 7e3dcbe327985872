"""Output layout, determinism and the manifest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from tests.synth.conftest import SMALL
from welfare_district.synth import schema
from welfare_district.synth.generate import generate
from welfare_district.synth.writer import sha256


def test_layout_and_schemas(synth_small_dir: Path) -> None:
    for name, sch in schema.TRUTH_TABLES.items():
        table = pq.read_table(synth_small_dir / "truth" / f"{name}.parquet")
        assert table.schema.remove_metadata().equals(sch), name
        assert table.num_rows > 0, name
    for level in ("city", "quartiere", "zone", "section"):
        fc = json.loads((synth_small_dir / "areas" / f"{level}.geojson").read_text())
        assert fc["type"] == "FeatureCollection" and fc["features"]
    assert (synth_small_dir / "areas" / "civici.csv").stat().st_size > 0


def test_manifest_lists_every_file_with_its_hash(synth_small_dir: Path) -> None:
    manifest = json.loads((synth_small_dir / "manifest.json").read_text())
    files = sorted(
        p.relative_to(synth_small_dir).as_posix()
        for p in synth_small_dir.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    )
    assert sorted(manifest["files"]) == files
    for rel, digest in manifest["files"].items():
        assert sha256(synth_small_dir / rel) == digest
    assert manifest["scale"] == "padova" and manifest["seed"] == SMALL["seed"]
    assert manifest["years"] == list(SMALL["years"])
    assert (
        manifest["row_counts"]["truth/persons.parquet"]
        == pq.read_metadata(synth_small_dir / "truth" / "persons.parquet").num_rows
    )
    assert "generator_version" in manifest


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    args: dict[str, Any] = {"scale": "padova", "years": (2019, 2021), "fraction": 0.03, "extracts": False}
    a = generate(tmp_path / "a", seed=4, **args)
    b = generate(tmp_path / "b", seed=4, **args)
    c = generate(tmp_path / "c", seed=5, **args)
    assert (tmp_path / "a" / "manifest.json").read_bytes() == (tmp_path / "b" / "manifest.json").read_bytes()
    assert a.manifest["files"] == b.manifest["files"]
    differing = [f for f in a.manifest["files"] if a.manifest["files"][f] != c.manifest["files"].get(f)]
    assert "truth/persons.parquet" in differing and "truth/person_year.parquet" in differing


def test_yearly_tables_have_one_row_group_per_year(synth_small_dir: Path) -> None:
    meta = pq.ParquetFile(synth_small_dir / "truth" / "person_year.parquet").metadata
    n_years = SMALL["years"][1] - SMALL["years"][0] + 1
    assert meta.num_row_groups == n_years
