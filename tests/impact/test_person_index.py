"""The beneficiaries' person index: valid codes under their level-0 form, folded names, ambiguity left out."""

from __future__ import annotations

from datetime import date

import pandas as pd

from tests.ingest.fixtures import code
from welfare_district.impact.linkage import PersonIndex, fold
from welfare_district.ingest import codice_fiscale as cfmod


def test_codes_names_and_ambiguity() -> None:
    rossi = code(date(1980, 1, 1), surname="ROSSI", name="MARIO")
    bianchi = code(date(1975, 5, 5), sex="F", surname="BIANCHI", name="ANNA")
    shared = code(date(1990, 3, 3), surname="VERDI", name="LUCA")
    people = pd.DataFrame([
        (1, rossi, "Rossi", "Mario", pd.Timestamp("1980-01-01")),
        (1, cfmod.omocode(rossi, 1), "ROSSI", "MARIO", pd.Timestamp("1980-01-01")),  # same person, variant
        (2, " " + bianchi.lower() + " ", "D'Amico-Bianchi", "Anna", date(1975, 5, 5)),
        (3, shared, "Verdi", "Luca", pd.Timestamp("1990-03-03")),
        (4, shared, "Verdi", "Luca", pd.Timestamp("1990-03-03")),                    # code held by two people
        (5, "NOTACODE", "Neri", "Giò", None),                                        # no birth date: no name key
        (None, rossi, "Rossi", "Mario", pd.Timestamp("1980-01-01")),                 # unlinked row: ignored
    ], columns=["person_id", "codice_fiscale", "surname", "first_name", "birth_date"])
    index = PersonIndex.from_frame(people)
    assert index.by_code == {cfmod.base_form(rossi): 1, cfmod.base_form(bianchi): 2}
    assert index.by_name_birth == {("ROSSI", "MARIO", date(1980, 1, 1)): 1,
                                   ("D AMICO BIANCHI", "ANNA", date(1975, 5, 5)): 2}
    assert all(isinstance(v, int) for v in [*index.by_code.values(), *index.by_name_birth.values()])
    assert fold("  Giò  d'Àrco ") == "GIO D ARCO"
