"""What changed where a project acted: the area-level and person-level comparisons on the warehouse.

Years. Baseline: the snapshot of 31 December before the project started. Follow-up: the snapshot of the
year after the project ended ("a year later"). No estimate is made when either snapshot is missing.

Area level (``area_impact``): the outcome indicator (default: the call group's indicator) in the project's
target areas against comparison areas at the same level that no project for the same target group
targeted between baseline and follow-up, chosen as the ``k`` nearest neighbours of each target area on
the standardised baseline values of the IVSM components and the outcome (estimate.nearest_areas). Projects
choose the neediest areas, whose values then drift back towards the mean whatever the project does, and no
comparable area is left for them: estimate.did_rtm corrects by the drift measured over the areas of the
same level in the earlier period of the same length (baseline minus that length to baseline, areas with no
project for the group then). Without that earlier snapshot, estimate.did (bootstrap, uncorrected).

Person level (``person_impact``): units (families or persons, as the call's group counts) reached by the
project and in the target group on the baseline snapshot, against units in the group on the baseline that
no project reached; outcome: still in the group on the follow-up snapshot (1) or not (0); units no longer
resident are left out on both sides. Projects choose needy areas and take in the families there, who stay
in hardship longer whatever the project does, so the comparison adjusts for what the registers show about
every unit on the baseline and before it (impact.covariates: earlier spells in the group, the zone's need,
adults out of work or unemployed, education, citizenship, social-services cases, ISEE), by a
linear model fitted on the units no project reached (estimate.adjusted_difference).

Neither design proves causation: they compare with similar areas or people that were not reached, and
differences in what the registers do not show (motivation, other help) remain possible.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pandas as pd

from welfare_district.engine import Database
from welfare_district.impact.covariates import COVARIATES, baseline_covariates
from welfare_district.impact.estimate import (
    METHOD_ADJUSTED,
    METHOD_DID,
    METHOD_RTM,
    NOTES,
    Estimate,
    adjusted_difference,
    did,
    did_rtm,
    nearest_areas,
)
from welfare_district.impact.groups import group_status, target_group
from welfare_district.impact.model import split_ids
from welfare_district.impact.monitoring import Register, placed_beneficiaries, read_register
from welfare_district.impact.spec import rows_of
from welfare_district.indicators.library import IVSM_COMPONENTS
from welfare_district.indicators.store import read_values

WORDING_IT = ("Confronto descrittivo con aree e persone simili non raggiunte: indica una differenza associata "
              "al progetto, non ne dimostra la causa.")
WORDING_EN = ("A descriptive comparison with similar areas and people that were not reached: it shows a "
              "difference associated with the project, it does not prove the project caused it.")


def _years(db: Database, project: pd.Series) -> tuple[int, int] | None:
    snaps = db.ibis.table("wh_snapshot").select("snapshot_year").to_pyarrow().to_pandas()
    years = set(snaps["snapshot_year"].astype(int))
    base, follow = int(project["starts_on"].year) - 1, int(project["ends_on"].year) + 1
    return (base, follow) if base in years and follow in years else None


def area_impact(db: Database, project_id: str, *, outcome: str | None = None, k: int = 3, seed: int = 0,
                reg: Register | None = None) -> dict[str, Any]:
    """The area-level comparison of one project: estimate (indicator points), interval, areas, method."""
    reg = reg or read_register(db)
    project = _project(reg, project_id)
    group = target_group(str(reg.calls.set_index("call_id").loc[project["call_id"], "target_group"]))
    indicator = outcome or group.indicator_id
    years = _years(db, project)
    info: dict[str, Any] = {"project_id": project_id, "level": "area", "outcome": indicator}
    if years is None:
        return {**info, **asdict(_none("did_rtm", "snapshot_missing")), "years": None}
    base, follow = years
    gap = follow - base
    targets = split_ids(project["target_areas"])
    values = read_values(db, indicator_ids=sorted({indicator, *IVSM_COMPONENTS}), years=[base - gap, base, follow])
    level_rows = values[values["area_id"].isin(targets)]
    if level_rows.empty:
        return {**info, **asdict(_none("did_rtm", "no_area_values")), "years": [base, follow]}
    level = str(level_rows["level"].iloc[0])
    values = values[values["level"] == level]
    # areas another project for the same group worked in over the same years are no comparison
    busy = _busy(reg, group.code, base - 1, follow + 1)
    wide = values[values["year"] == base].pivot_table(index="area_id", columns="indicator_id", values="value")
    candidates = sorted(set(wide.index) - busy)
    comparison = nearest_areas(wide, targets, candidates, k)
    out = values[values["indicator_id"] == indicator].pivot_table(index="area_id", columns="year",
                                                                   values="value")
    changes = (out[follow] - out[base]) if follow in out and base in out else pd.Series(dtype=float)
    if base - gap in out and base in out:
        # the earlier period of the same length, in areas no project for the group touched then
        quiet = out.index.difference(sorted(_busy(reg, group.code, base - gap, base)))
        history = pd.DataFrame({"level": out.loc[quiet, base - gap], "change": out.loc[quiet, base]
                                - out.loc[quiet, base - gap]})
        est = did_rtm(changes, out[base], targets, comparison, history)
    else:
        est = did(changes, targets, comparison, seed=seed)
    return {**info, **asdict(est), "years": [base, follow], "area_level": level, "target_areas": targets,
            "comparison_areas": comparison,
            "matched_on": sorted(wide.columns.tolist()), "unit": "indicator points (per 100)",
            "wording_it": WORDING_IT, "wording_en": WORDING_EN}


def person_impact(db: Database, project_id: str, *, seed: int = 0, reg: Register | None = None,
                  placed: pd.DataFrame | None = None) -> dict[str, Any]:
    """The person-level comparison of one project: share still in the group a year later, reached minus matched."""
    reg = reg or read_register(db)
    project = _project(reg, project_id)
    group = target_group(str(reg.calls.set_index("call_id").loc[project["call_id"], "target_group"]))
    years = _years(db, project)
    info: dict[str, Any] = {"project_id": project_id, "level": "person", "outcome": f"still in {group.code}",
                            "unit": group.unit}
    if years is None:
        return {**info, **asdict(_none("regression_adjusted", "snapshot_missing")), "years": None}
    base, follow = years
    placed = placed_beneficiaries(db, reg) if placed is None else placed
    key = "family_id" if group.unit == "family" else "person_id"
    mine = set(placed.loc[placed["project_id"] == project_id, key].dropna().astype("int64"))
    anyone = set(placed[key].dropna().astype("int64"))
    status = group_status(db, group, [base, follow])
    before = status[(status["snapshot_year"] == base) & status["in_group"]].drop_duplicates("unit_id")
    after = status[status["snapshot_year"] == follow].drop_duplicates("unit_id").set_index("unit_id")["in_group"]
    before = before[before["unit_id"].isin(after.index)]
    covariates = baseline_covariates(db, group, base)
    used = [c for c in COVARIATES if c in covariates.columns]
    ids = before["unit_id"].to_numpy()
    frame = covariates.reindex(ids)[used].reset_index(drop=True).assign(
        unit_id=ids, outcome=before["unit_id"].map(after).astype(float).to_numpy(),
        cluster=before["zone_id"].fillna("?").to_numpy())
    treated = frame[frame["unit_id"].isin(mine)]
    # units reached by any project are no comparison, whatever the project (they got help too)
    pool = frame[~frame["unit_id"].isin(anyone)]
    est = adjusted_difference(treated, pool, used)
    return {**info, **asdict(est), "years": [base, follow], "matched_on": ["in the group on the baseline", *used],
            "share_reached_still": float(treated["outcome"].mean()) if len(treated) else None,
            "wording_it": WORDING_IT, "wording_en": WORDING_EN}


def project_impact(db: Database, project_id: str, *, seed: int = 0) -> dict[str, Any]:
    """Both comparisons of one project (area and person level), each with method, comparison, interval."""
    reg = read_register(db)
    return {"project_id": project_id, "area": area_impact(db, project_id, seed=seed, reg=reg),
            "person": person_impact(db, project_id, seed=seed, reg=reg)}


def _busy(reg: Register, group_code: str, first: int, last: int) -> set[str]:
    """Target areas of the projects for ``group_code`` active in any year from ``first`` to ``last``."""
    groups = reg.calls.set_index("call_id")["target_group"]
    return {a for p in rows_of(reg.projects) if groups[p.call_id] == group_code
            and p.starts_on.year <= last and p.ends_on.year >= first for a in split_ids(p.target_areas)}


def _none(method_code: str, note_code: str) -> Estimate:
    """No estimate, with its method and the reason, in words and in codes."""
    params = {"reps": 2000, "areas": 0, "history": 0, "covariates": 0, "units": 0}
    method = {"did_bootstrap": METHOD_DID, "did_rtm": METHOD_RTM}.get(method_code, METHOD_ADJUSTED).format(**params)
    return Estimate(None, None, None, 0, 0, method, "none", NOTES[note_code], method_code, "none", note_code, params)


def _project(reg: Register, project_id: str) -> pd.Series:
    from welfare_district.errors import NotFoundError

    rows = reg.projects[reg.projects["project_id"] == project_id]
    if rows.empty:
        raise NotFoundError(f"unknown project {project_id!r}")
    return rows.iloc[0]
