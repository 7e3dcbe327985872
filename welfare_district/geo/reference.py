"""Typed loaders for the real reference data shipped in ``welfare_district/data`` (see SOURCES.md there).

Files are read through importlib.resources, so they work from an installed wheel too. Parsed results
are cached; DataFrames are returned as copies so callers may modify them freely.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon

from welfare_district.errors import InputError, NotFoundError

DATA_PACKAGE = "welfare_district.data"
POPULATION_YEARS = (2022, 2023)
PADOVA_ISTAT = "028060"
PADOVA_BELFIORE = "G224"


@dataclass(frozen=True)
class Quartiere:
    """One of Padova's six quartieri (ISTAT ASC 2011) with its census-2011 counts; geometry in EPSG:4326."""

    code: int
    name: str
    geometry: Polygon
    popres: int
    maschi: int
    famiglie: int
    abitazioni: int
    edifici: int


def _read_text(name: str) -> str:
    try:
        return resources.files(DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise NotFoundError(
            f"Reference file {name} is missing from {DATA_PACKAGE}; reinstall the package") from exc


def _feature_collection(name: str) -> list[dict[str, Any]]:
    data = json.loads(_read_text(name))
    if data.get("type") != "FeatureCollection" or not data.get("features"):
        raise InputError("expected a non-empty GeoJSON FeatureCollection", path=f"{DATA_PACKAGE}/{name}")
    features: list[dict[str, Any]] = data["features"]
    return features


@lru_cache(maxsize=1)
def _quartieri() -> tuple[Quartiere, ...]:
    result = []
    for i, feat in enumerate(_feature_collection("quartieri.geojson")):
        geom = shapely.from_geojson(json.dumps(feat["geometry"]))
        if not isinstance(geom, Polygon) or not geom.is_valid:
            raise InputError("geometry is not a valid Polygon", path="quartieri.geojson", row=i)
        p = feat["properties"]
        result.append(Quartiere(code=int(p["code"]), name=str(p["name"]), geometry=geom,
                                popres=int(p["POPRES"]), maschi=int(p["MASCHI"]), famiglie=int(p["FAMIGLIE"]),
                                abitazioni=int(p["ABITAZIONI"]), edifici=int(p["EDIFICI"])))
    return tuple(sorted(result, key=lambda q: q.code))


def load_quartieri() -> list[Quartiere]:
    """The six quartieri ordered by code 1..6 (Centro, Nord, Est, Sud-Est, Sud-Ovest, Ovest)."""
    return list(_quartieri())


@lru_cache(maxsize=1)
def load_comune_boundary() -> Polygon | MultiPolygon:
    """Padova's municipal boundary (ISTAT limits as of June 2023, via openpolis) in EPSG:4326, valid."""
    feat = _feature_collection("comune_padova.geojson")[0]
    geom = shapely.from_geojson(json.dumps(feat["geometry"]))
    if not isinstance(geom, Polygon | MultiPolygon):
        raise InputError("geometry is not a (Multi)Polygon", path="comune_padova.geojson", row=0)
    return geom if geom.is_valid else shapely.make_valid(geom)


@lru_cache(maxsize=len(POPULATION_YEARS))
def _population(year: int) -> pd.DataFrame:
    df = pd.read_csv(io.StringIO(_read_text(f"popolazione_eta_sesso_{year}.csv")))
    return df[["age", "F", "M", "tot"]].astype("int64").sort_values("age").reset_index(drop=True)


def load_population(year: Literal[2022, 2023] | int) -> pd.DataFrame:
    """Padova residents on 1 January of ``year`` by single year of age (0..100, 100 = 100+).

    Columns age, F, M, tot (int64), one row per age. Raises NotFoundError for a year that is not shipped.
    """
    if year not in POPULATION_YEARS:
        raise NotFoundError(f"No population table for year {year}: shipped years are "
                            f"{', '.join(map(str, POPULATION_YEARS))}")
    return _population(int(year)).copy()


@lru_cache(maxsize=1)
def _streets() -> pd.DataFrame:
    raw = pd.read_csv(io.StringIO(_read_text("stradario_padova.csv")), dtype=str, keep_default_na=False)
    code = raw["Codice_comunale"].str.strip()
    # ANNCSU publishes a few codes without the leading zero; the register's codes are 5 characters.
    padded = code.where(code == "", code.str.zfill(5))
    return pd.DataFrame({
        "street_code": padded.replace("", None).astype("object"),
        "dug": raw["DUG"].str.strip(),
        "duf": raw["DUF"].str.strip(),
        "progressivo": raw["Progressivo_nazionale"].astype("int64"),
    })


def load_streets() -> pd.DataFrame:
    """Padova's ANNCSU street register, one row per street, in file order.

    Columns: street_code (Codice_comunale as a 5-character string; None for the 2 streets without one),
    dug (street type, e.g. VIA), duf (street name), progressivo (ANNCSU national id, int64, unique).
    """
    return _streets().copy()


@lru_cache(maxsize=1)
def _comuni() -> pd.DataFrame:
    return pd.read_csv(io.StringIO(_read_text("comuni_italiani.csv")), dtype=str, keep_default_na=False)


def load_comuni() -> pd.DataFrame:
    """Active Italian comuni (ANPR + ISTAT), all columns strings as published (CODISTAT, CODCATASTALE...)."""
    return _comuni().copy()
