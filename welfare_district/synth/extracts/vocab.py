"""Italian vocabulary of the source systems: relation terms, citizenships, study titles, place names.

The truth uses English codes; each extract translates them here, so every Italian term lives in one place.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from welfare_district.geo.reference import load_comuni

MONTHS_IT: Final = (
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
)

# Anagrafe "relazione di parentela con l'intestatario scheda"; children and parents split by sex
RELATION_REGISTER: Final = {
    "head": ("INTESTATARIO SCHEDA", "INTESTATARIO SCHEDA"),
    "spouse": ("CONIUGE", "CONIUGE"),
    "partner": ("CONVIVENTE", "CONVIVENTE"),
    "child": ("FIGLIO", "FIGLIA"),
    "parent": ("GENITORE", "GENITORE"),
    "sibling": ("FRATELLO", "SORELLA"),
    "other_relative": ("ALTRO PARENTE", "ALTRO PARENTE"),
    "other": ("ALTRO NON PARENTE", "ALTRO NON PARENTE"),
}
# the housing body's own wording of the same relation
RELATION_ATER: Final = {
    "head": "ASSEGNATARIO",
    "spouse": "CONIUGE",
    "partner": "CONVIVENTE MORE UXORIO",
    "child": "FIGLIO/A",
    "parent": "GENITORE",
    "sibling": "FRATELLO/SORELLA",
    "other_relative": "ALTRO PARENTE",
    "other": "ALTRO",
}

CITIZENSHIP_IT: Final = {
    "IT": "ITALIANA",
    "RO": "ROMENA",
    "AL": "ALBANESE",
    "MA": "MAROCCHINA",
    "CN": "CINESE",
    "NG": "NIGERIANA",
    "MD": "MOLDAVA",
    "UA": "UCRAINA",
    "PH": "FILIPPINA",
    "BD": "BANGLADESE",
    "TN": "TUNISINA",
    "IN": "INDIANA",
    "SN": "SENEGALESE",
    "PE": "PERUVIANA",
    "BR": "BRASILIANA",
    "DE": "TEDESCA",
    "FR": "FRANCESE",
    "ES": "SPAGNOLA",
    "PL": "POLACCA",
    "PK": "PAKISTANA",
    "LK": "SRILANKESE",
    "EG": "EGIZIANA",
    "GH": "GHANESE",
    "CM": "CAMERUNENSE",
    "EC": "ECUADORIANA",
    "RS": "SERBA",
    "MK": "MACEDONE",
    "BA": "BOSNIACA",
    "HR": "CROATA",
    "XK": "KOSOVARA",
    "GE": "GEORGIANA",
    "RU": "RUSSA",
    "BY": "BIELORUSSA",
    "CO": "COLOMBIANA",
    "DO": "DOMINICANA",
    "CU": "CUBANA",
    "VE": "VENEZUELANA",
    "AR": "ARGENTINA",
    "US": "STATUNITENSE",
    "GB": "BRITANNICA",
    "CI": "IVORIANA",
    "ML": "MALIANA",
    "GM": "GAMBIANA",
    "GN": "GUINEANA",
    "ER": "ERITREA",
    "ET": "ETIOPE",
    "SO": "SOMALA",
    "AF": "AFGHANA",
    "IR": "IRANIANA",
    "IQ": "IRACHENA",
    "SY": "SIRIANA",
    "TR": "TURCA",
    "DZ": "ALGERINA",
    "BG": "BULGARA",
    "HU": "UNGHERESE",
    "CZ": "CECA",
    "SK": "SLOVACCA",
    "AT": "AUSTRIACA",
    "CH": "SVIZZERA",
    "GR": "GRECA",
    "PT": "PORTOGHESE",
    "NL": "OLANDESE",
    "BE": "BELGA",
    "VN": "VIETNAMITA",
    "TH": "THAILANDESE",
    "JP": "GIAPPONESE",
}

EDUCATION_ISTAT: Final = {
    "none_illiterate": "ANALFABETA",
    "none_literate": "ALFABETA PRIVO DI TITOLO DI STUDIO",
    "primary": "LICENZA DI SCUOLA ELEMENTARE",
    "lower_secondary": "LICENZA DI SCUOLA MEDIA INFERIORE",
    "upper_secondary": "DIPLOMA DI SCUOLA SECONDARIA SUPERIORE",
    "tertiary": "LAUREA O TITOLO SUPERIORE",
}

CASE_AREA: Final = {
    "economic": "Povertà e disagio adulti",
    "housing": "Casa ed emergenza abitativa",
    "elderly_care": "Anziani",
    "disability": "Disabilità",
    "minors_family": "Famiglia e minori",
    "employment": "Inserimento lavorativo",
    "migrants": "Immigrazione",
    "addictions": "Dipendenze",
    "gender_violence": "Violenza di genere",
    "health": "Salute e salute mentale",
}


def citizenship_word(iso: str | None) -> str:
    """The register's word for a citizenship (ITALIANA, ROMENA...); unknown codes keep the ISO code."""
    if not iso:
        return "APOLIDE"
    return CITIZENSHIP_IT.get(iso.upper(), f"STRANIERA ({iso.upper()})")


def citizenship_words(isos: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """``citizenship_word`` for many codes at once (computed once per distinct code)."""
    codes, uniques = pd.factorize(pd.Series(np.asarray(isos, dtype=object)).fillna(""))
    words = np.array([citizenship_word(str(u)) for u in uniques], dtype=object)
    return np.asarray(words[codes], dtype=object)


@lru_cache(maxsize=1)
def _places() -> dict[str, tuple[str, str]]:
    """Belfiore code -> (name, province or 'EE' for foreign states), active names preferred."""
    result: dict[str, tuple[str, str]] = {}
    pkg = resources.files("codicefiscale") / "data"
    for file in ("countries.json", "municipalities.json"):
        entries = json.loads((pkg / file).read_text(encoding="utf-8"))
        # inactive first, so that the active name of a reused code wins
        for e in sorted(entries, key=lambda e: bool(e.get("active"))):
            result[str(e["code"]).upper()] = (str(e["name"]).upper(), str(e.get("province", "")).upper())
    comuni = load_comuni()
    for code, name, prov in zip(
        comuni["CODCATASTALE"], comuni["DENOMINAZIONE_IT"], comuni["SIGLAPROVINCIA"], strict=True
    ):
        result[str(code).upper()] = (str(name).upper(), str(prov).upper())
    return result


def place_table(codes: pd.Series) -> pd.DataFrame:
    """Per Belfiore code: comune name, province, state name ('ITALIA' for comuni); '' if unknown."""
    places = _places()
    uniq = pd.unique(codes.fillna("").astype(str))
    rows = []
    for code in uniq:
        name, prov = places.get(code.upper(), ("", ""))
        foreign = code.upper().startswith("Z")
        rows.append((code, "" if foreign else name, "" if foreign else prov, name if foreign else "ITALIA"))
    table = pd.DataFrame(rows, columns=["code", "comune", "provincia", "stato"]).set_index("code")
    return table.reindex(codes.fillna("").astype(str).to_numpy()).reset_index(drop=True)
