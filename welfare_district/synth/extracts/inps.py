"""INPS civil-invalidity benefits shared with the municipality, one CSV per snapshot year.

Shape: ';'-separated UTF-8, dd/mm/yyyy dates, rows ordered by surname. One row per benefit in payment on
31 December: everyone whose truth has ``disability_allowance`` (INVALIDITA_CIVILE) or ``care_allowance``
(INDENNITA_ACCOMPAGNAMENTO) that year; a person with both has two rows. INPS holds identities from the tax
registry, so errors are few: a mistyped codice fiscale or a name without its accents.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from welfare_district.synth.extracts.context import Context
from welfare_district.synth.extracts.formats import format_dates
from welfare_district.synth.extracts.people import messy_identity, people
from welfare_district.synth.extracts.randomness import keyed_dates, scramble, two_key

SOURCE = "inps"
COLUMNS = [
    "NUMERO_PRESTAZIONE",
    "CF_BENEFICIARIO",
    "COGNOME",
    "NOME",
    "DATA_NASCITA",
    "TIPO_PRESTAZIONE",
    "DATA_DECORRENZA",
]
# truth flag -> INPS benefit type; the position is the benefit's code in the keys below
BENEFITS = (("disability_allowance", "INVALIDITA_CIVILE"), ("care_allowance", "INDENNITA_ACCOMPAGNAMENTO"))
# benefits already in payment at the first snapshot started up to this many years earlier
_EARLIER_YEARS = 10


def write(ctx: Context) -> None:
    """Write ``inps_prestazioni_<year>.csv`` for every snapshot year in range."""
    n_persons = len(ctx.truth.persons)
    # per benefit and person: the first year of the spell in payment (0: not in payment)
    since = np.zeros((len(BENEFITS), n_persons), dtype=np.int64)
    columns = ["person_id", "family_id", *(flag for flag, _ in BENEFITS)]
    for year in [y for y in ctx.truth.years if y <= ctx.years[-1]]:
        py = ctx.truth.table("person_year", year, columns)
        pos = ctx.truth.person_pos(py["person_id"].to_numpy(dtype=np.int64))
        for b, (flag, _) in enumerate(BENEFITS):
            has = py[flag].fillna(False).to_numpy(dtype=bool)
            spell = since[b, pos]
            since[b, pos] = np.where(has, np.where(spell > 0, spell, year), 0)
        if year in ctx.years:
            _write_year(ctx, year, py, pos, since)


def _write_year(
    ctx: Context, year: int, py: pd.DataFrame, pos: npt.NDArray[np.intp], since: npt.NDArray[np.int64]
) -> None:
    parts = []
    for b, (flag, _) in enumerate(BENEFITS):
        rows = np.flatnonzero(py[flag].fillna(False).to_numpy(dtype=bool))
        parts.append(pd.DataFrame({"row": rows, "benefit": b, "start": since[b, pos[rows]]}))
    sel = pd.concat(parts, ignore_index=True)
    if sel.empty:
        return
    pids = py["person_id"].to_numpy(dtype=np.int64)[sel["row"].to_numpy()]
    fams = py["family_id"].to_numpy(dtype=np.int64)[sel["row"].to_numpy()]
    benefit = sel["benefit"].to_numpy(dtype=np.int64)
    start = sel["start"].to_numpy(dtype=np.int64)
    item = pids * len(BENEFITS) + benefit  # one benefit of one person: stable across years
    p = people(ctx.truth, pids).upper()
    m = messy_identity(ctx, SOURCE, p, two_key(item, year))
    df = pd.DataFrame(
        {
            "NUMERO_PRESTAZIONE": pd.Series(scramble(ctx.seed, "inps/prestazione", item)).map("{:010d}".format),
            "CF_BENEFICIARIO": m.cf,
            "COGNOME": m.surname,
            "NOME": m.first_name,
            "DATA_NASCITA": format_dates(m.birth, "dmy"),
            "TIPO_PRESTAZIONE": np.array([t for _, t in BENEFITS], dtype=object)[benefit],
            "DATA_DECORRENZA": format_dates(_start_dates(ctx, item, start, p.birth), "dmy"),
        },
        columns=COLUMNS,
    )
    order = np.lexsort((benefit, pids, df["NOME"].to_numpy(dtype=str), df["COGNOME"].to_numpy(dtype=str)))
    df = df.iloc[order].reset_index(drop=True)
    out = ctx.csv(f"inps_prestazioni_{year}.csv", sep=";")
    first = out.write(df)
    ctx.record(
        SOURCE,
        out.path,
        first,
        df["NUMERO_PRESTAZIONE"].to_numpy(dtype=object),
        pids[order],
        fams[order],
        {k: v[order] for k, v in m.flags.items()},
    )
    ctx.finish_csv(out)


def _start_dates(
    ctx: Context,
    item: npt.NDArray[np.int64],
    start_year: npt.NDArray[np.int64],
    birth: npt.NDArray[np.datetime64],
) -> npt.NDArray[np.datetime64]:
    """Start of payment: a keyed day of the spell's first year, or of the years before the first snapshot for
    benefits already paid then; never before birth, and the same date in every year of one spell."""
    lo_year = np.where(start_year == ctx.truth.years[0], start_year - _EARLIER_YEARS, start_year)
    lo = (lo_year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    hi = (start_year - 1969).astype("datetime64[Y]").astype("datetime64[D]") - np.timedelta64(1, "D")
    lo = np.minimum(np.maximum(lo, birth.astype("datetime64[D]")), hi)
    return keyed_dates(ctx.seed, "inps/decorrenza", two_key(item, start_year), lo, hi)
