"""One simulated year: deaths, emigration, family events, births, immigration, moves.

Events are dated within the year; the state after the year is the 31 December snapshot. Counts that
calibrate the city (births, migration) are inputs, so the caller decides the demographic scenario.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from welfare_district.synth import attributes as attr
from welfare_district.synth import family_events as fe
from welfare_district.synth.demography import death_probability
from welfare_district.synth.geography import Geography
from welfare_district.synth.moves import allocate_public_housing, find_homes, move_in
from welfare_district.synth.names import NameBook
from welfare_district.synth.newcomers import Movers, births, immigrants
from welfare_district.synth.population import random_day_in_year
from welfare_district.synth.rng import stream, weighted_choice_without_replacement
from welfare_district.synth.state import CHILD, HEAD, OTHER, OTHER_RELATIVE, RENTED_CODE, State, days, year_of

CARE_MORTALITY = 2.5  # people with a care allowance die this many times more often
EMIGRATION_RATE = 0.030  # persons leaving per resident and year
FAMILY_EMIGRATION_SHARE = 0.97  # the rest are individual young adults
INTERNAL_MOVE_RATE = 0.04  # families changing dwelling per year
EMIGRATION_WEIGHTS = {"foreign": 3.0, "young_head": 1.6, "old_head": 0.35, "renter": 1.6, "recent": 2.0}


@dataclass(frozen=True)
class YearPlan:
    """The demographic inputs of one year."""

    year: int
    births: int
    net_migration: int  # immigrants minus emigrants (persons)


def _deaths(state: State, year: int, rng: np.random.Generator) -> None:
    p = state.persons
    live = np.flatnonzero(p.present)
    age = (year - year_of(p.birth[live])).astype(np.int64)
    q = death_probability(age, p.sex[live])
    care = attr.care_allowance(age, p.frailty[live])
    mult = np.where(care, CARE_MORTALITY, 1.0)
    # keep each age-sex cell's expected deaths unchanged: frailty moves deaths between people only
    cell = age * 2 + p.sex[live]
    mean_mult = np.bincount(cell, weights=mult) / np.maximum(np.bincount(cell), 1)
    q = np.minimum(q * mult / mean_mult[cell], 0.95)
    dead = live[rng.random(len(live)) < q]
    fams = fe.remove(state, dead, random_day_in_year(year, rng, len(dead)), death=True)
    fe.repair(state, fams, year, rng)


def _emigration(state: State, year: int, n_persons: int, rng: np.random.Generator) -> Movers:
    p, f = state.persons, state.families
    size = fe.sizes(state)
    act = np.flatnonzero(f.active & (size > 0))
    head_of = np.full(len(f), -1, dtype=np.int64)
    heads = np.flatnonzero(p.present & (p.relation == HEAD) & (p.family >= 0))
    head_of[p.family[heads]] = heads
    h = head_of[act]
    head_age = year - year_of(p.birth[h])
    recent = (p.arrival[h] >= 0) & (p.arrival[h] >= days(year - 5))
    w = (
        np.where(f.country[act] >= 0, EMIGRATION_WEIGHTS["foreign"], 1.0)
        * np.select(
            [head_age < 40, head_age >= 65],
            [EMIGRATION_WEIGHTS["young_head"], EMIGRATION_WEIGHTS["old_head"]],
            1.0,
        )
        * np.where(f.tenure[act] == RENTED_CODE, EMIGRATION_WEIGHTS["renter"], 1.0)
        * np.where(recent, EMIGRATION_WEIGHTS["recent"], 1.0)
    )
    keys = rng.exponential(size=len(act)) / w
    order = np.argsort(keys, kind="stable")
    target = FAMILY_EMIGRATION_SHARE * n_persons
    leaving = act[order][np.cumsum(size[act[order]]) <= target]
    flag = np.zeros(len(f), bool)
    flag[leaving] = True
    movers = np.flatnonzero(p.present & (p.family >= 0))
    movers = movers[flag[p.family[movers]]]
    movers = movers[np.lexsort((p.relation[movers], p.family[movers]))]  # head first in each family
    fam_day = random_day_in_year(year, rng, len(f))
    m_fam = p.family[movers].copy()
    m_age = (year - year_of(p.birth[movers])).astype(np.int64)
    fe.remove(state, movers, fam_day[m_fam], death=False)
    fe.close_families(state, leaving)
    # young adults leaving on their own (study, work elsewhere)
    cand = np.flatnonzero(p.present & np.isin(p.relation, [CHILD, OTHER_RELATIVE, OTHER]))
    age = year - year_of(p.birth[cand])
    cand = cand[(age >= 20) & (age <= 39)]
    w_ind = np.where(p.country[cand] >= 0, 2.0, 1.0)
    solo = cand[weighted_choice_without_replacement(rng, w_ind, int(n_persons - len(movers)))]
    solo_fam = p.family[solo].copy()
    fams = fe.remove(state, solo, random_day_in_year(year, rng, len(solo)), death=False)
    fe.repair(state, fams, year, rng)
    # the template of arrivals: leaving families as they were, and the solo leavers as one-person families
    _, fam_num = np.unique(m_fam, return_inverse=True)
    n_fam = int(fam_num.max()) + 1 if len(fam_num) else 0
    first_of = np.r_[0, np.flatnonzero(np.diff(fam_num)) + 1] if len(fam_num) else np.empty(0, np.int64)
    return Movers(
        family=np.concatenate([fam_num, n_fam + np.arange(len(solo))]),
        sex=np.concatenate([p.sex[movers], p.sex[solo]]),
        age=np.concatenate([m_age, year - year_of(p.birth[solo])]),
        relation=np.concatenate([p.relation[movers], np.full(len(solo), HEAD, dtype=np.int8)]),
        foreign=np.concatenate([p.country[movers[first_of]] >= 0, p.country[solo] >= 0]),
        poverty=np.concatenate([f.poverty[m_fam[first_of]], f.poverty[solo_fam]]).astype(np.float64),
    )


def _internal_moves(state: State, geo: Geography, year: int, rng: np.random.Generator) -> None:
    p, f = state.persons, state.families
    size = fe.sizes(state)
    act = np.flatnonzero(f.active & (size > 0) & (f.dwelling >= 0))
    surface = state.dwellings.surface[f.dwelling[act]].astype(float)
    crowded = surface / size[act] < 18
    w = (
        np.where(f.tenure[act] == RENTED_CODE, 2.0, 1.0)
        * np.where(crowded, 2.0, 1.0)
        * np.where(f.country[act] >= 0, 1.5, 1.0)
    )
    movers = act[weighted_choice_without_replacement(rng, w, int(INTERNAL_MOVE_RATE * len(act)))]
    homes = find_homes(state, geo, movers, size[movers], rng)
    head_of = np.full(len(f), -1, dtype=np.int64)
    heads = np.flatnonzero(p.present & (p.relation == HEAD) & (p.family >= 0))
    head_of[p.family[heads]] = heads
    head_age = year - year_of(p.birth[head_of[movers]])
    move_in(state, movers, homes, head_age, f.country[movers] >= 0, rng)


def simulate_year(
    state: State, geo: Geography, book: NameBook, plan: YearPlan, seed: int, chunk: str
) -> None:
    """Advance ``state`` from 31 Dec ``plan.year - 1`` to 31 Dec ``plan.year``."""
    y = plan.year

    def rng(name: str) -> np.random.Generator:
        return stream(seed, chunk, "year", y, name)

    _deaths(state, y, rng("deaths"))
    residents = int(state.persons.present.sum())
    n_out = round(EMIGRATION_RATE * residents)
    leavers = _emigration(state, y, n_out, rng("emigration"))
    fe.separations(state, geo, y, rng("separations"))
    fe.leave_home(state, geo, y, rng("leave-home"))
    fe.form_couples(state, y, rng("couples"))
    fe.marriages(state, rng("marriages"))
    births(state, book, y, plan.births, rng("births"))
    immigrants(state, geo, book, y, leavers, plan.net_migration, rng("immigration"))
    _internal_moves(state, geo, y, rng("moves"))
    size = fe.sizes(state)
    p = state.persons
    head_age = np.zeros(len(state.families), dtype=np.int64)
    heads = np.flatnonzero(p.present & (p.relation == HEAD) & (p.family >= 0))
    head_age[p.family[heads]] = y - year_of(p.birth[heads])
    allocate_public_housing(state, geo, size, head_age, rng("public-housing"))
