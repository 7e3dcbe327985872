"""Labour office (Centro per l'impiego) register: people with a declaration of availability (DID).

One CSV per snapshot year, ';'-separated UTF-8, ISO birth dates as the regional system writes them. Listed:
the unemployed (DISOCCUPATO, or INOCCUPATO under 25 in a first spell), the employed who had a DID in an
earlier snapshot (OCCUPATO, record not yet closed) and a few students registered for guidance.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from welfare_district.synth.extracts.context import Context
from welfare_district.synth.extracts.formats import format_dates
from welfare_district.synth.extracts.people import (
    addresses,
    is_regional,
    messy_identity,
    people,
    stale_dwellings,
)
from welfare_district.synth.extracts.randomness import keyed_dates, two_key, uniform
from welfare_district.synth.extracts.vocab import EDUCATION_ISTAT, citizenship_words

SOURCE = "cpi"
COLUMNS = [
    "CODICE FISCALE",
    "COGNOME",
    "NOME",
    "SESSO",
    "DATA NASCITA",
    "CITTADINANZA",
    "COMUNE DOMICILIO",
    "INDIRIZZO DOMICILIO",
    "STATO OCCUPAZIONALE",
    "DATA DID",
    "TITOLO DI STUDIO",
    "CPI COMPETENZA",
]


def write(ctx: Context) -> None:
    """Write ``cpi_iscritti_<year>.csv`` for every snapshot year in range."""
    spell_start = pd.Series(dtype="int64")  # person -> first year of the latest unemployment spell
    last_seen = pd.Series(dtype="int64")  # person -> last snapshot year in which they were unemployed
    # each virtual district of a region has a job centre of its own
    office = f"CPI DI PADOVA {ctx.tag.rstrip('-')}".strip()
    for year in ctx.years:
        py = ctx.truth.table(
            "person_year", year, ["person_id", "family_id", "dwelling_id", "labour_status", "education"]
        )
        pids_all = py["person_id"].to_numpy(dtype=np.int64)
        age = ctx.truth.age_at(pids_all, year)
        status = py["labour_status"].fillna("").astype(str).to_numpy()
        unemployed = (status == "unemployed") & (age >= 16) & (age <= 67)
        last = last_seen.reindex(pids_all).fillna(-99).to_numpy(dtype=np.int64)
        was = last >= 0
        # a DID stays on file for a while after a job is found, until the office closes it
        employed_before = (status == "employed") & (year - last <= 2)
        student = (status == "student") & (age >= 18) & (uniform(ctx.seed, "cpi/studente", pids_all) < 0.05)
        keep = unemployed | employed_before | student
        une_ids = pids_all[unemployed]
        new_spell = une_ids[last[unemployed] != year - 1]
        spell_start = pd.concat(
            [spell_start.drop(new_spell, errors="ignore"), pd.Series(year, index=new_spell, dtype="int64")]
        )
        last_seen = pd.concat([last_seen.drop(une_ids, errors="ignore"), pd.Series(year, index=une_ids, dtype="int64")])
        sel = py[keep].reset_index(drop=True)
        if sel.empty:
            continue
        pids = sel["person_id"].to_numpy(dtype=np.int64)
        first_spell = spell_start.reindex(pids).fillna(year).to_numpy(dtype=np.int64)
        st = np.where(
            unemployed[keep],
            np.where((age[keep] < 25) & ~was[keep], "INOCCUPATO", "DISOCCUPATO"),
            np.where(employed_before[keep], "OCCUPATO", "STUDENTE"),
        )
        did = _did_dates(ctx, pids, first_spell, year)
        keys = two_key(pids, year)
        p = people(ctx.truth, pids).upper()
        m = messy_identity(ctx, SOURCE, p, keys)
        shown, stale = stale_dwellings(ctx, SOURCE, year, pids, sel["dwelling_id"].to_numpy(dtype=np.int64), keys)
        m.flags["address_stale"] = stale
        a = addresses(ctx.truth, shown)
        edu = sel["education"].map(EDUCATION_ISTAT).fillna("NON DICHIARATO").to_numpy(dtype=object)
        df = pd.DataFrame(
            {
                "CODICE FISCALE": m.cf,
                "COGNOME": m.surname,
                "NOME": m.first_name,
                "SESSO": p.sex,
                "DATA NASCITA": format_dates(m.birth, "iso"),
                "CITTADINANZA": citizenship_words(p.citizenship),
                "COMUNE DOMICILIO": a.comune() if is_regional(ctx.truth) else "PADOVA",
                "INDIRIZZO DOMICILIO": a.register_line(),
                "STATO OCCUPAZIONALE": st,
                "DATA DID": format_dates(did, "dmy"),
                "TITOLO DI STUDIO": edu,
                "CPI COMPETENZA": office,
            },
            columns=COLUMNS,
        )
        order = np.lexsort((pids, df["COGNOME"].to_numpy(dtype=str)))  # the office lists by surname
        df = df.iloc[order].reset_index(drop=True)
        out = ctx.csv(f"cpi_iscritti_{year}.csv", sep=";")
        first = out.write(df)
        ctx.record(
            SOURCE,
            out.path,
            first,
            np.array([f"{ctx.tag}{year}-{i + 1}" for i in range(len(df))], dtype=object),
            pids[order],
            sel["family_id"].to_numpy()[order],
            {k: v[order] for k, v in m.flags.items()},
        )
        ctx.finish_csv(out)


def _did_dates(
    ctx: Context, pids: npt.NDArray[np.int64], spell_year: npt.NDArray[np.int64], year: int
) -> npt.NDArray[np.datetime64]:
    """Date of the DID: within the spell's first year, or up to three years earlier for spells already open
    at the first snapshot (the same date for a person in every year of one spell)."""
    first = ctx.years[0]
    lo_year = np.where(spell_year == first, spell_year - 3, spell_year)
    lo = (lo_year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    hi = (spell_year - 1969).astype("datetime64[Y]").astype("datetime64[D]") - np.timedelta64(1, "D")
    return keyed_dates(
        ctx.seed, "cpi/did", two_key(pids, spell_year), lo, np.minimum(hi, np.datetime64(f"{year}-12-31"))
    )
