"""Values computed once per distinct input: the same result as row by row, repeated rows share one object."""

from __future__ import annotations

from datetime import date

import pandas as pd

from welfare_district.link.deterministic import RECORD_COLUMNS, check_records
from welfare_district.link.staging import _names, _per_distinct


def test_check_records_shares_repeated_values() -> None:
    rows = [{c: None for c in RECORD_COLUMNS} | {"record_id": f"anagrafe:{y}:1", "source": "anagrafe",
                                                   "surname": " rossi ", "codice_fiscale": "rssmra75c03g224x ",
                                                   "birth_date": "1975-03-03", "sex": "m"}
            for y in range(3)]
    out = check_records(pd.DataFrame(rows))
    assert list(out["surname"]) == ["rossi"] * 3
    assert list(out["codice_fiscale"]) == ["RSSMRA75C03G224X"] * 3
    assert list(out["birth_date"]) == [date(1975, 3, 3)] * 3
    assert out["codice_fiscale"].iloc[0] is out["codice_fiscale"].iloc[2]
    assert out["family_key"].isna().all()


def test_per_distinct_matches_row_by_row() -> None:
    people = pd.DataFrame({
        "source": ["anagrafe", "ts_migranti", "anagrafe", "ts_migranti", "anagrafe"],
        "full_name": [None, "MARIO  ROSSI", None, "MARIO  ROSSI", "DE LUCA ANNA"],
        "surname": ["BIANCHI", None, "BIANCHI", None, None],
        "given_name": ["LUCA", None, "LUCA", None, None],
    }, index=[10, 11, 12, 13, 14])
    shared = _per_distinct(people, _names)
    assert shared.equals(_names(people).astype("object"))
    assert shared.loc[11, "surname"] is shared.loc[13, "surname"]
