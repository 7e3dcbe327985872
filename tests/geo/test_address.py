"""Address parsing and normalisation: every written variant, idempotent normalisation, street matching."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from welfare_district.geo.address import (
    ParsedAddress,
    StreetIndex,
    address_flat,
    compact_key,
    normalise_suffix,
    normalise_text,
    parse_address,
    parse_street_and_number,
    street_key,
    street_type_of,
)

# (text, street type, street name, number, suffix, interno)
EXAMPLES = [
    ("via Roma 12", "VIA", "ROMA", 12, "", ""),
    ("V. Roma 12", "VIA", "ROMA", 12, "", ""),
    ("V Roma 12", "VIA", "ROMA", 12, "", ""),
    ("V.ROMA 12", "VIA", "ROMA", 12, "", ""),
    ("VIA ROMA, 12", "VIA", "ROMA", 12, "", ""),
    ("P.ZZA Garibaldi, 3", "PIAZZA", "GARIBALDI", 3, "", ""),
    ("P.za Garibaldi 3", "PIAZZA", "GARIBALDI", 3, "", ""),
    ("PZA GARIBALDI 3", "PIAZZA", "GARIBALDI", 3, "", ""),
    ("piazza Garibaldi 3", "PIAZZA", "GARIBALDI", 3, "", ""),
    ("C.so Milano 3", "CORSO", "MILANO", 3, "", ""),
    ("V.le Cavallotti 7", "VIALE", "CAVALLOTTI", 7, "", ""),
    ("Vic. Ognissanti 4", "VICOLO", "OGNISSANTI", 4, "", ""),
    ("V.lo Ognissanti 4", "VICOLO", "OGNISSANTI", 4, "", ""),
    ("L.go Europa 1", "LARGO", "EUROPA", 1, "", ""),
    ("P.te Molino 1", "PONTE", "MOLINO", 1, "", ""),
    ("Riv. Paleocapa 8", "RIVIERA", "PALEOCAPA", 8, "", ""),
    ("Str. Battaglia 9", "STRADA", "BATTAGLIA", 9, "", ""),
    ("P.le Stazione 2", "PIAZZALE", "STAZIONE", 2, "", ""),
    ("via dall'Acqua 5", "VIA", "DALL ACQUA", 5, "", ""),
    ("VIA DALL ACQUA 5", "VIA", "DALL ACQUA", 5, "", ""),
    ("via Nicolò da Lonigo 10", "VIA", "NICOLO DA LONIGO", 10, "", ""),
    ("via Nicolo' da Lonigo 10", "VIA", "NICOLO DA LONIGO", 10, "", ""),
    ("via Roma n. 12", "VIA", "ROMA", 12, "", ""),
    ("via Roma n.12", "VIA", "ROMA", 12, "", ""),
    ("via Roma n° 12", "VIA", "ROMA", 12, "", ""),
    ("via Roma nr 12", "VIA", "ROMA", 12, "", ""),
    ("via Roma 12/A", "VIA", "ROMA", 12, "A", ""),
    ("via Roma 12/a", "VIA", "ROMA", 12, "A", ""),
    ("via Roma 12A", "VIA", "ROMA", 12, "A", ""),
    ("via Roma 12 a", "VIA", "ROMA", 12, "A", ""),
    ("via Roma 12-b", "VIA", "ROMA", 12, "B", ""),
    ("via Roma 12 bis", "VIA", "ROMA", 12, "BIS", ""),
    ("via Roma 12/bis", "VIA", "ROMA", 12, "BIS", ""),
    ("via Roma n.12A", "VIA", "ROMA", 12, "A", ""),
    ("via Roma 12 int 2", "VIA", "ROMA", 12, "", "2"),
    ("via Roma 12 int. 2", "VIA", "ROMA", 12, "", "2"),
    ("via Roma 12 - int. 2", "VIA", "ROMA", 12, "", "2"),
    ("via Roma 12 interno 2", "VIA", "ROMA", 12, "", "2"),
    ("via Roma 12/A scala B int 3", "VIA", "ROMA", 12, "A", "3"),
    ("via Roma 12 scaal B int 3", "VIA", "ROMA", 12, "", "3"),
    ("V. ROMA 12/A INT. 3", "VIA", "ROMA", 12, "A", "3"),
    ("via Roma 12 - Padova", "VIA", "ROMA", 12, "", ""),
    ("via Roma 12 Padova", "VIA", "ROMA", 12, "", ""),
    ("via Roma 12, 35121 Padova", "VIA", "ROMA", 12, "", ""),
    ("via Roma, 12, 35100 Padova (PD)", "VIA", "ROMA", 12, "", ""),
    ("via Roma 12 PD", "VIA", "ROMA", 12, "", ""),
    ("via Brigata Padova 3", "VIA", "BRIGATA PADOVA", 3, "", ""),
    ("via Brigata Padova", "VIA", "BRIGATA PADOVA", None, "", ""),
    ("v. Tiziano Aspetti n. 45 int 2", "VIA", "TIZIANO ASPETTI", 45, "", "2"),
    ("V. T. Aspetti 45", "VIA", "T ASPETTI", 45, "", ""),
    ("Tiziano Aspetti 45", None, "TIZIANO ASPETTI", 45, "", ""),
    ("via 8 Febbraio 1848 3", "VIA", "8 FEBBRAIO 1848", 3, "", ""),
    ("via Giacinto Carini 3", "VIA", "GIACINTO CARINI", 3, "", ""),
    ("via Roma", "VIA", "ROMA", None, "", ""),
]


@pytest.mark.parametrize(("text", "dug", "name", "number", "suffix", "interno"), EXAMPLES)
def test_parse_variants(text: str, dug: str | None, name: str, number: int | None, suffix: str,
                        interno: str) -> None:
    parsed = parse_address(text)
    assert (parsed.street_type, parsed.street_name_norm, parsed.number, parsed.suffix, parsed.interno) == (
        dug, name, number, suffix, interno)


def test_scala_is_kept_apart() -> None:
    parsed = parse_address("via Roma 12 scala B int 4")
    assert (parsed.number, parsed.suffix, parsed.scala, parsed.interno) == (12, "", "B", "4")


@pytest.mark.parametrize("text", [None, "", "   ", float("nan"), ", 35100 Padova (PD)"])
def test_empty_inputs_parse_to_empty(text: object) -> None:
    assert parse_address(text).is_empty


def test_structured_columns() -> None:
    assert parse_street_and_number("VIA ROMA", "12", "A") == ParsedAddress(
        "VIA", "ROMA", 12, "A", "", "", "VIA ROMA")
    assert parse_street_and_number("VIA ROMA", "12/bis", None).suffix == "BIS"
    assert parse_street_and_number("VIA ROMA", 12.0, float("nan")).number == 12
    assert parse_street_and_number("VIA ROMA", "", "").number is None


@pytest.mark.parametrize(("raw", "expected"), [("a", "A"), ("/bis", "BIS"), ("-B", "B"), (None, ""), ("", "")])
def test_suffix_normalisation(raw: object, expected: str) -> None:
    assert normalise_suffix(raw) == expected


def test_keys_fold_apostrophes_and_accents() -> None:
    assert street_key("Dall'Acqua") == street_key("DALL ACQUA") == "DALL ACQUA"
    assert compact_key("DALLACQUA") == compact_key("dall'acqua")
    assert street_key("NICOLÒ") == street_key("NICOLO'") == "NICOLO"
    assert normalise_text("  via\tRoma ’12’ ") == "VIA ROMA '12'"
    assert street_type_of("P.zza") == "PIAZZA"
    assert street_type_of("Roma") is None


@given(st.text())
def test_normalise_text_is_idempotent(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert once.isascii()


@given(st.text())
def test_street_key_is_idempotent_and_parse_never_raises(text: str) -> None:
    assert street_key(street_key(text)) == street_key(text)
    parse_address(text)


@given(st.one_of(st.text(), st.sampled_from(["Via Roma 12 int. 3", "PADOVA VIA ROMA 2 INTERNO 4B SC. A",
                                              "via Giacinto 3 piano 2 int 7", "int 5 via Roma", None, float("nan")])))
def test_address_flat_is_the_parsed_flat(text: object) -> None:
    assert address_flat(text) == parse_address(text).interno


def test_address_flat_examples() -> None:
    for text, *_, interno in EXAMPLES:
        assert address_flat(text) == interno


def _index() -> StreetIndex:
    return StreetIndex([
        ("100", "VIA", "ROMA"), ("200", "PIAZZA", "GARIBALDI"), ("201", "CORSO", "GARIBALDI"),
        ("300", "VIA", "TIZIANO ASPETTI"), ("400", "VIA", "DALL'ACQUA"), ("500", "PONTE", "CORVO"),
        ("501", "PIAZZALE", "PONTECORVO"), ("600", "VIA", "GIUSEPPE GARIBALDINI"), ("700", "VICOLO", "DEI DOTTO"),
        ("800", "VIA", "LEONHARD EULERO"), ("900", "VIA", "GIOTTO"), ("901", "VIA", "GOITO"),
    ])


@pytest.mark.parametrize(("text", "codes", "kind"), [
    ("via Roma 1", ["100"], "exact"),
    ("Roma 1", ["100"], "type_inferred"),
    ("Garibaldi 1", ["200", "201"], "type_inferred"),
    ("v. T. Aspetti 3", ["300"], "initial"),
    ("via Dallacqua 3", ["400"], "exact"),
    ("ponte Corvo 1", ["500"], "exact"),
    ("Pontecorvo 1", ["501"], "type_inferred"),
    ("viale Roma 1", ["100"], "type_differs"),
    ("via Tiziano Aspeti 3", ["300"], "fuzzy_street"),
    ("via Giuseppe Garibaldni 3", ["600"], "fuzzy_street"),
    ("Viicolo Dei Dotto 2", ["700"], "fuzzy_street"),
    ("via L. Eulreo 2", ["800"], "fuzzy_street"),
    ("via Goitto 2", ["900", "901"], "fuzzy_street"),  # near two streets: the house number must decide
])
def test_street_matching(text: str, codes: list[str], kind: str) -> None:
    match = _index().match(parse_address(text))
    assert sorted(c.street_code for c in match.candidates) == codes
    assert match.candidates[0].kind == kind


@pytest.mark.parametrize("text", ["via Nowhere 3", "via Rom 3", ""])
def test_unknown_street(text: str) -> None:
    match = _index().match(parse_address(text))
    assert match.candidates == () and match.reason == "unknown_street"
