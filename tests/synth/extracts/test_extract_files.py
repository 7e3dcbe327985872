"""Every file parses back with its declared layout, and each source keeps its own shape."""

from __future__ import annotations

import json
import re
import zipfile

import pandas as pd
from openpyxl import load_workbook

from welfare_district.synth import schema
from welfare_district.synth.extracts.layout import layout_for
from welfare_district.synth.extracts.servizi_sociali import TITLE_ROWS

from .conftest import Run
from .helpers import person_files, read_extract


def test_every_file_parses_with_its_layout(run: Run) -> None:
    for key, rows in run.counts.items():
        if not key.startswith("extracts/"):
            continue
        rel = key.removeprefix("extracts/")
        if layout_for(rel).kind == "json":
            doc = json.loads((run.extracts / rel).read_text(encoding="utf-8"))
            assert len(doc["enti"]) == rows
            continue
        df, _ = read_extract(run.extracts, rel)
        assert len(df) == rows, rel
        assert not any(str(c).startswith("Unnamed") for c in df.columns), rel


def test_csv_conventions(run: Run) -> None:
    isee = next(run.extracts.glob("isee_dsu_*.csv")).read_bytes()
    assert b"\r\n" in isee and isee.count(b"\r\n") == isee.count(b"\n")
    isee_df, _ = read_extract(run.extracts, "isee_dsu_2024.csv")
    assert isee_df["VALORE_ISEE"].str.fullmatch(r"\d+,\d\d").all()
    food = (run.extracts / "terzo_settore/emporio_solidale_tessere.csv").read_bytes()
    assert food.startswith("\ufeff".encode())
    reg, _ = read_extract(run.extracts, "anagrafe_2024.csv")
    assert reg["DATA_NASCITA"].str.fullmatch(r"\d\d/\d\d/\d{4}").all()
    assert set(reg["RELAZIONE_PARENTELA"]) <= {
        "INTESTATARIO SCHEDA",
        "CONIUGE",
        "CONVIVENTE",
        "FIGLIO",
        "FIGLIA",
        "GENITORE",
        "FRATELLO",
        "SORELLA",
        "ALTRO PARENTE",
        "ALTRO NON PARENTE",
    }
    assert {"ITALIANA", "ROMENA"} <= set(reg["CITTADINANZA"])


def test_social_services_header_sits_below_a_title_block(run: Run) -> None:
    path = run.extracts / "servizi_sociali_cartelle.xlsx"
    assert layout_for("servizi_sociali_cartelle.xlsx").header_row == TITLE_ROWS + 1
    ws = load_workbook(path, read_only=True).active
    assert ws is not None
    rows = list(ws.iter_rows(min_row=1, max_row=TITLE_ROWS + 1, values_only=True))
    assert "COMUNE DI PADOVA" in str(rows[0][0])
    assert rows[TITLE_ROWS][0] == "N. cartella" and rows[TITLE_ROWS][1] == "Cognome e nome"
    naive = pd.read_excel(path)
    assert "N. cartella" not in naive.columns


def test_no_extract_uses_the_canonical_model(run: Run) -> None:
    canonical = {name for table in schema.TRUTH_TABLES.values() for name in table.names}
    headers: dict[str, frozenset[str]] = {}
    for rel in person_files(run.counts):
        df, layout = read_extract(run.extracts, rel)
        cols = frozenset(map(str, df.columns))
        assert not cols & canonical, (rel, cols & canonical)
        headers.setdefault(layout.source, cols)
    sources = list(headers)
    for i, a in enumerate(sources):
        for b in sources[i + 1 :]:
            assert headers[a] != headers[b], (a, b)
    assert len(sources) >= 11


def test_third_sector_lists_use_their_own_conventions(run: Run) -> None:
    food, _ = read_extract(run.extracts, "terzo_settore/emporio_solidale_tessere.csv")
    migr, _ = read_extract(run.extracts, "terzo_settore/associazione_migranti_iscritti.csv")
    care, _ = read_extract(run.extracts, "terzo_settore/volontari_anziani_assistiti.xlsx")
    assert "Cognome e Nome" in food.columns and "nominativo" in migr.columns and "Assistito/a" in care.columns
    # several birth-date formats within one organisation's list
    assert food["Data di nascita"].str.fullmatch(r"\d{1,2}-\d{1,2}-\d\d").any()
    assert food["Data di nascita"].str.fullmatch(r"\d\d/\d\d/\d{4}").any()
    listening, _ = read_extract(run.extracts, "terzo_settore/centro_ascolto_schede.xlsx")
    months = "gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre"
    assert listening["NATO/A IL"].str.fullmatch(rf"\d{{1,2}} ({months}) \d{{4}}").any()
    assert migr["data_nascita"].str.fullmatch(r"\d{4}-\d\d-\d\d").any()


def test_free_text_addresses_use_the_variants(run: Run) -> None:
    texts = []
    for rel, col in (
        ("terzo_settore/emporio_solidale_tessere.csv", "Indirizzo"),
        ("terzo_settore/centro_ascolto_schede.xlsx", "INDIRIZZO"),
        ("terzo_settore/associazione_migranti_iscritti.csv", "indirizzo"),
        ("terzo_settore/volontari_anziani_assistiti.xlsx", "Via e n. civico"),
    ):
        df, _ = read_extract(run.extracts, rel)
        texts.extend(df[col].tolist())
    variants = {
        "lower-case street type": r"^via ",
        "abbreviated street type": r"^(V\.|v\.|P\.zza|P\.za|V\.le|C\.so|P\.le) ",
        "n. before the number": r" n\. ?\d",
        "comma before the number": r", \d",
        "interno": r"\bint\.? \d",
        "city appended": r"Padova",
        "upper case": r"^[A-Z .']+ \d",
    }
    found = {name for name, rx in variants.items() if any(re.search(rx, t) for t in texts)}
    assert len(found) >= 6, found
    tari, _ = read_extract(run.extracts, "tari_utenze_2024.csv")
    assert tari["INDIRIZZO_UTENZA"].str.startswith("V. ").any()
    assert tari["INDIRIZZO_UTENZA"].str.contains(r", \d").any()


def test_xlsx_zip_is_normalised(run: Run) -> None:
    for path in run.extracts.rglob("*.xlsx"):
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            assert names == sorted(names)
            assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
            assert b"2000-01-01T00:00:00Z" in z.read("docProps/core.xml")
