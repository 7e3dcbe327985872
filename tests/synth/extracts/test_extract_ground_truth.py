"""The ground truth covers every data row once, points to real people, and tells the truth about codes."""

from __future__ import annotations

import pandas as pd

from welfare_district.ingest import codice_fiscale as cfm

from .conftest import Run
from .helpers import person_files, read_extract


def test_records_cover_every_data_row_exactly_once(run: Run) -> None:
    rec = run.records()
    persons = pd.read_parquet(run.truth / "persons.parquet", columns=["person_id"])["person_id"]
    families = pd.read_parquet(run.truth / "family_year.parquet", columns=["family_id"])["family_id"]
    assert rec["person_id"].isin(persons).all()
    assert rec["family_id"].isin(families).all()
    files = person_files(run.counts)
    assert set(rec["file"]) == set(files)
    for rel in files:
        df, _ = read_extract(run.extracts, rel)
        rows = rec.loc[rec["file"] == rel, "row"].sort_values().to_numpy()
        assert list(rows) == list(range(1, len(df) + 1)), rel
        assert rec.loc[rec["file"] == rel, "record_key"].is_unique, rel
    assert run.counts["ground_truth/records.csv"] == len(rec)


def test_register_rows_point_to_the_right_person(run: Run) -> None:
    rec = run.records()
    df, _ = read_extract(run.extracts, "anagrafe_2024.csv")
    r = rec[rec["file"] == "anagrafe_2024.csv"].sort_values("row")
    truth = pd.read_parquet(run.truth / "persons.parquet").set_index("person_id")
    true_cf = truth.loc[r["person_id"], "codice_fiscale"].to_numpy()
    clean = ~r["errors"].str.contains("cf_").to_numpy()
    assert (df["CODICE_FISCALE"].to_numpy()[clean] == true_cf[clean]).all()
    py = pd.read_parquet(run.truth / "person_year.parquet")
    py = py[py["year"] == 2024].set_index("person_id")
    assert (py.loc[r["person_id"], "family_id"].to_numpy() == r["family_id"].to_numpy()).all()


def test_codici_fiscali_match_their_recorded_corruption(run: Run) -> None:
    rec = run.records()
    truth = pd.read_parquet(run.truth / "persons.parquet").set_index("person_id")["codice_fiscale"]
    seen: dict[str, int] = {}
    for rel in person_files(run.counts):
        df, layout = read_extract(run.extracts, rel)
        r = rec[rec["file"] == rel].sort_values("row")
        for shown, pid, errors in zip(df[layout.cf_column], r["person_id"], r["errors"], strict=True):
            true = truth[pid]
            kinds = set(errors.split("|")) if errors else set()
            if "cf_missing" in kinds:
                assert shown == "", (rel, shown)
            elif "cf_check_char" in kinds:
                assert shown[:15] == true[:15] and not cfm.is_valid(shown), (rel, shown, true)
            elif "cf_omocodia" in kinds:
                assert shown != true and cfm.is_valid(shown), (rel, shown)
                assert cfm.base_form(shown) == cfm.base_form(true)
            elif "cf_transposed" in kinds:
                assert shown != true and sorted(shown) == sorted(true), (rel, shown, true)
            else:
                assert shown == true and cfm.is_valid(shown), (rel, shown, true)
            for k in kinds:
                seen[k] = seen.get(k, 0) + 1
    assert {"cf_missing", "cf_check_char", "cf_omocodia", "cf_transposed"} <= set(seen)


def test_duplicates_and_stale_addresses_are_real(run: Run) -> None:
    rec = run.records()
    lists = rec[rec["source"].str.startswith("ts_")]
    dup = lists[lists["errors"].str.contains("duplicate")]
    assert len(dup) > 0
    first = lists[~lists["errors"].str.contains("duplicate")]
    for src, pid in zip(dup["source"], dup["person_id"], strict=True):
        assert ((first["source"] == src) & (first["person_id"] == pid)).sum() == 1
    migr, _ = read_extract(run.extracts, "terzo_settore/associazione_migranti_iscritti.csv")
    r = rec[rec["file"] == "terzo_settore/associazione_migranti_iscritti.csv"].sort_values("row")
    assert len(migr) == len(r)
