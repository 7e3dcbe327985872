"""Source-system words mapped to the warehouse vocabularies (``welfare_district.model.warehouse``).

Education, labour condition and benefit types are mapped in ``welfare_district.sources.vocabulary``.

Each mapping reads the upper-case word as the source declaration stores it; a word not listed maps to None
(unknown), never to a guess.
"""

from __future__ import annotations

from typing import Final

# Register "relazione di parentela con l'intestatario scheda" -> RELATION.
RELATION_REGISTER: Final = {
    "INTESTATARIO SCHEDA": "head", "CONIUGE": "spouse", "CONVIVENTE": "partner", "FIGLIO": "child",
    "FIGLIA": "child", "GENITORE": "parent", "FRATELLO": "sibling", "SORELLA": "sibling",
    "ALTRO PARENTE": "other_relative", "ALTRO NON PARENTE": "other",
}

# Social-services "area di intervento" -> case need.
CASE_NEED: Final = {
    "POVERTÀ E DISAGIO ADULTI": "economic", "CASA ED EMERGENZA ABITATIVA": "housing", "ANZIANI": "elderly_care",
    "DISABILITÀ": "disability", "FAMIGLIA E MINORI": "minors_family", "INSERIMENTO LAVORATIVO": "employment",
    "IMMIGRAZIONE": "migrants", "DIPENDENZE": "addictions", "VIOLENZA DI GENERE": "gender_violence",
    "SALUTE E SALUTE MENTALE": "health",
}
UNKNOWN_NEED: Final = "other"
