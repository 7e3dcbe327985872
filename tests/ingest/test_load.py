"""Loads on both engines: lineage, quarantine policy, strict refusal, atomicity, idempotency, stored reports."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
import sqlalchemy as sa

from tests.ingest.fixtures import cases, code, declaration, write_csv
from welfare_district.engine import Database, Dialect
from welfare_district.errors import InputError
from welfare_district.ingest import load as load_module
from welfare_district.ingest.load import LoadRejectedError, load_file
from welfare_district.ingest.report import loads_frame, quality_frame
from welfare_district.model.records import RECORD_TABLES

TABLES = [*RECORD_TABLES, "load_log", "ingest_failure", "quarantine_record", "load_quality"]


def _counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
        return {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() if t in names else 0
                for t in TABLES}


def _clean_rows(n: int) -> list[dict[str, str]]:
    rows = []
    for i in range(n):
        birth = date(1950 + i % 50, 1 + i % 12, 1 + i % 28)
        rows.append({"ID": "", "CF": code(birth), "NOME": "ROSSI MARIO", "SESSO": "M",
                     "NASCITA": birth.strftime("%d/%m/%Y"), "LUOGO": "G224", "FAMIGLIA": f"F{i // 3}",
                     "NUCLEO": "3", "DAL": "01/01/2024", "AL": "31/12/2024"})
    return rows


def test_default_policy_quarantines_errors_and_loads_the_rest(db: Database, tmp_path: Path) -> None:
    rows = cases()
    path = write_csv(tmp_path / "prova_2024.csv", [r for r, _ in rows])
    result = load_file(db, declaration(tmp_path), path)
    errors = {i for i, (_, expected) in enumerate(rows, start=1)
              if expected & {"cf_checksum", "cf_shape", "date_impossible", "date_format", "enum_invalid",
                             "out_of_range", "number_invalid", "required_missing", "age_out_of_range",
                             "date_order", "cf_date_invalid", "duplicate_key"}}
    assert result.status == "loaded" and result.rows_read == len(rows)
    assert result.rows_quarantined == len(errors) and result.rows_loaded == len(rows) - len(errors)
    counts = _counts(db)
    assert counts["person_record"] == counts["beneficiary_record"] == counts["family_membership_record"] \
        == result.rows_loaded
    assert counts["quarantine_record"] == len(errors) and counts["load_log"] == 1
    assert counts["ingest_failure"] == len(result.failures)
    with db.engine.connect() as conn:
        person = conn.execute(sa.text(
            "SELECT source, file_name, file_sha256, row_number, load_id, reference_year, warnings, cf_status, "
            "birth_date FROM person_record ORDER BY row_number")).fetchall()
        quarantined = conn.execute(sa.text("SELECT row_number, reasons FROM quarantine_record")).fetchall()
    assert {p.row_number for p in person}.isdisjoint(errors)
    first = person[0]
    assert (first.source, first.file_name, first.row_number, first.reference_year) == \
        ("prova", "prova_2024.csv", 1, 2024)
    assert first.load_id == result.load_id and first.file_sha256 == result.sha256
    assert first.birth_date == date(1980, 1, 1) and first.cf_status == "valid" and first.warnings == ""
    assert next(p for p in person if p.row_number == 4).warnings == "cf_omocode"
    assert {q.row_number for q in quarantined} == errors
    assert "NASCITA: date_impossible" in {q.row_number: q.reasons for q in quarantined}[9]


def test_reloading_the_same_content_changes_nothing(db: Database, tmp_path: Path) -> None:
    decl = declaration(tmp_path)
    path = write_csv(tmp_path / "prova_2024.csv", _clean_rows(30))
    first = load_file(db, decl, path)
    before = _counts(db)
    renamed = tmp_path / "prova_2024_copia.csv"
    renamed.write_bytes(path.read_bytes())
    again = load_file(db, decl, renamed)
    assert again.status == "unchanged" and again.load_id == first.load_id
    assert _counts(db) == before
    changed = write_csv(tmp_path / "prova_2025.csv", _clean_rows(31))
    assert load_file(db, decl, changed).status == "loaded"


def test_a_file_already_loaded_is_recognised_without_parsing_it(db: Database, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    decl = declaration(tmp_path)
    path = write_csv(tmp_path / "prova_2024.csv", _clean_rows(30))
    first = load_file(db, decl, path)

    def no_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was parsed again")

    monkeypatch.setattr("welfare_district.ingest.load.read_source", no_parse)
    again = load_file(db, decl, path)
    assert (again.status, again.load_id, again.sha256, again.rows_read) == \
        ("unchanged", first.load_id, first.sha256, first.rows_read)


def test_strict_refuses_a_file_with_one_malformed_row_anywhere(db: Database, tmp_path: Path) -> None:
    rows = _clean_rows(200)
    position = random.Random(7).randrange(len(rows))
    rows[position] = {**rows[position], "NASCITA": "30/02/1971"}
    path = write_csv(tmp_path / "prova_2024.csv", rows)
    with pytest.raises(LoadRejectedError) as info:
        load_file(db, declaration(tmp_path), path, strict=True)
    err = info.value
    assert (err.row, err.field) == (position + 1, "NASCITA") and "date_impossible" in str(err)
    assert f"row {position + 1}" in str(err)
    assert all(n == 0 for n in _counts(db).values())
    assert len(err.result.quality) == 1 and err.result.quality.loc[0, "example_rows"] == str(position + 1)


def test_a_failure_mid_load_leaves_the_database_unchanged(db: Database, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    decl = declaration(tmp_path)
    load_file(db, decl, write_csv(tmp_path / "prova_2023.csv", _clean_rows(10)))
    before = _counts(db)
    real = load_module.bulk_insert
    calls = {"n": 0}

    def failing(conn: sa.Connection, dialect: Dialect, table: str, data: pa.Table) -> int:
        calls["n"] += 1
        if calls["n"] == 3:  # after two record tables were written in this transaction
            raise RuntimeError("disk full")
        return real(conn, dialect, table, data)

    monkeypatch.setattr(load_module, "bulk_insert", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        load_file(db, decl, write_csv(tmp_path / "prova_2024.csv", _clean_rows(40)))
    assert _counts(db) == before
    monkeypatch.setattr(load_module, "bulk_insert", real)
    assert load_file(db, decl, tmp_path / "prova_2024.csv").status == "loaded"  # nothing half-done blocks it


def test_stored_reports_name_rows_never_values(db: Database, tmp_path: Path) -> None:
    rows = cases()
    path = write_csv(tmp_path / "prova_2024.csv", [r for r, _ in rows])
    result = load_file(db, declaration(tmp_path), path)
    report = quality_frame(db)
    assert set(report["load_id"]) == {result.load_id}
    impossible = report[report["reason_code"] == "date_impossible"].iloc[0]
    assert (impossible["field"], impossible["failures"], impossible["example_rows"]) == ("NASCITA", 2, "9, 22")
    assert loads_frame(db, result.load_id).loc[0, "rows_quarantined"] == result.rows_quarantined
    assert quality_frame(db, "no-such-load").empty
    with db.engine.connect() as conn:
        failures = conn.execute(sa.text("SELECT message, field, reason_code FROM ingest_failure")).fetchall()
    stored = " ".join(" ".join(map(str, f)) for f in failures) + report.to_string()
    personal = {v for r, _ in rows for k, v in r.items() if k in ("CF", "NOME") and v}
    assert not [v for v in personal if v in stored]


def test_a_concurrent_twin_load_is_refused_by_the_log_key(db: Database, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    decl = declaration(tmp_path)
    path = write_csv(tmp_path / "prova_2024.csv", _clean_rows(12))
    load_file(db, decl, path)
    before = _counts(db)
    # the twin checked the log before the first one committed, so it goes on to write
    monkeypatch.setattr(load_module, "_previous", lambda *_: None)
    monkeypatch.setattr(load_module, "_loaded_file", lambda *_: None)
    with pytest.raises(InputError, match="loaded concurrently; nothing was written"):
        load_file(db, decl, path)
    assert _counts(db) == before
