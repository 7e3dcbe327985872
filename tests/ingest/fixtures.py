"""A test source declaration exercising every rule, and a CSV with one failing row per reason code."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from welfare_district.ingest import codice_fiscale as cfmod
from welfare_district.sources.catalogue import SourceDeclaration, parse_declaration

DECLARATION = """
name = "prova"
title = "Test list with every rule"
format = "csv"
files = ["prova_*.csv"]
encoding = "utf-8"
separator = ";"
reference_year = 'prova_(\\d{4})'
targets = ["person_record", "beneficiary_record", "family_membership_record"]

[columns.ID]
field = "record_key"
required = true
unique = true

[columns.CF]
field = "codice_fiscale"

[columns.NOME]
field = "full_name"
required = true

[columns.SESSO]
field = "sex"
upper = true
enum = ["M", "F"]

[columns.NASCITA]
field = "birth_date"
formats = ["%d/%m/%Y", "it_long"]

[columns.LUOGO]
field = "birth_place_code"
upper = true

[columns.FAMIGLIA]
field = "family_code"
required = true

[columns.NUCLEO]
field = "household_size"
min = 1
max = 20

[columns.DAL]
field = "registered_on"
formats = ["%d/%m/%Y"]

[columns.AL]
field = "expires_on"
formats = ["%d/%m/%Y"]

[[checks]]
rule = "cf_consistency"
cf = "codice_fiscale"
birth_date = "birth_date"
sex = "sex"
place = "birth_place_code"

[[checks]]
rule = "age"
field = "birth_date"

[[checks]]
rule = "date_order"
start = "registered_on"
end = "expires_on"
"""

HEADER = ["ID", "CF", "NOME", "SESSO", "NASCITA", "LUOGO", "FAMIGLIA", "NUCLEO", "DAL", "AL"]
NAMES = ["ROSSI MARIO", "BIANCHI ANNA", "VERDI LUCA"]


def code(birth: date, sex: str = "M", place: str = "G224", surname: str = "ROSSI", name: str = "MARIO") -> str:
    """A valid codice fiscale."""
    return cfmod.encode(surname, name, sex, birth, place)


def _with_check(body: str) -> str:
    return body + cfmod.check_char(body)


def cases() -> list[tuple[dict[str, str], set[str]]]:
    """(row values, expected reason codes) for each data row, in order."""
    good = code(date(1980, 1, 1))
    clean = {"ID": "", "CF": good, "NOME": "ROSSI MARIO", "SESSO": "M", "NASCITA": "01/01/1980",
             "LUOGO": "G224", "FAMIGLIA": "F1", "NUCLEO": "2", "DAL": "01/01/2024", "AL": "31/12/2024"}

    def row(**changes: str) -> dict[str, str]:
        return {**clean, **changes}

    return [
        (row(), set()),
        (row(CF=good[:15] + ("A" if good[15] != "A" else "B")), {"cf_checksum"}),
        (row(CF="ABC123"), {"cf_shape"}),
        (row(CF=cfmod.omocode(good, 1)), {"cf_omocode"}),
        (row(NASCITA="05/01/1980"), {"cf_birth_date_mismatch"}),
        (row(CF=code(date(1980, 4, 3)), NASCITA="04/03/1980"), {"date_day_month_swapped"}),
        (row(SESSO="F"), {"cf_sex_mismatch"}),
        (row(LUOGO="F205"), {"cf_place_mismatch"}),
        (row(CF="", NASCITA="31/02/1980"), {"date_impossible"}),
        (row(CF="", NASCITA="ieri"), {"date_format"}),
        (row(SESSO="X"), {"enum_invalid"}),
        (row(NUCLEO="0"), {"out_of_range"}),
        (row(NUCLEO="tre"), {"number_invalid"}),
        (row(FAMIGLIA=""), {"required_missing"}),
        (row(CF="", NASCITA="01/01/1890"), {"age_out_of_range"}),
        (row(DAL="01/02/2024", AL="01/01/2024"), {"date_order"}),
        (row(CF=_with_check("RSSMRA80A32G224")), {"cf_date_invalid"}),
        (row(CF=code(date(1980, 1, 1), place="Y999"), LUOGO="Y999"), {"cf_place_unknown"}),
        (row(CF="", NASCITA="3 marzo 1975"), set()),
        (row(CF="", NASCITA="03/04/1990"), set()),  # ambiguous day/month is not an error
        (row(ID="K1"), {"duplicate_key"}),  # K1 is also the first row's key (set below)
        (row(CF="", NASCITA="31/02/1980", SESSO="X", NUCLEO="0"), {"date_impossible", "enum_invalid",
                                                                   "out_of_range"}),
    ]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write rows as the test source's CSV (';', UTF-8); row keys default to K<n>."""
    lines = [";".join(HEADER)]
    for i, r in enumerate(rows, start=1):
        values = {**r, "ID": r["ID"] or f"K{i}"}
        lines.append(";".join(values[h] for h in HEADER))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def declaration(tmp: Path) -> SourceDeclaration:
    """The test declaration, parsed from a TOML file as a steward would write it."""
    path = tmp / "prova.toml"
    path.write_text(DECLARATION, encoding="utf-8")
    return parse_declaration(path)
