"""Every rule yields its reason code; every failure of a row is collected; messages carry no values."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ingest.fixtures import cases, declaration, write_csv
from welfare_district.ingest import codice_fiscale as cfmod
from welfare_district.ingest import rules
from welfare_district.ingest.validate import Validation, validate
from welfare_district.sources.readers import read_csv

TODAY = date(2026, 1, 15)


def _validated(tmp_path: Path) -> tuple[list[tuple[dict[str, str], set[str]]], Validation]:
    rows = cases()
    raw = read_csv(write_csv(tmp_path / "prova_2024.csv", [r for r, _ in rows]), encoding="utf-8", separator=";")
    return rows, validate(declaration(tmp_path), raw, today=TODAY)


def test_each_rule_gives_its_reason_code(tmp_path: Path) -> None:
    rows, checked = _validated(tmp_path)
    found = checked.failures.groupby("row_number")["reason_code"].agg(set).to_dict()
    for number, (_, expected) in enumerate(rows, start=1):
        assert found.get(number, set()) == expected, f"row {number}"


def test_every_failure_of_a_row_is_collected_with_its_field(tmp_path: Path) -> None:
    _, checked = _validated(tmp_path)
    last = checked.failures[checked.failures["row_number"] == len(cases())]
    assert dict(zip(last["reason_code"], last["field"], strict=True)) == {
        "date_impossible": "NASCITA", "enum_invalid": "SESSO", "out_of_range": "NUCLEO"}


def test_severities_split_quarantine_from_flags(tmp_path: Path) -> None:
    _, checked = _validated(tmp_path)
    sev = dict(zip(checked.failures["reason_code"], checked.failures["severity"], strict=False))
    assert sev["cf_omocode"] == sev["date_day_month_swapped"] == sev["cf_sex_mismatch"] == "warning"
    assert sev["cf_checksum"] == sev["date_impossible"] == sev["required_missing"] == "error"
    errors = set(checked.error_rows())
    assert 4 not in errors and 6 not in errors and 2 in errors
    assert checked.warnings_by_row()[4] == "cf_omocode"


def test_values_are_parsed_into_canonical_fields(tmp_path: Path) -> None:
    _, checked = _validated(tmp_path)
    v = checked.values
    assert v.loc[1, "birth_date"] == pd.Timestamp(1980, 1, 1)
    assert v.loc[19, "birth_date"] == pd.Timestamp(1975, 3, 3)  # "3 marzo 1975"
    assert v.loc[20, "birth_date"] == pd.Timestamp(1990, 4, 3)  # dd/mm as declared, not swapped
    assert v.loc[1, "household_size"] == 2 and v["household_size"].isna()[13]
    assert list(v.loc[[1, 2, 4, 9], "cf_status"]) == ["valid", "invalid", "omocode", "missing"]


def test_messages_never_hold_a_value(tmp_path: Path) -> None:
    rows, checked = _validated(tmp_path)
    values = {v for r, _ in rows for v in r.values() if len(v) >= 3}
    text = " ".join(checked.failures["message"])
    assert not [v for v in values if v in text]


def test_dates_two_digit_years_and_impossible_days() -> None:
    parsed, bad, impossible = rules.parse_dates(pd.Series(["14-9-86", "1-1-20", "30-2-90", "x"]), ("%d-%m-%y",),
                                                today=TODAY)
    assert parsed[0] == pd.Timestamp(1986, 9, 14) and parsed[1] == pd.Timestamp(2020, 1, 1)
    assert list(impossible) == [False, False, True, False] and list(bad) == [False, False, False, True]
    old, _, _ = rules.parse_dates(pd.Series(["1-1-49"]), ("%d-%m-%y",), today=TODAY)
    assert old[0] == pd.Timestamp(1949, 1, 1)  # a birth date is never in the future


def test_remembered_dates_parse_as_afresh(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls = [(["14-9-86", "", "30-2-90"], ("%d-%m-%y",), TODAY), (["14-9-86", "1-1-49", "x"], ("%d-%m-%y",), TODAY),
             (["14-9-86", "1-1-49"], ("%d-%m-%y",), date(1980, 1, 1)), (["14-9-86", "1-1-2020"], ("%d-%m-%Y",), TODAY),
             ([], ("%d-%m-%Y",), TODAY), (["1-1-2020", "2-1-2020", "3-1-2020"], ("%d-%m-%Y",), TODAY)]
    fresh = [rules.parse_dates(pd.Series(v, dtype=object), f, today=t) for v, f, t in calls]
    monkeypatch.setattr(rules, "MEMO_LIMIT", 4)  # the last call overflows the memo: it forgets and parses again
    with rules.remember_distinct(), rules.remember_distinct():
        remembered = [rules.parse_dates(pd.Series(v, dtype=object), f, today=t) for v, f, t in calls]
    assert rules._memos is None
    for a, b in zip(fresh, remembered, strict=True):
        for x, y in zip(a, b, strict=True):
            pd.testing.assert_series_equal(x, y)


def test_decimal_comma_and_members() -> None:
    nums, bad = rules.parse_numbers(pd.Series(["40930,15", "1.234,5", "2", "x", ""]), decimal=",")
    assert list(nums[:3]) == [40930.15, 1234.5, 2.0] and list(bad) == [False, False, False, True, False]
    a, b = cfmod.encode("ROSSI", "MARIO", "M", date(1980, 1, 1), "G224"), \
        cfmod.encode("VERDI", "ANNA", "F", date(1982, 2, 2), "G224")
    members = pd.Series([f"{a} - {b}", b, f"{a} - {b[:15]}Z"])
    assert list(rules.not_member(pd.Series([a, a, a]), members, " - ")) == [False, True, False]
    assert list(rules.cf_list_invalid(members, " - ")) == [False, False, b[15] != "Z"]


_LETTERS = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(_LETTERS, _LETTERS, st.sampled_from("MF"), st.dates(date(1900, 1, 1), date(2025, 12, 31)),
       st.sampled_from(["G224", "Z129", "F205"]), st.integers(0, 7), st.integers(0, 15))
def test_vectorised_codes_agree_with_the_reference(surname: str, name: str, sex: str, birth: date, place: str,
                                                    level: int, corrupt: int) -> None:
    good = cfmod.omocode(cfmod.encode(surname, name, sex, birth, place), level)
    chars = list(good)
    chars[corrupt] = random.Random(corrupt).choice("AB19")
    codes = [good, "".join(chars)]
    out = rules.analyse_cf(pd.Series(codes))
    for c, status, base in zip(codes, out["status"], out["base"], strict=True):
        expected = "invalid" if not cfmod.is_valid(c) else ("omocode" if cfmod.base_form(c) != c else "valid")
        assert status == expected
        if expected != "invalid":
            assert base == cfmod.base_form(c)


def test_every_reason_code_is_documented() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "ingest.md").read_text(encoding="utf-8")
    assert [code for code in rules.REASONS if f"`{code}`" not in doc] == []


@settings(max_examples=80, deadline=None)
@given(st.lists(st.dates(date(1900, 1, 1), date(2025, 12, 31)), min_size=1, max_size=20),
       st.sampled_from(["%d/%m/%Y", "%Y-%m-%d", "it_long"]))
def test_any_real_date_in_a_declared_format_parses_back(days: list[date], fmt: str) -> None:
    def text(d: date) -> str:
        if fmt == "it_long":
            return f"{d.day} {rules._IT_MONTHS[d.month - 1]} {d.year}"
        return d.strftime(fmt)

    parsed, bad, impossible = rules.parse_dates(pd.Series([text(d) for d in days]), (fmt,), today=TODAY)
    assert list(parsed) == [pd.Timestamp(d) for d in days]
    assert not bad.any() and not impossible.any()


_MONTHS = "ABCDEHLMPRST"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_LETTERS, st.sampled_from(_MONTHS + "FZ"), st.integers(0, 99), st.integers(0, 99),
                          st.booleans(), st.integers(0, 3)), min_size=1, max_size=30))
def test_codes_read_from_arrow_buffers_classify_as_python_strings(parts: list[tuple[str, str, int, int, bool,
                                                                                    int]]) -> None:
    # every day number 0-99 of every month letter (and two letters that are no month), in any year, with a right
    # or a wrong check character: the column-wise calendar check must agree with the per-code one
    codes = []
    for letters, month, year, day, right, level in parts:
        first15 = f"{(letters * 6)[:6]}{year:02d}{month}{day:02d}G224"
        check = cfmod.check_char(first15)
        code = first15 + (check if right else ("A" if check != "A" else "B"))
        codes.append(cfmod.omocode(code, level) if right and level else code)
    codes += ["", "RSSMRA80A01G22", "rssmra80a01g224x"]
    expected = rules._classify(np.array(codes, dtype=object))
    got = rules._classify_text(pa.array(codes))
    assert expected.keys() == got.keys()
    for key in expected:
        assert list(expected[key]) == list(got[key]), key
    for code, status in zip(codes, got["status"], strict=True):
        if len(code) == 16 and code.isupper():  # the reference's calendar (Python's date) decides validity
            assert (status != "invalid") == cfmod.is_valid(code), code
