"""Italian source wording of staged education, labour condition and benefit type -> warehouse codes.

The staging tables keep the source's own words (``person_record.education`` / ``employment_status`` from the
register's individual record and the labour office, ``labour_record`` from the labour office,
``benefit_record.benefit_type`` from INPS). These tables say which warehouse code each word stands for:
``welfare_district.model.warehouse.EDUCATION`` and ``LABOUR``, and the ``wh_person`` allowance column for a
benefit type. Words that carry no information (``NON DICHIARATO``, empty) map to nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import numpy as np
import pandas as pd

EDUCATION_CODES: Final[Mapping[str, str]] = MappingProxyType(
    {
        # population register (scheda individuale, titolo di studio)
        "NESSUN TITOLO - ANALFABETA": "none_illiterate",
        "NESSUN TITOLO - ALFABETA": "none_literate",
        "LICENZA ELEMENTARE": "primary",
        "LICENZA MEDIA": "lower_secondary",
        "DIPLOMA": "upper_secondary",
        "LAUREA": "tertiary",
        # labour office (titolo di studio of the DID)
        "ANALFABETA": "none_illiterate",
        "ALFABETA PRIVO DI TITOLO DI STUDIO": "none_literate",
        "LICENZA DI SCUOLA ELEMENTARE": "primary",
        "LICENZA DI SCUOLA MEDIA INFERIORE": "lower_secondary",
        "DIPLOMA DI SCUOLA SECONDARIA SUPERIORE": "upper_secondary",
        "LAUREA O TITOLO SUPERIORE": "tertiary",
    }
)

LABOUR_CODES: Final[Mapping[str, str]] = MappingProxyType(
    {
        # population register (professione o condizione non professionale)
        "OCCUPATO": "employed",
        "DISOCCUPATO / IN CERCA DI OCCUPAZIONE": "unemployed",
        "PENSIONATO": "retired",
        "STUDENTE": "student",
        "CASALINGA / ALTRA CONDIZIONE": "other_inactive",
        # labour office (stato occupazionale); OCCUPATO and STUDENTE are spelt as in the register
        "DISOCCUPATO": "unemployed",
        "INOCCUPATO": "unemployed",
    }
)

# INPS benefit type -> the boolean column of wh_person it sets
BENEFIT_FLAGS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "INVALIDITA_CIVILE": "disability_allowance",
        "INDENNITA_ACCOMPAGNAMENTO": "care_allowance",
    }
)


def to_codes(words: pd.Series, table: Mapping[str, str]) -> pd.Series:
    """Warehouse codes of staged words (compared trimmed and in upper case), aligned with ``words``.

    Guarantees: a word in ``table`` gives its code; an empty, null or unlisted word gives ``None``.
    """
    # a few words repeat over hundreds of thousands of rows: each distinct word is looked up once
    positions, distinct = pd.factorize(words)
    keys = pd.Series(distinct, dtype=object).astype("string").str.strip().str.upper()
    looked_up = keys.map(dict(table)).astype(object).where(lambda codes: codes.notna(), None)
    codes = np.empty(len(distinct) + 1, dtype=object)  # the trailing None answers missing words (position -1)
    codes[:-1] = looked_up.to_numpy(dtype=object)
    return pd.Series(codes[positions], index=words.index, dtype=object)
