"""The public service directory pages: /services (search with filters, map and list) and /services/{id}.

Both are open to everyone (``services.read``); they answer from the in-memory directory index, holding the
database only for its version check, the quartieri outlines and the referral figures (disclosure-controlled
unless the principal may read exact figures: web.pages.services_figures).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from shapely.errors import GEOSException

from welfare_district.directory.index import get_index
from welfare_district.directory.search import find_services, paginate
from welfare_district.directory.taxonomy import NEEDS
from welfare_district.engine import Database
from welfare_district.errors import InputError, NotFoundError
from welfare_district.geo.store import read_areas_geojson
from welfare_district.web.areas import DISPLAY_TOLERANCE, AreaLevel, list_areas
from welfare_district.web.deps import DatabaseAccessDep, LanguageDep, PrincipalDep, ReadCacheDep
from welfare_district.web.figures import figure_payload
from welfare_district.web.pages.services_figures import referral_rows
from welfare_district.web.pages.services_view import (
    SearchForm,
    need_choices,
    organisation_choices,
    result_row,
    service_detail,
    services_map,
)
from welfare_district.web.read_cache import ReadCache, cached
from welfare_district.web.templating import render
from welfare_district.web.vendor import PLOTLY_JS_PATH, TOPOJSON_PATH, vendor_url

log = logging.getLogger(__name__)
PER_PAGE = 20
IdText = Annotated[str | None, Query(max_length=64)]


def parse_form(need: str | None, text: str | None, organization: str | None, area: str | None,
               active: str | None, page: int) -> SearchForm:
    """The search filters, blanks dropped; InputError naming the filter for an unknown need or a bad page."""
    need = (need or "").strip() or None
    if need is not None and need not in NEEDS:
        raise InputError(f"unknown need {need[:64]!r}; expected one of {', '.join(NEEDS)}", field="need")
    if page < 1 or page > 10_000:
        raise InputError("page must be between 1 and 10000", field="page")
    return SearchForm(need, (text or "").strip()[:200] or None, (organization or "").strip() or None,
                      (area or "").strip() or None, active != "0", page)


def quartiere_outlines(db: Database) -> list[dict[str, Any]]:
    """The quartieri as GeoJSON features (id and name only) for the map; none when the stored geometries
    cannot be read, so the map still shows the service locations."""
    try:
        outlines = read_areas_geojson(db, AreaLevel.QUARTIERE.value,
                                      simplify_tolerance=DISPLAY_TOLERANCE[AreaLevel.QUARTIERE])["features"]
    except GEOSException:
        log.warning("quartiere geometries unreadable: the services map shows locations only")
        return []
    return [{"type": "Feature", "id": f["properties"]["area_id"], "geometry": f["geometry"],
             "properties": {"area_id": f["properties"]["area_id"], "name": f["properties"]["name"]}}
            for f in outlines]


def quartieri(db: Database, cache: ReadCache) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The quartieri outlines and names, kept in the read cache until the stored areas or figures change
    (reading and simplifying the shapes costs more than the rest of the search page)."""
    def build() -> tuple[list[dict[str, Any]], dict[str, str]]:
        return quartiere_outlines(db), {a.area_id: a.name for a in list_areas(db, AreaLevel.QUARTIERE)}

    return cached(cache, db, ("services_quartieri",), build)


def build_router() -> APIRouter:
    """The search and detail pages of the service directory."""
    router = APIRouter()

    @router.get("/services", response_class=HTMLResponse, name="services_page")
    def services_page(request: Request, access: DatabaseAccessDep, lang: LanguageDep, principal: PrincipalDep,
                      cache: ReadCacheDep,
                      need: IdText = None, text: Annotated[str | None, Query(max_length=200)] = None,
                      organization: IdText = None, area: IdText = None,
                      active: Annotated[str | None, Query(max_length=1)] = None, page: int = 1) -> HTMLResponse:
        """Services passing the filters (need, words, organisation, quartiere, only active), on a map and in a
        paginated list, and the referral figures per quartiere and service."""
        form = parse_form(need, text, organization, area, active, page)
        threshold = request.app.state.settings.disclosure_threshold
        with access.use() as db:
            index = get_index(db)
            outlines, names = quartieri(db, cache)
            figures, exact = referral_rows(db, index, principal, threshold, names)
        found = find_services(index, taxonomy_term=form.need, query=form.text, organization_id=form.organization_id,
                              area_id=form.area_id, status="active" if form.active_only else None)
        listing = paginate([result_row(e, index, lang) for e in found], form.page, PER_PAGE) if found else \
            paginate([], 1, PER_PAGE)
        root = request.scope.get("root_path", "")
        context: dict[str, Any] = {
            "form": form, "needs": need_choices(lang), "organisations": organisation_choices(index),
            "quartieri": sorted(names.items(), key=lambda pair: pair[1]), "listing": listing,
            "total_services": len(index.services), "figures": figures, "figures_exact": exact,
            "threshold": threshold, "located": sum(1 for e in found for p in e.places if p.lat is not None),
            "figure_json": figure_payload(services_map(found, outlines, lang), topojson_url=root + TOPOJSON_PATH),
            "plotly_url": vendor_url(request, PLOTLY_JS_PATH),
        }
        return render(request, "services.html", lang, context, active="services")

    @router.get("/services/{service_id}", response_class=HTMLResponse, name="service_page")
    def service_page(request: Request, service_id: str, access: DatabaseAccessDep, lang: LanguageDep,
                     principal: PrincipalDep) -> HTMLResponse:
        """One service: organisation (with RUNTS number), locations, hours, contacts, fees, languages, status,
        last checked date and the eligibility text generated from its rules. 404 for an unknown id."""
        with access.use() as db:
            index = get_index(db)
        entry = index.services.get(service_id[:200])
        if entry is None:
            raise NotFoundError(f"no service with id {service_id[:64]!r}")
        can_refer = principal is not None and principal.role == "operator" and entry.status == "active"
        return render(request, "services_detail.html", lang,
                      {"service": service_detail(index, entry, lang), "can_refer": can_refer}, active="services")

    return router
