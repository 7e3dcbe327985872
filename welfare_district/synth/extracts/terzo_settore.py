"""Third-sector beneficiary lists: who is on each list, and the shared path from truth to a messy row.

Each organisation keeps its own list (see ``terzo_settore_liste`` for their shapes). The common path:
select beneficiaries in the last snapshot year, add re-registrations as duplicate rows, then corrupt codes,
names, birth dates and addresses at the rates configured for that organisation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from welfare_district.synth.extracts.config import ERROR_RATES, THIRD_SECTOR_COVERAGE
from welfare_district.synth.extracts.context import Context
from welfare_district.synth.extracts.corrupt import Flags
from welfare_district.synth.extracts.formats import free_text_address
from welfare_district.synth.extracts.people import People, addresses, messy_identity, people, stale_dwellings
from welfare_district.synth.extracts.randomness import keyed_dates, pick, two_key, uniform

FOOD_BANK_ISEE = 9_360.0  # ISEE ceiling commonly used for food support
LOW_ISEE = 12_000.0
AddressWeights = tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...], tuple[float, ...], tuple[float, ...]]


@dataclass
class Beneficiaries:
    """One row per list entry (duplicates included), sorted as the list is kept, with messy fields."""

    person_id: npt.NDArray[np.int64]
    family_id: npt.NDArray[np.int64]
    copy: npt.NDArray[np.int64]  # 0 for the first registration, 1 for a duplicate entry
    keys: npt.NDArray[np.int64]  # stable per entry: drives every draw for that row
    registered: npt.NDArray[np.datetime64]
    size: npt.NDArray[np.int64]  # household size
    need: npt.NDArray[np.object_]  # the reason the person is on the list (source-specific words)
    true: People
    cf: npt.NDArray[np.object_]
    surname: npt.NDArray[np.object_]
    first_name: npt.NDArray[np.object_]
    birth: npt.NDArray[np.datetime64]
    address: npt.NDArray[np.object_]
    flags: Flags


def _snapshot(ctx: Context) -> pd.DataFrame:
    """Residents of the last snapshot with age, household size, lowest recent ISEE and open case needs."""
    year = ctx.last_year
    py = ctx.truth.table("person_year", year, ["person_id", "family_id", "relation", "dwelling_id", "care_allowance"])
    pids = py["person_id"].to_numpy(dtype=np.int64)
    fy = ctx.truth.table("family_year", year, ["family_id", "size"]).set_index("family_id")["size"]
    isee = pd.concat(
        [ctx.truth.table("isee", y, ["family_id", "isee_eur"]) for y in (year - 1, year) if y in ctx.truth.years]
    )
    low = isee.groupby("family_id")["isee_eur"].min()
    cases = ctx.truth.table("cases")
    open_ = cases[
        (cases["opened"] <= pd.Timestamp(f"{year}-12-31"))
        & (cases["closed"].isna() | (cases["closed"] >= pd.Timestamp(f"{year}-01-01")))
    ]
    need = open_.groupby("family_id")["need"].agg(lambda s: "|".join(sorted(set(map(str, s)))))
    fam = py["family_id"].to_numpy()
    return py.assign(
        age=ctx.truth.age_at(pids, year),
        # kept as compact arrow strings: the snapshot covers every resident
        citizenship=ctx.truth.persons["citizenship"].iloc[ctx.truth.person_pos(pids)].to_numpy(),
        size=fy.reindex(fam).fillna(1).to_numpy(dtype=np.int64),
        isee=low.reindex(fam).to_numpy(dtype=np.float64),
        needs=need.reindex(fam).fillna("").to_numpy(dtype=object),
    )


def select(ctx: Context, source: str) -> pd.DataFrame:
    """The people on ``source``'s list in the last snapshot (one row each, before duplicates)."""
    # the same snapshot serves every list
    snap = ctx.truth.derived(f"terzo_settore/snapshot/{ctx.last_year}", lambda: _snapshot(ctx))
    cover = THIRD_SECTOR_COVERAGE[source]
    u = uniform(ctx.seed, f"{source}/select", snap["person_id"].to_numpy())
    head = snap["relation"].to_numpy() == "head"
    econ = snap["needs"].str.contains("economic|housing", regex=True).to_numpy()
    poor = (snap["isee"] < FOOD_BANK_ISEE).to_numpy()
    adult = snap["age"].to_numpy() >= 18
    if source == "ts_emporio":  # one card per household, held by its head
        keep = head & (poor | econ) & (u < np.where(econ, min(1.0, cover * 1.6), cover))
    elif source == "ts_ascolto":
        needy = (snap["isee"] < LOW_ISEE).to_numpy() | econ | snap["needs"].str.contains("migrants|employment")
        keep = adult & np.asarray(needy) & (u < np.where(head, cover, cover * 0.5))
    elif source == "ts_migranti":
        foreign = snap["citizenship"].astype(str).to_numpy() != "IT"
        keep = foreign & adult & (snap["age"].to_numpy() <= 65) & (u < cover)
    elif source == "ts_anziani":
        alone = snap["size"].to_numpy() == 1
        care = snap["care_allowance"].fillna(False).to_numpy(dtype=bool)
        p = cover * np.where(alone, 2.2, 0.6) * np.where(care, 1.5, 1.0)
        keep = (snap["age"].to_numpy() >= 75) & (u < p)
    else:
        raise ValueError(f"unknown third-sector list {source}")
    return snap[keep].reset_index(drop=True)


def build(
    ctx: Context, source: str, weights: AddressWeights, need_words: dict[str, str], default_need: str
) -> Beneficiaries:
    """Select, duplicate, corrupt and order one organisation's list."""
    year = ctx.last_year
    base = select(ctx, source)
    pid = base["person_id"].to_numpy(dtype=np.int64)
    rate = ERROR_RATES[source].get("duplicate", 0.0)
    # one extra entry with probability r/(1-r) makes duplicates a share r of all rows
    dup = uniform(ctx.seed, f"{source}/duplicate", pid) < rate / (1 - rate)
    rows = np.concatenate([np.arange(len(base)), np.flatnonzero(dup)])
    copy = np.concatenate([np.zeros(len(base), dtype=np.int64), np.ones(int(dup.sum()), dtype=np.int64)])
    pid = pid[rows]
    keys = two_key(pid, copy)
    end = np.datetime64(f"{year}-12-31")
    first = keyed_dates(ctx.seed, f"{source}/registered", pid, np.datetime64(f"{year - 3}-01-01"), end)
    later = keyed_dates(ctx.seed, f"{source}/re-registered", keys, first, end)
    registered = np.where(copy == 0, first, later)
    order = np.lexsort((copy, pid, registered))
    rows, copy, pid, keys, registered = rows[order], copy[order], pid[order], keys[order], registered[order]
    sel = base.iloc[rows].reset_index(drop=True)
    true = people(ctx.truth, pid)
    m = messy_identity(ctx, source, true, keys)
    shown, stale = stale_dwellings(ctx, source, year, pid, sel["dwelling_id"].to_numpy(dtype=np.int64), keys)
    m.flags["address_stale"] = stale
    m.flags["duplicate"] = copy == 1
    a = addresses(ctx.truth, shown)
    styles = np.column_stack([pick(ctx.seed, f"{source}/addr{i}", keys, w) for i, w in enumerate(weights)])
    text = np.array(
        [
            free_text_address(str(t).upper(), str(n).upper(), int(num), str(s), str(i), tuple(st))
            for t, n, num, s, i, st in zip(
                a.street_type, a.street_name, a.number, a.suffix, a.interno, styles, strict=True
            )
        ],
        dtype=object,
    )
    needs = sel["needs"].to_numpy(dtype=object)
    need = np.array(
        [next((need_words[k] for k in str(n).split("|") if k in need_words), default_need) for n in needs],
        dtype=object,
    )
    return Beneficiaries(
        pid,
        sel["family_id"].to_numpy(dtype=np.int64),
        copy,
        keys,
        registered,
        sel["size"].to_numpy(dtype=np.int64),
        need,
        true,
        m.cf,
        m.surname,
        m.first_name,
        m.birth,
        text,
        m.flags,
    )
