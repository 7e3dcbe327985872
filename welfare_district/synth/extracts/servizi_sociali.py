"""Social-services case export (cartelle sociali) as the case-management software produces it.

An .xlsx whose first rows are a title block (office, extraction date, filter); the column header comes
after a blank line, as in most real exports. Name and surname share one field; the codice fiscale is often
missing for people met before their documents were sorted out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from welfare_district.synth.extracts.config import SOURCE_LABELS
from welfare_district.synth.extracts.context import Context
from welfare_district.synth.extracts.formats import py_date, to_days
from welfare_district.synth.extracts.people import addresses, messy_identity, people
from welfare_district.synth.extracts.randomness import pick
from welfare_district.synth.extracts.vocab import CASE_AREA
from welfare_district.synth.extracts.xlsx import Sheet

SOURCE = "servizi_sociali"
FILE = "servizi_sociali_cartelle.xlsx"
HEADER = [
    "N. cartella",
    "Cognome e nome",
    "Codice fiscale",
    "Data di nascita",
    "Sesso",
    "Indirizzo",
    "Sede territoriale",
    "Area di intervento",
    "Data apertura",
    "Data chiusura",
    "Stato",
    "Assistente sociale",
]
TITLE_ROWS = 4  # title lines above the header, the last one blank
QUARTIERI = {
    "Q1": "1 Centro",
    "Q2": "2 Nord",
    "Q3": "3 Est",
    "Q4": "4 Sud-Est",
    "Q5": "5 Sud-Ovest",
    "Q6": "6 Ovest",
}


def write(ctx: Context) -> None:
    """Write the case export: every case opened up to the end of the last snapshot year."""
    year = ctx.last_year
    cases = ctx.truth.table("cases")
    cases = cases[cases["opened"] <= pd.Timestamp(f"{year}-12-31")]
    cases = cases.sort_values(["opened", "case_id"], kind="stable").reset_index(drop=True)
    ids = cases["case_id"].to_numpy(dtype=np.int64)
    pids = cases["person_id"].to_numpy(dtype=np.int64)
    p = people(ctx.truth, pids).upper()
    m = messy_identity(ctx, SOURCE, p, ids)
    ref = np.minimum(cases["opened"].dt.year.to_numpy(dtype=np.int64), year)
    dw, _ = ctx.truth.dwelling_near(pids, ref)
    known = dw != 0
    any_dwelling = int(ctx.truth.dwellings["dwelling_id"].to_numpy()[0])  # placeholder for the unknown
    a = addresses(ctx.truth, np.where(known, dw, any_dwelling))
    lines = np.where(known, a.register_line(), "")
    needs = cases["need"].astype(str).to_numpy()
    sede = [
        f"Quartiere {QUARTIERI.get(str(q), str(q))}" if k else "Sede centrale"
        for q, k in zip(a.quartiere_id, known, strict=True)
    ]
    opened_year = cases["opened"].dt.year.to_numpy()
    # files are numbered by year of opening, in order of opening
    number = pd.Series(opened_year).groupby(opened_year).cumcount().to_numpy() + 1
    # a region's districts prefix their numbers (V01-2024/00001): case numbers stay unique across comuni
    codes = [f"{ctx.tag}{y}/{n:05d}" for y, n in zip(opened_year, number, strict=True)]
    worker = pick(ctx.seed, "servizi_sociali/assistente", ids, [1.0] * 24)
    end = np.datetime64(f"{year}-12-31")
    opened = to_days(cases["opened"])
    closed = to_days(cases["closed"])
    shut = ~np.isnat(closed) & (closed <= end)
    rows = []
    for i in range(len(cases)):
        rows.append(
            [
                codes[i],
                f"{m.surname[i]} {m.first_name[i]}",
                m.cf[i] or None,
                py_date(m.birth[i]),
                p.sex[i],
                lines[i] or None,
                sede[i],
                CASE_AREA.get(str(needs[i]), str(needs[i])),
                py_date(opened[i]),
                py_date(closed[i]) if shut[i] else None,
                "CHIUSA" if shut[i] else "APERTA",
                f"AS{int(worker[i]) + 1:02d}",
            ]
        )
    title = [
        ["COMUNE DI PADOVA - Settore Servizi Sociali"],
        ["Estrazione cartelle sociali - casi aperti fino al " + f"31/12/{year}"],
        [f"Data estrazione: 31/12/{year}   Utente: ESTRAZIONI_SS"],
        [],
    ]
    path = ctx.write_xlsx(FILE, [Sheet("Cartelle", HEADER, rows, title_rows=title)], SOURCE_LABELS[SOURCE])
    ctx.record(SOURCE, path, 1, np.array(codes, dtype=object), pids, cases["family_id"].to_numpy(), m.flags)
