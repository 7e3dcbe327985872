"""The 31 December picture of the state: person_year and family_year rows (local ids)."""

from __future__ import annotations

import numpy as np

from welfare_district.synth import attributes as attr
from welfare_district.synth.rng import stream
from welfare_district.synth.state import CHILD, HEAD, PARTNER, SPOUSE, State, year_of

# schema.FAMILY_TYPE indices
ONE_PERSON, COUPLE_NO_CHILDREN, COUPLE_WITH_CHILDREN, SINGLE_PARENT, OTHER_TYPE = range(5)
# parents providing for children work more: lone parents most (shift of the labour index)
LONE_PARENT_BOOST, PARENT_BOOST = 0.7, 0.25


def family_type(family: np.ndarray, relation: np.ndarray, n_families: int) -> np.ndarray:
    """FAMILY_TYPE index per family from its members' relations to the head."""
    size = np.bincount(family, minlength=n_families)
    partners = np.bincount(family, weights=(relation == SPOUSE) | (relation == PARTNER), minlength=n_families)
    kids = np.bincount(family, weights=relation == CHILD, minlength=n_families)
    others = size - 1 - partners - kids
    return np.select(
        [
            size == 1,
            (partners == 1) & (kids == 0) & (others == 0),
            (partners == 1) & (kids > 0) & (others == 0),
            (partners == 0) & (kids > 0) & (others == 0),
        ],
        [ONE_PERSON, COUPLE_NO_CHILDREN, COUPLE_WITH_CHILDREN, SINGLE_PARENT],
        OTHER_TYPE,
    ).astype(np.int8)


def take_snapshot(state: State, year: int, seed: int, chunk: str) -> dict[str, dict[str, np.ndarray]]:
    """Rows of person_year and family_year for ``year`` (local ids), also kept on ``state``."""
    p, f = state.persons, state.families
    pres = np.flatnonzero(p.present & (p.family >= 0))
    age = (year - year_of(p.birth[pres])).astype(np.int64)
    # one shock per person and year, drawn for every person ever created so the draw does not depend
    # on who is present
    shock = stream(seed, chunk, "labour", year).normal(size=len(p))[pres]
    foreign = p.country[pres] >= 0
    n_f = len(f)
    fam = p.family[pres]
    rel = p.relation[pres]
    ftype = family_type(fam, rel, n_f)
    kids = np.bincount(fam, weights=rel == CHILD, minlength=n_f) > 0
    parent = kids[fam] & np.isin(rel, [HEAD, SPOUSE, PARTNER])
    boost = np.where(
        parent & (ftype[fam] == SINGLE_PARENT), LONE_PARENT_BOOST, np.where(parent, PARENT_BOOST, 0.0)
    )
    labour = attr.labour_status(
        age,
        p.sex[pres],
        foreign,
        p.edu_end_age[pres],
        p.retire_age[pres],
        p.never_worked[pres],
        p.work_z[pres],
        shock,
        boost,
    )
    person = {
        "person": pres,
        "family": p.family[pres],
        "relation": p.relation[pres],
        "dwelling": f.dwelling[p.family[pres]],
        "education": attr.education_at(p.edu_final[pres], p.edu_end_age[pres], age),
        "labour": labour,
        "disability": attr.disability_allowance(age, p.frailty[pres]),
        "care": attr.care_allowance(age, p.frailty[pres]),
        "age": age,
    }
    size = np.bincount(person["family"], minlength=n_f)
    fams = np.flatnonzero(size > 0)
    head_of = np.full(n_f, -1, dtype=np.int64)
    is_head = person["relation"] == HEAD
    head_of[person["family"][is_head]] = pres[is_head]
    family = {
        "family": fams,
        "head": head_of[fams],
        "size": size[fams],
        "type": ftype[fams],
        "dwelling": f.dwelling[fams],
        "tenure": f.tenure[fams],
    }
    snap = {"person": person, "family": family}
    state.snapshots.append({"year": np.array([year]), **person})
    state.family_snapshots.append({"year": np.array([year]), **family})
    return snap
