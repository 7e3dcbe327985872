"""/api/v1/values: one indicator at the areas of a level, or at listed areas, in one year."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from welfare_district.errors import InputError
from welfare_district.web import indicator_reads as reads
from welfare_district.web.api.common import (
    ERRORS,
    AreaListQuery,
    IndicatorQuery,
    YearQuery,
    cached_json,
    check_area_ids,
    provenance,
    value_out,
)
from welfare_district.web.api.indicator_schemas import ValuesResponse
from welfare_district.web.areas import AreaLevel
from welfare_district.web.deps import DatabaseDep, ReadCacheDep
from welfare_district.web.figures_access import FiguresDep


def build_router() -> APIRouter:
    """Routes of the values resource."""
    router = APIRouter(prefix="/values", tags=["values"])

    @router.get("", response_model=ValuesResponse, responses=ERRORS, summary="Indicator values by area")
    def get_values(
        request: Request,
        db: DatabaseDep,
        cache: ReadCacheDep,
        figures: FiguresDep,
        indicator: IndicatorQuery,
        level: Annotated[AreaLevel | None, Query(
            description="Level of the hierarchy (default quartiere; with area, the areas must be of it).")] = None,
        year: YearQuery = None,
        area: AreaListQuery = None,
    ) -> Response:
        """The indicator at every area of ``level`` (areas without a figure included, value null), or at
        the listed areas; ``year`` defaults to the latest stored. Partners and the public get the protected
        figures (see figures_access)."""
        reads.get_indicator(indicator)
        chosen = reads.latest_year(db, cache=cache) if year is None else reads.check_year(db, year, cache=cache)
        ids = check_area_ids(area or [])
        shown_level = None if ids and level is None else (level or AreaLevel.QUARTIERE).value

        def build() -> ValuesResponse:
            if ids:
                values = []
                for area_id in ids:
                    found = reads.area_value(db, indicator, area_id, chosen, cache=cache,
                                                 protection=figures.protection)
                    if level is not None and found.level != level.value:
                        raise InputError(f"Area {area_id!r} (parameter 'area') is a {found.level}, "
                                         f"not a {level.value}")
                    values.append(found)
            else:
                values = reads.level_values(db, indicator, str(shown_level), chosen, cache=cache,
                                                  protection=figures.protection)
            return ValuesResponse(indicator=indicator, year=chosen, level=shown_level,  # type: ignore[arg-type]
                                  provenance=provenance(values), values=[value_out(v) for v in values])

        return cached_json(request, db, cache, ("values", indicator, shown_level, chosen, tuple(ids)), build,
                           figures)

    return router
