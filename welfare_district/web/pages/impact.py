"""The register of actions pages: /impact (calls, projects, where the city acts over the IVSM map) and
/impact/projects/{id} (timeline, reach, coverage, overlap, spending, impact estimates).

Counts come from ``impact.views`` with ``exact`` only for principals allowed ``indicators.read_exact``; every
other visitor sees the disclosure-controlled figures the public API gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from welfare_district.access.policy import authorise, role_may
from welfare_district.engine import Database
from welfare_district.errors import NotFoundError
from welfare_district.impact import views
from welfare_district.impact.monitoring import overlap, read_register
from welfare_district.privacy.disclosure import DisclosurePolicy
from welfare_district.web import indicator_reads as reads
from welfare_district.web.deps import DatabaseDep, LanguageDep, PrincipalDep, ReadCacheDep
from welfare_district.web.figures_access import EXACT_ACTION, FiguresDep
from welfare_district.web.figures_impact import actions_legend, actions_svg, projects_by_area, timeline_svg
from welfare_district.web.figures_map import ClassMethod
from welfare_district.web.i18n import Language, translate
from welfare_district.web.pages.common import COMPOSITE_ID
from welfare_district.web.pages.map_view import MapQuery, _region, build_map_view, level_outlines
from welfare_district.web.read_cache import ReadCache
from welfare_district.web.svg_map import Legend
from welfare_district.web.templating import render

MAP_LEVEL = "zone"
ProjectId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


@dataclass(frozen=True)
class ActionsMap:
    """The actions map as the page shows it: the SVG, its legend, its caption and the year drawn."""

    svg: Markup
    legend: Legend
    caption: str
    year: int


def actions_map(db: Database, cache: ReadCache, lang: Language, root: str, figures: Any,
                projects: list[dict[str, Any]]) -> ActionsMap | None:
    """The IVSM composite classes by zone (latest year) with the projects' target zones outlined, drawn as SVG
    from the dashboard map's classes and outlines; None when the composite is not computed yet (the page then
    shows the lists only)."""
    years = reads.available_years(db, cache=cache)
    if not years:
        return None
    query = MapQuery(COMPOSITE_ID, MAP_LEVEL, max(years), ClassMethod.IVSM)
    try:
        view = build_map_view(db, query, lang, cache, root, protection=figures.protection)
    except NotFoundError:
        return None
    # the dashboard map's own regions (fills, hover rows) for the same classes; names stay off the zones
    regions = [_region(a, view.classes, lang, 2, names=False) for a in view.areas]
    fields = [("value", translate(lang, "hover_value")), ("class", translate(lang, "hover_class"))]
    caption = translate(lang, "impact_map_caption", year=query.year)
    svg = actions_svg(level_outlines(db, MAP_LEVEL, cache), regions, projects_by_area(projects), fields, lang,
                      title=translate(lang, "impact_map_title"), desc=caption)
    legend = view.legend or Legend(view.title)  # an SVG view always carries its legend; mypy cannot know
    return ActionsMap(svg, actions_legend(legend, lang), caption, query.year)


def overlaps_of(db: Database, project_id: str, policy: DisclosurePolicy, exact: bool) -> list[dict[str, Any]]:
    """The other projects sharing reached people with ``project_id``, the shared count protected."""
    frame = overlap(db, read_register(db))
    out = []
    for rec in frame.to_dict("records"):
        a, b = str(rec["project_id_a"]), str(rec["project_id_b"])
        if project_id in (a, b):
            out.append({"project_id": b if a == project_id else a,
                        "people": views.protect_count(int(rec["people"]), policy, exact)})
    return sorted(out, key=lambda r: r["project_id"])


def build_router() -> APIRouter:
    """The list page and the project page of the register of actions, and the report upload pages."""
    from welfare_district.web.pages import impact_upload

    router = APIRouter()
    router.include_router(impact_upload.build_router())

    def scope(request: Request, principal: Any) -> tuple[DisclosurePolicy, bool]:
        return (DisclosurePolicy.from_settings(request.app.state.settings),
                bool(authorise(principal, EXACT_ACTION)))

    @router.get("/impact", response_class=HTMLResponse, name="impact_page")
    def impact_page(request: Request, db: DatabaseDep, lang: LanguageDep, cache: ReadCacheDep,
                    figures: FiguresDep, principal: PrincipalDep) -> HTMLResponse:
        """Calls and projects (budget, period, target areas, protected reach) and the actions map."""
        policy, exact = scope(request, principal)
        reg = read_register(db)
        calls = views.call_list(db, policy, exact, reg)
        projects = views.project_list(db, policy, exact, reg)
        root = request.scope.get("root_path", "")
        context = {"calls": calls, "projects": projects, "exact": exact,
                   "threshold": policy.special_threshold,
                   "actions": actions_map(db, cache, lang, root, figures, projects) if projects else None,
                   "can_report": bool(role_may(principal, "activity.report"))}
        return render(request, "impact.html", lang, context, active="impact")

    @router.get("/impact/projects/{project_id}", response_class=HTMLResponse, name="impact_project_page")
    def impact_project_page(request: Request, project_id: ProjectId, db: DatabaseDep, lang: LanguageDep,
                            principal: PrincipalDep) -> HTMLResponse:
        """One project: timeline, reach by zone, coverage, overlaps, spending and impact estimates; 404 for an
        unknown id."""
        policy, exact = scope(request, principal)
        project = views.project_detail(db, project_id, policy, exact)
        estimates = views.project_estimates(db, project_id, policy, exact)
        context = {"project": project, "estimates": estimates, "exact": exact,
                   "threshold": policy.special_threshold,
                   "overlaps": overlaps_of(db, project_id, policy, exact),
                   "timeline_svg": timeline_svg(project["timeline"], lang) if project["timeline"] else None}
        return render(request, "impact_project.html", lang, context, active="impact")

    return router
