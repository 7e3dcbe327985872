"""Education, labour status and allowances: fixed personal latents turned into yearly states.

Each person gets stable latents once (education, employability, frailty); the yearly value is a
deterministic function of the latent and the age that year, plus a small yearly shock for labour. This
keeps a person's story coherent (education never goes down, students finish, workers retire) while the
cross-section reproduces the rates by age, sex and citizenship.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

# schema.EDUCATION indices
NONE_ILLITERATE, NONE_LITERATE, PRIMARY, LOWER_SEC, UPPER_SEC, TERTIARY = range(6)
# schema.LABOUR indices
EMPLOYED, UNEMPLOYED, RETIRED, STUDENT, OTHER_INACTIVE = range(5)
NO_VALUE = -1

# final education by birth cohort (shares of the six classes), Italian citizens; a city with a
# university: younger cohorts are much more educated than the national average
_EDU_COHORTS = (1935, 1945, 1955, 1965, 1975, 1985)  # cohort upper bounds (exclusive)
_EDU_IT = (
    (1.0, 6.0, 45.0, 22.0, 16.0, 10.0),  # born before 1935
    (0.5, 3.0, 30.0, 28.0, 25.0, 13.5),
    (0.3, 1.2, 15.0, 33.0, 34.0, 16.5),
    (0.2, 0.6, 5.0, 32.0, 42.0, 20.2),
    (0.2, 0.5, 2.5, 27.0, 45.0, 24.8),
    (0.2, 0.4, 1.2, 18.0, 44.0, 36.2),
    (0.1, 0.3, 0.8, 14.0, 42.0, 42.8),  # born 1985 on
)
_EDU_FOREIGN = (1.2, 2.3, 9.0, 33.0, 39.0, 15.5)  # adults educated abroad
_EDU_FOREIGN_YOUNG = (0.2, 0.8, 2.0, 22.0, 50.0, 25.0)  # schooled in Italy (born 2000 on)
EDU_POVERTY_LOADING = 0.45
UNIVERSITY_DROPOUT = 0.25  # upper-secondary graduates who study a few years without a degree
# labour: (employed, unemployed) among people neither studying nor retired, by age class
_AGE_CLASSES = (20, 25, 30, 55, 60, 65)  # upper bounds: 15-19 ... 65+
_EMP = {
    (0, 0): (0.58, 0.77, 0.85, 0.90, 0.86, 0.72, 0.45),
    (1, 0): (0.57, 0.78, 0.84, 0.74, 0.64, 0.46, 0.25),
    (0, 1): (0.60, 0.76, 0.83, 0.85, 0.78, 0.62, 0.40),
    (1, 1): (0.58, 0.71, 0.71, 0.58, 0.50, 0.38, 0.20),
}
_UNEMP = {
    (0, 0): (0.30, 0.16, 0.08, 0.04, 0.035, 0.03, 0.0),
    (1, 0): (0.30, 0.15, 0.09, 0.05, 0.04, 0.02, 0.0),
    (0, 1): (0.28, 0.16, 0.10, 0.08, 0.08, 0.07, 0.0),
    (1, 1): (0.28, 0.18, 0.14, 0.10, 0.07, 0.05, 0.0),
}
WORK_PERSISTENCE = 0.88  # correlation of this year's labour index with the stable latent
WORK_POVERTY_LOADING = 0.40
WORK_EDUCATION_LOADING = 0.25
# allowances: probability by age (linear between points) of being above the frailty threshold
_CARE_AGES = (0, 17, 18, 44, 64, 67, 72, 77, 82, 87, 92, 97)
_CARE_P = (0.006, 0.006, 0.004, 0.005, 0.008, 0.015, 0.03, 0.06, 0.12, 0.24, 0.38, 0.50)
_DIS_AGES = (18, 30, 45, 55, 66)
_DIS_P = (0.010, 0.014, 0.022, 0.035, 0.040)
DISABILITY_MAX_AGE = 66  # civil invalidity pensions turn into the social allowance at 67
FRAILTY_POVERTY_LOADING = 0.25


def _ppf(p: np.ndarray) -> np.ndarray:
    normal = NormalDist()
    return np.array([normal.inv_cdf(min(max(float(x), 1e-9), 1 - 1e-9)) for x in np.ravel(p)]).reshape(
        np.shape(p)
    )


def _cdf(x: np.ndarray) -> np.ndarray:
    # standard normal CDF via the Abramowitz-Stegun 7.1.26 erf approximation (error < 2e-7):
    # numpy has no erf and scipy is not a dependency
    z = np.abs(np.asarray(x, dtype=np.float64)) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = 1.0 - poly * np.exp(-z * z)
    return np.asarray(0.5 * (1.0 + np.sign(x) * erf))


def draw_final_education(
    birth_year: np.ndarray, foreign: np.ndarray, poverty: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Highest education each person will reach (schema.EDUCATION index)."""
    z = -EDU_POVERTY_LOADING * poverty + np.sqrt(1 - EDU_POVERTY_LOADING**2) * rng.normal(
        size=len(birth_year)
    )
    cohort = np.searchsorted(np.asarray(_EDU_COHORTS), birth_year, side="right")
    tables = np.vstack([np.asarray(_EDU_IT), np.asarray(_EDU_FOREIGN), np.asarray(_EDU_FOREIGN_YOUNG)])
    row = np.where(foreign, np.where(birth_year >= 2000, len(_EDU_IT) + 1, len(_EDU_IT)), cohort)
    cum = np.cumsum(tables / tables.sum(axis=1, keepdims=True), axis=1)[:, :-1]
    thresholds = _ppf(cum)  # rows x 5 cut points on the standard normal
    # high z = more education: count the cut points below -z ... equivalently above z
    return np.asarray((thresholds[row] < z[:, None]).sum(axis=1), dtype=np.int8)


def education_end_age(final: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Age at which each person leaves education: 16-18 after lower secondary (vocational courses),
    19 after upper secondary (20-22 for university drop-outs), 24-30 with a degree."""
    n = len(final)
    lower_end = 16 + rng.integers(0, 3, n)
    upper_end = np.where(rng.random(n) < UNIVERSITY_DROPOUT, 20 + rng.integers(0, 3, n), 19)
    tertiary_end = 24 + np.minimum(rng.geometric(0.4, n) - 1, 6)
    return np.select([final <= LOWER_SEC, final == UPPER_SEC], [lower_end, upper_end], tertiary_end).astype(
        np.int8
    )


def education_at(final: np.ndarray, end_age: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Education held at ``age`` (NO_VALUE below 6): school stages up to the final level."""
    stage = np.select(
        [age < 11, age < 14, age < 19],
        [NONE_LITERATE, PRIMARY, LOWER_SEC],
        np.where(age < end_age, UPPER_SEC, TERTIARY),
    )
    return np.where(age < 6, NO_VALUE, np.minimum(final, stage)).astype(np.int8)


def draw_work_latent(poverty: np.ndarray, final_edu: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Stable employability (standard normal): lower in poor families, higher with more education."""
    edu = (final_edu - 3.7) / 1.0
    noise_sd = np.sqrt(max(1 - WORK_POVERTY_LOADING**2 - WORK_EDUCATION_LOADING**2, 0.05))
    return np.asarray(
        -WORK_POVERTY_LOADING * poverty
        + WORK_EDUCATION_LOADING * edu
        + noise_sd * rng.normal(size=len(poverty)),
        dtype=np.float32,
    )


def draw_retirement(
    birth_year: np.ndarray, sex: np.ndarray, foreign: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Retirement age (older cohorts left earlier) and whether the person never had a paid job."""
    base = np.select(
        [birth_year < 1945, birth_year < 1952, birth_year < 1958, birth_year < 1965], [56, 58, 59, 61], 62
    )
    retire = base + rng.integers(0, 6, len(birth_year))
    p_never = np.where(sex == 1, np.select([birth_year < 1950, birth_year < 1960], [0.25, 0.14], 0.06), 0.01)
    p_never = np.where(foreign & (sex == 1), np.maximum(p_never, 0.18), p_never)
    return retire.astype(np.int8), rng.random(len(birth_year)) < p_never


def labour_status(
    age: np.ndarray,
    sex: np.ndarray,
    foreign: np.ndarray,
    edu_end_age: np.ndarray,
    retire_age: np.ndarray,
    never_worked: np.ndarray,
    work_z: np.ndarray,
    shock: np.ndarray,
    boost: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Labour status (schema.LABOUR index, NO_VALUE below 15) in a year with the given ``shock``;
    ``boost`` raises the labour index (parents who must provide for their children work more)."""
    cls = np.searchsorted(np.asarray(_AGE_CLASSES), age, side="right")
    emp = np.empty(len(age))
    unemp = np.empty(len(age))
    for s in (0, 1):
        for f in (0, 1):
            sel = (sex == s) & (foreign == f)
            emp[sel] = np.asarray(_EMP[(s, f)])[cls[sel]]
            unemp[sel] = np.asarray(_UNEMP[(s, f)])[cls[sel]]
    index = WORK_PERSISTENCE * work_z + np.sqrt(1 - WORK_PERSISTENCE**2) * shock + boost
    p_index = _cdf(index)
    active = np.where(
        p_index > 1 - emp, EMPLOYED, np.where(p_index > 1 - emp - unemp, UNEMPLOYED, OTHER_INACTIVE)
    )
    retired = (age >= retire_age) & ~never_worked
    out = np.where(age < edu_end_age, STUDENT, np.where(retired, RETIRED, active))
    out = np.where(never_worked & (age >= 60), OTHER_INACTIVE, out)
    return np.where(age < 15, NO_VALUE, out).astype(np.int8)


def draw_frailty(poverty: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Stable frailty in (0, 1): the higher, the earlier a person qualifies for allowances."""
    z = FRAILTY_POVERTY_LOADING * poverty + np.sqrt(1 - FRAILTY_POVERTY_LOADING**2) * rng.normal(
        size=len(poverty)
    )
    return np.asarray(_cdf(z), dtype=np.float32)


def care_allowance(age: np.ndarray, frailty: np.ndarray) -> np.ndarray:
    """Indennità di accompagnamento: the frailest share of each age, rising steeply after 75."""
    return np.asarray(frailty > 1 - np.interp(age, _CARE_AGES, _CARE_P))


def disability_allowance(age: np.ndarray, frailty: np.ndarray) -> np.ndarray:
    """Civil invalidity allowance, 18-66; everyone with a care allowance in that age range has it too."""
    p = np.interp(age, _DIS_AGES, _DIS_P)
    return np.asarray((age >= 18) & (age <= DISABILITY_MAX_AGE) & (frailty > 1 - p))
