"""Referential integrity of the truth tables for any written year range.

Ranges starting after the calibration year are simulated from it and only the later years are written,
so these runs check that nothing from the unwritten years leaks into the written tables.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from welfare_district.synth.calibration import read_truth
from welfare_district.synth.generate import generate


def _missing(values: pd.Series, allowed: pd.Series) -> list[object]:
    return sorted(set(values.dropna()) - set(allowed))


def _keys(df: pd.DataFrame, *cols: str) -> set[tuple[object, ...]]:
    return set(zip(*(df[c] for c in cols), strict=True))


@pytest.mark.parametrize("years", [(2020, 2022), (2023, 2025), (2030, 2031)])
def test_every_reference_exists(tmp_path: Path, years: tuple[int, int]) -> None:
    out = tmp_path / "run"
    generate(out, scale="padova", years=years, seed=1, fraction=0.03, extracts=False)
    t = read_truth(out / "truth")
    persons, py, fy = t["persons"], t["person_year"], t["family_year"]
    dwellings, isee, cases = t["dwellings"], t["isee"], t["cases"]
    civici = pd.read_csv(out / "areas" / "civici.csv", usecols=["civico_id"])

    assert persons["person_id"].is_unique and dwellings["dwelling_id"].is_unique
    assert sorted(py["year"].unique()) == list(range(years[0], years[1] + 1))
    # persons are exactly the people of the written snapshots
    assert set(persons["person_id"]) == set(py["person_id"])
    assert _missing(py["dwelling_id"], dwellings["dwelling_id"]) == []
    assert _missing(fy["dwelling_id"], dwellings["dwelling_id"]) == []
    assert _missing(dwellings["civico_id"], civici["civico_id"]) == []
    assert _keys(py, "year", "family_id") == _keys(fy, "year", "family_id")
    heads = py[py["relation"] == "head"]
    assert _keys(fy, "year", "family_id", "head_person_id") <= _keys(heads, "year", "family_id", "person_id")
    # an ISEE declaration belongs to a family of its year, filed by one of its members
    assert _keys(isee, "year", "family_id") <= _keys(fy, "year", "family_id")
    assert _keys(isee, "year", "family_id", "declarant_person_id") <= _keys(py, "year", "family_id", "person_id")
    # a case names a written person and a written family, and is open at some time in the range
    assert len(cases) > 0
    assert _missing(cases["person_id"], persons["person_id"]) == []
    assert _missing(cases["family_id"], fy["family_id"]) == []
    opened, closed = pd.to_datetime(cases["opened"]), pd.to_datetime(cases["closed"])
    assert (opened <= pd.Timestamp(years[1], 12, 31)).all()
    assert (closed.isna() | (closed >= pd.Timestamp(years[0], 1, 1))).all()
    assert (closed.isna() | (closed >= opened)).all()
