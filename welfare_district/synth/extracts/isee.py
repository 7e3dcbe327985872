"""ISEE declarations (DSU) as INPS hands them to the municipality: one CSV per year, Windows style.

Shape: cp1252, ';'-separated, CRLF, comma decimals; one row per DSU with the declarant's identity and the
codes of all household components in one field. Characters cp1252 cannot hold come out as '?'.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from welfare_district.synth import schema
from welfare_district.synth.extracts.config import ERROR_RATES
from welfare_district.synth.extracts.context import Context
from welfare_district.synth.extracts.corrupt import apply_cf, cf_state_flags, draw, wrong_check_char
from welfare_district.synth.extracts.formats import format_dates
from welfare_district.synth.extracts.output import lose_encoding
from welfare_district.synth.extracts.people import people
from welfare_district.synth.extracts.randomness import record_rng, uniform
from welfare_district.synth.extracts.vocab import citizenship_word

SOURCE = "isee"
ENCODING = "cp1252"
COLUMNS = [
    "PROTOCOLLO_DSU",
    "DATA_PRESENTAZIONE",
    "TIPO_ISEE",
    "CF_DICHIARANTE",
    "COGNOME_DICHIARANTE",
    "NOME_DICHIARANTE",
    "CITTADINANZA_DICHIARANTE",
    "NUMERO_COMPONENTI",
    "CF_COMPONENTI",
    "ISR",
    "ISP",
    "SCALA_EQUIVALENZA",
    "VALORE_ISEE",
    "DATA_SCADENZA",
]
# parameters of the equivalence scale by household size (DPCM 159/2013), +0.35 per further member
_SCALE = {1: 1.00, 2: 1.57, 3: 2.04, 4: 2.46, 5: 2.85}
_REL_RANK = {r: i for i, r in enumerate(schema.RELATION)}


def equivalence_scale(size: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """ISEE equivalence scale for a household of ``size`` members."""
    s = np.maximum(size, 1)
    base = np.array([_SCALE[min(int(v), 5)] for v in s])
    return np.round(base + 0.35 * np.maximum(s - 5, 0), 2)


def comma(values: npt.NDArray[np.float64]) -> npt.NDArray[np.object_]:
    """Numbers with two decimals and a decimal comma, as Italian exports write them."""
    return pd.Series(values).map("{:.2f}".format).str.replace(".", ",", regex=False).to_numpy(dtype=object)


def write(ctx: Context) -> None:
    """Write ``isee_dsu_<year>.csv`` for every snapshot year in range that has declarations."""
    rates = ERROR_RATES[SOURCE]
    for year in ctx.years:
        dsu = (
            ctx.truth.table("isee", year)
            .sort_values(["submitted", "dsu_id"], kind="stable")
            .reset_index(drop=True)
        )
        if dsu.empty:
            continue
        py = ctx.truth.table("person_year", year, ["person_id", "family_id", "relation"])
        py = py[py["family_id"].isin(dsu["family_id"])]
        members = _members(ctx, py)
        ids = dsu["dsu_id"].to_numpy(dtype=np.int64)
        decl = dsu["declarant_person_id"].to_numpy(dtype=np.int64)
        p = people(ctx.truth, decl).upper()
        flags = cf_state_flags(ctx.seed, SOURCE, ids, rates)
        decl_cf = apply_cf(p.cf, flags, ctx.seed, SOURCE, ids)
        comp_lists: list[list[str]] = []
        for fam, d_pid, d_cf, size in zip(dsu["family_id"], decl, decl_cf, dsu["nucleus_size"], strict=True):
            others = [c for pid, c in members.get(int(fam), []) if pid != d_pid]
            comp_lists.append([str(d_cf), *others[: max(int(size) - 1, 0)]])
        multi = np.array([len(c) > 1 for c in comp_lists])
        comp_bad = draw(
            ctx.seed, "isee/component_cf_check_char", ids, rates["component_cf_check_char"], multi
        )
        ctx.gt.note_eligible(SOURCE, "component_cf_check_char", float(multi.mean()), len(dsu))
        for i in np.flatnonzero(comp_bad):
            rnd = record_rng(ctx.seed, "isee/component_cf_check_char", int(ids[i]))
            j = rnd.randrange(1, len(comp_lists[i]))
            comp_lists[i][j] = wrong_check_char(comp_lists[i][j], rnd)
        n_comp = np.array([len(c) for c in comp_lists], dtype=np.int64)
        scale = equivalence_scale(n_comp)
        isee = dsu["isee_eur"].to_numpy(dtype=np.float64)
        share = uniform(ctx.seed, "isee/patrimonio", ids) * 0.6  # part of the indicator due to assets
        isp = np.round(isee * scale * share * 5, 2)
        isr = np.round(isee * scale * (1 - share), 2)
        surname, lost_s = lose_encoding(p.surname, ENCODING)
        first, lost_f = lose_encoding(p.first_name, ENCODING)
        flags["encoding_loss"] = lost_s | lost_f
        flags["component_cf_check_char"] = comp_bad
        kind = np.where(uniform(ctx.seed, "isee/tipo", ids) < 0.06, "CORRENTE", "ORDINARIO")
        df = pd.DataFrame(
            {
                "PROTOCOLLO_DSU": [
                    f"INPS-ISEE-{year}-{int(i) % 10**8:08d}-00"
                    for i in (ids * 7919 + 10_000_000 * (year % 10))
                ],
                "DATA_PRESENTAZIONE": format_dates(dsu["submitted"], "dmy"),
                "TIPO_ISEE": kind,
                "CF_DICHIARANTE": decl_cf,
                "COGNOME_DICHIARANTE": surname,
                "NOME_DICHIARANTE": first,
                "CITTADINANZA_DICHIARANTE": [citizenship_word(str(c)) for c in p.citizenship],
                "NUMERO_COMPONENTI": n_comp,
                "CF_COMPONENTI": [" - ".join(c) for c in comp_lists],
                "ISR": comma(isr),
                "ISP": comma(isp),
                "SCALA_EQUIVALENZA": comma(scale),
                "VALORE_ISEE": comma(np.round((isr + 0.2 * isp) / scale, 2)),
                "DATA_SCADENZA": f"31/12/{year}",
            },
            columns=COLUMNS,
        )
        out = ctx.csv(f"isee_dsu_{year}.csv", sep=";", encoding=ENCODING, eol="\r\n")
        first_row = out.write(df)
        ctx.record(
            SOURCE,
            out.path,
            first_row,
            df["PROTOCOLLO_DSU"].to_numpy(),
            decl,
            dsu["family_id"].to_numpy(),
            flags,
        )
        ctx.finish_csv(out)


def _members(ctx: Context, py: pd.DataFrame) -> dict[int, list[tuple[int, str]]]:
    """Per family, (person_id, codice fiscale) of its members, head first."""
    py = py.assign(_rank=py["relation"].map(_REL_RANK).fillna(99)).sort_values(
        ["family_id", "_rank", "person_id"]
    )
    codes = ctx.truth.persons["codice_fiscale"].to_numpy()[ctx.truth.person_pos(py["person_id"].to_numpy())]
    out: dict[int, list[tuple[int, str]]] = {}
    for fam, pid, code in zip(py["family_id"].to_numpy(), py["person_id"].to_numpy(), codes, strict=True):
        out.setdefault(int(fam), []).append((int(pid), str(code)))
    return out
