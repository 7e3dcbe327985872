"""/api/v1/calls, /calls/{id}, /projects, /projects/{id}, /projects/{id}/impact and /exports/projects.csv.

Public and partners get disclosure-controlled counts (welfare_district.impact.views.protect_count);
principals allowed ``indicators.read_exact`` (the municipality's analysts) get exact ones. Partners import
their own projects' reports through ``welfare impact import`` or ``impact.importer.import_reports`` with
their principal, which checks ``activity.report`` on each project's organisations.
"""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from welfare_district.access.policy import authorise
from welfare_district.impact import views
from welfare_district.privacy.disclosure import DisclosurePolicy
from welfare_district.web.api.impact_schemas import CallDetailOut, CallOut, ImpactOut, ProjectDetailOut, ProjectOut
from welfare_district.web.api.schemas import ErrorResponse
from welfare_district.web.deps import DatabaseAccessDep, PrincipalDep, SettingsDep

_FIGURES = "indicators.read_protected"
# The app's route -> action table learns these routes when the router is built (fail closed otherwise).
ROUTE_ACTIONS: dict[str, str | None] = {
    "GET /api/v1/calls": _FIGURES,
    "GET /api/v1/calls/{call_id}": _FIGURES,
    "GET /api/v1/projects": _FIGURES,
    "GET /api/v1/projects/{project_id}": _FIGURES,
    "GET /api/v1/projects/{project_id}/impact": _FIGURES,
    "GET /api/v1/exports/projects.csv": _FIGURES,
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "Unknown call or project."},
    503: {"model": ErrorResponse, "description": "Database unavailable."},
}
IdPath = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


def build_router() -> APIRouter:
    """The register-of-actions routes; registers their actions in web.auth_routes.ROUTE_ACTIONS."""
    from welfare_district.web.auth_routes import ROUTE_ACTIONS as APP_ACTIONS

    APP_ACTIONS.update(ROUTE_ACTIONS)
    router = APIRouter(tags=["impact"])

    def scope(principal: PrincipalDep, settings: SettingsDep) -> tuple[DisclosurePolicy, bool]:
        return DisclosurePolicy.from_settings(settings), bool(authorise(principal, "indicators.read_exact"))

    @router.get("/calls", response_model=list[CallOut], responses=_ERRORS, summary="Calls for proposals")
    def list_calls(access: DatabaseAccessDep, principal: PrincipalDep, settings: SettingsDep) -> Any:
        """Every call with its projects, funding and people and families reached (counted once)."""
        policy, exact = scope(principal, settings)
        with access.use() as db:
            return views.call_list(db, policy, exact)

    @router.get("/calls/{call_id}", response_model=CallDetailOut, responses=_ERRORS, summary="One call")
    def get_call(call_id: IdPath, access: DatabaseAccessDep, principal: PrincipalDep, settings: SettingsDep) -> Any:
        """One call with its target areas, age range and projects."""
        policy, exact = scope(principal, settings)
        with access.use() as db:
            return views.call_detail(db, call_id, policy, exact)

    @router.get("/projects", response_model=list[ProjectOut], responses=_ERRORS, summary="Projects")
    def list_projects(access: DatabaseAccessDep, principal: PrincipalDep, settings: SettingsDep) -> Any:
        """Every project with reach, coverage of the eligible population and spending per person reached."""
        policy, exact = scope(principal, settings)
        with access.use() as db:
            return views.project_list(db, policy, exact)

    @router.get("/projects/{project_id}", response_model=ProjectDetailOut, responses=_ERRORS,
                summary="One project")
    def get_project(project_id: IdPath, access: DatabaseAccessDep, principal: PrincipalDep,
                    settings: SettingsDep) -> Any:
        """One project: reach (also by zone), coverage, spending, services and referrals, monthly timeline."""
        policy, exact = scope(principal, settings)
        with access.use() as db:
            return views.project_detail(db, project_id, policy, exact)

    @router.get("/projects/{project_id}/impact", response_model=ImpactOut, responses=_ERRORS,
                summary="Impact estimates of one project")
    def get_impact(project_id: IdPath, access: DatabaseAccessDep, principal: PrincipalDep,
                   settings: SettingsDep) -> Any:
        """Area-level difference in differences and person-level regression-adjusted comparison, each with its method,
        comparison group and 95% interval. Descriptive comparisons, not proof of cause."""
        policy, exact = scope(principal, settings)
        with access.use() as db:
            return views.project_estimates(db, project_id, policy, exact)

    @router.get("/exports/projects.csv", responses=_ERRORS, summary="Projects as CSV",
                response_class=Response)
    def export_projects(access: DatabaseAccessDep, principal: PrincipalDep, settings: SettingsDep) -> Response:
        """The project list as CSV (UTF-8, comma separated), protected like /projects."""
        policy, exact = scope(principal, settings)
        with access.use() as db:
            frame = views.projects_frame(db, policy, exact)
        buf = io.StringIO()
        frame.to_csv(buf, index=False)
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="projects.csv"'})

    return router
