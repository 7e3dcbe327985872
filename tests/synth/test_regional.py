"""The regional scale: virtual districts with prefixed ids, streamed chunk by chunk."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from welfare_district.ingest.codice_fiscale import is_valid
from welfare_district.synth.generate import generate


@pytest.fixture(scope="module")
def regional(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("regional") / "veneto"
    generate(
        out,
        scale="veneto",
        years=(2019, 2021),
        seed=3,
        fraction=0.02,
        extracts=False,
        workers=2,
        max_chunks=3,
    )
    return out


def test_districts_have_prefixed_unique_ids(regional: Path) -> None:
    dw = pq.read_table(regional / "truth" / "dwellings.parquet").to_pandas()
    assert set(dw["section_id"].str[:4]) == {"V01-", "V02-", "V03-"}
    assert dw["dwelling_id"].is_unique
    persons = pq.read_table(regional / "truth" / "persons.parquet").to_pandas()
    assert persons["person_id"].is_unique and persons["person_id"].is_monotonic_increasing
    assert persons["codice_fiscale"].is_unique and all(is_valid(c) for c in persons["codice_fiscale"])
    civ = pd.read_csv(regional / "areas" / "civici.csv")
    assert civ["civico_id"].is_unique and set(dw["civico_id"]) <= set(civ["civico_id"])


def test_district_areas_are_flagged_synthetic(regional: Path) -> None:
    fc = json.loads((regional / "areas" / "city.geojson").read_text())
    ids = [f["properties"]["area_id"] for f in fc["features"]]
    assert ids == ["V01-028060", "V02-028060", "V03-028060"]
    assert all(f["properties"]["synthetic"] for f in fc["features"])
    sections = json.loads((regional / "areas" / "section.geojson").read_text())["features"]
    assert all(f["properties"]["parent_id"].startswith(f["properties"]["area_id"][:4]) for f in sections)


def test_row_groups_per_district_and_year(regional: Path) -> None:
    meta = pq.ParquetFile(regional / "truth" / "person_year.parquet").metadata
    assert meta.num_row_groups == 3 * 3


def test_parallel_equals_serial(tmp_path: Path, regional: Path) -> None:
    out = tmp_path / "serial"
    generate(
        out,
        scale="veneto",
        years=(2019, 2021),
        seed=3,
        fraction=0.02,
        extracts=False,
        workers=1,
        max_chunks=3,
    )
    assert (out / "manifest.json").read_bytes() == (regional / "manifest.json").read_bytes()
