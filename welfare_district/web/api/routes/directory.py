"""/api/v1/services, /organizations, /taxonomies, /taxonomy_terms (and /service_at_locations): the public
HSDS 3.0 catalogue, read only.

The catalogue is public information: no sign-in. Answers come from the in-memory directory index, rebuilt
only when the catalogue version moves; the database is held only for the version check.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from welfare_district.directory.index import DirectoryIndex, get_index
from welfare_district.directory.search import (
    find_services,
    get_organization,
    get_service,
    list_organizations,
    paginate,
)
from welfare_district.web.api.common import ERRORS
from welfare_district.web.api.directory_schemas import HSDS_ID, HsdsPage, IdQuery, PageQuery, PerPageQuery
from welfare_district.web.deps import DatabaseAccessDep

_LIST_ERRORS = {k: v for k, v in ERRORS.items() if k != 404}


def index_of(access: DatabaseAccessDep) -> DirectoryIndex:
    """The directory index, holding the database only for the version check (and a rebuild)."""
    with access.use() as db:
        return get_index(db)


def build_router() -> APIRouter:
    """Routes of the services, organizations, taxonomy and service_at_locations resources."""
    from welfare_district.web.api.routes import directory_locations

    router = APIRouter(tags=["directory"])
    router.include_router(directory_locations.build_router())

    @router.get("/services", response_model=HsdsPage, responses=_LIST_ERRORS, summary="Search services")
    def list_services(
        access: DatabaseAccessDep,
        text: Annotated[str | None, Query(description="Words to find (all of them, accents ignored) in name, "
                                                        "description, organisation or eligibility.",
                                            max_length=200)] = None,
        taxonomy_term_id: Annotated[str | None, Query(description="A need, e.g. wd-needs:housing or housing.",
                                                      max_length=64, pattern=HSDS_ID)] = None,
        organization_id: IdQuery = None,
        area_id: Annotated[str | None, Query(description="A service location lies in this area (section, zone, "
                                                         "quartiere or city id).", max_length=64,
                                             pattern=HSDS_ID)] = None,
        status: Annotated[str | None, Query(description="active, inactive, defunct or temporarily closed.",
                                            max_length=32)] = None,
        page: PageQuery = 1,
        per_page: PerPageQuery = 20,
    ) -> HsdsPage:
        """Services passing every filter, sorted by name: full HSDS service objects with their organisation,
        locations, schedules, contacts, costs, languages, needs and eligibility rules (with generated text)."""
        found = find_services(index_of(access), taxonomy_term=taxonomy_term_id, query=text,
                              organization_id=organization_id, area_id=area_id, status=status)
        return HsdsPage.of(paginate([s.document for s in found], page, per_page))

    @router.get("/services/{service_id}", response_model=dict[str, Any], responses=ERRORS, summary="One service")
    def one_service(access: DatabaseAccessDep,
                    service_id: Annotated[str, Path(max_length=64, pattern=HSDS_ID)]) -> dict[str, Any]:
        """The full HSDS service object; 404 naming the id when unknown."""
        return get_service(index_of(access), service_id)

    @router.get("/organizations", response_model=HsdsPage, responses=_LIST_ERRORS, summary="List organizations")
    def organizations(access: DatabaseAccessDep,
                      text: Annotated[str | None, Query(description="Words of the name.", max_length=200)] = None,
                      page: PageQuery = 1, per_page: PerPageQuery = 20) -> HsdsPage:
        """Organisations (the municipality and third-sector bodies, with their RUNTS number), sorted by name."""
        return HsdsPage.of(paginate(list_organizations(index_of(access), text), page, per_page))

    @router.get("/organizations/{organization_id}", response_model=dict[str, Any], responses=ERRORS,
                summary="One organization")
    def one_organization(access: DatabaseAccessDep,
                         organization_id: Annotated[str, Path(max_length=64, pattern=HSDS_ID)]) -> dict[str, Any]:
        """One organisation with identifiers, phones and its services (ids and names); 404 when unknown."""
        return get_organization(index_of(access), organization_id)

    @router.get("/taxonomies", response_model=HsdsPage, responses=_LIST_ERRORS, summary="List taxonomies")
    def taxonomies(access: DatabaseAccessDep, page: PageQuery = 1, per_page: PerPageQuery = 20) -> HsdsPage:
        """The taxonomies the catalogue classifies services by."""
        return HsdsPage.of(paginate(index_of(access).taxonomies, page, per_page))

    @router.get("/taxonomy_terms", response_model=HsdsPage, responses=_LIST_ERRORS, summary="List taxonomy terms")
    def taxonomy_terms(access: DatabaseAccessDep, taxonomy_id: IdQuery = None, page: PageQuery = 1,
                       per_page: PerPageQuery = 50) -> HsdsPage:
        """The terms (needs), optionally of one taxonomy."""
        terms = [t for t in index_of(access).taxonomy_terms if taxonomy_id is None or t.get("taxonomy_id")
                 == taxonomy_id]
        return HsdsPage.of(paginate(terms, page, per_page))

    return router
