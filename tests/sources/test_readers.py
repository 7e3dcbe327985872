"""Readers: encodings, separators, BOM, Excel headers, SQL tables, and one specific InputError per bad input."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from openpyxl import Workbook

from welfare_district.errors import InputError
from welfare_district.sources.readers import read_csv, read_excel, read_sql

ROWS = [["1", "Nicolò", "12,5"], ["2", "Müller", "3"]]


def _csv(path: Path, sep: str, encoding: str, bom: bool = False) -> Path:
    text = "\r\n".join(sep.join(r) for r in [["ID", "NOME", "VALORE"], *ROWS]) + "\r\n"
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


@pytest.mark.parametrize("sep", [";", ",", "\t", "|"])
@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("cp1252", False)])
def test_any_separator_and_encoding_is_sniffed(tmp_path: Path, sep: str, encoding: str, bom: bool) -> None:
    if sep == ",":  # the decimal comma must then be quoted, as spreadsheet exports do
        path = tmp_path / "f.csv"
        text = "ID,NOME,VALORE\n" + "\n".join(f'{r[0]},{r[1]},"{r[2]}"' for r in ROWS) + "\n"
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    else:
        path = _csv(tmp_path / "f.csv", sep, encoding, bom)
    raw = read_csv(path, required=["ID", "NOME"])
    assert list(raw.frame.columns) == ["ID", "NOME", "VALORE"]
    assert list(raw.frame.index) == [1, 2]
    assert raw.frame.loc[1, "NOME"] == "Nicolò" and raw.frame.loc[2, "VALORE"] == "3"
    assert len(raw.sha256) == 64


def test_declared_separator_and_header_row(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("Estrazione del 31/12\nID;NOME\n\n7;A\n8;B\n", encoding="utf-8")
    raw = read_csv(path, separator=";", header_row=2, encoding="utf-8")
    assert list(raw.frame.index) == [2, 3]  # the blank line keeps its number
    assert list(raw.frame["ID"]) == ["7", "8"]


def test_wrong_encoding_is_a_specific_error(tmp_path: Path) -> None:
    cp = _csv(tmp_path / "cp.csv", ";", "cp1252")
    with pytest.raises(InputError, match=r"not valid utf-8 text \(line 2"):
        read_csv(cp, encoding="utf-8")
    utf = _csv(tmp_path / "utf.csv", ";", "utf-8")
    with pytest.raises(InputError, match="declared encoding cp1252 but the file is UTF-8"):
        read_csv(utf, encoding="cp1252")


def test_missing_column_empty_file_and_malformed_row(tmp_path: Path) -> None:
    path = _csv(tmp_path / "f.csv", ";", "utf-8")
    with pytest.raises(InputError, match="missing required column") as info:
        read_csv(path, required=["ID", "COGNOME"])
    assert info.value.field == "COGNOME"
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="the file is empty"):
        read_csv(empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text("ID;NOME\n", encoding="utf-8")
    with pytest.raises(InputError, match="no data rows"):
        read_csv(header_only, separator=";")
    bad = tmp_path / "bad.csv"
    bad.write_text("ID;NOME\n1;A\n2;B;EXTRA;MORE\n3;C\n", encoding="utf-8")
    with pytest.raises(InputError, match="malformed row") as info:
        read_csv(bad, separator=";")
    assert info.value.row == 2


def _workbook(path: Path, header_at: int) -> Path:
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    sheet.title = "Cartelle"
    sheet.append(["Comune di Padova - Servizi sociali"])
    for _ in range(header_at - 2):
        sheet.append([])
    sheet.append(["N. cartella", "Data di nascita", "Importo"])
    sheet.append(["2020/00001", datetime(1980, 4, 3), 12.0])
    sheet.append(["2020/00002", "03/04/1980", 7.5])
    book.save(path)
    return path


def test_excel_header_declared_or_detected(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "c.xlsx", header_at=5)
    raw = read_excel(path, sheet="Cartelle", header_row=5, required=["N. cartella"])
    assert list(raw.frame.index) == [1, 2]
    assert list(raw.frame["Data di nascita"]) == ["1980-04-03", "03/04/1980"]
    assert list(raw.frame["Importo"]) == ["12", "7.5"]
    detected = read_excel(path, header_row=None, required=["N. cartella", "Importo"])
    assert detected.header_row == 5 and detected.frame.equals(raw.frame)


def test_excel_errors(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "c.xlsx", header_at=5)
    with pytest.raises(InputError, match="header is not on the declared row 1; it is on row 5"):
        read_excel(path, header_row=1, required=["N. cartella"])
    with pytest.raises(InputError, match="no worksheet named 'Foglio1'"):
        read_excel(path, sheet="Foglio1")
    with pytest.raises(InputError, match="no header row"):
        read_excel(path, header_row=None, required=["Codice fiscale"])
    fake = tmp_path / "fake.xlsx"
    fake.write_text("ID;NOME\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"not an Excel \.xlsx workbook"):
        read_excel(fake)


def test_sql_table_through_a_url(tmp_path: Path) -> None:
    path = tmp_path / "ente.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE iscritti (id INTEGER, nome TEXT, quota REAL)")
        conn.executemany("INSERT INTO iscritti VALUES (?, ?, ?)", [(2, "B", 1.5), (1, "A", None)])
    raw = read_sql(f"sqlite:///{path}", "iscritti", order_by="id", required=["id", "nome"])
    assert list(raw.frame["id"]) == ["1", "2"] and list(raw.frame["quota"]) == ["", "1.5"]
    again = read_sql(f"sqlite:///{path}", "iscritti", order_by="id")
    assert again.sha256 == raw.sha256
    with pytest.raises(InputError, match="no table 'missing'"):
        read_sql(f"sqlite:///{path}", "missing")


def test_sql_url_that_does_not_answer() -> None:
    with pytest.raises(InputError, match="the database does not answer") as info:
        read_sql("postgresql+psycopg://steward:secret@127.0.0.1:9/registro?connect_timeout=2", "iscritti")
    assert "secret" not in str(info.value)
