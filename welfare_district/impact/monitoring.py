"""Monitoring: who each call and project reached (distinct, after linkage), where, at what cost, and overlaps.

Counting rules. A person is counted once per project and once per call, however many rows or projects
report them (``person_ref``: the warehouse person or, when linkage found nobody, a keyed pseudonym). A
reached person is placed where the warehouse had them on the **baseline** snapshot (31 December before the
project started); their family is the family of that snapshot. People the registers do not hold (unlinked)
count as reached but have no area or family, which the figures say (``unlinked``).

Coverage is reached / eligible on the baseline snapshot, both restricted to the project's (or call's)
target areas and to the call's target group as the indicator library defines it (see impact.groups).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from welfare_district.engine import Database
from welfare_district.impact.groups import AREA_COLUMNS, group_status, in_areas, target_group
from welfare_district.impact.model import ensure_impact_tables, split_ids
from welfare_district.impact.spec import rows_of


@dataclass(frozen=True)
class Register:
    """The register of actions in memory: calls, projects, activities and beneficiaries (small tables)."""

    calls: pd.DataFrame
    projects: pd.DataFrame
    activities: pd.DataFrame
    beneficiaries: pd.DataFrame


def read_register(db: Database) -> Register:
    """Every row of the four tables; projects get ``baseline_year`` (the year before they start).

    Read once per warehouse and register version (impact.cache), as every page reads it several times:
    callers must not modify the frames.
    """
    from welfare_district.impact.cache import cached, version_token

    return cached(db, version_token(db), "register", lambda: _read_register(db))


def _read_register(db: Database) -> Register:
    t = ensure_impact_tables(db)
    frames = []
    with db.engine.connect() as conn:
        for table in (t.call, t.project, t.activity, t.beneficiary):
            rows = conn.execute(sa.select(table)).mappings().all()
            frame = pd.DataFrame(rows, columns=list(table.c.keys()))
            for column in table.c:
                if isinstance(column.type, sa.BigInteger):
                    # 64-bit person ids with nulls would become floats and lose their last digits
                    frame[column.name] = pd.array([r[column.name] for r in rows], dtype="Int64")
            frames.append(frame)
    calls, projects, activities, beneficiaries = frames
    projects["baseline_year"] = [d.year - 1 for d in projects["starts_on"]]
    return Register(calls, projects, activities, beneficiaries)


def placed_beneficiaries(db: Database, reg: Register) -> pd.DataFrame:
    """One row per (project, person_ref): the person's family and areas on the project's baseline snapshot.

    Columns: project_id, call_id, person_ref, person_id, family_id, age, section_id, zone_id, quartiere_id.
    Unlinked people, or people not resident on that snapshot, keep null family and areas. Read once per
    warehouse and register version (impact.cache): callers must not modify the frame.
    """
    from welfare_district.impact.cache import cached, version_token

    return cached(db, version_token(db), "placed", lambda: _placed(db, reg))


def _placed(db: Database, reg: Register) -> pd.DataFrame:
    ben = reg.beneficiaries.sort_values(["project_id", "person_ref", "reached_on"])
    ben = ben.drop_duplicates(["project_id", "person_ref"])[["project_id", "person_ref", "person_id", "age"]]
    ben = ben.merge(reg.projects[["project_id", "call_id", "baseline_year"]], on="project_id", how="left")
    ids = [int(i) for i in ben["person_id"].dropna().unique()]
    years = sorted({int(y) for y in ben["baseline_year"]})
    placed = pd.DataFrame(columns=["snapshot_year", "person_id", "family_id", *AREA_COLUMNS])
    if ids and years:
        import ibis

        p = db.ibis.table("wh_person")
        # a join with the ids as a table: an IN list of thousands of ids takes seconds to plan and run
        wanted = ibis.memtable({"person_id": pd.array(ids, dtype="int64")})
        placed = p.filter(p.snapshot_year.isin(years)).inner_join(wanted, "person_id").select(
            "snapshot_year", "person_id", "family_id", *AREA_COLUMNS).to_pyarrow().to_pandas()
    ben["person_id"] = ben["person_id"].astype("Int64")
    placed = placed.rename(columns={"snapshot_year": "baseline_year"})
    placed["person_id"] = placed["person_id"].astype("Int64")
    placed["family_id"] = placed["family_id"].astype("Int64")  # nullable after the merge, and 64-bit
    placed["baseline_year"] = placed["baseline_year"].astype("int64")
    ben["baseline_year"] = ben["baseline_year"].astype("int64")
    return ben.merge(placed, on=["person_id", "baseline_year"], how="left")


def project_reach(db: Database, reg: Register | None = None) -> pd.DataFrame:
    """Per project: people and families reached (distinct), unlinked people, budget and spending per person.

    ``eur_per_person`` is the project's budget over the distinct people it reached (null when nobody).
    """
    reg = reg or read_register(db)
    placed = placed_beneficiaries(db, reg)
    per = placed.groupby("project_id").agg(people=("person_ref", "nunique"),
                                           families=("family_id", "nunique"),
                                           unlinked=("person_id", lambda s: int(s.isna().sum())))
    out = reg.projects[["project_id", "call_id", "title", "lead_organisation_id", "budget_eur", "starts_on",
                        "ends_on"]].set_index("project_id").join(per).fillna({"people": 0, "families": 0,
                                                                               "unlinked": 0})
    out = out.astype({"people": "int64", "families": "int64", "unlinked": "int64"})
    out["eur_per_person"] = (out["budget_eur"] / out["people"]).where(out["people"] > 0)
    return out.reset_index().sort_values("project_id", ignore_index=True)


def call_reach(db: Database, reg: Register | None = None) -> pd.DataFrame:
    """Per call: projects, budget, and people and families reached counted once across its projects."""
    reg = reg or read_register(db)
    placed = placed_beneficiaries(db, reg)
    per = placed.groupby("call_id").agg(people=("person_ref", "nunique"), families=("family_id", "nunique"))
    projects = reg.projects.groupby("call_id").agg(projects=("project_id", "nunique"),
                                                   funded_eur=("budget_eur", "sum"))
    out = reg.calls[["call_id", "title", "budget_eur", "target_group", "opens_on", "closes_on"]].set_index(
        "call_id").join(projects).join(per).fillna({"projects": 0, "funded_eur": 0.0, "people": 0, "families": 0})
    out = out.astype({"projects": "int64", "people": "int64", "families": "int64"})
    out["eur_per_person"] = (out["funded_eur"] / out["people"]).where(out["people"] > 0)
    return out.reset_index().sort_values("call_id", ignore_index=True)


def reach_by_area(db: Database, project_id: str | None = None, level: str = "zone_id",
                  reg: Register | None = None) -> pd.DataFrame:
    """People reached per area of ``level`` (baseline placement) and project; ``unplaced`` for the rest."""
    reg = reg or read_register(db)
    placed = placed_beneficiaries(db, reg)
    if project_id is not None:
        placed = placed[placed["project_id"] == project_id]
    placed = placed.assign(area_id=placed[level].fillna("unplaced"))
    return (placed.groupby(["project_id", "area_id"])["person_ref"].nunique().rename("people")
            .reset_index().sort_values(["project_id", "area_id"], ignore_index=True))


def coverage(db: Database, reg: Register | None = None) -> pd.DataFrame:
    """Per project: eligible units in its target areas on the baseline snapshot, those reached, the share.

    Units are the call's target-group unit (families or persons). ``reached_eligible`` counts reached units
    that were in the group on the baseline snapshot and placed in the target areas.
    """
    from welfare_district.impact.cache import cached, version_token

    token = version_token(db)
    current = read_register(db)
    if reg is None or reg is current:
        # the same for every page of one register version, and the slowest monitoring read
        return cached(db, token, "coverage", lambda: _coverage(db, current))
    return _coverage(db, reg)


def _coverage(db: Database, reg: Register) -> pd.DataFrame:
    placed = placed_beneficiaries(db, reg)
    calls = reg.calls.set_index("call_id")
    rows = []
    status_cache: dict[tuple[str, int], pd.DataFrame] = {}
    for p in rows_of(reg.projects):
        call = calls.loc[p.call_id]
        group = target_group(str(call["target_group"]))
        key = (group.code, int(p.baseline_year))
        if key not in status_cache:
            status_cache[key] = group_status(db, group, [int(p.baseline_year)])
        status = status_cache[key]
        eligible = status[status["in_group"] & in_areas(status, split_ids(p.target_areas))]
        mine = placed[placed["project_id"] == p.project_id]
        units = set((mine["family_id"] if group.unit == "family" else mine["person_id"]).dropna().astype("int64"))
        reached = int(eligible["unit_id"].isin(units).sum())
        rows.append({"project_id": p.project_id, "target_group": group.code, "unit": group.unit,
                     "baseline_year": int(p.baseline_year), "eligible": len(eligible),
                     "reached_eligible": reached,
                     "coverage": reached / len(eligible) if len(eligible) else None})
    return pd.DataFrame(rows, columns=["project_id", "target_group", "unit", "baseline_year", "eligible",
                                       "reached_eligible", "coverage"])


def overlap(db: Database, reg: Register | None = None) -> pd.DataFrame:
    """Pairs of projects that reached the same people: project_a < project_b, people in common (> 0)."""
    reg = reg or read_register(db)
    pairs = reg.beneficiaries[["project_id", "person_ref"]].drop_duplicates()
    joined = pairs.merge(pairs, on="person_ref", suffixes=("_a", "_b"))
    joined = joined[joined["project_id_a"] < joined["project_id_b"]]
    out = joined.groupby(["project_id_a", "project_id_b"])["person_ref"].nunique().rename("people").reset_index()
    return out.sort_values(["people", "project_id_a", "project_id_b"], ascending=[False, True, True],
                           ignore_index=True)


def services_involved(db: Database, reg: Register | None = None) -> pd.DataFrame:
    """Per project and service it delivers: referrals to that service requested during the project's period."""
    reg = reg or read_register(db)
    rows = [(p.project_id, s, p.starts_on, p.ends_on) for p in rows_of(reg.projects)
            for s in split_ids(p.services)]
    frame = pd.DataFrame(rows, columns=["project_id", "service_id", "starts_on", "ends_on"])
    frame["referrals"] = 0
    if frame.empty or not sa.inspect(db.engine).has_table("referral"):
        return frame.drop(columns=["starts_on", "ends_on"])
    r = db.ibis.table("referral")
    refs = r.filter(r.service_id.isin(sorted(set(frame["service_id"])))).select(
        "service_id", "requested_at").to_pyarrow().to_pandas()
    refs["day"] = pd.to_datetime(refs["requested_at"], utc=True).dt.date
    # one join instead of a scan of every referral per (project, service) row
    joined = frame.reset_index().merge(refs[["service_id", "day"]], on="service_id")
    inside = joined[(joined["day"] >= joined["starts_on"]) & (joined["day"] <= joined["ends_on"])]
    frame["referrals"] = inside.groupby("index").size().reindex(frame.index, fill_value=0).astype("int64")
    return frame.drop(columns=["starts_on", "ends_on"])


def timeline(db: Database, project_id: str, reg: Register | None = None) -> pd.DataFrame:
    """Per month of a project's activities: activities, hours, participants and people first reached."""
    reg = reg or read_register(db)
    acts = reg.activities[reg.activities["project_id"] == project_id]
    ben = reg.beneficiaries[reg.beneficiaries["project_id"] == project_id]
    first = ben.sort_values("reached_on").drop_duplicates("person_ref")
    month_a = pd.Series([f"{d:%Y-%m}" for d in acts["activity_date"]], index=acts.index, dtype=object)
    month_b = pd.Series([f"{d:%Y-%m}" for d in first["reached_on"]], index=first.index, dtype=object)
    a = acts.groupby(month_a).agg(activities=("kind", "size"), hours=("hours", "sum"),
                                  participants=("participants", "sum"))
    b = first.groupby(month_b).size().rename("new_people")
    out = a.join(b, how="outer").fillna(0)
    out.index.name = "month"
    return out.astype({"activities": "int64", "participants": "int64", "new_people": "int64"}).reset_index()
