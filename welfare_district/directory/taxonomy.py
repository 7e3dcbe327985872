"""The needs taxonomy of the directory: one HSDS taxonomy with one term per area of need, Italian and English.

The codes are those of the social-services case register (``wh_case.need``), so a family's open cases and its
hardship flags name the same needs the catalogue is classified by.
"""

from __future__ import annotations

from typing import Any

TAXONOMY_ID = "wd-needs"
TAXONOMY_VERSION = "1"
# code -> (Italian name, English name)
NEEDS: dict[str, tuple[str, str]] = {
    "economic": ("Sostegno economico", "Economic support"),
    "housing": ("Casa e abitare", "Housing"),
    "elderly_care": ("Anziani e cura", "Elderly and care"),
    "disability": ("Disabilità", "Disability"),
    "minors_family": ("Minori e famiglie", "Minors and families"),
    "employment": ("Lavoro", "Employment"),
    "education": ("Istruzione e formazione", "Education"),
    "health": ("Salute", "Health"),
    "migrants": ("Migranti", "Migrants"),
    "addictions": ("Dipendenze", "Addictions"),
    "gender_violence": ("Violenza di genere", "Gender violence"),
}


def term_id(code: str) -> str:
    """The HSDS taxonomy_term id of a need code."""
    return f"{TAXONOMY_ID}:{code}"


def taxonomy_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The taxonomy row and its term rows, as HSDS tables hold them."""
    taxonomy = [{"id": TAXONOMY_ID, "name": "Bisogni sociali / Social needs",
                 "description": "Aree di bisogno dei servizi sociali e del Terzo settore",
                 "uri": None, "version": TAXONOMY_VERSION}]
    terms = [{"id": term_id(code), "code": code, "name": it, "description": en, "parent_id": None,
              "taxonomy_id": TAXONOMY_ID, "language": "it"} for code, (it, en) in NEEDS.items()]
    return taxonomy, terms
