"""Population register (anagrafe) export, one CSV per snapshot year: the cleanest source.

Shape: ';'-separated UTF-8, upper-case names, one row per resident on 31 December, rows grouped by family
(intestatario first). Errors: a codice fiscale with transposed digits (kept for the same person every
year, as a register error persists until someone corrects it) and a stale address (a move not yet recorded).

The individual record (scheda individuale) also holds the education title and the professional condition as
the person declared them. Nobody is obliged to report a change, so some records show the value from before
the person's latest change (``education_stale``, ``condition_stale``) and a few were never filled in
(``education_missing``, ``condition_missing``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from welfare_district.synth import schema
from welfare_district.synth.extracts.config import ERROR_RATES
from welfare_district.synth.extracts.context import Context
from welfare_district.synth.extracts.corrupt import apply_cf, draw
from welfare_district.synth.extracts.formats import format_dates
from welfare_district.synth.extracts.people import addresses, is_regional
from welfare_district.synth.extracts.randomness import keyed_dates, scramble, two_key
from welfare_district.synth.extracts.vocab import RELATION_REGISTER, citizenship_words, place_table

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
    "TITOLO_STUDIO",
    "CONDIZIONE_PROFESSIONALE",
]
# The register's own wording (scheda individuale), in the order of schema.EDUCATION / schema.LABOUR.
EDUCATION_REGISTER: Mapping[str, str] = {
    "none_illiterate": "NESSUN TITOLO - ANALFABETA",
    "none_literate": "NESSUN TITOLO - ALFABETA",
    "primary": "LICENZA ELEMENTARE",
    "lower_secondary": "LICENZA MEDIA",
    "upper_secondary": "DIPLOMA",
    "tertiary": "LAUREA",
}
CONDITION_REGISTER: Mapping[str, str] = {
    "employed": "OCCUPATO",
    "unemployed": "DISOCCUPATO / IN CERCA DI OCCUPAZIONE",
    "retired": "PENSIONATO",
    "student": "STUDENTE",
    "other_inactive": "CASALINGA / ALTRA CONDIZIONE",
}
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


def _person_columns(ctx: Context) -> dict[str, pa.Array]:
    """Register fields that never change for a person, aligned with ``truth.persons`` (computed once)."""
    persons = ctx.truth.persons

    def build() -> dict[str, pa.Array]:
        cols = {name: pa.array(persons[name]) for name in ("codice_fiscale", "sex", "birth_place_code")}
        for name in ("surname", "first_name"):
            cols[name] = pc.utf8_upper(pa.array(persons[name]))
        places = place_table(persons["birth_place_code"])
        for name in ("comune", "provincia", "stato"):
            cols[name] = pa.array(places[name].to_numpy(dtype=object), pa.large_string())
        cols["cittadinanza"] = pa.array(citizenship_words(persons["citizenship"]), pa.large_string())
        birth = persons["birth_date"].to_numpy().astype("datetime64[D]")
        cols["nascita"] = pa.array(format_dates(birth, "dmy"), pa.large_string())
        ids = persons["person_id"].to_numpy(dtype=np.int64)
        place = persons["birth_place_code"].astype(object).to_numpy()
        arrival = persons["arrival_date"].to_numpy().astype("datetime64[D]")
        reg = registration_dates(ctx, ids, birth, place, arrival)
        cols["iscrizione"] = pa.array(format_dates(reg, "dmy"), pa.large_string())
        cols["individuo"] = pa.array(scramble(ctx.seed, "anagrafe/individuo", ids))
        return cols

    return ctx.truth.derived("anagrafe/persons", build)


def _dwelling_columns(ctx: Context) -> dict[str, pa.Array]:
    """Address fields aligned with ``truth.dwellings`` (computed once)."""

    def build() -> dict[str, pa.Array]:
        d = ctx.truth.dwellings
        a = addresses(ctx.truth, d["dwelling_id"].to_numpy())
        return {
            "indirizzo": pa.array(a.register_street(), pa.large_string()),
            "numero": pa.array(a.number),
            "esponente": pa.array(a.suffix, pa.large_string()),
            "interno": pa.array(a.interno, pa.large_string()),
            "comune": pa.array(a.comune(), pa.large_string()),
        }

    return ctx.truth.derived("anagrafe/dwellings", build)


@dataclass
class DeclaredHistory:
    """One declared attribute (education or condition) of every person, followed snapshot by snapshot.

    Codes index ``categories`` (-1: no value). ``current`` is the true code at the latest snapshot seen and
    ``before`` the code the person had just before their latest change (-1 if no change was seen yet).
    """

    categories: tuple[str, ...]
    current: npt.NDArray[np.int8]
    before: npt.NDArray[np.int8]

    @classmethod
    def empty(cls, categories: tuple[str, ...], n_persons: int) -> DeclaredHistory:
        """No snapshot seen yet."""
        return cls(categories, np.full(n_persons, -1, np.int8), np.full(n_persons, -1, np.int8))

    def codes(self, values: pd.Series) -> npt.NDArray[np.int8]:
        """Codes of truth values (null or unknown values give -1)."""
        return np.asarray(pd.Categorical(values, categories=list(self.categories)).codes, dtype=np.int8)

    def advance(self, pos: npt.NDArray[np.intp], codes: npt.NDArray[np.int8]) -> npt.NDArray[np.int8]:
        """Take in one snapshot (persons at ``pos`` with true ``codes``); returns the earlier value each row
        could show when stale: a real, different value held before the latest change, else -1."""
        prev = self.current[pos]
        changed = (prev >= 0) & (codes >= 0) & (prev != codes)
        self.before[pos[changed]] = prev[changed]
        self.current[pos] = codes
        earlier = self.before[pos]
        return np.where((codes >= 0) & (earlier != codes), earlier, np.int8(-1)).astype(np.int8)


def _declared(
    ctx: Context,
    pids: npt.NDArray[np.int64],
    kind: str,
    truth_codes: npt.NDArray[np.int8],
    earlier: npt.NDArray[np.int8],
) -> tuple[npt.NDArray[np.int8], dict[str, npt.NDArray[np.bool_]]]:
    """Codes the register shows for one attribute (``kind``: 'education' or 'condition') and their flags.

    Draws are keyed by person, so a record that is stale or empty tends to stay so in later years, as an
    uncorrected register record does. Missing takes precedence over stale (one error per value).
    """
    rates = ERROR_RATES[SOURCE]
    has = truth_codes >= 0
    can_stale = earlier >= 0
    missing = draw(ctx.seed, f"anagrafe/{kind}_missing", pids, rates[f"{kind}_missing"], has)
    stale = draw(ctx.seed, f"anagrafe/{kind}_stale", pids, rates[f"{kind}_stale"], can_stale) & ~missing
    n = len(pids)
    ctx.gt.note_eligible(SOURCE, f"{kind}_missing", float(has.mean()) if n else 0.0, n)
    ctx.gt.note_eligible(SOURCE, f"{kind}_stale", float(can_stale.mean()) if n else 0.0, n)
    shown = np.where(missing, np.int8(-1), np.where(stale, earlier, truth_codes)).astype(np.int8)
    return shown, {f"{kind}_missing": missing, f"{kind}_stale": stale}


def _words(codes: npt.NDArray[np.int8], wording: Mapping[str, str]) -> npt.NDArray[np.object_]:
    """Register wording of codes ('' for -1)."""
    table = np.array([*wording.values(), ""], dtype=object)
    return np.asarray(table[np.where(codes >= 0, codes, len(wording))], dtype=object)


def _relation_rank(relation: pd.Series) -> npt.NDArray[np.int64]:
    codes, uniques = pd.factorize(relation.astype(object).fillna("other"))
    return np.array([_REL_RANK.get(str(u), 99) for u in uniques] + [99], dtype=np.int64)[codes]


def _relation_words(relation: npt.NDArray[np.object_], female: npt.NDArray[np.bool_]) -> npt.NDArray[np.object_]:
    codes, uniques = pd.factorize(pd.Series(relation, dtype=object).fillna("other"))
    table = np.array([RELATION_REGISTER.get(str(u), RELATION_REGISTER["other"]) for u in uniques], dtype=object)
    return np.asarray(table[codes, female.astype(np.intp)], dtype=object)


def write(ctx: Context) -> None:
    """Write ``anagrafe_<year>.csv`` for every snapshot year in range, in chunks."""
    rates = ERROR_RATES[SOURCE]
    prev: pd.DataFrame | None = None
    n_persons = len(ctx.truth.persons)
    edu_hist = DeclaredHistory.empty(tuple(EDUCATION_REGISTER), n_persons)
    cond_hist = DeclaredHistory.empty(tuple(CONDITION_REGISTER), n_persons)
    declared = ["person_id", "education", "labour_status"]
    for year in [y for y in ctx.truth.years if y < ctx.years[0]]:  # history before the range
        early = ctx.truth.table("person_year", year, declared)
        early_pos = ctx.truth.person_pos(early["person_id"].to_numpy(dtype=np.int64))
        edu_hist.advance(early_pos, edu_hist.codes(early["education"]))
        cond_hist.advance(early_pos, cond_hist.codes(early["labour_status"]))
    for year in ctx.years:
        py = ctx.truth.table(
            "person_year", year, ["person_id", "family_id", "relation", "dwelling_id", "education", "labour_status"]
        )
        if prev is None and year - 1 in ctx.truth.years:
            prev = ctx.truth.table("person_year", year - 1, ["person_id", "dwelling_id"])
        fam_code = scramble(ctx.seed, "anagrafe/famiglia", py["family_id"].to_numpy())
        births = ctx.truth.persons["birth_date"].to_numpy()[ctx.truth.person_pos(py["person_id"].to_numpy())]
        py = py.assign(_fam=fam_code, _rank=_relation_rank(py["relation"]), _birth=births)
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
        ppos_all = ctx.truth.person_pos(pids)
        edu_true = edu_hist.codes(py["education"])
        edu, edu_flags = _declared(ctx, pids, "education", edu_true, edu_hist.advance(ppos_all, edu_true))
        cond_true = cond_hist.codes(py["labour_status"])
        cond_earlier = cond_hist.advance(ppos_all, cond_true)
        cond, cond_flags = _declared(ctx, pids, "condition", cond_true, cond_earlier)
        titolo, condizione = _words(edu, EDUCATION_REGISTER), _words(cond, CONDITION_REGISTER)
        out = ctx.csv(f"anagrafe_{year}.csv", sep=";")
        pcols, dcols = _person_columns(ctx), _dwelling_columns(ctx)
        # a register of several comuni (the synthetic region) says each resident's comune; Padova's does not
        regional = is_regional(ctx.truth)
        for start in range(0, len(py), CHUNK):
            sl = slice(start, start + CHUNK)
            chunk = py.iloc[sl]
            ids = pids[sl]
            flags = {"address_stale": stale[sl], "cf_transposed": cf_bad[sl]}
            flags.update({k: v[sl] for k, v in (edu_flags | cond_flags).items()})
            ppos = pa.array(ctx.truth.person_pos(ids))
            dpos = pa.array(ctx.truth.dwelling_pos(shown_dw[sl]))
            p = {k: v.take(ppos) for k, v in pcols.items()}
            a = {k: v.take(dpos) for k, v in dcols.items()}
            codes = p["codice_fiscale"]
            bad = cf_bad[sl]
            if bad.any():  # corrupt the few flagged codes only
                wrong = apply_cf(
                    np.asarray(codes.filter(pa.array(bad)).to_pylist(), dtype=object),
                    {"cf_transposed": np.ones(int(bad.sum()), dtype=bool)},
                    ctx.seed,
                    SOURCE,
                    ids[bad],
                )
                codes = pc.replace_with_mask(codes, pa.array(bad), pa.array(list(wrong), codes.type))
            female = np.asarray(p["sex"].to_numpy(zero_copy_only=False)) == "F"
            cols = {
                "CODICE_INDIVIDUALE": p["individuo"],
                "CODICE_FAMIGLIA": chunk["_fam"].to_numpy(),
                "RELAZIONE_PARENTELA": _relation_words(chunk["relation"].to_numpy(dtype=object), female),
                "CODICE_FISCALE": codes,
                "COGNOME": p["surname"],
                "NOME": p["first_name"],
                "SESSO": p["sex"],
                "DATA_NASCITA": p["nascita"],
                "COMUNE_NASCITA": p["comune"],
                "PROVINCIA_NASCITA": p["provincia"],
                "STATO_NASCITA": p["stato"],
                "CODICE_CATASTALE_NASCITA": p["birth_place_code"],
                "CITTADINANZA": p["cittadinanza"],
                "INDIRIZZO": a["indirizzo"],
                "NUMERO_CIVICO": a["numero"],
                "ESPONENTE": a["esponente"],
                "INTERNO": a["interno"],
                "DATA_ISCRIZIONE": p["iscrizione"],
                "TITOLO_STUDIO": titolo[sl],
                "CONDIZIONE_PROFESSIONALE": condizione[sl],
            }
            cols["COMUNE_RESIDENZA"] = a["comune"]
            first = out.write({c: cols[c] for c in COLUMNS + (["COMUNE_RESIDENZA"] if regional else [])})
            ctx.record(SOURCE, out.path, first, p["individuo"].to_numpy(), ids, chunk["family_id"].to_numpy(), flags)
        ctx.finish_csv(out)
        prev = py[["person_id", "dwelling_id"]]
    ctx.truth.forget("anagrafe/")  # the register's derived columns are not needed by other sources
