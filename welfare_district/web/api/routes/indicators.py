"""/api/v1/indicators: the indicator library (definitions, units, polarity, ISTAT alignment, versions)."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request, Response

from welfare_district.indicators.library import Indicator
from welfare_district.web import indicator_reads as reads
from welfare_district.web.api.common import ERRORS, ID_PATTERN, cached_json
from welfare_district.web.api.indicator_schemas import IndicatorCatalogue, IndicatorInfo
from welfare_district.web.deps import DatabaseDep, ReadCacheDep


def indicator_info(ind: Indicator) -> IndicatorInfo:
    """An indicator definition as the catalogue publishes it."""
    return IndicatorInfo(id=ind.id, theme=ind.theme, name_it=ind.name_it, name_en=ind.name_en,
                         description_it=ind.description_it, description_en=ind.description_en, unit=ind.unit,
                         multiplier=ind.multiplier, polarity=ind.polarity, kind=ind.kind,
                         interval=ind.interval or "none",
                         istat_code=ind.istat_code, alignment=ind.alignment, variant=ind.variant,
                         version=ind.version)


def build_router() -> APIRouter:
    """Routes of the indicators resource."""
    router = APIRouter(prefix="/indicators", tags=["indicators"])

    @router.get("", response_model=IndicatorCatalogue, responses={503: ERRORS[503]},
                summary="The indicator catalogue")
    def list_indicators(request: Request, db: DatabaseDep, cache: ReadCacheDep) -> Response:
        """Every indicator with its names, unit, polarity, kind, ISTAT alignment and definition version,
        and the years with stored values."""
        return cached_json(request, db, cache, ("indicators",), lambda: IndicatorCatalogue(
            indicators=[indicator_info(i) for i in reads.indicators()],
            years=reads.available_years(db, cache=cache)))

    @router.get("/{indicator_id}", response_model=IndicatorInfo, responses={404: ERRORS[404], 422: ERRORS[422]},
                summary="One indicator's definition")
    def get_indicator(
        indicator_id: str = Path(description="Indicator id.", max_length=64, pattern=ID_PATTERN),
    ) -> IndicatorInfo:
        """The definition of one indicator; 404 naming the id when unknown."""
        return indicator_info(reads.get_indicator(indicator_id))

    return router
