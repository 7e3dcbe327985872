"""Checks across the rows of one group, on the shipped population-register declaration: a famiglia
anagrafica has exactly one head and one address."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from tests.ingest.fixtures import code
from welfare_district.errors import InputError
from welfare_district.ingest import rules
from welfare_district.ingest.validate import validate
from welfare_district.sources.catalogue import parse_declaration, shipped_catalogue
from welfare_district.sources.readers import read_csv

HEADER = ["CODICE_INDIVIDUALE", "CODICE_FAMIGLIA", "RELAZIONE_PARENTELA", "CODICE_FISCALE", "COGNOME", "NOME",
          "SESSO", "DATA_NASCITA", "INDIRIZZO", "NUMERO_CIVICO", "ESPONENTE"]


def _member(n: int, family: str, relation: str, address: str = "VIA ROMA", number: str = "1") -> list[str]:
    birth = date(1950 + n, 1, 1)
    return [f"P{n}", family, relation, code(birth), "ROSSI", "MARIO", "M", birth.strftime("%d/%m/%Y"), address,
            number, ""]


def _register(tmp_path: Path, rows: list[list[str]]) -> pd.DataFrame:
    path = tmp_path / "anagrafe_2024.csv"
    path.write_text("\n".join(";".join(r) for r in [HEADER, *rows]) + "\n", encoding="utf-8")
    raw = read_csv(path, encoding="utf-8", separator=";")
    return validate(shipped_catalogue()["anagrafe"], raw, today=date(2025, 1, 15)).failures


def test_families_without_one_head_or_one_address_are_flagged(tmp_path: Path) -> None:
    failures = _register(tmp_path, [
        _member(1, "F1", "INTESTATARIO SCHEDA"), _member(2, "F1", "CONIUGE"),                  # rows 1-2: fine
        _member(3, "F2", "CONIUGE"), _member(4, "F2", "FIGLIO"),                               # 3-4: no head
        _member(5, "F3", "INTESTATARIO SCHEDA"), _member(6, "F3", "INTESTATARIO SCHEDA"),      # 5-6: two heads
        _member(7, "F4", "INTESTATARIO SCHEDA"), _member(8, "F4", "FIGLIA"),
        _member(9, "F4", "FIGLIO", address="VIA ROMAA", number="3"),                           # 9: elsewhere
    ])
    found = {(r.row_number, r.field, r.reason_code) for r in failures.itertuples()}
    assert found == {(3, "RELAZIONE_PARENTELA", "group_lacks_one"), (4, "RELAZIONE_PARENTELA", "group_lacks_one"),
                     (5, "RELAZIONE_PARENTELA", "group_many"), (6, "RELAZIONE_PARENTELA", "group_many"),
                     (9, "INDIRIZZO", "group_inconsistent"), (9, "NUMERO_CIVICO", "group_inconsistent")}
    assert set(failures["severity"]) == {"warning"}  # flagged for the steward, never dropped
    assert not failures["message"].str.contains("ROSSI|ROMA|F4").any()


def test_rules_ignore_rows_without_a_group_and_break_ties_by_the_earliest_row() -> None:
    group = pd.Series(["A", "A", "", "B", "B"], index=[1, 2, 3, 4, 5])
    codes = rules.group_codes(group)
    lacking, many = rules.one_per_group(codes, pd.Series(["X", "Y", "Z", "Y", "Y"], index=group.index), "X")
    assert lacking.tolist() == [False, False, False, True, True] and not many.any()
    values = pd.Series(["via a", "via b", "via c", "via d", "via d"], index=group.index)
    # A's two rows disagree one to one: the earlier row's value is the usual one, so row 2 is flagged
    assert rules.differs_in_group(codes, values).tolist() == [False, True, False, False, False]


def test_a_group_rule_must_say_what_it_groups(tmp_path: Path) -> None:
    path = tmp_path / "lista.toml"
    path.write_text('name = "lista"\ntitle = "t"\nformat = "csv"\ntargets = ["family_membership_record"]\n'
                    '[columns.FAM]\nfield = "family_code"\n[columns.REL]\nfield = "relation"\n'
                    '[[checks]]\nrule = "one_per_group"\ngroup = "family_code"\nfield = "relation"\n',
                    encoding="utf-8")
    with pytest.raises(InputError, match="one_per_group needs"):
        parse_declaration(path)
