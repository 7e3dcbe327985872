"""The warehouse build on both engines: persons per register row, placed families, atomic replacement."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from welfare_district.engine import Database
from welfare_district.link.staging import read_frame
from welfare_district.pipeline import PipelineInput, stage_areas, stage_geocode, stage_ingest, stage_link
from welfare_district.sources.citizenship import UNKNOWN, citizenship_iso, citizenship_iso_series
from welfare_district.warehouse.build import build_warehouse
from welfare_district.warehouse.inputs import dwelling_ids, int_ids


@pytest.fixture(scope="module")
def tiny_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1% synthetic Padova with three snapshot years and its extracts."""
    from welfare_district.synth.generate import generate

    out = tmp_path_factory.mktemp("tiny") / "synth"
    generate(out, fraction=0.01, seed=1, years=(2023, 2025))
    return out


def _table(db: Database, name: str) -> pd.DataFrame:
    return db.ibis.table(name).to_pyarrow().to_pandas()


def test_build_on_each_engine(db: Database, tiny_city: Path) -> None:
    inputs = PipelineInput(tiny_city)
    for stage in (stage_areas, stage_ingest, stage_link, stage_geocode):
        stage(db, inputs)
    report = build_warehouse(db)
    assert report.years == [2023, 2024, 2025]
    log = read_frame(db, "load_log", ["source", "file_name", "rows_read", "rows_quarantined"])
    register = log[log["source"] == "anagrafe"]
    expected = {int(name[9:13]): int(read - bad) for name, read, bad in
                zip(register["file_name"], register["rows_read"], register["rows_quarantined"], strict=True)}
    person = _table(db, "wh_person")
    got = {int(str(y)): int(n) for y, n in person.groupby("snapshot_year").size().items()}
    assert {y: got[y] + report.duplicate_persons[y] for y in got} == expected
    family = _table(db, "wh_family")
    unplaced = family[family["quartiere_id"].isna()].groupby("snapshot_year").size()
    assert {y: int(unplaced.get(y, 0)) for y in report.years} == report.unplaced_families
    assert family.groupby("snapshot_year")["size"].sum().to_dict() == got
    assert set(person["relation"]) <= {"head", "spouse", "partner", "child", "parent", "sibling",
                                       "other_relative", "other"}
    assert person["citizenship"].str.len().eq(2).all() and (person["citizenship"] == "IT").mean() > 0.5
    dwelling = _table(db, "wh_dwelling")
    assert dwelling["surface_m2"].notna().mean() > 0.8
    assert (_table(db, "wh_snapshot")["origin"] == "pipeline").all()

    # a rebuild of one year replaces that year only, with the same rows
    again = build_warehouse(db, years=[2024])
    assert again.years == [2024]
    assert len(_table(db, "wh_person")) == len(person)


def test_int_ids_are_stable_and_non_negative() -> None:
    ids = pd.Series(["Pffffffffffffffff", "P0000000000000001", None])
    out = int_ids(ids)
    assert out.iloc[0] == (1 << 63) - 1 and out.iloc[1] == 1 and pd.isna(out.iloc[2])


def test_dwelling_ids_need_a_house_number_and_ignore_flat_padding() -> None:
    out = dwelling_ids(pd.Series([5, 5, None], dtype="Int64"), pd.Series(["01", "1", "1"]))
    assert out.iloc[0] == out.iloc[1] and pd.isna(out.iloc[2])


def test_citizenship_words_map_to_iso_codes() -> None:
    assert citizenship_iso("italiana ") == "IT" and citizenship_iso("Romena") == "RO"
    assert citizenship_iso("STRANIERA (KZ)") == "KZ"
    assert citizenship_iso("APOLIDE") == UNKNOWN and citizenship_iso(None) == UNKNOWN
    assert citizenship_iso_series(pd.Series(["CINESE", None, "CINESE"])).tolist() == ["CN", UNKNOWN, "CN"]
