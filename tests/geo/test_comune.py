"""Registers of several comuni: the same street and number in two comuni are two civici, a record is only
matched within its own comune, and a record whose comune is missing or outside the register is unmatched."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from welfare_district.engine import Database
from welfare_district.errors import InputError
from welfare_district.geo.areaset import AreaSet
from welfare_district.geo.comune import NO_COMUNE, OUTSIDE, attach_comune, comune_key
from welfare_district.geo.geocode import GeocodeIndex, geocode_frame, geocode_source, read_geocodes
from welfare_district.geo.store import read_register, save_areas, validate_civici
from welfare_district.synth.writer import district_areas, district_civici

SHIFTS = {"V01-": (0.0, 0.0), "V02-": (0.22, 0.0)}


@pytest.fixture(scope="module")
def region(areaset: AreaSet, civici: pd.DataFrame) -> tuple[AreaSet, pd.DataFrame]:
    """Padova twice, as the synthetic region lays out two virtual districts: same streets and numbers."""
    sections = areaset.areas[areaset.areas["level"] == "section"]
    parts, civ = [], []
    for k, (prefix, shift) in enumerate(SHIFTS.items()):
        targets = pd.Series(sections["target_residents"].to_numpy(), index=prefix + sections["area_id"])
        parts.append(district_areas(areaset.areas, prefix, shift, targets, synthetic_all=True))
        civ.append(district_civici(civici, prefix, shift, k * 1_000_000))
    return AreaSet(pd.concat(parts, ignore_index=True), areaset.versions), pd.concat(civ, ignore_index=True)


@pytest.fixture(scope="module")
def register(region: tuple[AreaSet, pd.DataFrame]) -> pd.DataFrame:
    return attach_comune(region[1], region[0].areas)


def test_same_address_in_two_comuni_is_accepted(region: tuple[AreaSet, pd.DataFrame]) -> None:
    areaset, civici = region
    validate_civici(civici, areaset.areas)  # Padova's register twice: every key repeats across comuni


def test_duplicate_within_one_comune_is_refused(region: tuple[AreaSet, pd.DataFrame]) -> None:
    areaset, civici = region
    twice = pd.concat([civici, civici.iloc[[0]].assign(civico_id=99_999_999)], ignore_index=True)
    with pytest.raises(InputError, match=r"duplicate address .* in comune V01-028060"):
        validate_civici(twice, areaset.areas)


def test_register_of_a_region_is_stored_with_its_comuni(db: Database, region: tuple[AreaSet, pd.DataFrame]) -> None:
    areaset, civici = region
    save_areas(db, areaset, civici)
    stored = read_register(db)
    assert len(stored) == len(civici)
    assert sorted(stored["comune_id"].unique()) == ["V01-028060", "V02-028060"]
    assert (stored["section_id"].str[:4] == stored["comune_id"].str[:4]).all()
    some = stored.iloc[[0, len(civici) // 2]]
    out = geocode_source(db, "test", pd.DataFrame({
        "record_id": ["a", "b"],
        "address_text": [f"{r.street_type} {r.street_name} {r.number}{'/' + str(r.suffix) if r.suffix else ''}"
                         for r in some.itertuples()],
        "comune": some["comune_id"].tolist()}), comune_column="comune")
    assert out["civico_id"].tolist() == some["civico_id"].tolist()


def _lines(frame: pd.DataFrame) -> list[str]:
    suffix = frame["suffix"].fillna("").astype(str)
    return (frame["street_type"] + " " + frame["street_name"] + " " + frame["number"].astype(str)
            + np.where(suffix != "", "/" + suffix, "")).tolist()


def test_each_record_matched_in_its_own_comune_and_never_across(register: pd.DataFrame) -> None:
    index = GeocodeIndex(register)
    sample = register[register["comune_id"] == "V01-028060"].sample(3000, random_state=1)
    lines = _lines(sample)
    frame = pd.DataFrame({"address_text": lines * 2,
                          "comune": ["V01-028060"] * len(lines) + ["V02-028060"] * len(lines)})
    out = geocode_frame(frame, index, id_column=None, comune_column="comune")
    matched = out["match_kind"] != "unmatched"
    assert matched.mean() > 0.99
    # the same text finds the civico of the record's comune: V01's ids, then V02's (offset by a million)
    assert (out["section_id"][matched].str[:4] == frame["comune"][matched].str[:4]).all()
    first, second = out["civico_id"].iloc[: len(lines)], out["civico_id"].iloc[len(lines):]
    both = first.notna().to_numpy() & second.notna().to_numpy()
    assert (second.to_numpy()[both] - first.to_numpy()[both] == 1_000_000).all()
    assert (first[first.notna()].to_numpy() == sample["civico_id"].to_numpy()[first.notna().to_numpy()]).mean() > 0.99


@pytest.mark.parametrize(("comune", "section_prefix", "reason"), [
    ("V02-028060", "V02-", None),
    ("Padova (virtual district V01)", "V01-", None),
    ("padova (virtual district v02)", "V02-", None),
    ("", None, NO_COMUNE),
    (None, None, NO_COMUNE),
    ("ROVIGO", None, OUTSIDE),
    ("028060", None, OUTSIDE),  # the real Padova is not one of the virtual districts
])
def test_comune_named_by_code_or_name(register: pd.DataFrame, comune: str | None, section_prefix: str | None,
                                      reason: str | None) -> None:
    row = register.iloc[0]
    text = f"{row['street_type']} {row['street_name']} {row['number']}"
    out = geocode_frame(pd.DataFrame({"record_id": ["r"], "address_text": [text], "comune": [comune]}),
                        register, comune_column="comune")
    if reason is None:
        assert pd.isna(out["reason"].iloc[0])
    else:
        assert out["reason"].iloc[0] == reason
    if section_prefix is None:
        assert out["match_kind"].iloc[0] == "unmatched" and pd.isna(out["section_id"].iloc[0])
    else:
        assert str(out["section_id"].iloc[0]).startswith(section_prefix)


def test_register_of_one_comune_needs_no_comune(areaset: AreaSet, civici: pd.DataFrame) -> None:
    register = attach_comune(civici, areaset.areas)
    row = register.iloc[10]
    text = f"{row['street_type']} {row['street_name']} {row['number']}"
    comuni = ["", "PADOVA", "Comune di Padova", "28060", "ABANO TERME"]
    out = geocode_frame(pd.DataFrame({"address_text": [text] * len(comuni), "comune": comuni}), register,
                        id_column=None, comune_column="comune")
    assert out["civico_id"].iloc[:4].tolist() == [row["civico_id"]] * 4
    assert out["reason"].isna().tolist() == [True] * 4 + [False] and out["reason"].iloc[4] == OUTSIDE


def test_unknown_comune_column_is_refused(register: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="column 'COMUNE' not found"):
        geocode_frame(pd.DataFrame({"address_text": ["VIA ROMA 1"]}), register, comune_column="COMUNE")


@pytest.mark.parametrize(("written", "key"), [
    ("028060", "028060"), ("28060", "028060"), ("28060.0", "028060"), ("Comune di Padova", "PADOVA"),
    (" padova ", "PADOVA"), ("Forlì", "FORLI"), ("REGGIO NELL'EMILIA", "REGGIO NELL EMILIA"), (None, ""),
    (float("nan"), ""), ("V01-028060", "V01-028060"),
])
def test_comune_key(written: object, key: str) -> None:
    assert comune_key(written) == key


def test_cli_geocodes_within_the_named_comune(tmp_path: Path, region: tuple[AreaSet, pd.DataFrame],
                                              register: pd.DataFrame) -> None:
    import typer
    from typer.testing import CliRunner

    from welfare_district.cli.geocode import geocode
    from welfare_district.engine import connect

    url = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    with connect(url) as db:
        save_areas(db, *region)
    line = _lines(register.iloc[[0]])[0]
    extract = tmp_path / "lista.csv"
    extract.write_text(f"id;indirizzo;comune\n1;{line};V01-028060\n2;{line};V02-028060\n3;{line};\n",
                       encoding="utf-8")
    app = typer.Typer()
    app.command()(geocode)
    args = [str(extract), "--column", "indirizzo", "--id-column", "id", "--database-url", url]
    result = CliRunner().invoke(app, [*args, "--comune-column", "comune", "--store", "lista"])
    assert result.exit_code == 0, result.output
    assert "no_comune" in result.output and "66.7" in result.output and line not in result.output
    with connect(url) as db:
        stored = read_geocodes(db, "lista")
    assert stored["section_id"].str[:4].tolist()[:2] == ["V01-", "V02-"]
    blind = CliRunner().invoke(app, args)
    assert blind.exit_code == 0 and "100.0" in blind.output and "no_comune" in blind.output
