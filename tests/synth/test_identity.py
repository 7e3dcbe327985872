"""Codici fiscali: valid, unique, omocodic when needed; names with realistic homonyms; birthplaces."""

from __future__ import annotations

import json
from pathlib import Path

import codicefiscale
import numpy as np
import pandas as pd
from codicefiscale import codicefiscale as pycf

from welfare_district.ingest.codice_fiscale import base_form, is_valid
from welfare_district.synth.identity import CodeRegistry, unique_codes
from welfare_district.synth.names_foreign import COUNTRIES, ITALIANS_BORN_ABROAD


def test_every_code_valid_and_unique(synth_small: dict[str, pd.DataFrame]) -> None:
    codes = synth_small["persons"]["codice_fiscale"]
    assert codes.is_unique
    assert all(is_valid(c) for c in codes)


def test_codes_pass_python_codicefiscale_on_a_sample(synth_small: dict[str, pd.DataFrame]) -> None:
    codes = synth_small["persons"]["codice_fiscale"].to_numpy()
    sample = np.random.default_rng(0).choice(codes, size=min(2000, len(codes)), replace=False)
    bad = [c for c in sample if not pycf.is_valid(c)]
    assert bad == []


def test_codes_encode_the_persons_data(synth_small: dict[str, pd.DataFrame]) -> None:
    p = synth_small["persons"]
    base = p["codice_fiscale"].map(base_form)
    birth = pd.to_datetime(p["birth_date"])
    assert (base.str[6:8] == birth.dt.strftime("%y")).all()
    day = birth.dt.day + np.where(p["sex"] == "F", 40, 0)
    assert (base.str[9:11].astype(int) == day).all()
    assert (base.str[11:15] == p["birth_place_code"]).all()


def test_homonyms_occur(synth_small: dict[str, pd.DataFrame]) -> None:
    p = synth_small["persons"]
    counts = p.groupby(["surname", "first_name"]).size()
    assert counts.max() >= 5
    assert (p["surname"].value_counts().head(10).sum() / len(p)) > 0.05


def test_repeated_base_codes_become_omocodic_across_chunks() -> None:
    base = np.array(["RSSMRA80A01G224Q"] * 3, dtype=object)  # not checked here: only the levels
    registry = CodeRegistry()
    first = unique_codes(base[:2], registry)
    second = unique_codes(base[2:], registry)
    codes = list(first) + list(second)
    assert len(set(codes)) == 3
    assert codes[0] == base[0] and codes[1] != base[1]
    assert {base_form(c) for c in codes} == {base_form(base[0])}


def test_belfiore_codes_of_countries_exist_in_python_codicefiscale() -> None:
    data = Path(codicefiscale.__file__).parent / "data" / "countries.json"
    known = {c["code"] for c in json.loads(data.read_text())}
    assert {c.belfiore for c in COUNTRIES} <= known
    assert {z for z, _ in ITALIANS_BORN_ABROAD} <= known


def test_foreigners_have_foreign_names_and_birthplaces(synth_small: dict[str, pd.DataFrame]) -> None:
    p = synth_small["persons"]
    foreign = p[p["citizenship"] != "IT"]
    assert set(foreign["citizenship"]) <= {c.iso2 for c in COUNTRIES}
    adults = foreign[pd.to_datetime(foreign["birth_date"]).dt.year < 1990]
    assert (adults["birth_place_code"].str.startswith("Z")).mean() > 0.9
    ro = foreign[foreign["citizenship"] == "RO"]
    assert ro["surname"].isin(next(c for c in COUNTRIES if c.iso2 == "RO").surnames).mean() > 0.5
