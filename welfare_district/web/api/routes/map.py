"""/api/v1/map: one indicator on the areas of a level, as GeoJSON, cached and revalidated with ETags."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from welfare_district.web import indicator_reads as reads
from welfare_district.web.api.common import ERRORS, IndicatorQuery, LevelQuery, YearQuery, accepts_gzip, not_modified
from welfare_district.web.api.indicator_schemas import MapCollection
from welfare_district.web.api.map_body import MapBody, build_map, map_key
from welfare_district.web.areas import AreaLevel
from welfare_district.web.deps import DatabaseAccess, DatabaseAccessDep, ReadCacheDep
from welfare_district.web.figures_access import Figures, FiguresDep
from welfare_district.web.read_cache import ReadCache

GEOJSON = "application/geo+json"
# Browsers may reuse a protected map for a minute, then revalidate it (a 304 when the figures have not
# changed); the analysts' exact map is never kept by a shared cache and always revalidated.
CACHE_CONTROL = "public, max-age=60"
EXACT_CACHE_CONTROL = "private, no-cache"


def _cached_body(cache: ReadCache, figures: Figures, indicator: str, level: str, year: int | None
                 ) -> MapBody | None:
    # The fast path: a recent stamp and a built body answer without taking the database.
    stamp = cache.recent_stamp()
    if stamp is None:
        return None
    if year is None:
        years = cache.peek(("years",), stamp)
        if not years:
            return None
        year = years[-1]
    body: MapBody | None = cache.peek(map_key(figures.mode, indicator, level, year), stamp)
    return body


def _built_body(access: DatabaseAccess, cache: ReadCache, figures: Figures, indicator: str, level: str,
                year: int | None) -> MapBody:
    with access.use() as db:
        stamp = cache.stamp(db)
        chosen = reads.latest_year(db, cache=cache) if year is None else reads.check_year(db, year, cache=cache)
        body: MapBody = cache.get(db, map_key(figures.mode, indicator, level, chosen),
                                  lambda: build_map(db, cache, stamp, indicator, level, chosen,
                                                    protection=figures.protection))
        return body


def map_response(request: Request, body: MapBody, figures: Figures, headers: dict[str, str] | None = None
                 ) -> Response:
    """The map answer: 304 when If-None-Match holds its ETag, else the body (gzip when accepted); the body
    depends on who asks (Vary: Cookie) and an exact one is private."""
    control = EXACT_CACHE_CONTROL if figures.exact else CACHE_CONTROL
    common = {"ETag": body.etag, "Cache-Control": control, "Vary": "Accept-Encoding, Cookie", **(headers or {})}
    if not_modified(request, body.etag):
        return Response(status_code=304, headers=common)
    if accepts_gzip(request):
        return Response(body.gz, media_type=GEOJSON, headers={**common, "Content-Encoding": "gzip"})
    return Response(body.raw, media_type=GEOJSON, headers=common)


def build_router() -> APIRouter:
    """Routes of the map resource."""
    router = APIRouter(prefix="/map", tags=["map"])
    responses: dict[int | str, dict[str, Any]] = {
        200: {"model": MapCollection, "content": {GEOJSON: {}},
              "description": "GeoJSON FeatureCollection (gzip when accepted); ETag and Cache-Control set."},
        304: {"description": "Not modified: If-None-Match matched the current ETag."},
        **ERRORS,
    }

    @router.get("", response_class=Response, responses=responses, summary="Map of an indicator (GeoJSON)")
    async def get_map(request: Request, access: DatabaseAccessDep, cache: ReadCacheDep, figures: FiguresDep,
                      indicator: IndicatorQuery, level: LevelQuery = AreaLevel.QUARTIERE,
                      year: YearQuery = None) -> Response:
        """Every area of ``level`` with the indicator's value, numerator, denominator, interval, unstable
        flag, null reason and protection in ``year`` (default: latest); geometry simplified for display
        (EPSG:4326). Partners and the public get the protected figures."""
        reads.get_indicator(indicator)
        # A cached body is answered on the event loop; building one (database work) runs in the thread pool.
        body = _cached_body(cache, figures, indicator, level.value, year)
        if body is None:
            body = await run_in_threadpool(_built_body, access, cache, figures, indicator, level.value, year)
        return map_response(request, body, figures)

    return router
