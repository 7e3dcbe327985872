"""Citizenship words of the Italian source systems (ITALIANA, ROMENA, ...) mapped to ISO 3166-1 alpha-2.

The register and the other sources write a citizenship as an adjective; the warehouse stores the ISO code.
Words are compared upper case, without accents and surrounding blanks. ``STRANIERA (XX)`` (a foreign
citizenship the system has no word for) gives the code in brackets; a stateless person or a word not in the
table gives ``UNKNOWN``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

import pandas as pd

UNKNOWN: Final = "XX"  # ISO 3166 user-assigned code: stateless or not known

CITIZENSHIP_ISO: Final = {
    "ITALIANA": "IT", "ROMENA": "RO", "RUMENA": "RO", "ALBANESE": "AL", "MAROCCHINA": "MA", "CINESE": "CN",
    "NIGERIANA": "NG", "MOLDAVA": "MD", "UCRAINA": "UA", "FILIPPINA": "PH", "BANGLADESE": "BD",
    "BENGALESE": "BD", "TUNISINA": "TN", "INDIANA": "IN", "SENEGALESE": "SN", "PERUVIANA": "PE",
    "BRASILIANA": "BR", "TEDESCA": "DE", "FRANCESE": "FR", "SPAGNOLA": "ES", "POLACCA": "PL",
    "PAKISTANA": "PK", "SRILANKESE": "LK", "CINGALESE": "LK", "EGIZIANA": "EG", "GHANESE": "GH",
    "CAMERUNENSE": "CM", "ECUADORIANA": "EC", "SERBA": "RS", "MACEDONE": "MK", "BOSNIACA": "BA",
    "CROATA": "HR", "KOSOVARA": "XK", "GEORGIANA": "GE", "RUSSA": "RU", "BIELORUSSA": "BY",
    "COLOMBIANA": "CO", "DOMINICANA": "DO", "CUBANA": "CU", "VENEZUELANA": "VE", "ARGENTINA": "AR",
    "STATUNITENSE": "US", "BRITANNICA": "GB", "IVORIANA": "CI", "MALIANA": "ML", "GAMBIANA": "GM",
    "GUINEANA": "GN", "ERITREA": "ER", "ETIOPE": "ET", "SOMALA": "SO", "AFGHANA": "AF", "IRANIANA": "IR",
    "IRACHENA": "IQ", "SIRIANA": "SY", "TURCA": "TR", "ALGERINA": "DZ", "BULGARA": "BG", "UNGHERESE": "HU",
    "CECA": "CZ", "SLOVACCA": "SK", "AUSTRIACA": "AT", "SVIZZERA": "CH", "GRECA": "GR", "PORTOGHESE": "PT",
    "OLANDESE": "NL", "BELGA": "BE", "VIETNAMITA": "VN", "THAILANDESE": "TH", "GIAPPONESE": "JP",
}
_BRACKETED: Final = re.compile(r"^STRANIERA \(([A-Z]{2})\)$")


def _fold(word: str) -> str:
    plain = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode("ascii")
    return " ".join(plain.upper().split())


def citizenship_iso(word: object) -> str:
    """The ISO alpha-2 code of one citizenship word; ``UNKNOWN`` for a missing, stateless or unknown word."""
    if word is None or word is pd.NA or (isinstance(word, float) and word != word):
        return UNKNOWN
    folded = _fold(str(word))
    if folded in CITIZENSHIP_ISO:
        return CITIZENSHIP_ISO[folded]
    bracketed = _BRACKETED.match(folded)
    return bracketed.group(1) if bracketed else UNKNOWN


def citizenship_iso_series(words: pd.Series) -> pd.Series:
    """``citizenship_iso`` of every value (computed once per distinct word); same index."""
    codes, uniques = pd.factorize(words.astype(object), use_na_sentinel=True)
    table = [citizenship_iso(u) for u in uniques] + [UNKNOWN]
    return pd.Series([table[c] for c in codes], index=words.index, dtype=object)
