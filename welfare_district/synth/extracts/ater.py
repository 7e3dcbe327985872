"""Public housing tenants as the housing body exports them: an .xlsx with one row per household member.

Each row repeats the dwelling (alloggio) and the assignee; the member's own identity follows. Dates are
real Excel date cells. The assignee's code in the repeated column is the one held for the head (so an
error on the head's code shows on every row of that household).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from welfare_district.synth import schema
from welfare_district.synth.extracts.config import SOURCE_LABELS
from welfare_district.synth.extracts.context import Context
from welfare_district.synth.extracts.formats import py_date
from welfare_district.synth.extracts.people import addresses, is_regional, messy_identity, people
from welfare_district.synth.extracts.randomness import keyed_dates, pick, scramble, uniform
from welfare_district.synth.extracts.vocab import RELATION_ATER
from welfare_district.synth.extracts.xlsx import Sheet

SOURCE = "ater"
HEADER = [
    "Cod. alloggio",
    "Indirizzo",
    "Scala",
    "Interno",
    "Sup. utile mq",
    "Canone mensile €",
    "N. componenti",
    "Assegnatario",
    "Cod. fiscale assegnatario",
    "Data assegnazione",
    "Componente",
    "Cod. fiscale componente",
    "Data nascita",
    "Rapporto con assegnatario",
]
_REL_RANK = {r: i for i, r in enumerate(schema.RELATION)}


def write(ctx: Context) -> None:
    """Write ``ater_assegnatari_<last year>.xlsx`` (families in public housing on the last snapshot)."""
    year = ctx.last_year
    fy = ctx.truth.table("family_year", year)
    fy = fy[fy["tenure"] == "public_housing"]
    py = ctx.truth.table("person_year", year, ["person_id", "family_id", "relation", "dwelling_id"])
    py = py[py["family_id"].isin(fy["family_id"])].copy()
    py["_alloggio"] = scramble(ctx.seed, "ater/alloggio", py["dwelling_id"].to_numpy())
    py["_rank"] = py["relation"].map(_REL_RANK).fillna(99)
    py = py.sort_values(["_alloggio", "family_id", "_rank", "person_id"], kind="stable").reset_index(drop=True)
    pids = py["person_id"].to_numpy(dtype=np.int64)
    fam = py["family_id"].to_numpy(dtype=np.int64)
    p = people(ctx.truth, pids).upper()
    m = messy_identity(ctx, SOURCE, p, pids)
    names = pd.Series(m.surname, dtype="str") + " " + pd.Series(m.first_name, dtype="str")
    # the assignee columns repeat what is held for the head of each household
    head_pos = pd.Series(np.arange(len(py))).groupby(fam).transform("first").to_numpy()
    a = addresses(ctx.truth, py["dwelling_id"].to_numpy())
    size = pd.Series(fam).map(pd.Series(fam).value_counts()).to_numpy()
    rent = np.round(40 + a.surface * (0.6 + 3.2 * uniform(ctx.seed, "ater/canone", fam)), 2)
    assigned = keyed_dates(
        ctx.seed, "ater/assegnazione", fam, np.datetime64("1985-01-01"), np.datetime64(f"{year}-12-31")
    )
    scala = np.array(["", "A", "B", "C"], dtype=object)[
        pick(ctx.seed, "ater/scala", py["dwelling_id"], [0.4, 0.3, 0.2, 0.1])
    ]
    lines = a.register_line()
    codes = [f"PD{int(v):010d}" for v in py["_alloggio"]]
    relations = py["relation"].astype(str).to_numpy()
    # a provincial housing agency lists the comune of each dwelling when it serves several
    comune = a.comune() if is_regional(ctx.truth) else None
    rows = []
    for i in range(len(py)):
        h = head_pos[i]
        rows.append(
            [
                codes[i],
                lines[i],
                scala[i],
                a.interno[i],
                int(a.surface[i]),
                float(rent[i]),
                int(size[i]),
                names.iat[h],
                m.cf[h],
                py_date(assigned[i]),
                names.iat[i],
                m.cf[i],
                py_date(m.birth[i]),
                RELATION_ATER.get(relations[i], "ALTRO"),
                *([] if comune is None else [comune[i]]),
            ]
        )
    header = HEADER + ([] if comune is None else ["Comune"])
    path = ctx.write_xlsx(f"ater_assegnatari_{year}.xlsx", [Sheet("Assegnatari", header, rows)], SOURCE_LABELS[SOURCE])
    # key: dwelling code and the member's position in the household
    # a dwelling can host more than one household: number the rows within the dwelling
    within = pd.Series(codes).groupby(codes).cumcount().to_numpy() + 1
    keys = np.array([f"{c}/{n}" for c, n in zip(codes, within, strict=True)], dtype=object)
    ctx.record(SOURCE, path, 1, keys, pids, fam, m.flags)
