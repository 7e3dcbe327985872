"""The first snapshot's population: persons, families, names, birthplaces, homes and personal latents."""

from __future__ import annotations

import numpy as np

from welfare_district.synth import attributes as attr
from welfare_district.synth import dwellings as dw
from welfare_district.synth.geography import Geography
from welfare_district.synth.households import Built, attach_carers, build_group
from welfare_district.synth.names import ITALIAN, NameBook
from welfare_district.synth.rng import stream
from welfare_district.synth.state import (
    CHILD,
    HEAD,
    NO_DATE,
    PARTNER,
    SIBLING,
    SPOUSE,
    Dwellings,
    Families,
    Persons,
    State,
    days,
    year_of,
)

FOREIGN_SHARE = 0.163  # foreign citizens among residents at the first snapshot
# relative foreign share by age (Padova: young adults and children over-represented, few elderly)
_FOREIGN_AGES = (0, 2, 7, 12, 17, 22, 27, 32, 37, 42, 47, 52, 57, 62, 67, 72, 77, 82)
_FOREIGN_CURVE = (
    1.6,
    1.6,
    1.3,
    1.1,
    1.0,
    1.4,
    1.9,
    2.0,
    1.8,
    1.5,
    1.2,
    0.95,
    0.75,
    0.55,
    0.3,
    0.18,
    0.1,
    0.05,
)
FOREIGN_BORN_HERE_YEARS = 12.0  # mean years since a foreign family settled: children younger were born here
ITALIAN_CHILD_BORN_HERE = 0.85
LOG_COUNTRY_KIDS = 1.0  # how strongly the number of children selects high-fertility countries
# family disadvantage score used to place families in space (standardised afterwards)
DISADVANTAGE = {"foreign": 1.1, "lone_parent": 0.5, "large": 0.5, "young_head": 0.3, "elderly": -0.1}
DISADVANTAGE_NOISE = 0.9
POVERTY_ZONE_LOADING = 0.45  # share of the family poverty latent explained by where it lives


def foreign_split(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split expected counts [age, sex] into Italian and foreign citizens (FOREIGN_SHARE overall)."""
    curve = np.interp(np.arange(counts.shape[0]), _FOREIGN_AGES, _FOREIGN_CURVE)
    k = FOREIGN_SHARE * counts.sum() / (curve[:, None] * counts).sum()
    share = np.minimum(curve * k, 0.9)[:, None]
    return counts * (1 - share), counts * share


def random_day_in_year(year: np.ndarray | int, rng: np.random.Generator, n: int) -> np.ndarray:
    """Uniform random day numbers within the given year(s)."""
    y = np.broadcast_to(np.asarray(year), (n,))
    first = days(y)
    length = days(y + 1) - first
    return np.asarray(first + np.floor(rng.random(n) * length).astype(np.int64), dtype=np.int64)


def add_persons(
    state: State,
    rng: np.random.Generator,
    *,
    sex: np.ndarray,
    birth: np.ndarray,
    country: np.ndarray,
    place: np.ndarray,
    southern: np.ndarray,
    surname: np.ndarray,
    first: np.ndarray,
    arrival: np.ndarray,
    family: np.ndarray,
    relation: np.ndarray,
    poverty: np.ndarray,
) -> np.ndarray:
    """Append persons, drawing their stable latents (education, work, retirement, frailty)."""
    n = len(sex)
    by = year_of(birth)
    foreign = country != ITALIAN
    final = attr.draw_final_education(by, foreign, poverty, rng)
    retire, never = attr.draw_retirement(by, sex, foreign, rng)
    return state.persons.append(
        sex=sex,
        birth=birth,
        country=country,
        place=place,
        southern=southern,
        surname=surname,
        first=first,
        arrival=arrival,
        departure=np.full(n, NO_DATE),
        death=np.full(n, NO_DATE),
        edu_final=final,
        edu_end_age=attr.education_end_age(final, rng),
        work_z=attr.draw_work_latent(poverty, final, rng),
        retire_age=retire,
        never_worked=never,
        frailty=attr.draw_frailty(poverty, rng),
        family=family,
        relation=relation,
        present=np.ones(n, bool),
    )


def _merge(it: Built, fo: Built, carer_family: np.ndarray) -> tuple[np.ndarray, ...]:
    age = np.concatenate([it.age, fo.age])
    sex = np.concatenate([it.sex, fo.sex])
    fam = np.concatenate([it.family, np.where(carer_family >= 0, carer_family, fo.family + it.n_families)])
    rel = np.concatenate([it.relation, fo.relation])
    foreign = np.r_[np.zeros(len(it.age), bool), np.ones(len(fo.age), bool)]
    # compact family numbers (units emptied by joining another family disappear), ordered by first member
    _, first_pos, inverse = np.unique(fam, return_index=True, return_inverse=True)
    order = np.argsort(first_pos, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return age, sex, rank[inverse], rel, foreign


def _family_country(
    book: NameBook,
    fam: np.ndarray,
    n_fam: int,
    foreign: np.ndarray,
    sex: np.ndarray,
    age: np.ndarray,
    rel: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Country of each family's head (ITALIAN for Italians); high-fertility countries get larger families."""
    heads = np.flatnonzero(rel == HEAD)
    head_of = np.full(n_fam, -1, dtype=np.int64)
    head_of[fam[heads]] = heads
    fam_foreign = foreign[head_of]
    kids = np.bincount(fam, weights=(rel == CHILD) & foreign, minlength=n_fam)
    size = np.bincount(fam, minlength=n_fam)
    lone_adult_f = (size == 1) & (sex[head_of] == 1)
    lone_adult_m = (size == 1) & (sex[head_of] == 0)
    logw = (
        np.log(book.country_share)[None, :]
        + LOG_COUNTRY_KIDS * kids[:, None] * np.log(book.country_kids)[None, :]
        + lone_adult_f[:, None] * np.log(book.country_female)[None, :]
        + lone_adult_m[:, None] * np.log(1 - book.country_female)[None, :]
    )
    pick = np.argmax(logw + rng.gumbel(size=logw.shape), axis=1).astype(np.int16)
    return np.where(fam_foreign, pick, ITALIAN).astype(np.int16)


def build_initial_state(
    geo: Geography, book: NameBook, counts: np.ndarray, start_year: int, seed: int, chunk: str
) -> State:
    """Residents on 31 December ``start_year``: families placed in sections and dwellings."""
    rng = stream(seed, chunk, "initial")
    it_counts, fo_counts = foreign_split(counts)
    it = build_group(it_counts, False, rng)
    fo = build_group(fo_counts, True, rng)
    carer_family = attach_carers(it, fo, rng)
    age, sex, fam, rel, foreign = _merge(it, fo, carer_family)
    n, n_fam = len(age), int(fam.max()) + 1
    fam_country = _family_country(book, fam, n_fam, foreign, sex, age, rel, rng)
    # a carer keeps her own citizenship; everyone else takes the family's
    country = np.where(foreign, fam_country[fam], ITALIAN).astype(np.int16)
    carers = foreign & (fam_country[fam] == ITALIAN)
    country[carers] = np.argmax(
        np.log(book.country_female**3 * book.country_share)[None, :]
        + rng.gumbel(size=(int(carers.sum()), len(book.country_share))),
        axis=1,
    )
    birth_year = start_year - age
    birth = random_day_in_year(birth_year, rng, n)

    # birthplaces: Italians by the regional mix (children mostly born in Padova); foreigners abroad,
    # except children born after the family settled here
    place = np.empty(n, dtype=np.int32)
    southern = np.zeros(n, bool)
    it_idx = np.flatnonzero(~foreign)
    place[it_idx], southern[it_idx] = book.draw_italian_birthplaces(rng, len(it_idx))
    here = (age[it_idx] < 18) & (rng.random(len(it_idx)) < ITALIAN_CHILD_BORN_HERE)
    place[it_idx[here]] = book.padova_place
    southern[it_idx[here]] = False
    fo_idx = np.flatnonzero(foreign)
    settled = rng.exponential(FOREIGN_BORN_HERE_YEARS, n_fam)[fam[fo_idx]]
    place[fo_idx] = np.where(age[fo_idx] < settled, book.padova_place, book.country_place[country[fo_idx]])

    surname, first = _names(book, fam, n_fam, rel, sex, country, southern, birth_year, rng)

    # disadvantage, placement and dwellings
    size = np.bincount(fam, minlength=n_fam)
    heads = np.flatnonzero(rel == HEAD)
    head_of = np.full(n_fam, -1, dtype=np.int64)
    head_of[fam[heads]] = heads
    partners = np.bincount(fam, weights=(rel == SPOUSE) | (rel == PARTNER), minlength=n_fam)
    kids = np.bincount(fam, weights=rel == CHILD, minlength=n_fam)
    head_age = age[head_of]
    fam_foreign = fam_country != ITALIAN
    score = (
        DISADVANTAGE["foreign"] * fam_foreign
        + DISADVANTAGE["lone_parent"] * ((partners == 0) & (kids > 0))
        + DISADVANTAGE["large"] * (size >= 5)
        + DISADVANTAGE["young_head"] * (head_age < 30)
        + DISADVANTAGE["elderly"] * (head_age >= 65)
        + DISADVANTAGE_NOISE * rng.normal(size=n_fam)
    )
    score = (score - score.mean()) / score.std()
    section = dw.place_families(geo, size, score, rng)
    zone_dep = geo.deprivation[section]
    poverty = (
        (1 - POVERTY_ZONE_LOADING) * score + POVERTY_ZONE_LOADING * zone_dep + 0.6 * rng.normal(size=n_fam)
    )
    poverty = ((poverty - poverty.mean()) / poverty.std()).astype(np.float32)
    stock = dw.build_stock(geo, np.bincount(section, minlength=len(geo.target)), rng)
    dwellings = Dwellings()
    dwellings.append(**stock)
    home = dw.assign_dwellings(
        section, size, poverty, dwellings.section, dwellings.surface.astype(float), dwellings.public, rng
    )
    dwellings.occupant[home] = np.arange(n_fam)
    tenure = np.where(
        dwellings.public[home],
        dw.PUBLIC,
        np.where(rng.random(n_fam) < dw.own_probability(head_age, fam_foreign, poverty), dw.OWNED, dw.RENTED),
    ).astype(np.int8)
    families = Families()
    families.append(
        dwelling=home,
        tenure=tenure,
        poverty=poverty,
        country=fam_country,
        isee_eps=rng.normal(size=n_fam).astype(np.float32),
        declared=np.zeros(n_fam, bool),
        active=np.ones(n_fam, bool),
    )
    state = State(persons=Persons(), families=families, dwellings=dwellings)
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
        arrival=np.full(n, NO_DATE),
        family=fam,
        relation=rel,
        poverty=poverty[fam],
    )
    return state


def _names(
    book: NameBook,
    fam: np.ndarray,
    n_fam: int,
    rel: np.ndarray,
    sex: np.ndarray,
    country: np.ndarray,
    southern: np.ndarray,
    birth_year: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Own surnames for adults; children take the father's (or, without one, a surname of their own
    line shared by siblings); siblings of the head mostly share the head's surname."""
    surname = book.draw_surnames(rng, country, southern)
    first = book.draw_first_names(rng, country, sex, birth_year)
    is_man_adult = ((rel == HEAD) | (rel == SPOUSE) | (rel == PARTNER)) & (sex == 0)
    father = np.full(n_fam, -1, dtype=np.int64)
    father[fam[is_man_adult]] = np.flatnonzero(is_man_adult)
    line = book.draw_surnames(rng, country, southern)  # absent father's line, one per family
    first_in_fam = np.full(n_fam, -1, dtype=np.int64)
    first_in_fam[fam[::-1]] = np.arange(len(fam))[::-1]
    family_line = line[first_in_fam]
    kids = np.flatnonzero(rel == CHILD)
    f = father[fam[kids]]
    surname[kids] = np.where(f >= 0, surname[np.maximum(f, 0)], family_line[fam[kids]])
    head_of = np.full(n_fam, -1, dtype=np.int64)
    heads = np.flatnonzero(rel == HEAD)
    head_of[fam[heads]] = heads
    sib = np.flatnonzero((rel == SIBLING) & (rng.random(len(rel)) < 0.7))
    surname[sib] = surname[head_of[fam[sib]]]
    return surname, first
