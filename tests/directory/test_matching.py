"""Eligibility rules with reasons, family profiles from the warehouse, matching order and distances, search."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tests.directory.conftest import build_city
from welfare_district.directory.eligibility import (
    AgeRange,
    Citizenship,
    FlagRule,
    IseeRange,
    Profile,
    Residence,
    eligibility_text,
    evaluate,
    fields_needed,
    is_eligible,
    parse_rules,
    rules_json,
)
from welfare_district.directory.index import get_index, haversine_km
from welfare_district.directory.matching import match_services
from welfare_district.directory.profile import family_profile
from welfare_district.directory.requisites import rules_from_text
from welfare_district.directory.search import find_services, get_service, near, paginate
from welfare_district.engine import Database
from welfare_district.errors import InputError, NotFoundError

RULES = [AgeRange(min_age=6, max_age=14), IseeRange(max_eur=9360), Residence(area_ids=["Q1"], area_names=["Centro"]),
         FlagRule(kind="single_parent"), Citizenship(group="non_eu")]


def test_each_rule_gives_passed_failed_or_unknown_with_a_reason() -> None:
    full = Profile(ages=[40, 10], isee_eur=8000, area_ids=["Q1Z01S001", "Q1Z01", "Q1"], single_parent=True,
                   citizenships=["MA"])
    assert [o.status for o in evaluate(RULES, full)] == ["passed"] * 5
    assert evaluate(RULES, full)[0].reason == "a member aged 10"
    poorer = Profile(ages=[40], isee_eur=9360, area_ids=["Q2"], single_parent=False, citizenships=["RO"])
    outcomes = evaluate(RULES, poorer)
    assert [o.status for o in outcomes] == ["failed"] * 5 and not is_eligible(outcomes)
    assert "ISEE 9,360 euro" in outcomes[1].reason  # the upper bound is excluded
    empty = evaluate(RULES, Profile())
    assert [o.status for o in empty] == ["unknown"] * 5 and is_eligible(empty)
    assert Profile(ages=[17]).minors is True and Profile(ages=[18]).minors is False


def test_rules_are_typed_data_stored_as_canonical_json() -> None:
    text = rules_json(RULES)
    assert parse_rules(text) == RULES and rules_json(parse_rules(text)) == text
    for bad, message in (('[{"kind": "zodiac"}]', "invalid eligibility rule"), ("[{", "not valid JSON"),
                         ('[{"kind": "age"}]', "lower or an upper bound"),
                         ('[{"kind": "isee", "min_eur": 5, "max_eur": 1}]', "above upper bound")):
        with pytest.raises(InputError, match=message):
            parse_rules(bad)
    assert fields_needed(RULES) == {"ages", "isee_eur", "area_ids", "single_parent", "citizenships"}


def test_eligibility_text_is_generated_in_italian_and_english() -> None:
    assert eligibility_text(RULES, "it") == ("Possono accedere: età dai 6 ai 14 anni; ISEE inferiore a 9.360 euro; "
                                             "residenza a Centro; nuclei monoparentali; cittadini di paesi extra UE.")
    assert eligibility_text(RULES, "en").startswith("Eligible: aged 6 to 14; ISEE below EUR 9,360; resident in Centro")
    assert eligibility_text([], "it") == "Accesso aperto a tutti."


def test_every_requisites_phrase_of_the_synthetic_catalogue_maps_as_expected() -> None:
    from welfare_district.synth.extracts.catalogo_testi import ELIGIBILITY

    def kinds(text: str) -> list[str]:
        return [r.kind for r in rules_from_text(text.format(isee=9360), city_id="028060", city_name="Padova")]

    expected = {
        "Residenti nel Comune di Padova con ISEE inferiore a {isee} euro.": ["isee", "residence"],
        "Persone con più di 65 anni che vivono sole o senza rete familiare.": ["age", "elderly_alone"],
        "Residenti a Padova over 75; segnalazione anche da parte di vicini o medico di base.": ["age", "residence"],
        "Persone con disabilità certificata (L. 104/1992) e loro famiglie.": ["disability"],
        "Famiglie con figli minori; priorità ai nuclei monoparentali.": ["minors"],
        "Famiglie con ISEE inferiore a {isee} euro: quota ridotta.": [],  # a fee band, not a condition
        "Cittadini stranieri regolarmente soggiornanti o richiedenti protezione internazionale.": ["citizenship"],
        "Donne straniere con figli piccoli: disponibile spazio bimbi durante il corso.": ["minors", "citizenship"],
        "Giovani dai 16 ai 29 anni che non studiano e non lavorano.": ["age"],
        "Accesso libero nei giorni di apertura; è richiesto un documento di identità.": [],
    }
    phrases = {p for group in ELIGIBILITY.values() for p in group}
    assert set(expected) <= phrases
    for phrase, wanted in expected.items():
        assert kinds(phrase) == wanted, phrase
    for phrase in phrases:  # every phrase parses into valid, serialisable rules
        rules = rules_from_text(phrase.format(isee=6000), city_id="028060", city_name="Padova")
        assert parse_rules(rules_json(rules)) == rules


def test_family_profile_flags_suggest_needs(db: Database, tmp_path: Path) -> None:
    build_city(db, tmp_path / "cat")
    one = family_profile(db, 1)
    assert one.profile.ages == [8, 10, 40] and one.profile.isee_eur == 8000 and one.profile.single_parent
    assert one.areas == ("Q1Z01S001", "Q1Z01", "Q1", "028060")
    assert {"ivsm_single_parent", "isee_below_9360", "ivsm_economic_hardship"} <= set(one.flags)
    assert one.case_needs == ()  # the economic case closed in June
    assert {"economic", "minors_family", "employment"} <= set(one.profile.needs)
    three = family_profile(db, 3)
    assert three.profile.elderly_alone and three.profile.disability and three.case_needs == ("elderly_care",)
    assert (three.profile.lat, three.profile.lon) == pytest.approx((45.382, 11.890))
    assert family_profile(db, 6).areas == ("028060",)  # unplaced, but resident in the city
    with pytest.raises(NotFoundError, match="family 99"):
        family_profile(db, 99)


def test_matching_ranks_by_needs_then_distance_with_reasons(db: Database, tmp_path: Path) -> None:
    build_city(db, tmp_path / "cat")
    index = get_index(db)
    one = family_profile(db, 1)
    matches = match_services(index, one.profile, limit=10)
    assert [m.service_id for m in matches] == ["S0001", "S0002", "S0004"]  # S0003 is for elderly people alone
    assert matches[0].distance_km == 0.0
    expected = 2 * 6371.0088 * math.asin(math.sqrt(
        math.sin(math.radians(0.023) / 2) ** 2
        + math.cos(math.radians(45.407)) * math.cos(math.radians(45.43)) * math.sin(math.radians(0.004) / 2) ** 2))
    assert matches[1].distance_km == pytest.approx(expected, abs=1e-3) and 2.5 < expected < 2.6
    assert [(o.status, o.reason) for o in matches[1].outcomes] == [("passed", "a member aged 8")]
    assert {o.status for o in matches[0].outcomes} == {"passed"}
    everything = match_services(index, one.profile, include_ineligible=True)
    assert everything[-1].service_id == "S0003" and not everything[-1].eligible
    assert [(o.status, o.reason) for o in everything[-1].outcomes] == [
        ("failed", "no member in the age range (ages [8, 10, 40])"), ("failed", "elderly alone: no")]
    anonymous = Profile(needs=["elderly_care"], lat=45.38, lon=11.89)
    first = match_services(index, anonymous, limit=1)[0]
    assert first.service_id == "S0003" and first.unknown_rules == 2 and first.distance_km == 0.0
    with pytest.raises(InputError, match="unknown need"):
        match_services(index, Profile(needs=["magic"]))


def test_search_filters_pages_and_proximity(db: Database, tmp_path: Path) -> None:
    build_city(db, tmp_path / "cat")
    index = get_index(db)
    assert [s.id for s in find_services(index, taxonomy_term="wd-needs:economic")] == ["S0001", "S0004"]
    assert [s.id for s in find_services(index, query="DOPOSCUOLA alfa")] == ["S0002"]
    assert [s.id for s in find_services(index, area_id="Q2")] == ["S0002", "S0004"]
    assert [s.id for s in find_services(index, organization_id="E002")] == ["S0003"]
    assert get_service(index, "S0003")["organization"]["organization_identifiers"][0]["identifier"] == "654321"
    page = paginate([{"i": i} for i in range(5)], 2, 2)
    assert (page.total_items, page.total_pages, page.page_number, page.size, page.first_page, page.last_page,
            page.empty) == (5, 3, 2, 2, False, False, False)
    assert paginate([], 1, 10).empty and paginate([], 1, 10).last_page
    hits = near(index, 45.407, 11.876, 3.0)
    assert [h["service"]["id"] for h in hits] == ["S0001", "S0002", "S0004"]
    assert hits[0]["distance_km"] == 0.0 and hits[1]["distance_km"] == pytest.approx(
        haversine_km(45.407, 11.876, 45.43, 11.88), abs=1e-3)
    for kwargs, message in (({"taxonomy_term": "nope"}, "unknown taxonomy term"), ({"status": "open"}, "status")):
        with pytest.raises(InputError, match=message):
            find_services(index, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="radius"):
        near(index, 45.4, 11.8, 500)
    with pytest.raises(NotFoundError):
        get_service(index, "S9999")
