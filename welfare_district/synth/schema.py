"""The generator's ground-truth tables: what is really true of the synthetic city, before any source
system distorts it. Extracts are derived from these; linkage and indicators are measured against them.

All tables are written as Parquet under ``<out>/truth/``. Codes are English, stable identifiers; the
Italian vocabulary of each source system appears only in the extracts.
"""

from __future__ import annotations

import pyarrow as pa

SEX = ("M", "F")
# ISTAT education classes; the first two make the IVSM "low education" numerator
EDUCATION = ("none_illiterate", "none_literate", "primary", "lower_secondary", "upper_secondary", "tertiary")
LABOUR = ("employed", "unemployed", "retired", "student", "other_inactive")  # null below age 15
RELATION = ("head", "spouse", "partner", "child", "parent", "sibling", "other_relative", "other")
FAMILY_TYPE = ("one_person", "couple_no_children", "couple_with_children", "single_parent", "other")
TENURE = ("owned", "rented", "public_housing")
CASE_NEED = ("economic", "housing", "elderly_care", "disability", "minors_family", "employment", "migrants",
             "addictions", "gender_violence", "health")

# One row per person who lived in the city at any snapshot date; attributes fixed over life.
PERSONS = pa.schema([
    ("person_id", pa.int64()),
    ("surname", pa.string()),
    ("first_name", pa.string()),
    ("sex", pa.string()),
    ("birth_date", pa.date32()),
    ("birth_place_code", pa.string()),     # Belfiore code: Italian comune (e.g. G224) or foreign state (Z...)
    ("citizenship", pa.string()),          # ISO 3166-1 alpha-2, "IT" for Italian citizens
    ("codice_fiscale", pa.string()),       # the true, valid code (omocodic variant when two would collide)
    ("arrival_date", pa.date32()),         # null: resident since before the first snapshot, or born here
    ("departure_date", pa.date32()),       # emigrated from the city; null if not
    ("death_date", pa.date32()),
])

# One row per resident person per snapshot (31 December of ``year``).
PERSON_YEAR = pa.schema([
    ("year", pa.int16()),
    ("person_id", pa.int64()),
    ("family_id", pa.int64()),
    ("relation", pa.string()),             # RELATION, relative to the family's head
    ("dwelling_id", pa.int64()),
    ("education", pa.string()),            # EDUCATION; null below age 6
    ("labour_status", pa.string()),        # LABOUR; null below age 15
    ("disability_allowance", pa.bool_()),  # pensione/assegno di invalidità civile
    ("care_allowance", pa.bool_()),        # indennità di accompagnamento
])

# One row per family (famiglia anagrafica) per snapshot.
FAMILY_YEAR = pa.schema([
    ("year", pa.int16()),
    ("family_id", pa.int64()),
    ("head_person_id", pa.int64()),
    ("size", pa.int16()),
    ("family_type", pa.string()),          # FAMILY_TYPE
    ("dwelling_id", pa.int64()),
    ("tenure", pa.string()),               # TENURE of the dwelling for this family
])

# Dwellings (fixed); each sits at one house number (civico) of the street register.
DWELLINGS = pa.schema([
    ("dwelling_id", pa.int64()),
    ("civico_id", pa.int64()),
    ("interno", pa.string()),
    ("surface_m2", pa.int16()),
    ("rooms", pa.int8()),
    ("section_id", pa.string()),
    ("zone_id", pa.string()),
    ("quartiere_id", pa.string()),
])

# ISEE declarations (DSU): one per family that declared in that year.
ISEE = pa.schema([
    ("dsu_id", pa.int64()),
    ("year", pa.int16()),
    ("family_id", pa.int64()),
    ("declarant_person_id", pa.int64()),
    ("submitted", pa.date32()),
    ("isee_eur", pa.float64()),
    ("nucleus_size", pa.int16()),
])

# Social-services cases (cartella sociale).
CASES = pa.schema([
    ("case_id", pa.int64()),
    ("person_id", pa.int64()),
    ("family_id", pa.int64()),
    ("need", pa.string()),                 # CASE_NEED
    ("opened", pa.date32()),
    ("closed", pa.date32()),
])

TRUTH_TABLES: dict[str, pa.Schema] = {
    "persons": PERSONS,
    "person_year": PERSON_YEAR,
    "family_year": FAMILY_YEAR,
    "dwellings": DWELLINGS,
    "isee": ISEE,
    "cases": CASES,
}
