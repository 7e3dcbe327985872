"""What pages and the API show: calls and projects with reach, coverage, spending, timeline and impact.

Every function takes ``exact``: False (the public, partners) applies disclosure control to every count of
people or families (see ``protect_count``); True (the municipality's analysts) gives exact counts. Shares,
spending per person and estimates derived from a suppressed count are suppressed with it.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from welfare_district.engine import Database
from welfare_district.errors import NotFoundError
from welfare_district.impact.estimate import COMPARISON_UNITS, NOTES
from welfare_district.impact.model import split_ids
from welfare_district.impact.monitoring import (
    Register,
    call_reach,
    coverage,
    project_reach,
    reach_by_area,
    read_register,
    services_involved,
    timeline,
)
from welfare_district.impact.outcomes import area_impact, person_impact
from welfare_district.impact.spec import rows_of
from welfare_district.privacy.disclosure import DisclosurePolicy

# Beneficiaries of social projects are social-care data (GDPR art. 9): the special threshold applies.
PEOPLE_THEME = "care"


def protect_count(value: int, policy: DisclosurePolicy, exact: bool) -> int | None:
    """An exact count, or for the public: None below the special threshold, else rounded to the base."""
    if exact:
        return int(value)
    if value < policy.special_threshold:
        return None
    base = policy.rounding_base
    return int(base * round(value / base))


def _num(value: Any) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def call_list(db: Database, policy: DisclosurePolicy, exact: bool, reg: Register | None = None) -> list[dict[str, Any]]:
    """Every call with its projects, budget and (protected) people and families reached."""
    reg = reg or read_register(db)
    out = []
    for r in rows_of(call_reach(db, reg)):
        people = protect_count(r.people, policy, exact)
        out.append({"call_id": r.call_id, "title": r.title, "budget_eur": float(r.budget_eur),
                    "target_group": r.target_group, "opens_on": r.opens_on.isoformat(),
                    "closes_on": r.closes_on.isoformat(), "projects": int(r.projects),
                    "funded_eur": float(r.funded_eur), "people": people,
                    "families": protect_count(r.families, policy, exact),
                    "eur_per_person": None if people is None else _num(r.funded_eur / people if people else None)})
    return out


def call_detail(db: Database, call_id: str, policy: DisclosurePolicy, exact: bool) -> dict[str, Any]:
    """One call with its target areas and its projects (NotFoundError for an unknown id)."""
    reg = read_register(db)
    calls = [c for c in call_list(db, policy, exact, reg) if c["call_id"] == call_id]
    if not calls:
        raise NotFoundError(f"unknown call {call_id!r}")
    row: Any = reg.calls.set_index("call_id").loc[call_id]
    projects = [p for p in project_list(db, policy, exact, reg) if p["call_id"] == call_id]
    return {**calls[0], "target_areas": split_ids(row["target_areas"]), "min_age": int(row["min_age"]),
            "max_age": int(row["max_age"]), "project_list": projects}


def project_list(db: Database, policy: DisclosurePolicy, exact: bool,
                 reg: Register | None = None) -> list[dict[str, Any]]:
    """Every project with reach, coverage and spending per person (counts protected unless ``exact``)."""
    reg = reg or read_register(db)
    reach = project_reach(db, reg).merge(coverage(db, reg), on="project_id", how="left")
    areas = reg.projects.set_index("project_id")["target_areas"]
    out = []
    for r in rows_of(reach):
        people = protect_count(r.people, policy, exact)
        reached = protect_count(r.reached_eligible, policy, exact) if r.reached_eligible == r.reached_eligible \
            else None
        eligible = protect_count(r.eligible, policy, exact) if r.eligible == r.eligible else None
        share = None if reached is None or not eligible else reached / eligible
        out.append({"project_id": r.project_id, "call_id": r.call_id, "title": r.title,
                    "lead_organisation_id": r.lead_organisation_id, "budget_eur": float(r.budget_eur),
                    "starts_on": r.starts_on.isoformat(), "ends_on": r.ends_on.isoformat(),
                    "target_areas": split_ids(areas[r.project_id]), "people": people,
                    "families": protect_count(r.families, policy, exact),
                    "unlinked": protect_count(r.unlinked, policy, exact),
                    "eligible": eligible, "reached_eligible": reached, "coverage": share,
                    "eur_per_person": None if not people else float(r.budget_eur) / people})
    return out


def project_detail(db: Database, project_id: str, policy: DisclosurePolicy, exact: bool) -> dict[str, Any]:
    """One project: its reach (also by zone), coverage, spending, services, monthly timeline."""
    reg = read_register(db)
    rows = [p for p in project_list(db, policy, exact, reg) if p["project_id"] == project_id]
    if not rows:
        raise NotFoundError(f"unknown project {project_id!r}")
    project: Any = reg.projects.set_index("project_id").loc[project_id]
    by_area = [{"area_id": a, "people": protect_count(n, policy, exact)}
               for a, n in rows_of(reach_by_area(db, project_id, reg=reg)[["area_id", "people"]])]
    services = services_involved(db, reg)
    services = services[services["project_id"] == project_id]
    line = timeline(db, project_id, reg)
    return {**rows[0], "partners": split_ids(project["partners"]),
            "services": [{"service_id": s, "referrals": protect_count(int(n), policy, exact)}
                         for s, n in rows_of(services[["service_id", "referrals"]])],
            "reach_by_zone": by_area,
            "timeline": [{"month": m, "activities": int(a), "hours": float(h), "participants": int(p),
                          "new_people": protect_count(int(n), policy, exact)}
                         for m, a, h, p, n in rows_of(line[["month", "activities", "hours", "participants",
                                                            "new_people"]])]}


def project_estimates(db: Database, project_id: str, policy: DisclosurePolicy, exact: bool) -> dict[str, Any]:
    """Both impact comparisons of a project; for the public, none based on fewer reached units than allowed."""
    reg = read_register(db)
    if project_id not in set(reg.projects["project_id"]):
        raise NotFoundError(f"unknown project {project_id!r}")
    from welfare_district.impact.cache import cached, version_token

    # the same two comparisons for every visitor of one register version: computed once, protected per visitor
    found = cached(db, version_token(db), ("estimates", project_id),
                   lambda: (area_impact(db, project_id, reg=reg), person_impact(db, project_id, reg=reg)))
    area, person = dict(found[0]), dict(found[1])
    if not exact and person["n_treated"] < policy.special_threshold:
        person = {**person, "estimate": None, "low": None, "high": None, "note": NOTES["not_published"],
                  "note_code": "not_published"}
    if not exact:
        person["n_treated"] = protect_count(person["n_treated"], policy, exact)
        person["n_comparison"] = protect_count(person["n_comparison"], policy, exact)
        person.pop("share_reached_still", None)
        # the comparison's wording names the pool's size: the same protection as n_comparison
        units = person["n_comparison"]
        person["params"] = {**person.get("params", {}), "units": units if units is not None else 0}
        counted = person.get("comparison_code") == "units"
        if counted and units is None:
            person["comparison"], person["comparison_code"] = "not-reached units: protected count", "units_protected"
            person["params"]["threshold"] = policy.special_threshold
        elif counted:
            person["comparison"] = COMPARISON_UNITS.format(units=units)
    return {"project_id": project_id, "area": area, "person": person}


def projects_frame(db: Database, policy: DisclosurePolicy, exact: bool) -> pd.DataFrame:
    """The project list as a table (for CSV exports), lists joined with ``|``."""
    rows = project_list(db, policy, exact)
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame["target_areas"] = frame["target_areas"].map("|".join)
    return frame
