"""Families of the first snapshot: persons drawn from the pyramid, then grouped into families.

Persons first, families second: every (age, sex) count comes from the back-projected pyramid, so the
age structure is exact by construction; living arrangements are decided by age-specific rates (living
with parents, with a partner, alone) and assembled by matching: partners by age, children to a mother of
plausible age (mother's age at birth 17-46), then a few extended and non-family arrangements.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from welfare_district.synth.rng import grouped_rank, weighted_choice_without_replacement
from welfare_district.synth.state import CHILD, HEAD, OTHER, OTHER_RELATIVE, PARENT, PARTNER, SIBLING, SPOUSE

# age-band edges shared by the rate tables below: 18, 20, 25, ..., 90
_EDGES = (18, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90)
# share of adults still living with their parents, by band (Italy is famous for late leaving)
_AT_HOME = {
    0: (0.96, 0.90, 0.64, 0.33, 0.18, 0.14, 0.12, 0.10, 0.08, 0.06, 0.02, 0.01, 0.0, 0.0, 0.0, 0.0),
    1: (0.95, 0.84, 0.50, 0.23, 0.12, 0.10, 0.09, 0.08, 0.07, 0.05, 0.01, 0.0, 0.0, 0.0, 0.0, 0.0),
}
# share with a partner among adults not living with parents
_PARTNERED = {
    0: (0.05, 0.12, 0.40, 0.68, 0.78, 0.81, 0.82, 0.82, 0.83, 0.84, 0.85, 0.82, 0.72, 0.42, 0.26, 0.14),
    1: (0.08, 0.20, 0.55, 0.76, 0.80, 0.78, 0.76, 0.74, 0.72, 0.70, 0.65, 0.56, 0.35, 0.19, 0.10, 0.04),
}
FOREIGN_AT_HOME_FACTOR = 0.55
# relative chance that a childless-so-far unit at a given mother-age gets the children of that age:
# couples 1; lone mothers and fathers by age class (<35, 35-64, 65+)
_LONE_WEIGHT = {1: (0.07, 0.75, 0.45), 0: (0.015, 0.12, 0.15)}
MEAN_KIDS = {0: 1.6, 1: 2.1}  # children per family with children: Italians, foreigners
SIBLING_DISPERSION = 1.1  # gamma shape: lower = more unequal sibling counts
MAX_KIDS_AT_HOME = 5  # children per parent unit that a mother-age can hold on average
MOTHER_AGE = {0: (32.0, 5.0), 1: (28.5, 5.5)}
# extended and non-family arrangements (shares of the eligible singles)
ELDER_WITH_CHILD = {0: 0.14, 1: 0.14}  # singles 75+ living as "parent" in a child's family
SIBLINGS_SHARE = 0.035  # singles 60+ living with a brother or sister
FOREIGN_RELATIVE_SHARE = 0.12  # foreign singles 18-40 living with relatives
FLATMATE_SHARE = {0: 0.05, 1: 0.16}  # singles 20-45 sharing as non-relatives
CARER_SHARE = 0.22  # foreign single women 35-64 living with an Italian 80+ alone


@dataclass
class Built:
    """Persons of one citizenship group grouped into families (local family index from 0)."""

    age: np.ndarray
    sex: np.ndarray
    family: np.ndarray
    relation: np.ndarray
    n_families: int


def _band(age: np.ndarray) -> np.ndarray:
    return np.clip(np.searchsorted(np.asarray(_EDGES), age, side="right") - 1, 0, len(_EDGES) - 1)


def persons_from_counts(counts: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Ages and sexes of individuals from expected counts [age, sex], rounded without bias."""
    whole = np.floor(counts).astype(np.int64)
    whole += (rng.random(counts.shape) < counts - whole).astype(np.int64)
    ages = np.repeat(np.tile(np.arange(counts.shape[0])[:, None], (1, 2)).ravel(), whole.ravel())
    sexes = np.repeat(np.tile(np.array([0, 1]), counts.shape[0]), whole.ravel())
    return ages.astype(np.int16), sexes.astype(np.int8)


def match_couples(
    age: np.ndarray, men: np.ndarray, women: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Pair men and women by rank of age (men a few years older); both index arrays have equal length."""
    n = min(len(men), len(women))
    if len(men) > n:
        men = men[weighted_choice_without_replacement(rng, np.ones(len(men)), n)]
    if len(women) > n:
        women = women[weighted_choice_without_replacement(rng, np.ones(len(women)), n)]
    m_key = age[men] - rng.normal(3.0, 2.5, n)
    w_key = age[women] + rng.normal(0.0, 1.0, n)
    return men[np.argsort(m_key, kind="stable")], women[np.argsort(w_key, kind="stable")]


def _spill_to_younger(x: np.ndarray, capacity: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Move children whose mother-age has more children than its units can hold to the next younger
    mother-age (the oldest ages have few parents left and would otherwise pile children up)."""
    x = x.copy()
    order = rng.permutation(len(x))
    for age in range(len(capacity) - 1, 0, -1):
        here = order[x[order] == age]
        over = len(here) - int(capacity[age])
        if over > 0:
            x[here[:over]] = age - 1
    return x


def allocate_children(
    child_target_age: np.ndarray,
    unit_age: np.ndarray,
    unit_weight: np.ndarray,
    mean_kids: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Index of the parent unit of each child.

    ``child_target_age`` is the age the child's mother should have (child's age + mother's age at
    birth); each child goes to a unit whose mother-equivalent age ``unit_age`` is the nearest available.
    At each age, about children/mean_kids units get children (chosen by ``unit_weight``), one child
    each, and the rest are spread at random, which gives a Poisson-like number of siblings.
    """
    ages = np.unique(unit_age)
    pos = np.clip(np.searchsorted(ages, child_target_age), 1, len(ages) - 1) if len(ages) > 1 else None
    if pos is None:
        x = np.full(len(child_target_age), ages[0])
    else:
        lo, hi = ages[pos - 1], ages[pos]
        x = np.where(np.abs(child_target_age - lo) <= np.abs(hi - child_target_age), lo, hi)
        x = np.where(child_target_age <= ages[0], ages[0], np.where(child_target_age >= ages[-1], ages[-1], x))
    size = int(ages[-1]) + 1
    n = np.bincount(unit_age, minlength=size)
    x = _spill_to_younger(x, n * MAX_KIDS_AT_HOME, rng)
    c = np.bincount(x, minlength=size)
    u = np.minimum(n, np.where(c > 0, np.maximum(1, np.rint(c / mean_kids)), 0)).astype(np.int64)
    keys = rng.exponential(size=len(unit_age)) / np.maximum(unit_weight, 1e-9)
    rank = grouped_rank(unit_age, keys)
    chosen = np.flatnonzero(rank < u[unit_age])
    chosen = chosen[np.lexsort((rank[chosen], unit_age[chosen]))]
    start = np.r_[0, np.cumsum(u)[:-1]]
    r_child = grouped_rank(x, rng.random(len(x)))
    first = r_child < u[x]
    slot = np.where(first, r_child, 0)
    # extra children go to units in proportion to a gamma "propensity": more large families than a
    # plain Poisson spread would give, as observed
    extra = np.flatnonzero(~first)
    if len(extra):
        # capped, so that no unit collects an implausible number of children
        prop = np.minimum(rng.gamma(SIBLING_DISPERSION, 1.0, len(chosen)), 3.0 * SIBLING_DISPERSION)
        cum = np.cumsum(prop)
        lo = np.r_[0.0, cum][start[x[extra]]]
        hi = cum[start[x[extra]] + u[x[extra]] - 1]
        pick = np.searchsorted(cum, lo + rng.random(len(extra)) * (hi - lo), side="right")
        slot[extra] = np.minimum(pick, start[x[extra]] + u[x[extra]] - 1) - start[x[extra]]
    return np.asarray(chosen[start[x] + slot])


def build_group(counts: np.ndarray, foreign: bool, rng: np.random.Generator) -> Built:
    """Persons of one citizenship group from counts [age, sex], grouped into families."""
    g = int(foreign)
    age, sex = persons_from_counts(counts, rng)
    n = len(age)
    adult = age >= 18
    band = _band(age)
    p_home = np.where(sex == 0, np.asarray(_AT_HOME[0])[band], np.asarray(_AT_HOME[1])[band]) * (
        FOREIGN_AT_HOME_FACTOR if foreign else 1
    )
    is_child = ~adult | (rng.random(n) < p_home) & adult
    p_part = np.where(sex == 0, np.asarray(_PARTNERED[0])[band], np.asarray(_PARTNERED[1])[band])
    partnered = adult & ~is_child & (rng.random(n) < p_part)
    men, women = match_couples(age, np.flatnonzero(partnered & (sex == 0)), np.flatnonzero(partnered & (sex == 1)), rng)
    single = adult & ~is_child
    single[men] = False
    single[women] = False
    singles = np.flatnonzero(single)

    # parent units: couples first, then singles as potential lone parents
    n_couples = len(men)
    unit_mother_age = np.concatenate([age[women], np.where(sex[singles] == 1, age[singles], age[singles] - 3)])
    s_age = age[singles]
    lone_w = np.where(
        sex[singles] == 1,
        np.select([s_age < 35, s_age < 65], list(_LONE_WEIGHT[1][:2]), _LONE_WEIGHT[1][2]),
        np.select([s_age < 35, s_age < 65], list(_LONE_WEIGHT[0][:2]), _LONE_WEIGHT[0][2]),
    )
    unit_w = np.concatenate([np.ones(n_couples), lone_w]) * (unit_mother_age >= 17)
    children = np.flatnonzero(is_child)
    mean, sd = MOTHER_AGE[g]
    at_birth = np.clip(rng.normal(mean, sd, len(children)), 17, 46)
    unit_of_child = allocate_children(
        np.rint(age[children] + at_birth).astype(np.int64),
        unit_mother_age.astype(np.int64),
        unit_w,
        MEAN_KIDS[g],
        rng,
    )

    family = np.full(n, -1, dtype=np.int64)
    relation = np.full(n, HEAD, dtype=np.int8)
    # couples are families 0..n_couples-1; the head is usually the man, more often the woman when younger
    man_head = rng.random(n_couples) < np.where(age[men] >= 50, 0.85, 0.65)
    family[men] = np.arange(n_couples)
    family[women] = np.arange(n_couples)
    cohabit = rng.random(n_couples) < np.select([age[women] < 35, age[women] < 50], [0.45, 0.25], 0.07)
    partner_rel = np.where(cohabit, PARTNER, SPOUSE).astype(np.int8)
    relation[men] = np.where(man_head, HEAD, partner_rel)
    relation[women] = np.where(man_head, partner_rel, HEAD)
    # singles: every single is its own unit; a unit without children may still join another family below
    family[singles] = n_couples + np.arange(len(singles))
    family[children] = unit_of_child
    relation[children] = CHILD
    with_kids = np.bincount(unit_of_child, minlength=n_couples + len(singles)) > 0
    built = Built(age=age, sex=sex, family=family, relation=relation, n_families=n_couples + len(singles))
    lone_singles = singles[~with_kids[n_couples:]]
    _attach_extras(built, lone_singles, foreign, rng)
    return built


def _attach_extras(b: Built, lone: np.ndarray, foreign: bool, rng: np.random.Generator) -> None:
    """Extended and non-family arrangements among people who would otherwise live alone."""
    g = int(foreign)
    age, fam = b.age, b.family
    heads = np.flatnonzero(b.relation == HEAD)
    size = np.bincount(fam, minlength=b.n_families)
    # elderly parents moving in with a son's or daughter's family: head 20-45 years younger
    old = lone[(age[lone] >= 75) & (rng.random(len(lone)) < ELDER_WITH_CHILD[g])]
    hosts = heads[(size[fam[heads]] >= 2) & (age[heads] >= 40) & (age[heads] <= 70)]
    if len(old) and len(hosts):
        take = weighted_choice_without_replacement(rng, np.ones(len(hosts)), len(old))
        hosts = hosts[take]
        old = old[: len(hosts)]
        o_sorted = old[np.argsort(age[old] + rng.normal(0, 3, len(old)), kind="stable")]
        h_sorted = hosts[np.argsort(age[hosts] + rng.normal(0, 3, len(hosts)), kind="stable")]
        ok = age[o_sorted] - age[h_sorted] >= 18
        fam[o_sorted[ok]] = fam[h_sorted[ok]]
        b.relation[o_sorted[ok]] = PARENT
        lone = np.setdiff1d(lone, o_sorted[ok])
    # elderly brothers and sisters sharing a home: pairs among singles 60+
    sib = lone[(age[lone] >= 60) & (rng.random(len(lone)) < SIBLINGS_SHARE)]
    sib = sib[np.argsort(age[sib] + rng.normal(0, 4, len(sib)), kind="stable")]
    if len(sib) >= 2:
        pairs = sib[: len(sib) // 2 * 2].reshape(-1, 2)
        older = np.where(age[pairs[:, 0]] >= age[pairs[:, 1]], 0, 1)
        head = pairs[np.arange(len(pairs)), older]
        other = pairs[np.arange(len(pairs)), 1 - older]
        fam[other] = fam[head]
        b.relation[other] = SIBLING
        lone = np.setdiff1d(lone, other)
    if foreign:
        # relatives (cousins, brothers-in-law) living in a foreign family with children
        rel = lone[(age[lone] >= 18) & (age[lone] <= 40) & (rng.random(len(lone)) < FOREIGN_RELATIVE_SHARE)]
        hosts = heads[(size[fam[heads]] >= 3)]
        if len(rel) and len(hosts):
            host = hosts[rng.integers(0, len(hosts), len(rel))]
            fam[rel] = fam[host]
            b.relation[rel] = OTHER_RELATIVE
            lone = np.setdiff1d(lone, rel)
    # non-relatives sharing a flat, in twos and threes
    mates = lone[(age[lone] >= 20) & (age[lone] <= 45) & (rng.random(len(lone)) < FLATMATE_SHARE[g])]
    mates = mates[rng.permutation(len(mates))]
    if len(mates) >= 2:
        sizes = rng.choice(np.array([2, 3]), p=[0.7, 0.3], size=len(mates))
        group = np.repeat(np.arange(len(mates)), sizes)[: len(mates)]
        first_of = np.r_[0, np.flatnonzero(np.diff(group)) + 1]
        lead = mates[first_of][group]
        follower = mates != lead
        fam[mates[follower]] = fam[lead[follower]]
        b.relation[mates[follower]] = OTHER


def attach_carers(it: Built, fo: Built, rng: np.random.Generator) -> np.ndarray:
    """Foreign live-in carers moving in with Italians aged 80+ living alone.

    Returns, for each foreign person, the Italian family index they joined (-1 otherwise); the caller
    merges the two groups' family numbering.
    """
    size = np.bincount(it.family, minlength=it.n_families)
    old_alone = np.flatnonzero((it.relation == HEAD) & (it.age >= 80) & (size[it.family] == 1))
    fo_size = np.bincount(fo.family, minlength=fo.n_families)
    cand = np.flatnonzero(
        (fo.relation == HEAD)
        & (fo.sex == 1)
        & (fo.age >= 35)
        & (fo.age <= 64)
        & (fo_size[fo.family] == 1)
        & (rng.random(len(fo.age)) < CARER_SHARE)
    )
    joined = np.full(len(fo.age), -1, dtype=np.int64)
    if len(cand) == 0 or len(old_alone) == 0:
        return joined
    hosts = old_alone[weighted_choice_without_replacement(rng, it.age[old_alone] - 75.0, len(cand))]
    cand = cand[: len(hosts)]
    joined[cand] = it.family[hosts]
    fo.relation[cand] = OTHER
    return joined
