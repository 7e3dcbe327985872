"""Population register (anagrafe) export, one CSV per snapshot year: the cleanest source.

Shape: ';'-separated UTF-8, upper-case names, one row per resident on 31 December, rows grouped by family
(intestatario first). Errors: a codice fiscale with transposed digits (kept for the same person every
year, as a register error persists until someone corrects it) and a stale address (a move not yet recorded).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from welfare_district.synth import schema
from welfare_district.synth.extracts.config import ERROR_RATES
from welfare_district.synth.extracts.context import Context
from welfare_district.synth.extracts.corrupt import apply_cf, draw
from welfare_district.synth.extracts.formats import format_dates
from welfare_district.synth.extracts.people import addresses, people
from welfare_district.synth.extracts.randomness import keyed_dates, scramble, two_key
from welfare_district.synth.extracts.vocab import RELATION_REGISTER, citizenship_word, place_table

SOURCE = "anagrafe"
CHUNK = 200_000
PADOVA = "G224"
COLUMNS = [
    "CODICE_INDIVIDUALE",
    "CODICE_FAMIGLIA",
    "RELAZIONE_PARENTELA",
    "CODICE_FISCALE",
    "COGNOME",
    "NOME",
    "SESSO",
    "DATA_NASCITA",
    "COMUNE_NASCITA",
    "PROVINCIA_NASCITA",
    "STATO_NASCITA",
    "CODICE_CATASTALE_NASCITA",
    "CITTADINANZA",
    "INDIRIZZO",
    "NUMERO_CIVICO",
    "ESPONENTE",
    "INTERNO",
    "DATA_ISCRIZIONE",
]
_REL_RANK = {r: i for i, r in enumerate(schema.RELATION)}


def registration_dates(
    ctx: Context,
    p_ids: npt.NDArray[np.int64],
    birth: npt.NDArray[np.datetime64],
    place: npt.NDArray[np.object_],
    arrival: npt.NDArray[np.datetime64],
) -> npt.NDArray[np.datetime64]:
    """Date of enrolment in the register: arrival, else birth for those born in the city, else a keyed date
    between coming of age and the first snapshot (the same for a person in every year)."""
    first = np.datetime64(f"{ctx.truth.years[0]}-01-01", "D")
    adult = np.minimum(birth + np.timedelta64(18 * 365, "D"), first - np.timedelta64(1, "D"))
    lo = np.maximum(adult, birth)
    guess = keyed_dates(ctx.seed, "anagrafe/iscrizione", p_ids, lo, first - np.timedelta64(1, "D"))
    born_here = place == PADOVA
    return np.where(~np.isnat(arrival), arrival, np.where(born_here, birth, guess))


def write(ctx: Context) -> None:
    """Write ``anagrafe_<year>.csv`` for every snapshot year in range, in chunks."""
    rates = ERROR_RATES[SOURCE]
    prev: pd.DataFrame | None = None
    for year in ctx.years:
        py = ctx.truth.table("person_year", year, ["person_id", "family_id", "relation", "dwelling_id"])
        if prev is None and year - 1 in ctx.truth.years:
            prev = ctx.truth.table("person_year", year - 1, ["person_id", "dwelling_id"])
        fam_code = scramble(ctx.seed, "anagrafe/famiglia", py["family_id"].to_numpy())
        births = ctx.truth.persons["birth_date"].to_numpy()[ctx.truth.person_pos(py["person_id"].to_numpy())]
        py = py.assign(_fam=fam_code, _rank=py["relation"].map(_REL_RANK).fillna(99), _birth=births)
        py = py.sort_values(["_fam", "_rank", "_birth", "person_id"], kind="stable").reset_index(drop=True)
        pids = py["person_id"].to_numpy(dtype=np.int64)
        dw = py["dwelling_id"].to_numpy(dtype=np.int64)
        old = np.zeros(len(py), dtype=np.int64)
        if prev is not None:
            pos = pd.Index(prev["person_id"]).get_indexer(pids)
            old = np.where(pos >= 0, prev["dwelling_id"].to_numpy()[np.maximum(pos, 0)], 0)
        movable = (old != 0) & (old != dw)
        stale = draw(ctx.seed, "anagrafe/address_stale", two_key(pids, year), rates["address_stale"], movable)
        ctx.gt.note_eligible(SOURCE, "address_stale", float(movable.mean()) if len(movable) else 0.0, len(py))
        cf_bad = draw(ctx.seed, "anagrafe/cf_transposed", pids, rates["cf_transposed"])
        shown_dw = np.where(stale, old, dw)
        out = ctx.csv(f"anagrafe_{year}.csv", sep=";")
        for start in range(0, len(py), CHUNK):
            sl = slice(start, start + CHUNK)
            chunk = py.iloc[sl]
            ids = pids[sl]
            flags = {"address_stale": stale[sl], "cf_transposed": cf_bad[sl]}
            p = people(ctx.truth, ids).upper()
            a = addresses(ctx.truth, shown_dw[sl])
            places = place_table(pd.Series(p.place))
            sex_f = p.sex == "F"
            rel = chunk["relation"].astype(str).to_numpy()
            rel_word = np.array(
                [
                    RELATION_REGISTER.get(r, ("ALTRO NON PARENTE",) * 2)[int(f)]
                    for r, f in zip(rel, sex_f, strict=True)
                ],
                dtype=object,
            )
            cit = pd.Series(p.citizenship).map(lambda c: citizenship_word(str(c))).to_numpy(dtype=object)
            df = pd.DataFrame(
                {
                    "CODICE_INDIVIDUALE": scramble(ctx.seed, "anagrafe/individuo", ids),
                    "CODICE_FAMIGLIA": chunk["_fam"].to_numpy(),
                    "RELAZIONE_PARENTELA": rel_word,
                    "CODICE_FISCALE": apply_cf(p.cf, {"cf_transposed": cf_bad[sl]}, ctx.seed, SOURCE, ids),
                    "COGNOME": p.surname,
                    "NOME": p.first_name,
                    "SESSO": p.sex,
                    "DATA_NASCITA": format_dates(p.birth, "dmy"),
                    "COMUNE_NASCITA": places["comune"].to_numpy(),
                    "PROVINCIA_NASCITA": places["provincia"].to_numpy(),
                    "STATO_NASCITA": places["stato"].to_numpy(),
                    "CODICE_CATASTALE_NASCITA": p.place,
                    "CITTADINANZA": cit,
                    "INDIRIZZO": a.register_street(),
                    "NUMERO_CIVICO": a.number,
                    "ESPONENTE": a.suffix,
                    "INTERNO": a.interno,
                    "DATA_ISCRIZIONE": format_dates(
                        registration_dates(ctx, ids, p.birth, p.place, p.arrival), "dmy"
                    ),
                },
                columns=COLUMNS,
            )
            first = out.write(df)
            ctx.record(
                SOURCE,
                out.path,
                first,
                df["CODICE_INDIVIDUALE"].to_numpy(),
                ids,
                chunk["family_id"].to_numpy(),
                flags,
            )
        ctx.finish_csv(out)
        prev = py[["person_id", "dwelling_id"]]
