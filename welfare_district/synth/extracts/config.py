"""Error rates of every source, kept as data in one place (the docs table is written from the same values).

A rate is the share of a source's data rows that carry that error. Codice fiscale states (missing,
transposed, wrong check character, omocodic variant) are mutually exclusive; the other kinds are drawn
independently. Kinds that need a precondition (a stale address needs an earlier, different address; a
day/month swap needs a day <= 12) are drawn among the eligible rows with a raised probability, so the rate
over all rows still matches whenever enough rows are eligible; ``error_rates.csv`` reports the eligible share.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

ERROR_KINDS: Final = MappingProxyType(
    {
        "cf_missing": "codice fiscale left empty",
        "cf_transposed": "two adjacent digits of the codice fiscale swapped",
        "cf_check_char": "check character (16th) replaced by a wrong letter",
        "cf_omocodia": "a valid omocodic variant of the true code (same person, not an identity error)",
        "component_cf_check_char": "ISEE: a household component's code with a wrong check character",
        "name_letter_swap": "two adjacent letters of surname or first name swapped",
        "name_letter_drop": "one letter of surname or first name dropped",
        "name_letter_double": "one letter of surname or first name doubled",
        "name_accent_loss": "accent, apostrophe or inner space lost (NICOLÒ -> NICOLO, D'ANGELO -> DANGELO)",
        "name_order_swapped": "surname and first name exchanged",
        "date_day_month_swapped": "day and month of the birth date exchanged",
        "address_stale": "address of an earlier snapshot instead of the current one",
        "occupants_stale": "TARI: number of occupants of an earlier year",
        "duplicate": "extra row for a person already listed, with its own variations",
        "education_stale": "register: education title from before the person's latest change",
        "education_missing": "register: education title left empty (age 6 and over)",
        "condition_stale": "register: professional condition from before the person's latest change",
        "condition_missing": "register: professional condition left empty (age 15 and over)",
        "encoding_loss": "characters the encoding cannot hold replaced by '?' (deterministic, not drawn)",
    }
)

_THIRD_SECTOR: Final = {
    "cf_transposed": 0.02,
    "cf_check_char": 0.015,
    "cf_omocodia": 0.015,
    "name_letter_swap": 0.025,
    "name_letter_drop": 0.02,
    "name_letter_double": 0.02,
    "name_accent_loss": 0.015,
    "name_order_swapped": 0.02,
    "date_day_month_swapped": 0.05,
    "address_stale": 0.10,
}

ERROR_RATES: Final[MappingProxyType[str, MappingProxyType[str, float]]] = MappingProxyType(
    {
        name: MappingProxyType(rates)
        for name, rates in {
            "anagrafe": {
                "cf_transposed": 0.001,
                "address_stale": 0.002,
                "education_stale": 0.03,
                "education_missing": 0.01,
                "condition_stale": 0.04,
                "condition_missing": 0.015,
            },
            "inps": {"cf_transposed": 0.002, "cf_check_char": 0.002, "name_accent_loss": 0.005},
            "isee": {"cf_check_char": 0.005, "cf_transposed": 0.002, "component_cf_check_char": 0.003},
            "tari": {
                "cf_transposed": 0.003,
                "cf_check_char": 0.002,
                "name_letter_swap": 0.005,
                "name_accent_loss": 0.01,
                "occupants_stale": 0.06,
            },
            "tari_variazioni": {"cf_transposed": 0.003, "cf_check_char": 0.002, "name_letter_swap": 0.005},
            "ater": {"cf_transposed": 0.005, "name_accent_loss": 0.01, "date_day_month_swapped": 0.005},
            "cpi": {"cf_transposed": 0.002, "name_accent_loss": 0.005, "address_stale": 0.05},
            "scuole": {
                "cf_missing": 0.015,
                "cf_transposed": 0.003,
                "name_accent_loss": 0.02,
                "date_day_month_swapped": 0.005,
            },
            "servizi_sociali": {
                "cf_missing": 0.10,
                "cf_transposed": 0.01,
                "cf_check_char": 0.005,
                "name_letter_swap": 0.01,
                "name_letter_drop": 0.01,
                "name_order_swapped": 0.02,
                "date_day_month_swapped": 0.01,
            },
            "ts_emporio": {**_THIRD_SECTOR, "cf_missing": 0.30, "duplicate": 0.06},
            "ts_ascolto": {**_THIRD_SECTOR, "cf_missing": 0.45, "duplicate": 0.08},
            "ts_migranti": {
                **_THIRD_SECTOR,
                "cf_missing": 0.50,
                "name_order_swapped": 0.04,
                "duplicate": 0.10,
            },
            "ts_anziani": {**_THIRD_SECTOR, "cf_missing": 0.35, "duplicate": 0.05},
        }.items()
    }
)

# Mutually exclusive codice fiscale states, in the order their thresholds are laid on one uniform draw.
CF_STATES: Final = ("cf_missing", "cf_transposed", "cf_check_char", "cf_omocodia")
NAME_TYPOS: Final = (
    "name_letter_swap",
    "name_letter_drop",
    "name_letter_double",
    "name_accent_loss",
    "name_order_swapped",
)

# Share of its target population each third-sector list holds (see terzo_settore.select).
THIRD_SECTOR_COVERAGE: Final = MappingProxyType(
    {
        "ts_emporio": 0.45,  # of families with an ISEE under the food-bank threshold
        "ts_ascolto": 0.30,  # of adults in families with a low ISEE or an open economic/housing case
        "ts_migranti": 0.10,  # of foreign-citizen adults
        "ts_anziani": 0.12,  # of residents aged 75+ (more among those living alone)
    }
)

SOURCE_LABELS: Final = MappingProxyType(
    {
        "anagrafe": "Anagrafe della popolazione residente (Comune)",
        "inps": "Prestazioni di invalidità civile (INPS, dati condivisi con il Comune)",
        "isee": "DSU/ISEE (INPS, estrazione per il Comune)",
        "tari": "TARI utenze domestiche (ufficio tributi)",
        "tari_variazioni": "TARI storico variazioni utenze",
        "ater": "Edilizia residenziale pubblica (ente gestore, tipo ATER)",
        "cpi": "Centro per l'impiego (iscritti con DID)",
        "scuole": "Iscrizioni scolastiche (anagrafe alunni)",
        "servizi_sociali": "Cartelle sociali (Settore Servizi Sociali)",
        "ts_emporio": "Emporio solidale (banco alimentare)",
        "ts_ascolto": "Centro di ascolto parrocchiale",
        "ts_migranti": "Associazione per i migranti",
        "ts_anziani": "Gruppo volontari per gli anziani",
    }
)


def rates_markdown() -> str:
    """The configured rates as the Markdown table printed in docs/synthetic-extracts.md (tested equal)."""
    kinds = sorted({k for rates in ERROR_RATES.values() for k in rates})
    sources = list(ERROR_RATES)
    lines = ["| error | " + " | ".join(sources) + " |", "|---|" + "---|" * len(sources)]
    for kind in kinds:
        cells = [f"{ERROR_RATES[s][kind] * 100:g}%" if kind in ERROR_RATES[s] else "" for s in sources]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
