"""Codice fiscale rules agree with the reference implementation (python-codicefiscale) on random people."""

from __future__ import annotations

from datetime import date

import pytest
from codicefiscale import codicefiscale as reference
from hypothesis import given, settings
from hypothesis import strategies as st

from welfare_district.ingest import codice_fiscale as cf

names = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZàèéìòù' ", min_size=1, max_size=14).filter(
    lambda s: any(c.isalpha() for c in s))
people = st.tuples(names, names, st.sampled_from("MF"),
                   st.dates(min_value=date(1901, 1, 1), max_value=date(2025, 12, 31)),
                   st.sampled_from(["G224", "H501", "F205", "Z129", "Z210", "Z140", "L736"]))


@settings(max_examples=300, deadline=None)
@given(people)
def test_encode_matches_reference(person: tuple[str, str, str, date, str]) -> None:
    surname, name, sex, birth, place = person
    expected = reference.encode(lastname=surname, firstname=name, gender=sex,
                                birthdate=birth.strftime("%d/%m/%Y"), birthplace=place)
    assert cf.encode(surname, name, sex, birth, place) == expected


@settings(max_examples=100, deadline=None)
@given(people, st.integers(min_value=1, max_value=7))
def test_omocodic_variants_are_valid_and_reduce_to_the_base(person: tuple[str, str, str, date, str],
                                                            level: int) -> None:
    code = cf.encode(*person)
    variant = cf.omocode(code, level)
    assert variant != code
    assert cf.is_valid(variant) and reference.is_valid(variant)
    assert reference.is_omocode(variant)
    assert cf.base_form(variant) == code


def test_known_code() -> None:
    assert cf.encode("Rossi", "Mario", "M", date(1980, 4, 3), "G224") == "RSSMRA80D03G224J"
    assert cf.decode_birth("RSSMRA80D03G224J") == (date(1980, 4, 3), "M")


@pytest.mark.parametrize("bad", [
    "RSSMRA80D03G224K",   # wrong check character
    "RSSMRA80D32G224J",   # 32nd of the month does not exist (check recomputed below)
    "RSSMRA80Z03G224J",   # Z is not a month letter
    "RSSMRA80D03G22",     # too short
])
def test_invalid_codes_are_rejected(bad: str) -> None:
    if bad[9:11] == "32":
        bad = bad[:15] + cf.check_char(bad[:15])
    assert not cf.is_valid(bad)


def test_transposed_digits_break_the_check_character() -> None:
    code = cf.encode("Bianchi", "Anna", "F", date(1975, 11, 28), "G224")
    swapped = code[:6] + code[7] + code[6] + code[8:]
    assert not cf.is_valid(swapped)
