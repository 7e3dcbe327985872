"""ISEE declarations (DSU) as INPS hands them to the municipality: one CSV per year, Windows style.

Shape: cp1252, ';'-separated, CRLF, comma decimals; one row per DSU with the declarant's identity and the
codes of all household components in one field. Characters cp1252 cannot hold come out as '?'.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from welfare_district.synth import schema
from welfare_district.synth.extracts.config import ERROR_RATES
from welfare_district.synth.extracts.context import Context
from welfare_district.synth.extracts.corrupt import apply_cf, cf_state_flags, draw, wrong_check_char
from welfare_district.synth.extracts.formats import format_dates
from welfare_district.synth.extracts.output import lose_encoding
from welfare_district.synth.extracts.people import people
from welfare_district.synth.extracts.randomness import record_rng, uniform
from welfare_district.synth.extracts.vocab import citizenship_words

SOURCE = "isee"
SEP = " - "  # between the codes of the household members
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


def comma(values: npt.NDArray[np.float64]) -> pa.Array:
    """Non-negative numbers with two decimals and a decimal comma, as Italian exports write them."""
    cents = np.round(np.asarray(values, dtype=np.float64) * 100).astype(np.int64)
    whole = pc.cast(pa.array(cents // 100), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(cents % 100), pa.string()), width=2, padding="0")
    return pc.binary_join_element_wise(whole, frac, ",")


def write(ctx: Context) -> None:
    """Write ``isee_dsu_<year>.csv`` for every snapshot year in range that has declarations."""
    rates = ERROR_RATES[SOURCE]
    for year in ctx.years:
        dsu = ctx.truth.table("isee", year).sort_values(["submitted", "dsu_id"], kind="stable").reset_index(drop=True)
        if dsu.empty:
            continue
        py = ctx.truth.table("person_year", year, ["person_id", "family_id", "relation"])
        ids = dsu["dsu_id"].to_numpy(dtype=np.int64)
        decl = dsu["declarant_person_id"].to_numpy(dtype=np.int64)
        p = people(ctx.truth, decl).upper()
        flags = cf_state_flags(ctx.seed, SOURCE, ids, rates)
        decl_cf = apply_cf(p.cf, flags, ctx.seed, SOURCE, ids)
        others, n_others = _other_components(ctx, dsu, py)
        multi = n_others > 0
        comp_bad = draw(ctx.seed, "isee/component_cf_check_char", ids, rates["component_cf_check_char"], multi)
        ctx.gt.note_eligible(SOURCE, "component_cf_check_char", float(multi.mean()), len(dsu))
        for i in np.flatnonzero(comp_bad):  # few rows: edit their component list in place
            rnd = record_rng(ctx.seed, "isee/component_cf_check_char", int(ids[i]))
            parts = str(others[i]).split(SEP)
            j = rnd.randrange(len(parts))
            parts[j] = wrong_check_char(parts[j], rnd)
            others[i] = SEP.join(parts)
        comp_lists = np.where(
            multi,
            pd.Series(decl_cf, dtype="str") + SEP + pd.Series(others, dtype="str"),
            pd.Series(decl_cf, dtype="str"),
        ).astype(object)
        n_comp = n_others + 1
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
                # the last two digits tell the virtual districts of a region apart (their person ids differ by
                # multiples of 10^9, which the 8-digit number alone cannot show); always 00 for one city
                "PROTOCOLLO_DSU": [
                    f"INPS-ISEE-{year}-{int(i) % 10**8:08d}-{int(pid) // 10**9 % 100:02d}"
                    for i, pid in zip(ids * 7919 + 10_000_000 * (year % 10), ids, strict=True)
                ],
                "DATA_PRESENTAZIONE": format_dates(dsu["submitted"], "dmy"),
                "TIPO_ISEE": kind,
                "CF_DICHIARANTE": decl_cf,
                "COGNOME_DICHIARANTE": surname,
                "NOME_DICHIARANTE": first,
                "CITTADINANZA_DICHIARANTE": citizenship_words(p.citizenship),
                "NUMERO_COMPONENTI": n_comp,
                "CF_COMPONENTI": comp_lists,
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


def _other_components(
    ctx: Context, dsu: pd.DataFrame, py: pd.DataFrame
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.int64]]:
    """Per DSU (in ``dsu`` order): the codes of the other household members joined by SEP, head first, at
    most nucleus_size - 1 of them; and how many there are."""
    m = dsu[["dsu_id", "family_id", "declarant_person_id", "nucleus_size"]].merge(
        py[["person_id", "family_id", "relation"]], on="family_id", how="inner"
    )
    m = m[m["person_id"] != m["declarant_person_id"]]
    codes, uniques = pd.factorize(m["relation"].astype(object).fillna("other"))
    rank = np.array([_REL_RANK.get(str(u), 99) for u in uniques] + [99])[codes]
    m = m.assign(_rank=rank).sort_values(["dsu_id", "_rank", "person_id"], kind="stable")
    m = m[m.groupby("dsu_id").cumcount().to_numpy() < m["nucleus_size"].to_numpy() - 1]
    cf = ctx.truth.persons["codice_fiscale"].to_numpy(dtype=object)[ctx.truth.person_pos(m["person_id"])]
    owner = m["dsu_id"].to_numpy(dtype=np.int64)
    # rows are grouped by DSU: join each run of codes (a plain loop over runs beats groupby on strings)
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]]) if len(owner) else np.zeros(0, np.intp)
    ends = np.r_[starts[1:], len(owner)]
    joined = pd.Series(
        [SEP.join(cf[a:b]) for a, b in zip(starts, ends, strict=True)], index=owner[starts], dtype=object
    )
    counts = pd.Series(ends - starts, index=owner[starts])
    ids = dsu["dsu_id"].to_numpy()
    others = np.array(joined.reindex(ids).fillna("").to_numpy(dtype=object), dtype=object)  # writable
    return others, counts.reindex(ids).fillna(0).to_numpy(dtype=np.int64)
