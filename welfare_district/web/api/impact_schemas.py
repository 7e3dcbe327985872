"""Response models of the register-of-actions API (calls, projects, impact estimates)."""

from __future__ import annotations

from pydantic import BaseModel, Field

COUNT_NOTE = "null: below the disclosure threshold (public answers are rounded to the rounding base)"


class CallOut(BaseModel):
    """A call for proposals with what its projects reached (people counted once across projects)."""

    call_id: str
    title: str
    budget_eur: float
    target_group: str
    opens_on: str
    closes_on: str
    projects: int
    funded_eur: float
    people: int | None = Field(description=COUNT_NOTE)
    families: int | None = Field(description=COUNT_NOTE)
    eur_per_person: float | None


class ProjectOut(BaseModel):
    """A funded project: reach, coverage of the eligible population of its areas, spending per person."""

    project_id: str
    call_id: str
    title: str
    lead_organisation_id: str
    budget_eur: float
    starts_on: str
    ends_on: str
    target_areas: list[str]
    people: int | None = Field(description=COUNT_NOTE)
    families: int | None = Field(description=COUNT_NOTE)
    unlinked: int | None = Field(description="people the registers do not hold; " + COUNT_NOTE)
    eligible: int | None = Field(description="units of the call's target group in the target areas on the "
                                             "baseline snapshot; " + COUNT_NOTE)
    reached_eligible: int | None = Field(description=COUNT_NOTE)
    coverage: float | None = Field(description="reached_eligible / eligible")
    eur_per_person: float | None


class CallDetailOut(CallOut):
    """A call with its areas, age range and projects."""

    target_areas: list[str]
    min_age: int
    max_age: int
    project_list: list[ProjectOut]


class AreaCount(BaseModel):
    """People reached living in one area on the baseline snapshot."""

    area_id: str
    people: int | None


class ServiceCount(BaseModel):
    """A directory service the project delivers, with referrals to it during the project."""

    service_id: str
    referrals: int | None


class MonthOut(BaseModel):
    """One month of a project's timeline."""

    month: str
    activities: int
    hours: float
    participants: int
    new_people: int | None


class ProjectDetailOut(ProjectOut):
    """A project with partners, services, reach by zone and timeline."""

    partners: list[str]
    services: list[ServiceCount]
    reach_by_zone: list[AreaCount]
    timeline: list[MonthOut]


class EstimateOut(BaseModel):
    """One comparison: the difference, its 95% interval, and how it was made."""

    project_id: str
    level: str = Field(description="area (difference in differences) or person (regression-adjusted comparison)")
    outcome: str
    estimate: float | None
    low: float | None
    high: float | None
    n_treated: int | None
    n_comparison: int | None
    method: str
    comparison: str
    note: str
    method_code: str = Field("", description="stable code of the method: did_bootstrap or regression_adjusted")
    years: list[int] | None = Field(description="baseline and follow-up snapshot years")
    comparison_areas: list[str] | None = None
    matched_on: list[str] | None = None
    wording_it: str | None = None
    wording_en: str | None = None


class ImpactOut(BaseModel):
    """Both comparisons of a project; neither is proof that the project caused the difference."""

    project_id: str
    area: EstimateOut
    person: EstimateOut
