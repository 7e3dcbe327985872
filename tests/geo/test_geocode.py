"""Geocoding: outcomes on a hand-made register, storage on both engines, the CLI, and no wrong-area match
on a small synthetic city."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from welfare_district.engine import Database
from welfare_district.errors import InputError, NotFoundError
from welfare_district.geo.geocode import (
    RESULT_COLUMNS,
    GeocodeIndex,
    geocode_frame,
    geocode_source,
    match_summary,
    read_geocodes,
    store_geocodes,
)

# (civico_id, street_code, street_type, street_name, number, suffix, section_id)
_REGISTER = [
    (1, "100", "VIA", "ROMA", 3, "", "Q1Z01S001"),
    (2, "100", "VIA", "ROMA", 5, "", "Q1Z01S001"),
    (3, "100", "VIA", "ROMA", 5, "A", "Q1Z01S001"),
    (4, "100", "VIA", "ROMA", 7, "bis", "Q1Z01S002"),
    (5, "200", "PIAZZA", "GARIBALDI", 1, "", "Q2Z01S001"),
    (6, "200", "PIAZZA", "GARIBALDI", 2, "", "Q2Z01S001"),
    (7, "201", "CORSO", "GARIBALDI", 1, "", "Q3Z01S001"),
    (8, "300", "VIA", "TIZIANO ASPETTI", 3, "", "Q4Z01S001"),
    (9, "759", "VIA", "GIOACCHINO SCAINO", 1, "", "Q5Z01S001"),
    (10, "759", "VIA", "GIOACHINO ROSSINI", 101, "", "Q6Z01S001"),
    (11, "400", "VIA", "RAGAZZI DEL 99", 4, "", "Q6Z01S002"),
]


@pytest.fixture(scope="module")
def register() -> pd.DataFrame:
    """A small register with shared names, suffixes and two streets under one code."""
    frame = pd.DataFrame(_REGISTER, columns=["civico_id", "street_code", "street_type", "street_name", "number",
                                             "suffix", "section_id"])
    frame["zone_id"] = frame["section_id"].str[:5]
    frame["quartiere_id"] = frame["section_id"].str[:2]
    frame["lon"], frame["lat"] = 11.87, 45.40
    return frame


@pytest.mark.parametrize(("text", "civico", "kind", "reason"), [
    ("via Roma 3", 1, "exact", None),
    ("V. ROMA 5/A INT. 2", 3, "exact", None),
    ("via Roma 5 a - Padova", 3, "exact", None),
    ("via Roma 3/B", 1, "suffix_dropped", None),
    ("via Roma 7", 4, "suffix_assumed", None),
    ("via Roma 7 bis", 4, "exact", None),
    ("Roma 3", 1, "type_inferred", None),
    ("Garibaldi 2", 6, "type_inferred", None),
    ("v. T. Aspetti 3", 8, "initial", None),
    ("via Tiziano Aspeti 3", 8, "fuzzy_street", None),
    ("viale Roma 3", 1, "type_differs", None),
    ("via Gioachino Rossini 101", 10, "exact", None),
    ("via Gioacchino Scaino 1", 9, "exact", None),
    ("via Gioacchino Scaino 101", None, "unmatched", "number_not_in_street"),
    ("Garibaldi 1", None, "unmatched", "ambiguous_street"),
    ("via Roma", None, "unmatched", "no_number"),
    ("via Ragazzi del 99", None, "unmatched", "no_number"),
    ("via Nowhere 3", None, "unmatched", "unknown_street"),
    ("via Roma 99", None, "unmatched", "number_not_in_street"),
    ("", None, "unmatched", "empty"),
    (None, None, "unmatched", "empty"),
])
def test_outcomes(register: pd.DataFrame, text: str | None, civico: int | None, kind: str,
                  reason: str | None) -> None:
    out = geocode_frame(pd.DataFrame({"record_id": ["r1"], "address_text": [text]}), register)
    row = out.iloc[0]
    assert list(out.columns) == RESULT_COLUMNS
    assert (None if pd.isna(row["civico_id"]) else int(row["civico_id"])) == civico
    assert (row["match_kind"], row["reason"]) == (kind, reason)
    if civico is not None:
        expected = register.set_index("civico_id").loc[civico]
        assert (row["section_id"], row["zone_id"], row["quartiere_id"]) == (
            expected["section_id"], expected["zone_id"], expected["quartiere_id"])
        assert 0 < row["score"] <= 100
    else:
        assert row["section_id"] is None and row["score"] == 0


def test_frame_keeps_order_index_and_repeats(register: pd.DataFrame) -> None:
    frame = pd.DataFrame({"record_id": [10, 11, 12, 13], "address_text": ["via Roma 3", "x", "via Roma 3", None]},
                         index=[7, 5, 3, 1])
    out = geocode_frame(frame, GeocodeIndex(register))
    assert list(out.index) == [7, 5, 3, 1]
    assert list(out["record_id"]) == [10, 11, 12, 13]
    assert list(out["match_kind"]) == ["exact", "unmatched", "exact", "unmatched"]
    summary = match_summary(out)
    assert summary["records"].sum() == 4 and summary.iloc[0]["outcome"] == "exact"


def test_structured_columns_trust_the_written_type(register: pd.DataFrame) -> None:
    frame = pd.DataFrame({"street": ["VIA ROMA", "VIA ROMA", "PIAZZA GARIBALDI", "VIA ROMA", "via Roma 5/A int 2"],
                          "num": ["5", "5", "1", "", None], "esp": ["A", "", None, "", None]})
    out = geocode_frame(frame, register, id_column=None, text_column="street", number_column="num",
                        suffix_column="esp")
    # the last row has no number column value: it is read as free text (mixed staged records)
    assert list(out["civico_id"].astype("float").fillna(0)) == [3, 2, 5, 0, 3]
    assert list(out["record_id"]) == [0, 1, 2, 3, 4]
    assert out["reason"].iloc[3] == "no_number" and out["interno"].iloc[4] == "2"


def test_missing_column_is_reported(register: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="INDIRIZZO"):
        geocode_frame(pd.DataFrame({"a": ["via Roma 3"]}), register, text_column="INDIRIZZO")


def test_store_round_trip(db: Database, register: pd.DataFrame) -> None:
    frame = pd.DataFrame({"record_id": ["a", "b", "c"], "address_text": ["via Roma 5/A", "via Nowhere 1", "Roma 3"]})
    results = geocode_frame(frame, register)
    assert store_geocodes(db, "ts_test", results) == 3
    assert store_geocodes(db, "other", results.iloc[:1]) == 1
    back = read_geocodes(db, "ts_test")
    assert list(back["record_id"]) == ["a", "b", "c"]
    assert list(back["civico_id"].astype("float").fillna(0)) == [3, 0, 1]
    assert list(back["match_kind"]) == ["exact", "unmatched", "type_inferred"]
    assert back["reason"].iloc[1] == "unknown_street" and back["section_id"].iloc[1] is None
    # a second run replaces the source's rows and leaves other sources alone
    store_geocodes(db, "ts_test", results.iloc[1:])
    assert list(read_geocodes(db, "ts_test")["record_id"]) == ["b", "c"]
    assert len(read_geocodes(db, "other")) == 1


def test_store_refuses_repeated_ids(db: Database, register: pd.DataFrame) -> None:
    results = geocode_frame(pd.DataFrame({"record_id": ["a", "a"], "address_text": ["via Roma 3"] * 2}), register)
    with pytest.raises(InputError, match="repeat"):
        store_geocodes(db, "dup", results)
    assert read_geocodes(db, "dup").empty


def test_geocode_source_needs_civici(db: Database) -> None:
    with pytest.raises(NotFoundError, match="house numbers"):
        geocode_source(db, "s", pd.DataFrame({"record_id": ["a"], "address_text": ["via Roma 3"]}))


def test_geocode_source_against_stored_civici(db: Database, register: pd.DataFrame) -> None:
    from welfare_district.geo.store import ensure_tables
    from welfare_district.model.areas import area_tables

    ensure_tables(db)
    columns = [c.name for c in area_tables().civico.columns]
    rows = [{str(k): v for k, v in r.items()} for r in register[columns].to_dict("records")]
    with db.engine.begin() as conn:
        conn.execute(area_tables().civico.insert(), rows)
    frame = pd.DataFrame({"id": [1, 2], "street": ["VIA ROMA", "CORSO GARIBALDI"], "n": ["5", "1"]})
    out = geocode_source(db, "anagrafe_test", frame, id_column="id", text_column="street", number_column="n")
    assert list(out["civico_id"]) == [2, 7]
    stored = read_geocodes(db, "anagrafe_test")
    assert list(stored["record_id"]) == ["1", "2"] and list(stored["quartiere_id"]) == ["Q1", "Q3"]


def _cli() -> CliRunner:
    return CliRunner()


def test_cli_reports_missing_file_and_column(tmp_path: Path) -> None:
    import typer

    from welfare_district.cli.geocode import geocode

    app = typer.Typer()
    app.command()(geocode)
    url = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    missing = _cli().invoke(app, [str(tmp_path / "none.csv"), "--column", "INDIRIZZO", "--database-url", url])
    assert missing.exit_code == 1 and "not found" in missing.output and "Traceback" not in missing.output
    extract = tmp_path / "lista.csv"
    extract.write_text("id;indirizzo\n1;via Roma 3\n", encoding="utf-8")
    wrong = _cli().invoke(app, [str(extract), "--column", "INDIRIZZO", "--database-url", url])
    assert wrong.exit_code == 1 and "INDIRIZZO" in wrong.output and "indirizzo" in wrong.output
    assert "via Roma" not in wrong.output
    empty_db = _cli().invoke(app, [str(extract), "--column", "indirizzo", "--database-url", url])
    assert empty_db.exit_code == 1 and "welfare areas build" in empty_db.output


def test_cli_prints_rates(tmp_path: Path, register: pd.DataFrame) -> None:
    import typer

    from welfare_district.cli.geocode import geocode
    from welfare_district.engine import connect
    from welfare_district.geo.store import ensure_tables
    from welfare_district.model.areas import area_tables

    url = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    with connect(url) as db:
        ensure_tables(db)
        columns = [c.name for c in area_tables().civico.columns]
        rows = [{str(k): v for k, v in r.items()} for r in register[columns].to_dict("records")]
        with db.engine.begin() as conn:
            conn.execute(area_tables().civico.insert(), rows)
    extract = tmp_path / "lista.csv"
    extract.write_text("id;indirizzo\n1;via Roma 3\n2;Garibaldi 1\n3;via Roma 5/A\n", encoding="utf-8")
    app = typer.Typer()
    app.command()(geocode)
    result = _cli().invoke(app, [str(extract), "--column", "indirizzo", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "exact" in result.output and "ambiguous_street" in result.output and "66.7" in result.output


@pytest.fixture(scope="module")
def small_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 5% synthetic Padova, 2019-2025, with its extracts."""
    from welfare_district.synth.generate import generate

    out = tmp_path_factory.mktemp("geocode") / "synth"
    generate(out, seed=1, fraction=0.05)
    return out


@pytest.mark.slow
def test_no_wrong_area_on_free_text_sources(small_city: Path) -> None:
    from benchmarks.bench_geocode import evaluate, sources

    free_text = {"ts_emporio", "ts_ascolto", "ts_migranti", "ts_anziani", "tari", "ater", "servizi_sociali"}
    chosen = [s for s in sources(small_city / "extracts") if s.source in free_text]
    assert {s.source for s in chosen} == free_text
    table = evaluate(small_city, chosen)
    assert (table["wrong_civico"] == 0).all(), table.to_string()
    assert (table["wrong_section"] == 0).all() and (table["wrong_quartiere"] == 0).all()
    whole = table[~table["file"].str.endswith("(stale)")]
    assert (whole["records"] * whole["matched_pct"]).sum() / whole["records"].sum() >= 98.0, whole.to_string()
    assert table["file"].str.endswith("(stale)").any()  # stale addresses were present and scored
