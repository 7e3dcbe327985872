"""The catalogue: shipped declarations are valid, and a new source is added by a declaration file alone."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.ingest.fixtures import code
from welfare_district.engine import Database
from welfare_district.errors import InputError
from welfare_district.ingest.load import load_file
from welfare_district.ingest.runner import ingest_folder
from welfare_district.model.warehouse import EDUCATION, LABOUR, warehouse_tables
from welfare_district.sources.catalogue import load_catalogue, parse_declaration, shipped_catalogue, source_for_file
from welfare_district.sources.vocabulary import BENEFIT_FLAGS, EDUCATION_CODES, LABOUR_CODES, to_codes

SHIPPED = {"anagrafe", "inps", "isee", "tari", "tari_variazioni", "ater", "cpi", "scuole", "servizi_sociali",
           "ts_emporio", "ts_ascolto", "ts_migranti", "ts_anziani", "catalogo_servizi"}

# A fifth organisation's list: its own column names, separator and date style. Nothing else is added.
NEW_SOURCE = """
name = "ts_banco_alimentare"
title = "Food collection network (banco alimentare)"
format = "csv"
files = ["banco_alimentare_*.csv"]
targets = ["person_record", "beneficiary_record"]

[columns.Pratica]
field = "record_key"
required = true
unique = true

[columns."Nominativo completo"]
field = "full_name"
required = true

[columns.CodFisc]
field = "codice_fiscale"

[columns."Nato il"]
field = "birth_date"
formats = ["%Y.%m.%d"]

[columns.Persone]
field = "household_size"
min = 1

[[checks]]
rule = "cf_consistency"
cf = "codice_fiscale"
birth_date = "birth_date"
"""

SQL_SOURCE = """
name = "gestionale_mensa"
title = "Soup kitchen management database"
format = "sql"
table = "ospiti"
order_by = "id"
targets = ["person_record", "beneficiary_record"]

[columns.id]
field = "record_key"
required = true

[columns.nome]
field = "full_name"

[columns.servizio]
field = "service"
"""


def test_every_source_kind_is_declared() -> None:
    catalogue = shipped_catalogue()
    assert set(catalogue) == SHIPPED
    assert source_for_file("anagrafe_2024.csv", catalogue).name == "anagrafe"  # type: ignore[union-attr]
    assert source_for_file("terzo_settore/centro_ascolto_schede.xlsx", catalogue).name == "ts_ascolto"  # type: ignore[union-attr]
    assert source_for_file("catalogo/enti.csv", catalogue) is None
    assert catalogue["servizi_sociali"].header_row == 5 and catalogue["isee"].encoding == "cp1252"


def test_declared_italian_words_map_to_warehouse_codes() -> None:
    catalogue = shipped_catalogue()
    tables = {"education": (EDUCATION_CODES, set(EDUCATION)), "employment_status": (LABOUR_CODES, set(LABOUR)),
              "benefit_type": (BENEFIT_FLAGS, {"disability_allowance", "care_allowance"})}
    person_columns = {c.name for c in warehouse_tables().person.columns}
    seen = set()
    for decl in catalogue.values():
        for spec in decl.columns.values():
            if spec.field in tables:
                table, codes = tables[spec.field]
                assert spec.enum, (decl.name, spec.field)
                mapped = {table.get(word) for word in spec.enum} - {None}
                assert mapped <= codes, (decl.name, spec.field)
                unmapped = {w for w in spec.enum if w not in table}
                assert unmapped <= {"NON DICHIARATO"}, (decl.name, unmapped)
                seen.add((decl.name, spec.field))
    assert {("anagrafe", "education"), ("anagrafe", "employment_status"), ("cpi", "education"),
            ("cpi", "employment_status"), ("inps", "benefit_type")} <= seen
    assert set(BENEFIT_FLAGS.values()) <= person_columns
    assert set(EDUCATION_CODES.values()) == set(EDUCATION) and set(LABOUR_CODES.values()) == set(LABOUR)
    assert list(to_codes(pd.Series([" licenza media", "", None, "NON DICHIARATO"]), EDUCATION_CODES)) == \
        ["lower_secondary", None, None, None]


def test_a_new_source_needs_only_a_declaration_file(db: Database, tmp_path: Path) -> None:
    declarations = tmp_path / "declarations"
    declarations.mkdir()
    (declarations / "ts_banco_alimentare.toml").write_text(NEW_SOURCE, encoding="utf-8")
    (declarations / "gestionale_mensa.toml").write_text(SQL_SOURCE, encoding="utf-8")
    catalogue = load_catalogue(declarations)
    assert set(catalogue) > SHIPPED

    extracts = tmp_path / "extracts"
    extracts.mkdir()
    (extracts / "banco_alimentare_2025.csv").write_text(
        "Pratica|Nominativo completo|CodFisc|Nato il|Persone\n"
        f"B1|Rossi Mario|{code(date(1980, 1, 1))}|1980.01.01|3\n"
        "B2|Verdi Anna||1975.13.01|2\n", encoding="cp1252")
    results = ingest_folder(db, extracts, catalogue=catalogue)
    assert [(r.source, r.rows_loaded, r.rows_quarantined) for r in results] == [("ts_banco_alimentare", 1, 1)]

    kitchen = tmp_path / "mensa.sqlite"
    with sqlite3.connect(kitchen) as conn:
        conn.execute("CREATE TABLE ospiti (id INTEGER, nome TEXT, servizio TEXT)")
        conn.executemany("INSERT INTO ospiti VALUES (?, ?, ?)", [(1, "Bianchi Luca", "pranzo"), (2, "X Y", "cena")])
    loaded = load_file(db, catalogue["gestionale_mensa"], f"sqlite:///{kitchen}")
    assert loaded.rows_loaded == 2 and loaded.file_name.endswith("#ospiti")
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT source, record_key, service FROM beneficiary_record ORDER BY source, record_key")).fetchall()
    assert [tuple(r) for r in rows] == [("gestionale_mensa", "1", "pranzo"), ("gestionale_mensa", "2", "cena"),
                                        ("ts_banco_alimentare", "B1", None)]


@pytest.mark.parametrize(("text", "problem"), [
    (NEW_SOURCE.replace('field = "full_name"', 'field = "nome_completo"'), "unknown canonical field"),
    (NEW_SOURCE.replace('targets = ["person_record", "beneficiary_record"]', 'targets = ["person_record"]'),
     "fields no target table stores"),
    (NEW_SOURCE.replace('formats = ["%Y.%m.%d"]', ""), "needs at least one format"),
    (NEW_SOURCE.replace('format = "csv"', 'format = "pdf"'), "format"),
    (NEW_SOURCE + "\n[columns.Altro]\nfield = \"full_name\"\n", "more than one column"),
    ("name = [", "cannot read source declaration"),
])
def test_a_bad_declaration_is_refused_with_its_reason(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=problem) as info:
        parse_declaration(path)
    assert str(path) in str(info.value)


def test_a_name_declared_twice_is_refused(tmp_path: Path) -> None:
    (tmp_path / "copy.toml").write_text(
        (Path(__file__).parents[2] / "welfare_district/sources/catalogue/cpi.toml").read_text(encoding="utf-8"),
        encoding="utf-8")
    with pytest.raises(InputError, match="declared twice"):
        load_catalogue(tmp_path)


def test_a_workbook_source_may_leave_its_header_row_to_detection(tmp_path: Path) -> None:
    from tests.sources.test_readers import _workbook
    from welfare_district.ingest.load import read_source

    path = tmp_path / "decl.toml"
    path.write_text("""
name = "cartelle_altro_comune"
title = "Cases exported with a title block of unknown height"
format = "xlsx"
header_row = 0
targets = ["case_record"]

[columns."N. cartella"]
field = "case_number"
required = true

[columns."Data di nascita"]
field = "opened_on"
formats = ["%Y-%m-%d", "%d/%m/%Y"]
""", encoding="utf-8")
    raw = read_source(parse_declaration(path), _workbook(tmp_path / "c.xlsx", header_at=4))
    assert raw.header_row == 4 and list(raw.frame["N. cartella"]) == ["2020/00001", "2020/00002"]
