"""Codice fiscale rules: omocodic variants merge, a code contradicting its record is not trusted."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from welfare_district.errors import InputError
from welfare_district.ingest.codice_fiscale import encode, omocode
from welfare_district.link.deterministic import RECORD_COLUMNS, cf_keys, cf_status, check_records

BORN = date(1975, 3, 3)
CF = encode("ROSSI", "MARIO", "M", BORN, "G224")


def _records(rows: list[dict[str, object]]) -> pd.DataFrame:
    base = {c: None for c in RECORD_COLUMNS}
    return pd.DataFrame([{**base, **row} for row in rows])


def test_omocodic_variants_share_the_key() -> None:
    variant = omocode(CF, 2)
    assert variant != CF
    recs = check_records(_records([
        {"record_id": "a:1", "source": "a", "codice_fiscale": CF, "birth_date": BORN, "sex": "M"},
        {"record_id": "b:1", "source": "b", "codice_fiscale": variant.lower(), "birth_date": BORN},
    ]))
    keys = cf_keys(recs)
    assert list(keys["cf_status"]) == ["trusted", "trusted"]
    assert keys["cf_key"].iloc[0] == keys["cf_key"].iloc[1] == CF


def test_two_register_codes_of_one_base_are_two_people() -> None:
    # the register's base code and its variant belong to two people; an unregistered variant is ambiguous
    second, other = omocode(CF, 1), omocode(CF, 3)
    recs = check_records(_records([
        {"record_id": "anagrafe:1", "source": "anagrafe", "codice_fiscale": CF},
        {"record_id": "anagrafe:2", "source": "anagrafe", "codice_fiscale": second},
        {"record_id": "isee:1", "source": "isee", "codice_fiscale": second},
        {"record_id": "ts:1", "source": "ts", "codice_fiscale": other},
    ]))
    keys = cf_keys(recs, "anagrafe")
    assert keys["cf_key"].iloc[0] != keys["cf_key"].iloc[1] == keys["cf_key"].iloc[2]
    assert keys["cf_status"].iloc[3] == "ambiguous" and keys["cf_key"].iloc[3] is None


def test_contradicting_code_is_not_trusted() -> None:
    assert cf_status(CF, BORN, "M") == "trusted"
    assert cf_status(CF, date(1975, 3, 4), "M") == "contradicts"
    assert cf_status(CF, BORN, "F") == "contradicts"
    assert cf_status(CF, date(1875, 3, 3), None) == "trusted"  # the code holds two digits of the year
    assert cf_status(CF, None, None) == "trusted"
    recs = check_records(_records([
        {"record_id": "a:1", "source": "a", "codice_fiscale": CF, "birth_date": date(1975, 4, 3)},
    ]))
    keys = cf_keys(recs)
    assert keys["cf_status"].iloc[0] == "contradicts"
    assert keys["cf_key"].iloc[0] is None


def test_missing_and_invalid_codes() -> None:
    wrong_check = CF[:15] + ("A" if CF[15] != "A" else "B")
    assert cf_status(None, BORN, "M") == "missing"
    assert cf_status(wrong_check, BORN, "M") == "invalid"
    assert cf_status("NOTACODE", BORN, "M") == "invalid"


def test_contract_is_checked() -> None:
    with pytest.raises(InputError, match="lack the columns"):
        check_records(pd.DataFrame({"record_id": ["a"]}))
    with pytest.raises(InputError, match="duplicated"):
        check_records(_records([{"record_id": "a", "source": "s"}, {"record_id": "a", "source": "s"}]))
    with pytest.raises(InputError, match="not dates"):
        check_records(_records([{"record_id": "a", "source": "s", "birth_date": "yesterday"}]))


def test_error_messages_carry_no_personal_data() -> None:
    with pytest.raises(InputError) as err:
        check_records(_records([{"record_id": "a", "source": "s", "codice_fiscale": CF, "surname": "ROSSI",
                                 "birth_date": "not a date"}]))
    assert CF not in str(err.value) and "ROSSI" not in str(err.value)
