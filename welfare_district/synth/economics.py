"""ISEE declarations and social-services cases, yearly, from each family's situation that year."""

from __future__ import annotations

import numpy as np

from welfare_district.synth import attributes as attr
from welfare_district.synth.dwellings import PUBLIC
from welfare_district.synth.snapshot import SINGLE_PARENT
from welfare_district.synth.state import PARTNER, SPOUSE, State, days

# ISEE: who declares (logit) and how much (log euro)
ISEE_LOGIT = {
    "base": -2.9,
    "poverty": 1.0,
    "minor": 1.0,
    "old_or_care": 0.6,
    "public": 0.6,
    "foreign": 0.2,
    "single_parent": 0.4,
}
ISEE_RENEWAL = 0.75  # a family that declared last year declares again at least this often
ISEE_LOG = {"base": 9.45, "poverty": -0.45, "employed": 0.30, "retired": 0.12, "no_income": -0.5, "eps": 0.55}
ISEE_EPS_AR = 0.93  # yearly persistence of a family's own ISEE level (drift otherwise)
ISEE_ZERO_NO_INCOME, ISEE_ZERO_OTHER = 0.30, 0.01
ISEE_MAX = 150_000.0
# cases: yearly hazard per family = CASE_BASE * sum of need weights; mean duration in years
CASE_NEEDS = (
    "economic",
    "housing",
    "elderly_care",
    "disability",
    "minors_family",
    "employment",
    "migrants",
    "addictions",
    "gender_violence",
    "health",
)  # schema.CASE_NEED order
CASE_BASE = 0.0032
# case length: at least CASE_MIN_DAYS (an intake and a first plan take weeks), then memoryless, so that
# the mean is CASE_MEAN_YEARS; the beneficiary's death or departure ends a case earlier
CASE_MEAN_YEARS = 2.5
CASE_MIN_DAYS = 60
# beneficiaries die or leave the city about this often per year (emigration ~3%, deaths of the frail);
# it shortens the mean open time behind the stationary backlog of the first written year
CASE_EXIT_RATE = 0.03
YEAR_DAYS = 365.25


def _first_per_family(fam: np.ndarray, idx: np.ndarray, key: np.ndarray, n_fam: int) -> np.ndarray:
    """For each family, the member (from ``idx``) with the smallest ``key``; -1 if none."""
    out = np.full(n_fam, -1, dtype=np.int64)
    if len(idx) == 0:
        return out
    order = np.lexsort((key, fam))
    f_sorted = fam[order]
    first = np.r_[True, f_sorted[1:] != f_sorted[:-1]]
    out[f_sorted[first]] = idx[order][first]
    return out


def _family_features(state: State, snap: dict[str, dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    per, fam = snap["person"], snap["family"]
    n_f = len(state.families)
    f = per["family"]

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(f[mask], minlength=n_f)[fam["family"]]

    lab, age = per["labour"], per["age"]
    return {
        "employed": count(lab == attr.EMPLOYED),
        "retired": count(lab == attr.RETIRED),
        "unemployed": count(lab == attr.UNEMPLOYED),
        "minor": count(age < 18) > 0,
        "old": count(age >= 80) > 0,
        "care": count(per["care"]) > 0,
        "disabled_young": count((per["disability"] | per["care"]) & (age < 65)) > 0,
        "adult_women": count((age >= 18) & (state.persons.sex[per["person"]] == 1)) > 0,
    }


def isee_declarations(
    state: State,
    snap: dict[str, dict[str, np.ndarray]],
    year: int,
    rng: np.random.Generator,
    first_year: bool = False,
) -> None:
    """Append this year's DSU declarations (ISEE values) to ``state.isee_rows``; in the ``first_year``
    (no history) each family declares with its long-run probability."""
    fam = snap["family"]
    fid = fam["family"]
    f = state.families
    x = _family_features(state, snap)
    pov = f.poverty[fid].astype(np.float64)
    logit = (
        ISEE_LOGIT["base"]
        + ISEE_LOGIT["poverty"] * pov
        + ISEE_LOGIT["minor"] * x["minor"]
        + ISEE_LOGIT["old_or_care"] * (x["old"] | x["care"])
        + ISEE_LOGIT["public"] * (fam["tenure"] == PUBLIC)
        + ISEE_LOGIT["foreign"] * (f.country[fid] >= 0)
        + ISEE_LOGIT["single_parent"] * (fam["type"] == SINGLE_PARENT)
    )
    prob = 1 / (1 + np.exp(-logit))
    renew = ISEE_RENEWAL + (1 - ISEE_RENEWAL) * prob
    # without history, each family declares with the stationary share of the two-state chain
    prob = prob / (1 - renew + prob) if first_year else np.where(f.declared[fid], renew, prob)
    declare = rng.random(len(fid)) < prob
    # the family's own level drifts every year, declared or not
    f.isee_eps[fid] = (ISEE_EPS_AR * f.isee_eps[fid] + np.sqrt(1 - ISEE_EPS_AR**2) * rng.normal(size=len(fid))).astype(
        np.float32
    )
    f.declared[fid] = declare
    no_income = (x["employed"] == 0) & (x["retired"] == 0)
    log_value = (
        ISEE_LOG["base"]
        + ISEE_LOG["poverty"] * pov
        + ISEE_LOG["employed"] * np.minimum(x["employed"], 3)
        + ISEE_LOG["retired"] * np.minimum(x["retired"], 2)
        + ISEE_LOG["no_income"] * no_income
        + ISEE_LOG["eps"] * f.isee_eps[fid]
    )
    zero = rng.random(len(fid)) < np.where(no_income, ISEE_ZERO_NO_INCOME, ISEE_ZERO_OTHER)
    value = np.where(zero, 0.0, np.minimum(np.round(np.exp(log_value), 2), ISEE_MAX))
    # most declarations are filed early in the year, when the previous one expires
    day = days(year) + np.floor(rng.beta(1.2, 3.0, len(fid)) * 365).astype(np.int64)
    per = snap["person"]
    spouse = _first_per_family(
        per["family"], per["person"], np.where(np.isin(per["relation"], [SPOUSE, PARTNER]), 0, 1), len(f)
    )
    spouse_ok = np.isin(state.persons.relation[np.maximum(spouse[fid], 0)], [SPOUSE, PARTNER]) & (spouse[fid] >= 0)
    declarant = np.where(spouse_ok & (rng.random(len(fid)) < 0.2), spouse[fid], fam["head"])
    sel = declare
    state.isee_rows.append(
        {
            "year": np.full(int(sel.sum()), year),
            "family": fid[sel],
            "declarant": declarant[sel],
            "submitted": day[sel],
            "isee": value[sel],
            "nucleus": fam["size"][sel],
        }
    )


def _need_weights(state: State, snap: dict[str, dict[str, np.ndarray]], year: int) -> np.ndarray:
    fam = snap["family"]
    fid = fam["family"]
    f, p = state.families, state.persons
    x = _family_features(state, snap)
    pov = f.poverty[fid].astype(np.float64)
    head = fam["head"]
    recent = (p.arrival[head] >= 0) & (p.arrival[head] >= days(year - 3))
    crowded = state.dwellings.surface[fam["dwelling"]] / fam["size"] < 15
    no_income = (x["employed"] == 0) & (x["retired"] == 0)
    w = np.stack(
        [
            np.exp(1.1 * pov) * np.where(no_income, 2.2, 0.45),  # economic
            np.exp(0.9 * pov) * (0.2 + (fam["tenure"] == 1) + crowded),  # housing
            2.5 * x["old"] + 2.0 * x["care"],  # elderly_care
            5.0 * x["disabled_young"],  # disability
            x["minor"] * np.exp(0.6 * pov) * np.where(fam["type"] == SINGLE_PARENT, 5.0, 2.0),  # minors_family
            2.0 * (x["unemployed"] > 0) * np.exp(0.4 * pov),  # employment
            3.0 * recent * (f.country[fid] >= 0),  # migrants
            0.12 * np.exp(0.6 * pov),  # addictions
            0.10 * x["adult_women"] * np.exp(0.4 * pov),  # gender_violence
            0.25 * np.ones(len(fid)),  # health
        ],
        axis=1,
    )
    return np.asarray(w)


def _beneficiary(
    state: State,
    snap: dict[str, dict[str, np.ndarray]],
    need: np.ndarray,
    fams: np.ndarray,
    heads: np.ndarray,
) -> np.ndarray:
    per = snap["person"]
    n_f = len(state.families)
    fam, pid, age = per["family"], per["person"], per["age"]
    oldest = _first_per_family(fam, pid, -age, n_f)
    minor = age < 18
    youngest_minor = _first_per_family(fam[minor], pid[minor], age[minor], n_f)
    allow = per["disability"] | per["care"]
    allowance = _first_per_family(fam[allow], pid[allow], -age[allow], n_f)
    unemp = per["labour"] == attr.UNEMPLOYED
    unemployed = _first_per_family(fam[unemp], pid[unemp], age[unemp], n_f)
    woman = (state.persons.sex[pid] == 1) & (age >= 18)
    adult_woman = _first_per_family(fam[woman], pid[woman], per["relation"][woman], n_f)
    pick = np.select(
        [need == 2, need == 3, need == 4, need == 5, need == 8],
        [oldest[fams], allowance[fams], youngest_minor[fams], unemployed[fams], adult_woman[fams]],
        heads,
    )
    return np.where(pick >= 0, pick, heads)


def case_end(state: State, person: np.ndarray, closed: np.ndarray) -> np.ndarray:
    """Day each case really closes: its planned ``closed`` day, or earlier the day its beneficiary died or
    left the city (as known to ``state`` now). Day numbers as int64; the beneficiary is a local id."""
    p = state.persons
    # int64 before choosing: "never" must not wrap around in the int32 date columns
    death = p.death[person].astype(np.int64)
    departure = p.departure[person].astype(np.int64)
    never = np.iinfo(np.int64).max
    gone = np.where(death >= 0, death, np.where(departure >= 0, departure, never))
    return np.minimum(np.asarray(closed, dtype=np.int64), gone)


def _case_free_from(state: State, n_families: int) -> np.ndarray:
    """Per family, the first day from which none of its cases recorded so far is open (the smallest int64
    if the family never had a case)."""
    out = np.full(n_families, np.iinfo(np.int64).min, dtype=np.int64)
    if not state.case_rows:
        return out
    fam = np.concatenate([r["family"] for r in state.case_rows]).astype(np.int64)
    person = np.concatenate([r["person"] for r in state.case_rows]).astype(np.int64)
    closed = np.concatenate([r["closed"] for r in state.case_rows])
    np.maximum.at(out, fam, case_end(state, person, closed))
    return out


def _durations(rng: np.random.Generator, n: int) -> np.ndarray:
    """Planned case lengths in days: CASE_MIN_DAYS plus an exponential tail, mean CASE_MEAN_YEARS."""
    tail = CASE_MEAN_YEARS * YEAR_DAYS - CASE_MIN_DAYS
    return CASE_MIN_DAYS + np.floor(rng.exponential(tail, n)).astype(np.int64)


def _backlog_span(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Age and remaining length (days) of cases open on a given day in a stationary flow of cases with
    ``_durations`` lengths: the age has density proportional to the chance a case lasts that long
    (uniform over the minimum length, exponential beyond), and the remainder follows from the age."""
    tail = CASE_MEAN_YEARS * YEAR_DAYS - CASE_MIN_DAYS
    young = rng.random(n) < CASE_MIN_DAYS / (CASE_MIN_DAYS + tail)
    age_young = np.floor(rng.random(n) * CASE_MIN_DAYS).astype(np.int64)
    age_old = CASE_MIN_DAYS + np.floor(rng.exponential(tail, n)).astype(np.int64)
    rest = np.floor(rng.exponential(tail, n)).astype(np.int64)
    age = np.where(young, age_young, age_old)
    remaining = np.where(young, CASE_MIN_DAYS - age_young, 0) + rest
    return age, remaining


def cases_in_year(
    state: State,
    snap: dict[str, dict[str, np.ndarray]],
    year: int,
    rng: np.random.Generator,
    backlog: bool = False,
) -> None:
    """Append to ``state.case_rows`` the cases opened during ``year`` by families of the 31 December
    snapshot ``snap``; with ``backlog`` (the first simulated year of cases) instead the cases open on
    that 31 December, opened in earlier years as a stationary flow would have left them.

    Guarantees: every case's family and beneficiary are in ``snap``; a family never has two cases open
    on the same day; cases are opened at the yearly rate ``CASE_BASE`` times the family's need weights
    while the family has no open case, and last ``_durations`` (open past the year end when long enough),
    so the share of families with an open case on 31 December stays level from year to year."""
    fam = snap["family"]
    fids = fam["family"]
    w = _need_weights(state, snap, year)
    rate = CASE_BASE * w.sum(axis=1)
    start, end = days(year), days(year + 1)  # the year is [start, end)
    if backlog:
        # stationary share of an open/closed two-state flow: open for the mean open time, closed 1/rate
        open_years = 1.0 / (1.0 / CASE_MEAN_YEARS + CASE_EXIT_RATE)
        hit = rng.random(len(fids)) < rate * open_years / (1.0 + rate * open_years)
    else:
        free_from = np.maximum(_case_free_from(state, len(state.families))[fids], start)
        exposure = np.maximum(end - free_from, 0) / YEAR_DAYS  # years without an open case
        hit = rng.random(len(fids)) < -np.expm1(-rate * exposure)
    idx = np.flatnonzero(hit)
    need = np.argmax(np.log(np.maximum(w[idx], 1e-12)) + rng.gumbel(size=(len(idx), w.shape[1])), axis=1)
    fams = fids[idx]
    person = _beneficiary(state, snap, need, fams, fam["head"][idx])
    if backlog:
        age, remaining = _backlog_span(rng, len(idx))
        opened = end - 1 - age
        closed = end + remaining
    else:
        first = free_from[idx]
        opened = first + np.floor(rng.random(len(idx)) * (end - first)).astype(np.int64)
        closed = opened + _durations(rng, len(idx))
    state.case_rows.append(
        {"person": person, "family": fams, "need": need.astype(np.int8), "opened": opened, "closed": closed}
    )
