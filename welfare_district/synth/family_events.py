"""Family events during a year: people leaving (death, emigration), separations, young adults leaving
home, new couples. Every change keeps the family invariants: one head per active family, relations
relative to that head, an active family always has at least one adult member and a dwelling.
"""

from __future__ import annotations

import numpy as np

from welfare_district.synth.geography import Geography
from welfare_district.synth.households import match_couples
from welfare_district.synth.moves import find_homes, move_in
from welfare_district.synth.population import random_day_in_year
from welfare_district.synth.state import (
    CHILD,
    HEAD,
    PARTNER,
    SPOUSE,
    State,
    year_of,
)

# who takes over as head when the head leaves (lower = first); adults only
_SUCCESSION = (0, 1, 1, 2, 3, 4, 5, 6)  # indexed by relation code
# new relation of a member [relation of the new head before, member's relation before]
# fmt: off
_REMAP = (
    # H  SP PA CH PAR SIB OREL OTH   <- member was
    (0, 1, 2, 3, 4, 5, 6, 7),        # new head was HEAD (unchanged)
    (0, 1, 2, 3, 6, 6, 6, 7),        # was SPOUSE: parents and siblings of the old head become in-laws
    (0, 1, 2, 3, 6, 6, 6, 7),        # was PARTNER
    (0, 4, 4, 5, 6, 6, 6, 7),        # was CHILD: brothers and sisters become siblings
    (0, 6, 6, 6, 1, 3, 6, 7),        # was PARENT: the old head's siblings are its children
    (0, 6, 6, 6, 4, 5, 6, 7),        # was SIBLING
    (0, 6, 6, 6, 6, 6, 6, 7),        # was OTHER_RELATIVE
    (0, 7, 7, 7, 7, 7, 7, 7),        # was OTHER
)
# fmt: on
SEPARATION_RATE = {True: 0.012, False: 0.009}  # per couple and year, with / without children
LEAVE_HOME_AGES = (20, 25, 30, 35, 40)
LEAVE_HOME_RATE = (0.045, 0.10, 0.12, 0.08, 0.04)
LEAVE_HOME_FOREIGN = 1.3
LEAVE_AS_COUPLE = 0.6  # share of leavers moving in with a partner
COUPLE_RATE_PEAK = 0.14  # singles 25-39 forming a couple per year
MARRY_RATE = 0.07  # cohabiting partners marrying per year


def sizes(state: State) -> np.ndarray:
    """Present members per family (all families, inactive ones have 0)."""
    p = state.persons
    live = p.present & (p.family >= 0)
    return np.bincount(p.family[live], minlength=len(state.families))


def remove(state: State, idx: np.ndarray, day: np.ndarray, death: bool) -> np.ndarray:
    """Persons die or leave the city on ``day``; returns the families they left (unique)."""
    p = state.persons
    (p.death if death else p.departure)[idx] = day
    fams = np.unique(p.family[idx])
    p.present[idx] = False
    p.family[idx] = -1
    return fams[fams >= 0]


def new_families(
    state: State, n: int, poverty: np.ndarray, country: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Append ``n`` active families without a dwelling yet; returns their ids."""
    return state.families.append(
        dwelling=np.full(n, -1),
        tenure=np.full(n, 1),
        poverty=poverty.astype(np.float32),
        country=country,
        isee_eps=rng.normal(size=n).astype(np.float32),
        declared=np.zeros(n, bool),
        active=np.ones(n, bool),
    )


def close_families(state: State, fams: np.ndarray) -> None:
    """Deactivate families and free their dwellings."""
    f, d = state.families, state.dwellings
    f.active[fams] = False
    dw = f.dwelling[fams]
    d.occupant[dw[dw >= 0]] = -1


def repair(state: State, fams: np.ndarray, year: int, rng: np.random.Generator) -> None:
    """Restore the invariants of ``fams`` after members left: close empty families, pick a new head
    (partner, else the oldest adult child, parent, sibling...), remap relations; minors left alone
    leave the city (they go to relatives elsewhere)."""
    if len(fams) == 0:
        return
    p = state.persons
    flag = np.zeros(len(state.families), bool)
    flag[fams] = True
    members = np.flatnonzero(p.present & (p.family >= 0))
    members = members[flag[p.family[members]]]
    size = np.bincount(p.family[members], minlength=len(flag))
    close_families(state, fams[size[fams] == 0])
    has_head = np.zeros(len(flag), bool)
    has_head[p.family[members[p.relation[members] == HEAD]]] = True
    need = members[~has_head[p.family[members]]]
    if len(need) == 0:
        return
    age = year - year_of(p.birth[need])
    adult = age >= 18
    prio = np.where(adult, np.asarray(_SUCCESSION)[p.relation[need]] * 1000 - age, 10**6)
    order = np.lexsort((prio, p.family[need]))
    fam_sorted = p.family[need][order]
    first = np.r_[True, fam_sorted[1:] != fam_sorted[:-1]]
    new_head = need[order][first]
    head_fam = p.family[new_head]
    orphan_fam = head_fam[(year - year_of(p.birth[new_head])) < 18]
    if len(orphan_fam):
        oflag = np.zeros(len(flag), bool)
        oflag[orphan_fam] = True
        kids = need[oflag[p.family[need]]]
        remove(state, kids, random_day_in_year(year, rng, len(kids)), death=False)
        close_families(state, orphan_fam)
    keep = ~np.isin(head_fam, orphan_fam)
    new_head, head_fam = new_head[keep], head_fam[keep]
    head_rel = np.zeros(len(flag), dtype=np.int8)
    head_rel[head_fam] = p.relation[new_head]
    rest = need[np.isin(p.family[need], head_fam)]
    p.relation[rest] = np.asarray(_REMAP, dtype=np.int8)[head_rel[p.family[rest]], p.relation[rest]]
    p.relation[new_head] = HEAD


def _head_of(state: State) -> np.ndarray:
    p = state.persons
    head_of = np.full(len(state.families), -1, dtype=np.int64)
    heads = np.flatnonzero(p.present & (p.relation == HEAD) & (p.family >= 0))
    head_of[p.family[heads]] = heads
    return head_of


def _split_off(
    state: State, geo: Geography, movers: np.ndarray, poverty: np.ndarray, year: int, rng: np.random.Generator
) -> np.ndarray:
    """Members start one-person families in vacant dwellings; those who find none leave the city.
    Returns the families they left."""
    p = state.persons
    old = p.family[movers].copy()
    fams = new_families(state, len(movers), poverty, p.country[movers], rng)
    homes = find_homes(state, geo, fams, np.ones(len(movers), dtype=np.int64), rng)
    placed = homes >= 0
    p.family[movers[placed]] = fams[placed]
    p.relation[movers[placed]] = HEAD
    age = year - year_of(p.birth[movers[placed]])
    move_in(state, fams[placed], homes[placed], age, p.country[movers[placed]] >= 0, rng)
    state.families.active[fams[~placed]] = False
    if (~placed).any():
        remove(state, movers[~placed], random_day_in_year(year, rng, int((~placed).sum())), death=False)
    return np.unique(old)


def separations(state: State, geo: Geography, year: int, rng: np.random.Generator) -> None:
    """Couples under 70 split: the man leaves for a home of his own; a family with children becomes
    a single-parent family (the mother heads it, the family keeps its id)."""
    p, f = state.persons, state.families
    head_of = _head_of(state)
    partner = np.flatnonzero(p.present & ((p.relation == SPOUSE) | (p.relation == PARTNER)))
    fam = p.family[partner]
    head = head_of[fam]
    ok = head >= 0
    partner, fam, head = partner[ok], fam[ok], head[ok]
    kids = np.bincount(p.family[p.present & (p.relation == CHILD)], minlength=len(f)) > 0
    head_age = year - year_of(p.birth[head])
    rate = np.where(kids[fam], SEPARATION_RATE[True], SEPARATION_RATE[False])
    split = (head_age < 70) & (rng.random(len(fam)) < rate)
    leaver = np.where(p.sex[head[split]] == 0, head[split], partner[split])
    pov = f.poverty[p.family[leaver]] + 0.3 + rng.normal(0, 0.3, len(leaver))
    left = _split_off(state, geo, leaver, pov, year, rng)
    repair(state, left, year, rng)


def leave_home(state: State, geo: Geography, year: int, rng: np.random.Generator) -> None:
    """Adult children move out: some to live alone, the others with a partner who leaves home too."""
    p, f = state.persons, state.families
    kids = np.flatnonzero(p.present & (p.relation == CHILD))
    age = year - year_of(p.birth[kids])
    band = np.searchsorted(np.asarray(LEAVE_HOME_AGES), age, side="right") - 1
    rate = np.where(band >= 0, np.asarray(LEAVE_HOME_RATE)[np.clip(band, 0, len(LEAVE_HOME_RATE) - 1)], 0.0)
    rate = rate * np.where(p.country[kids] >= 0, LEAVE_HOME_FOREIGN, 1.0)
    go = kids[rng.random(len(kids)) < rate]
    age_all = (year - year_of(p.birth)).astype(np.int16)
    as_couple = go[rng.random(len(go)) < LEAVE_AS_COUPLE]
    pairs: list[tuple[np.ndarray, np.ndarray]] = []
    for foreign in (False, True):
        grp = as_couple[(p.country[as_couple] >= 0) == foreign]
        pairs.append(match_couples(age_all, grp[p.sex[grp] == 0], grp[p.sex[grp] == 1], rng))
    men = np.concatenate([m for m, _ in pairs])
    women = np.concatenate([w for _, w in pairs])
    leads = np.where(rng.random(len(men)) < 0.6, men, women)
    follow = np.where(leads == men, women, men)
    go = np.setdiff1d(go, follow)
    pov = 0.6 * f.poverty[p.family[go]] + 0.8 * rng.normal(size=len(go))
    _split_off(state, geo, go, pov, year, rng)
    # partners join the lead's new home (if the lead found one)
    placed = p.present[leads] & (p.relation[leads] == HEAD)
    follow, leads = follow[placed], leads[placed]
    p.family[follow] = p.family[leads]
    p.relation[follow] = np.where(rng.random(len(follow)) < 0.6, PARTNER, SPOUSE)


def form_couples(state: State, year: int, rng: np.random.Generator) -> None:
    """People living alone pair up; one moves into the other's home and the emptied family closes."""
    p, f = state.persons, state.families
    size = sizes(state)
    alone = np.flatnonzero(p.present & (p.relation == HEAD) & (p.family >= 0))
    alone = alone[size[p.family[alone]] == 1]
    age = (year - year_of(p.birth[alone])).astype(np.int16)
    rate = COUPLE_RATE_PEAK * np.exp(-0.5 * ((age - 31.0) / 7.0) ** 2) * (age >= 20)
    cand = alone[rng.random(len(alone)) < rate]
    age_all = (year - year_of(p.birth)).astype(np.int16)
    for foreign in (False, True):
        grp = cand[(p.country[cand] >= 0) == foreign]
        men, women = match_couples(age_all, grp[p.sex[grp] == 0], grp[p.sex[grp] == 1], rng)
        if len(men) == 0:
            continue
        man_hosts = rng.random(len(men)) < 0.6
        host = np.where(man_hosts, men, women)
        mover = np.where(man_hosts, women, men)
        old = p.family[mover].copy()
        hf = p.family[host]
        f.poverty[hf] = (f.poverty[hf] + f.poverty[old]) / 2
        p.family[mover] = hf
        young = age_all[host] < 40
        p.relation[mover] = np.where(young & (rng.random(len(mover)) < 0.6), PARTNER, SPOUSE)
        close_families(state, old)


def marriages(state: State, rng: np.random.Generator) -> None:
    """Cohabiting partners marry."""
    p = state.persons
    part = np.flatnonzero(p.present & (p.relation == PARTNER))
    p.relation[part[rng.random(len(part)) < MARRY_RATE]] = SPOUSE
