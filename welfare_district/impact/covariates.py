"""What the municipality's registers show about each unit on the baseline snapshot, for the person-level comparison.

Projects do not reach a random slice of their target group: they work in the neediest areas and take in the
families that are there, and those families tend to stay in hardship longer (poorer neighbourhoods, adults
further from work, long spells). Comparing them with the group's other units as a whole, or within a coarse
stratum, makes a project look harmful when it did nothing. The comparison therefore adjusts for the baseline
facts below, all read from the warehouse snapshots on or before the baseline (nothing observed after it):

- ``prev1``, ``prev2``: the unit was in the target group one and two snapshots before the baseline (a long
  spell predicts a long spell); left out when those snapshots do not exist;
- ``zone_rate``: its zone's share of units in the group on the baseline (how needy the neighbourhood is);
- ``age``: the person's age, for families the head's;
- ``adults_idle``, ``adults_unemployed``: members aged 18-64 neither working, retired nor studying, and those
  of them registered as unemployed (looking for work);
- ``education``: the highest education of the members aged 18-64 (0 none ... 5 tertiary);
- ``foreign``: the person (for families the head) is not an Italian citizen;
- ``social_case``: a member has a social-services case recorded on the baseline snapshot;
- ``isee``: log(1 + ISEE in euro) of the family's declaration, 0 without one.

Allowances and whether an ISEE was declared were tried too and left out: on the synthetic city they did not
predict the outcome, and every extra term widens the interval of a small comparison pool.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from welfare_district.engine import Database
from welfare_district.impact.groups import TargetGroup, group_status

EDUCATION_RANK = {"none_illiterate": 0, "none_literate": 1, "primary": 2, "lower_secondary": 3,
                  "upper_secondary": 4, "tertiary": 5}
# ordered by how much they predict staying in the group on the synthetic city (a small pool keeps the first)
COVARIATES = ("prev1", "adults_unemployed", "zone_rate", "education", "foreign", "prev2", "adults_idle", "age",
              "social_case", "isee")


def snapshot_years(db: Database) -> set[int]:
    """The years of the stored warehouse snapshots."""
    snaps = db.ibis.table("wh_snapshot").select("snapshot_year").to_pyarrow().to_pandas()
    return set(snaps["snapshot_year"].astype(int))


def baseline_covariates(db: Database, group: TargetGroup, base: int) -> pd.DataFrame:
    """One row per unit in the group on the ``base`` snapshot (index unit_id): the COVARIATES available.

    Guarantees: every value is known on or before the baseline snapshot; no missing values (a unit without
    a register entry counts 0, a missing education the median); the columns ``prev1``/``prev2`` are left out
    when the earlier snapshot is not stored. Read once per warehouse and register version (impact.cache):
    callers must not modify the frame.
    """
    from welfare_district.impact.cache import cached, version_token

    return cached(db, version_token(db), ("covariates", group.code, base),
                  lambda: _baseline_covariates(db, group, base))


def _baseline_covariates(db: Database, group: TargetGroup, base: int) -> pd.DataFrame:
    years = snapshot_years(db)
    earlier = [y for y in (base - 1, base - 2) if y in years]
    status = group_status(db, group, sorted({base, *earlier}))
    now = status[status["snapshot_year"] == base].drop_duplicates("unit_id")
    ids = pd.Index(now.loc[now["in_group"], "unit_id"].to_numpy(), name="unit_id")
    out = pd.DataFrame(index=ids)
    for lag, year in ((1, base - 1), (2, base - 2)):
        if year in earlier:
            was = status[(status["snapshot_year"] == year) & status["in_group"]]["unit_id"]
            out[f"prev{lag}"] = ids.isin(set(was)).astype(float)
    rate = now.dropna(subset=["zone_id"]).groupby("zone_id")["in_group"].mean()
    here = now.set_index("unit_id").reindex(ids)
    out["zone_rate"] = here["zone_id"].map(rate).astype(float).fillna(float(now["in_group"].mean()))
    out["age"] = here["age"].astype(float).fillna(float(here["age"].median() if here["age"].notna().any() else 0))
    return out.join(_register_facts(db, base, "family_id" if group.unit == "family" else "person_id", ids))


def _register_facts(db: Database, base: int, key: str, ids: pd.Index) -> pd.DataFrame:
    """Members' work, education and citizenship, cases and ISEE per unit on the baseline snapshot."""
    t = db.ibis.table("wh_person")
    people = t.filter(t.snapshot_year == base).select(
        "person_id", "family_id", "relation", "age", "citizenship", "education",
        "labour_status").to_pyarrow().to_pandas()
    # a person unit is described by its own family's circumstances too (ISEE, cases are per family)
    family_of = people.drop_duplicates("person_id").set_index("person_id")["family_id"]
    if key == "person_id":
        unit_family = pd.Series(family_of.reindex(ids).to_numpy(), index=ids)
        members = people[people["person_id"].isin(set(ids))].assign(unit_id=lambda f: f["person_id"])
    else:
        unit_family = pd.Series(ids.to_numpy(), index=ids)
        members = people[people["family_id"].isin(set(ids))].assign(unit_id=lambda f: f["family_id"])
    adult = (members["age"] >= 18) & (members["age"] <= 64)
    status = members["labour_status"]
    members = members.assign(
        idle=adult & ~status.isin(["employed", "retired", "student"]),
        unemployed=adult & (status == "unemployed"),
        edu=members["education"].map(EDUCATION_RANK).where(adult),
        alien=(members["citizenship"].fillna("IT") != "IT")
        & ((members["relation"] == "head") | (key == "person_id")))
    g = members.groupby("unit_id")
    facts = pd.DataFrame({"adults_idle": g["idle"].sum(), "adults_unemployed": g["unemployed"].sum(),
                          "education": g["edu"].max(), "foreign": g["alien"].max()}).reindex(ids)
    facts["education"] = facts["education"].fillna(facts["education"].median()).fillna(0.0)
    facts = facts.fillna(0.0).astype(float)
    cases = db.ibis.table("wh_case")
    open_cases = set(cases.filter(cases.snapshot_year == base).select("family_id").to_pyarrow().to_pandas()
                     ["family_id"].dropna().astype("int64"))
    facts["social_case"] = unit_family.isin(open_cases).astype(float).to_numpy()
    isee_t = db.ibis.table("wh_isee")
    isee = (isee_t.filter(isee_t.snapshot_year == base).select("family_id", "isee_eur").to_pyarrow().to_pandas()
            .dropna(subset=["family_id"]).drop_duplicates("family_id").set_index("family_id")["isee_eur"])
    declared = unit_family.map(isee)
    facts["isee"] = np.log1p(declared.fillna(0.0).clip(lower=0.0).to_numpy(float))
    return facts
