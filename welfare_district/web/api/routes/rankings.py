"""/api/v1/rankings: the areas of a level ordered by an indicator."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from welfare_district.web import indicator_reads as reads
from welfare_district.web.api.common import ERRORS, IndicatorQuery, LevelQuery, YearQuery, cached_json, value_out
from welfare_district.web.api.indicator_schemas import RankedOut, RankingResponse
from welfare_district.web.areas import AreaLevel
from welfare_district.web.deps import DatabaseDep, ReadCacheDep
from welfare_district.web.figures_access import FiguresDep

MAX_LIMIT = 10_000

OrderQuery = Annotated[Literal["desc", "asc"], Query(description="desc: highest value first; asc: lowest first.")]
LimitQuery = Annotated[int | None, Query(description=f"Keep the first N areas (1-{MAX_LIMIT}; default all).",
                                         ge=1, le=MAX_LIMIT)]


def build_router() -> APIRouter:
    """Routes of the rankings resource."""
    router = APIRouter(prefix="/rankings", tags=["rankings"])

    @router.get("", response_model=RankingResponse, responses=ERRORS, summary="Areas ranked by an indicator")
    def get_ranking(request: Request, db: DatabaseDep, cache: ReadCacheDep, figures: FiguresDep,
                    indicator: IndicatorQuery,
                    level: LevelQuery = AreaLevel.QUARTIERE, year: YearQuery = None, order: OrderQuery = "desc",
                    limit: LimitQuery = None) -> Response:
        """Every area of ``level`` ordered by the indicator in ``year`` (default: latest); equal values share
        a rank and keep area order; areas without a figure come last with a null rank, the protected
        (suppressed) ones first among them."""
        reads.get_indicator(indicator)
        chosen = reads.latest_year(db, cache=cache) if year is None else reads.check_year(db, year, cache=cache)

        def build() -> RankingResponse:
            ranked = reads.ranking(db, indicator, level.value, chosen, descending=order == "desc", cache=cache,
                                   protection=figures.protection)
            rows = [RankedOut(rank=r.rank, **value_out(r.value).model_dump()) for r in ranked[:limit]]
            return RankingResponse(indicator=indicator, level=level.value, year=chosen, order=order,
                                   total=len(ranked), ranking=rows)

        return cached_json(request, db, cache, ("ranking", indicator, level.value, chosen, order, limit), build,
                           figures)

    return router
