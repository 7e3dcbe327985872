"""The synthetic region as a register of several comuni: each virtual district is a comune, its extracts name
each resident's comune, and every address is placed in its own district, never in another."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from welfare_district.geo.comune import attach_comune
from welfare_district.geo.folder import read_area_folder
from welfare_district.geo.geocode import GeocodeIndex, geocode_frame
from welfare_district.geo.store import validate_civici
from welfare_district.synth.generate import generate


@pytest.fixture(scope="module")
def region(region_dir: Path) -> Path:
    return region_dir


@pytest.fixture(scope="module")
def index(region: Path) -> GeocodeIndex:
    areaset, civici = read_area_folder(region / "areas")
    validate_civici(civici, areaset.areas)  # the same streets and numbers in both districts
    return GeocodeIndex(attach_comune(civici, areaset.areas))


def _read_one(path: Path, **kwargs: object) -> pd.DataFrame:
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
    return pd.read_csv(path, dtype=str, keep_default_na=False, **kwargs)  # type: ignore[call-overload]


def _read(root: Path, name: str, **kwargs: object) -> pd.DataFrame:
    """The file ``name`` of a city, or of every district of a region (one folder each) end to end."""
    paths = [root / "extracts" / name] if (root / "extracts" / name).exists() else sorted(
        (root / "extracts").glob(f"V*/{name}"))
    assert paths, name
    return pd.concat([_read_one(p, **kwargs) for p in paths], ignore_index=True)


def test_register_rows_are_placed_in_their_own_district(region: Path, index: GeocodeIndex) -> None:
    reg = _read(region, "anagrafe_2021.csv", sep=";")
    assert set(reg["COMUNE_RESIDENZA"]) == {"V01-028060", "V02-028060"}
    out = geocode_frame(reg, index, id_column="CODICE_INDIVIDUALE", text_column="INDIRIZZO",
                        number_column="NUMERO_CIVICO", suffix_column="ESPONENTE", comune_column="COMUNE_RESIDENZA")
    matched = out["match_kind"] != "unmatched"
    assert matched.mean() > 0.99
    assert (out["section_id"][matched].str[:4] == reg["COMUNE_RESIDENZA"][matched].str[:4]).all()
    # without the comune the register of two districts cannot tell them apart
    blind = geocode_frame(reg.head(50), index, id_column="CODICE_INDIVIDUALE", text_column="INDIRIZZO",
                          number_column="NUMERO_CIVICO", suffix_column="ESPONENTE")
    assert set(blind["reason"]) == {"no_comune"}


@pytest.mark.parametrize(("name", "text", "comune", "sep"), [
    ("cpi_iscritti_2021.csv", "INDIRIZZO DOMICILIO", "COMUNE DOMICILIO", ";"),
    ("tari_utenze_2021.csv", "INDIRIZZO_UTENZA", "COMUNE", ","),
    ("ater_assegnatari_2021.xlsx", "Indirizzo", "Comune", None),
])
def test_other_sources_name_the_comune(region: Path, index: GeocodeIndex, name: str, text: str, comune: str,
                                       sep: str | None) -> None:
    frame = _read(region, name, sep=sep)
    assert set(frame[comune]) <= {"V01-028060", "V02-028060"} and len(frame) > 0
    out = geocode_frame(frame, index, id_column=None, text_column=text, comune_column=comune)
    matched = out["match_kind"] != "unmatched"
    assert matched.mean() > 0.9
    assert (out["section_id"][matched].str[:4] == frame[comune][matched].str[:4]).all()


def test_padova_extracts_keep_their_columns(tmp_path: Path) -> None:
    out = tmp_path / "padova"
    generate(out, scale="padova", years=(2021, 2021), seed=5, fraction=0.02, workers=1)
    for name in ("anagrafe_2021.csv", "tari_utenze_2021.csv"):
        header = (out / "extracts" / name).read_text(encoding="utf-8").splitlines()[0]
        assert "COMUNE_RESIDENZA" not in header and ",COMUNE," not in header + ","
    assert set(_read(out, "cpi_iscritti_2021.csv", sep=";")["COMUNE DOMICILIO"]) == {"PADOVA"}


def test_isee_protocols_stay_unique_across_districts(region: Path) -> None:
    from welfare_district.sources.catalogue import shipped_catalogue

    decl = shipped_catalogue()["isee"]
    isee = _read(region, "isee_dsu_2021.csv", sep=decl.separator or None, encoding="cp1252", engine="python")
    protocols = isee["PROTOCOLLO_DSU"]
    assert protocols.is_unique and {p[-2:] for p in protocols} == {"01", "02"}  # V01, V02
