"""Finding homes during the simulation: vacant dwellings for movers, newcomers and new families.

The same sorting as the first placement: movers ranked by disadvantage meet sections ranked by
deprivation, filling each section's vacancies at most; within a section, need meets surface.
"""

from __future__ import annotations

import numpy as np

from welfare_district.synth import dwellings as dw
from welfare_district.synth.geography import Geography
from welfare_district.synth.rng import grouped_rank, weighted_choice_without_replacement
from welfare_district.synth.state import State

PUBLIC_ALLOCATION = 0.85  # share of vacant public flats allocated each year
PUBLIC_ELIGIBLE_POVERTY = 0.7  # poverty latent above which a family is on the waiting list


def find_homes(
    state: State,
    geo: Geography,
    fams: np.ndarray,
    size: np.ndarray,
    rng: np.random.Generator,
    public: bool = False,
) -> np.ndarray:
    """Vacant dwellings (private, or public when ``public``) for ``fams``; -1 where none is left.

    Does not change the state; the caller moves the families in with ``move_in``.
    """
    d = state.dwellings
    vacant = np.flatnonzero((d.occupant < 0) & (d.public == public))
    out = np.full(len(fams), -1, dtype=np.int64)
    if len(fams) == 0 or len(vacant) == 0:
        return out
    m = min(len(fams), len(vacant))
    movers = np.arange(len(fams))
    if m < len(fams):  # not enough vacancies: the poorest wait (public) or a random few
        movers = np.sort(np.argsort(-state.families.poverty[fams], kind="stable")[:m])
    pov = state.families.poverty[fams[movers]].astype(np.float64)
    n_sec = len(geo.target)
    cap = np.bincount(d.section[vacant], minlength=n_sec)
    sec_order = np.argsort(geo.deprivation + rng.normal(0, 0.35, n_sec), kind="stable")
    cum = np.cumsum(cap[sec_order]).astype(np.float64)
    key = dw.SORTING_STRENGTH * pov + np.sqrt(1 - dw.SORTING_STRENGTH**2) * rng.normal(size=len(movers))
    order = np.argsort(key, kind="stable")
    pos = (np.arange(len(movers)) + rng.random(len(movers))) * (cum[-1] / len(movers))
    sec = np.empty(len(movers), dtype=np.int64)
    sec[order] = sec_order[np.minimum(np.searchsorted(cum, pos, side="right"), n_sec - 1)]
    # rare overflow (two movers in the last slot of a section): send the extras where room is left
    taken = np.bincount(sec, minlength=n_sec)
    over = np.flatnonzero(grouped_rank(sec, np.arange(len(sec))) >= cap[sec])
    if len(over):
        room = np.maximum(cap - np.minimum(taken, cap), 0)
        spare = np.repeat(np.arange(n_sec), room)
        sec[over] = spare[weighted_choice_without_replacement(rng, np.ones(len(spare)), len(over))]
    need = np.bincount(sec, minlength=n_sec)
    v_rank = grouped_rank(d.section[vacant], rng.random(len(vacant)))
    chosen = vacant[v_rank < need[d.section[vacant]]]
    f_key = (
        np.log(size[movers].astype(float))
        - dw.POVERTY_SQUEEZE * pov
        + rng.normal(0, dw.SIZE_MATCH_NOISE, len(movers))
    )
    f_sorted = np.lexsort((f_key, sec))
    d_sorted = np.lexsort((d.surface[chosen], d.section[chosen]))
    got = np.empty(len(movers), dtype=np.int64)
    got[f_sorted] = chosen[d_sorted]
    out[movers] = got
    return out


def move_in(
    state: State,
    fams: np.ndarray,
    homes: np.ndarray,
    head_age: np.ndarray,
    foreign: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Move families into ``homes`` (>= 0 entries), freeing their previous dwelling; sets tenure."""
    ok = homes >= 0
    fams, homes, head_age, foreign = fams[ok], homes[ok], head_age[ok], foreign[ok]
    f, d = state.families, state.dwellings
    old = f.dwelling[fams]
    had = old >= 0
    d.occupant[old[had]] = -1
    d.occupant[homes] = fams
    f.dwelling[fams] = homes
    public = d.public[homes]
    own = rng.random(len(fams)) < dw.own_probability(
        head_age, foreign, f.poverty[fams].astype(float), mover=True
    )
    f.tenure[fams] = np.where(public, dw.PUBLIC, np.where(own, dw.OWNED, dw.RENTED))


def allocate_public_housing(
    state: State, geo: Geography, size: np.ndarray, head_age: np.ndarray, rng: np.random.Generator
) -> None:
    """Give most vacant public flats to poor families from the waiting list (they move in)."""
    f, d = state.families, state.dwellings
    n_vacant = int(((d.occupant < 0) & d.public).sum())
    k = int(n_vacant * PUBLIC_ALLOCATION)
    waiting = np.flatnonzero(f.active & (f.tenure != dw.PUBLIC) & (f.poverty > PUBLIC_ELIGIBLE_POVERTY))
    if k == 0 or len(waiting) == 0:
        return
    pick = waiting[weighted_choice_without_replacement(rng, np.exp(f.poverty[waiting].astype(float)), k)]
    homes = find_homes(state, geo, pick, size[pick], rng, public=True)
    move_in(state, pick, homes, head_age[pick], f.country[pick] >= 0, rng)
