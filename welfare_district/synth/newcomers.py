"""New residents: babies born in the city and families arriving from elsewhere."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from welfare_district.synth.demography import fertility_weight
from welfare_district.synth.family_events import new_families
from welfare_district.synth.geography import Geography
from welfare_district.synth.moves import find_homes, move_in
from welfare_district.synth.names import ITALIAN, NameBook
from welfare_district.synth.population import add_persons, random_day_in_year
from welfare_district.synth.rng import weighted_choice_without_replacement
from welfare_district.synth.state import CHILD, HEAD, NO_DATE, PARTNER, SPOUSE, State, year_of

# relative fertility by situation and by children already at home (0, 1, 2, 3+)
FERTILITY_CONTEXT = {"couple": 1.0, "lone": 0.08, "alone": 0.01}
FERTILITY_PARITY = (1.0, 1.05, 0.35, 0.2)
FERTILITY_FOREIGN = 1.7
MALE_AT_BIRTH = 0.514
MOTHER_MIN_AGE, MOTHER_MAX_AGE = 18, 45
UKRAINE_YEAR, UKRAINE_BOOST = 2022, 6.0  # refugees from Ukraine arrived in 2022
ITALIAN_BORN_ELSEWHERE = 0.8  # Italians arriving were mostly born outside Padova


@dataclass
class Movers:
    """The shape of families that left during a year: arrivals are drawn from it, so that migration
    turns households over without bending the age pyramid (members sorted by family, head first)."""

    family: np.ndarray  # template family number, 0..n-1
    sex: np.ndarray
    age: np.ndarray
    relation: np.ndarray
    foreign: np.ndarray  # per template family
    poverty: np.ndarray  # per template family


def births(state: State, book: NameBook, year: int, n_births: int, rng: np.random.Generator) -> np.ndarray:
    """``n_births`` babies born during ``year`` to women 18-45 chosen by age, situation and parity."""
    p, f = state.persons, state.families
    age = year - year_of(p.birth)
    fam_ok = p.present & (p.family >= 0)
    couple_fam = np.zeros(len(f), bool)
    couple_fam[p.family[fam_ok & ((p.relation == SPOUSE) | (p.relation == PARTNER))]] = True
    kids = np.bincount(p.family[fam_ok & (p.relation == CHILD)], minlength=len(f))
    size = np.bincount(p.family[fam_ok], minlength=len(f))
    women = np.flatnonzero(
        fam_ok
        & (p.sex == 1)
        & (age >= MOTHER_MIN_AGE)
        & (age <= MOTHER_MAX_AGE)
        & np.isin(p.relation, [HEAD, SPOUSE, PARTNER])
    )
    fam = p.family[women]
    context = np.where(
        couple_fam[fam],
        FERTILITY_CONTEXT["couple"],
        np.where(
            (kids[fam] > 0) & (p.relation[women] == HEAD),
            FERTILITY_CONTEXT["lone"],
            np.where(size[fam] == 1, FERTILITY_CONTEXT["alone"], 0.0),
        ),
    )
    w = (
        fertility_weight(age[women])
        * context
        * np.asarray(FERTILITY_PARITY)[np.minimum(kids[fam], 3)]
        * np.where(p.country[women] >= 0, FERTILITY_FOREIGN, 1.0)
    )
    mothers = women[weighted_choice_without_replacement(rng, w, n_births)]
    n = len(mothers)
    mfam = p.family[mothers]
    man = np.flatnonzero(fam_ok & (p.sex == 0) & np.isin(p.relation, [HEAD, SPOUSE, PARTNER]))
    father_of = np.full(len(f), -1, dtype=np.int64)
    father_of[p.family[man]] = man
    father = father_of[mfam]
    sex = (rng.random(n) >= MALE_AT_BIRTH).astype(np.int8)
    country = p.country[mothers]
    line = np.where(rng.random(n) < 0.75, p.surname[mothers], book.draw_surnames(rng, country))
    surname = np.where(father >= 0, p.surname[np.maximum(father, 0)], line)
    first = book.draw_first_names(rng, country, sex, np.full(n, year))
    return add_persons(
        state,
        rng,
        sex=sex,
        birth=random_day_in_year(year, rng, n),
        country=country,
        place=np.full(n, book.padova_place),
        southern=np.zeros(n, bool),
        surname=surname,
        first=first,
        arrival=np.full(n, NO_DATE),
        family=mfam,
        relation=np.full(n, CHILD),
        poverty=f.poverty[mfam].astype(np.float64),
    )


def _resample(t: Movers, n_extra: int, rng: np.random.Generator) -> Movers:
    """``t`` plus ``n_extra`` persons' worth of its families drawn again (net immigration)."""
    n_fam = len(t.foreign)
    if n_extra <= 0 or n_fam == 0:
        return t
    size = np.bincount(t.family, minlength=n_fam)
    extra = rng.integers(0, n_fam, max(1, int(n_extra / max(size.mean(), 1.0))))
    fams = np.concatenate([np.arange(n_fam), extra])
    start = np.r_[0, np.cumsum(size)[:-1]]
    members = np.concatenate([np.arange(start[f], start[f] + size[f]) for f in fams]) if len(fams) else np.empty(0)
    members = members.astype(np.int64)
    new_fam = np.repeat(np.arange(len(fams)), size[fams])
    return Movers(
        family=new_fam,
        sex=t.sex[members],
        age=t.age[members],
        relation=t.relation[members],
        foreign=t.foreign[fams],
        poverty=t.poverty[fams],
    )


def immigrants(
    state: State,
    geo: Geography,
    book: NameBook,
    year: int,
    template: Movers,
    n_extra: int,
    rng: np.random.Generator,
) -> None:
    """Families arriving during ``year``, shaped like the year's leavers (plus ``n_extra`` persons),
    with new identities and countries, settled in vacant dwellings."""
    t = _resample(template, n_extra, rng)
    n_fam = len(t.foreign)
    if n_fam == 0:
        return
    fam_local, sex, age, rel = t.family, t.sex, t.age, t.relation
    size = np.bincount(fam_local, minlength=n_fam)
    cshare = book.country_share.copy()
    if year == UKRAINE_YEAR:
        cshare[list(book.country_iso).index("UA")] *= UKRAINE_BOOST
    drawn = np.argmax(np.log(cshare)[None, :] + rng.gumbel(size=(n_fam, len(cshare))), axis=1)
    fam_country = np.where(t.foreign, drawn, ITALIAN).astype(np.int16)
    poverty = t.poverty + rng.normal(0, 0.3, n_fam)
    fams = new_families(state, n_fam, poverty, fam_country, rng)
    homes = find_homes(state, geo, fams, size, rng)
    placed = homes >= 0
    state.families.active[fams[~placed]] = False
    head_age = age[np.r_[0, np.cumsum(size)[:-1]]]
    move_in(state, fams[placed], homes[placed], head_age[placed], t.foreign[placed], rng)
    keep = placed[fam_local]
    fam_local, sex, age, rel = fam_local[keep], sex[keep], age[keep], rel[keep]
    n = len(fam_local)
    country = fam_country[fam_local]
    arrival = random_day_in_year(year, rng, n_fam)[fam_local]
    birth = np.minimum(random_day_in_year(year - age, rng, n), arrival - 1)
    place = np.empty(n, dtype=np.int32)
    southern = np.zeros(n, bool)
    it = country == ITALIAN
    place[it], southern[it] = book.draw_italian_birthplaces(rng, int(it.sum()))
    redo = it & (place == book.padova_place) & (rng.random(n) < ITALIAN_BORN_ELSEWHERE)
    place[redo] = book.it_places["province"].draw(rng, int(redo.sum()))
    place[~it] = book.country_place[country[~it]]
    surname = book.draw_surnames(rng, country, southern)
    # children take the surname of the man heading the family or partnered with its head
    man = (sex == 0) & np.isin(rel, [HEAD, SPOUSE, PARTNER])
    father_of = np.full(n_fam, -1, dtype=np.int64)
    father_of[fam_local[man]] = np.flatnonzero(man)
    father = father_of[fam_local]
    kids = (rel == CHILD) & (father >= 0)
    surname[kids] = surname[father[kids]]
    first = book.draw_first_names(rng, country, sex, year - age)
    add_persons(
        state,
        rng,
        sex=sex,
        birth=birth,
        country=country,
        place=place,
        southern=southern,
        surname=surname,
        first=first,
        arrival=arrival,
        family=fams[fam_local],
        relation=rel,
        poverty=state.families.poverty[fams[fam_local]].astype(np.float64),
    )
