"""/api/v1/service_at_locations: where services are delivered, optionally near a point (bounded radius)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from welfare_district.directory.index import get_index
from welfare_district.directory.search import MAX_RADIUS_KM, near, paginate
from welfare_district.errors import InputError
from welfare_district.web.api.common import ERRORS
from welfare_district.web.api.directory_schemas import HSDS_ID, HsdsPage, PageQuery, PerPageQuery
from welfare_district.web.deps import DatabaseAccessDep


def build_router() -> APIRouter:
    """Routes of the service_at_locations resource (included by the directory router)."""
    router = APIRouter()  # tagged by the directory router that includes it

    @router.get("/service_at_locations", response_model=HsdsPage,
                responses={k: v for k, v in ERRORS.items() if k != 404}, summary="Services at locations")
    def service_at_locations(
        access: DatabaseAccessDep,
        lat: Annotated[float | None, Query(description="Latitude (WGS84) of the point.", ge=-90, le=90)] = None,
        lon: Annotated[float | None, Query(description="Longitude (WGS84) of the point.", ge=-180, le=180)] = None,
        radius_km: Annotated[float, Query(description=f"Radius in km (at most {MAX_RADIUS_KM:g}).", gt=0,
                                          le=MAX_RADIUS_KM)] = 2.0,
        taxonomy_term_id: Annotated[str | None, Query(max_length=64, pattern=HSDS_ID)] = None,
        page: PageQuery = 1,
        per_page: PerPageQuery = 20,
    ) -> HsdsPage:
        """Each service at each of its locations, with the location and a summary of the service. With lat and
        lon: only those within radius_km, nearest first, each with distance_km; else every one, by id."""
        with access.use() as db:
            index = get_index(db)
        if (lat is None) != (lon is None):
            raise InputError("give both lat and lon for a proximity search, or neither", field="lat")
        if lat is not None and lon is not None:
            items = near(index, lat, lon, radius_km, taxonomy_term=taxonomy_term_id)
        else:
            items = [index.service_at_locations[k] for k in sorted(index.service_at_locations)]
            if taxonomy_term_id is not None:
                keep = {s.id for s in index.services.values()
                        if taxonomy_term_id.removeprefix("wd-needs:") in s.needs}
                items = [i for i in items if i["service"]["id"] in keep]
        return HsdsPage.of(paginate(items, page, per_page))

    return router
