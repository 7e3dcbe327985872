"""Where families live: sections chosen by deprivation, the dwelling stock, and who gets which dwelling.

Sorting, not segregation: families carry a disadvantage score and sections a deprivation latent; both
are ranked with noise and matched, so disadvantaged families are more frequent, not exclusive, in
deprived zones. Within a section, larger families get larger dwellings, again with noise, and the
poorest get the public-housing flats; this is what makes overcrowding and public housing spatial.
"""

from __future__ import annotations

import numpy as np

from welfare_district.synth.geography import Geography
from welfare_district.synth.rng import grouped_rank

OWNED, RENTED, PUBLIC = 0, 1, 2  # schema.TENURE order
SORTING_STRENGTH = 0.6  # correlation of family disadvantage with section rank
STOCK_SLACK = 1.12  # dwellings per family at start: vacancies for moves
SURFACE_MEDIAN, SURFACE_SIGMA = 90.0, 0.40  # m2, lognormal
SURFACE_DEPRIVATION = 0.18  # deprived zones have smaller flats
PUBLIC_SURFACE_MEDIAN = 62.0
# public-housing share of a zone's dwellings as a logistic function of its deprivation
PUBLIC_FLOOR, PUBLIC_PEAK, PUBLIC_MID, PUBLIC_SLOPE = 0.012, 0.30, 1.3, 2.2
SIZE_MATCH_NOISE = 0.45  # noise on log(size) when matching dwellings
POVERTY_SQUEEZE = 0.70  # poorer families settle for smaller dwellings
# owner-occupation logit by head age class (<30, 30-44, 45-64, 65+), foreign and poverty effects
OWN_LOGIT_AGE = (-1.3, 0.45, 1.3, 1.9)
OWN_FOREIGN, OWN_POVERTY, OWN_MOVER = -2.0, -0.6, -0.4


def public_share(deprivation: np.ndarray) -> np.ndarray:
    """Share of dwellings that are public housing, per zone deprivation."""
    return np.asarray(PUBLIC_FLOOR + PUBLIC_PEAK / (1 + np.exp(-PUBLIC_SLOPE * (deprivation - PUBLIC_MID))))


def place_families(
    geo: Geography, size: np.ndarray, disadvantage: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Section index of each family; sections filled to their resident targets in deprivation order."""
    n_sec = len(geo.target)
    sec_key = geo.deprivation + rng.normal(0, 0.35, n_sec)
    sec_order = np.argsort(sec_key, kind="stable")
    cap = np.cumsum(geo.target[sec_order].astype(np.float64))
    fam_key = SORTING_STRENGTH * disadvantage + np.sqrt(1 - SORTING_STRENGTH**2) * rng.normal(size=len(size))
    fam_order = np.argsort(fam_key, kind="stable")
    mid = np.cumsum(size[fam_order]) - size[fam_order] / 2.0
    mid *= cap[-1] / max(float(size.sum()), 1.0)  # the population may differ slightly from the targets
    pos = np.minimum(np.searchsorted(cap, mid, side="right"), n_sec - 1)
    section = np.empty(len(size), dtype=np.int64)
    section[fam_order] = sec_order[pos]
    return section


def build_stock(
    geo: Geography,
    families_per_section: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """The dwelling stock: about STOCK_SLACK dwellings per family in each section, on its civici."""
    n_dw = np.ceil(families_per_section * STOCK_SLACK).astype(np.int64) + 1
    section = np.repeat(np.arange(len(n_dw)), n_dw)
    dep = geo.deprivation[section]
    share = public_share(geo.zone_deprivation)[geo.zone_of_section][section]
    public = rng.random(len(section)) < share
    median = np.where(public, PUBLIC_SURFACE_MEDIAN, SURFACE_MEDIAN * np.exp(-SURFACE_DEPRIVATION * dep))
    surface = np.clip(np.rint(median * np.exp(rng.normal(0, SURFACE_SIGMA, len(section)))), 22, 320)
    rooms = np.clip(np.rint(surface / 21.0 + rng.normal(0, 0.6, len(section))), 1, 9)
    # each civico gets a random share of its section's dwellings; public flats cluster in the
    # section's first civici (the estate blocks)
    weight = rng.gamma(1.3, 1.0, len(geo.civico_id))
    u = rng.random(len(section))
    count = geo.civico_count[section]
    start = geo.civico_start[section]
    estate_span = np.maximum(1, np.ceil(count * 0.3)).astype(np.int64)
    span = np.where(public, estate_span, count)
    cum = np.cumsum(weight)
    lo = np.r_[0.0, cum][start]
    hi = cum[start + span - 1]
    civ_pos = np.minimum(np.searchsorted(cum, lo + u * (hi - lo), side="right"), start + span - 1)
    interno = grouped_rank(civ_pos, np.arange(len(civ_pos))) + 1
    return {
        "civico": geo.civico_id[civ_pos],
        "interno": interno.astype(np.int16),
        "surface": surface.astype(np.int16),
        "rooms": rooms.astype(np.int8),
        "section": section.astype(np.int32),
        "public": public,
        "occupant": np.full(len(section), -1, dtype=np.int64),
    }


def own_probability(
    head_age: np.ndarray, foreign: np.ndarray, poverty: np.ndarray, mover: np.ndarray | bool = False
) -> np.ndarray:
    """Probability that a family in a private dwelling owns it."""
    age_term = np.select(
        [head_age < 30, head_age < 45, head_age < 65], list(OWN_LOGIT_AGE[:3]), OWN_LOGIT_AGE[3]
    )
    logit = age_term + OWN_FOREIGN * foreign + OWN_POVERTY * poverty + OWN_MOVER * np.asarray(mover)
    return np.asarray(1 / (1 + np.exp(-logit)))


def assign_dwellings(
    fam_section: np.ndarray,
    fam_size: np.ndarray,
    fam_poverty: np.ndarray,
    dw_section: np.ndarray,
    dw_surface: np.ndarray,
    dw_public: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Dwelling index of each family, within its section: public flats to the poorest, then by size."""
    n_f = len(fam_section)
    dwelling = np.full(n_f, -1, dtype=np.int64)
    n_sec = int(max(fam_section.max(initial=0), dw_section.max(initial=0))) + 1
    # public housing: each section's public flats (all but a few vacant) go to its poorest families
    pub = np.flatnonzero(dw_public)
    pub_per_sec = np.bincount(dw_section[pub], minlength=n_sec)
    fam_per_sec = np.bincount(fam_section, minlength=n_sec)
    pub_occ = np.minimum(np.floor(pub_per_sec * 0.95).astype(np.int64), fam_per_sec)
    fam_rank = grouped_rank(fam_section, -(fam_poverty + rng.normal(0, 0.5, n_f)))
    gets_pub = fam_rank < pub_occ[fam_section]
    pub_rank = grouped_rank(dw_section[pub], rng.random(len(pub)))
    pub_used = pub[pub_rank < pub_occ[dw_section[pub]]]
    f_pub = np.flatnonzero(gets_pub)
    dwelling[f_pub] = _match_by_size(
        f_pub, pub_used, fam_section, fam_size, fam_poverty, dw_section, dw_surface, rng
    )
    # private: occupied dwellings are a random subset of each section's private stock
    rest = np.flatnonzero(~gets_pub)
    need = np.bincount(fam_section[rest], minlength=n_sec)
    priv = np.flatnonzero(~dw_public)
    priv_rank = grouped_rank(dw_section[priv], rng.random(len(priv)))
    used = priv[priv_rank < need[dw_section[priv]]]
    if len(used) != len(rest):
        raise RuntimeError("dwelling stock smaller than the families of a section")
    dwelling[rest] = _match_by_size(
        rest, used, fam_section, fam_size, fam_poverty, dw_section, dw_surface, rng
    )
    return dwelling


def _match_by_size(
    fams: np.ndarray,
    dws: np.ndarray,
    fam_section: np.ndarray,
    fam_size: np.ndarray,
    fam_poverty: np.ndarray,
    dw_section: np.ndarray,
    dw_surface: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Pair families and dwellings of the same section by rank of need and surface (equal counts)."""
    need = (
        np.log(fam_size[fams])
        - POVERTY_SQUEEZE * fam_poverty[fams]
        + rng.normal(0, SIZE_MATCH_NOISE, len(fams))
    )
    f_sorted = np.lexsort((need, fam_section[fams]))
    d_sorted = np.lexsort((np.log(dw_surface[dws].astype(float)), dw_section[dws]))
    out = np.empty(len(fams), dtype=np.int64)
    out[f_sorted] = dws[d_sorted]
    return out
