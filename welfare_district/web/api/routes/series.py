"""/api/v1/series: one indicator over the years for up to 50 areas (time series for trend charts)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from welfare_district.web import indicator_reads as reads
from welfare_district.web.api.common import (
    ERRORS,
    MAX_AREAS,
    IndicatorQuery,
    area_ref,
    cached_json,
    check_area_ids,
    year_value,
)
from welfare_district.web.api.indicator_schemas import AreaSeries, SeriesResponse
from welfare_district.web.deps import DatabaseDep, ReadCacheDep
from welfare_district.web.figures_access import FiguresDep


def build_router() -> APIRouter:
    """Routes of the series resource."""
    router = APIRouter(prefix="/series", tags=["series"])

    @router.get("", response_model=SeriesResponse, responses=ERRORS, summary="Time series of an indicator")
    def get_series(
        request: Request,
        db: DatabaseDep,
        cache: ReadCacheDep,
        figures: FiguresDep,
        indicator: IndicatorQuery,
        area: Annotated[list[str], Query(
            description=f"Area id; repeat for several (1 to {MAX_AREAS}).", min_length=1, max_length=MAX_AREAS)],
    ) -> Response:
        """The indicator in every stored year for each area, in the asked order; a year without a figure
        has value null and null_reason 'not computed'."""
        ids = check_area_ids(area)

        def build() -> SeriesResponse:
            got = reads.series(db, indicator, ids, cache=cache, protection=figures.protection)
            out = [AreaSeries(area=area_ref(reads.find_area_summary(db, area_id, cache=cache)),
                              points=[year_value(y, v) for y, v in points]) for area_id, points in got.items()]
            return SeriesResponse(indicator=indicator, years=reads.available_years(db, cache=cache), series=out)

        return cached_json(request, db, cache, ("series", indicator, tuple(ids)), build, figures)

    return router
