"""The report files, declared: which file kind a name is, its columns, their types, and how a sheet is read.

Four kinds, told apart by the file name's first word (Italian, as partners write them):

- ``bandi``: calls for proposals (the municipality registers them);
- ``progetti``: funded projects;
- ``attivita``: a partner's activity report (one row per activity);
- ``beneficiari``: a partner's beneficiary list (names, codice fiscale and birth date, like the third-sector
  lists the sources already hold: they are linked and then dropped, never stored).

A column is declared once with its header, field name, type and whether it must be filled; parsing a
sheet gives typed values and one problem per cell that does not parse (file, row, field, reason code).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from welfare_district.errors import InputError

Kind = Literal["bandi", "progetti", "attivita", "beneficiari"]
ColumnType = Literal["text", "date", "number", "int", "ids"]
KINDS: tuple[Kind, ...] = ("bandi", "progetti", "attivita", "beneficiari")  # also the load order
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
PROBLEM_COLUMNS = ["file_name", "row_number", "field", "reason"]


@dataclass(frozen=True)
class Column:
    """One declared column: its header in the file, the field it fills, its type, whether it is required."""

    header: str
    field: str
    type: ColumnType = "text"
    required: bool = True


SPECS: dict[Kind, tuple[Column, ...]] = {
    "bandi": (
        Column("codice_bando", "call_id"), Column("titolo", "title"), Column("budget_eur", "budget_eur", "number"),
        Column("data_apertura", "opens_on", "date"), Column("data_chiusura", "closes_on", "date"),
        Column("gruppo_target", "target_group"), Column("eta_min", "min_age", "int", False),
        Column("eta_max", "max_age", "int", False), Column("aree_target", "target_areas", "ids"),
    ),
    "progetti": (
        Column("codice_progetto", "project_id"), Column("codice_bando", "call_id"), Column("titolo", "title"),
        Column("ente_capofila", "lead_organisation_id"), Column("partner", "partners", "ids", False),
        Column("servizi", "services", "ids", False), Column("budget_eur", "budget_eur", "number"),
        Column("data_inizio", "starts_on", "date"), Column("data_fine", "ends_on", "date"),
        Column("aree", "target_areas", "ids"),
    ),
    "attivita": (
        Column("codice_progetto", "project_id"), Column("data", "activity_date", "date"),
        Column("tipo", "kind"), Column("area", "area_id"), Column("ore", "hours", "number"),
        Column("partecipanti", "participants", "int"),
    ),
    "beneficiari": (
        Column("codice_progetto", "project_id"), Column("cognome", "surname"), Column("nome", "first_name"),
        Column("data_nascita", "birth_date", "date"), Column("codice_fiscale", "codice_fiscale", "text", False),
        Column("data_presa_in_carico", "reached_on", "date"),
    ),
}


def kind_of(path: Path) -> Kind:
    """The file's kind from its name (``bandi.csv``, ``attivita_P01.xlsx``...); InputError for any other."""
    first = path.stem.lower().split("_")[0]
    if first not in KINDS or path.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError("not a report file: the name must start with bandi, progetti, attivita or "
                         "beneficiari and end in .csv or .xlsx", path=path.name)
    return first


def read_sheet(path: Path) -> pd.DataFrame:
    """Every cell of the first sheet (or the CSV, ``;`` or ``,`` separated) as text, headers lower-cased."""
    try:
        if path.suffix.lower() == ".xlsx":
            frame = pd.read_excel(path, dtype=str, engine="calamine")
        else:
            text = path.read_text(encoding="utf-8-sig")
            sep = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
            frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                                quoting=csv.QUOTE_MINIMAL)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the file: {type(exc).__name__}", path=path.name) from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame.fillna("")


def parse(frame: pd.DataFrame, kind: Kind, file_name: str) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Typed fields of every row, and the problems: missing columns (row 0), empty required cells, bad values.

    Row numbers are those of the sheet (the header is row 1). Unparseable cells become None.
    """
    problems: list[dict[str, object]] = []
    out = pd.DataFrame(index=frame.index)
    rows = frame.index.to_numpy() + 2
    for col in SPECS[kind]:
        if col.header not in frame.columns:
            if col.required:
                problems.append(_problem(file_name, 0, col.field, "missing_column"))
            out[col.field] = None
            continue
        values: list[object] = []
        for row, raw in zip(rows, frame[col.header].astype(str).str.strip(), strict=True):
            if not raw:
                if col.required:
                    problems.append(_problem(file_name, int(row), col.field, "required"))
                values.append(None)
                continue
            value, reason = _convert(raw, col.type)
            if reason is not None:
                problems.append(_problem(file_name, int(row), col.field, reason))
            values.append(value)
        out[col.field] = pd.Series(values, index=frame.index, dtype=object)
    out["row_number"] = rows
    return out, problems


def _convert(raw: str, kind: ColumnType) -> tuple[object, str | None]:
    if kind == "date":
        for fmt in DATE_FORMATS:
            try:
                return datetime.strptime(raw[:10], fmt).date(), None
            except ValueError:
                continue
        return None, "bad_date"
    if kind in ("number", "int"):
        try:
            number = float(raw.replace(",", ".")) if raw.count(",") == 1 and "." not in raw else float(raw)
        except ValueError:
            return None, "bad_number"
        if number < 0:
            return None, "negative"
        if kind == "int":
            return (int(number), None) if number.is_integer() else (None, "bad_number")
        return number, None
    if kind == "ids":
        return "|".join(p.strip() for p in raw.replace(";", "|").split("|") if p.strip()), None
    return raw, None


def _problem(file_name: str, row: int, field: str, reason: str) -> dict[str, object]:
    return {"file_name": file_name, "row_number": row, "field": field, "reason": reason}


def date_or_none(value: object) -> date | None:
    """A parsed date cell (None stays None)."""
    return value if isinstance(value, date) else None


def rows_of(frame: pd.DataFrame) -> list[Any]:
    """The rows of a frame as named tuples, typed loosely: cells of a frame hold any type."""
    return list(frame.itertuples(index=False))
