"""/api/v1/areas: the area hierarchy as GeoJSON for maps and as JSON details per area."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from welfare_district.web import areas as area_reads
from welfare_district.web.api.schemas import (
    AreaDetailResponse,
    AreaFeatureCollection,
    AreaProperties,
    ErrorResponse,
)
from welfare_district.web.areas import AreaLevel
from welfare_district.web.deps import DatabaseDep


class GeoJSONResponse(JSONResponse):
    """JSON with the registered GeoJSON media type (RFC 7946)."""

    media_type = "application/geo+json"


_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "No such area."},
    422: {"model": ErrorResponse, "description": "Invalid parameter (e.g. unknown level)."},
    503: {"model": ErrorResponse, "description": "Database unavailable."},
}


def build_router() -> APIRouter:
    """Routes of the areas resource."""
    router = APIRouter(prefix="/areas", tags=["areas"])

    @router.get(
        "",
        response_model=AreaFeatureCollection,
        response_class=GeoJSONResponse,
        responses={k: v for k, v in _ERRORS.items() if k != 404},
        summary="Areas of one level as GeoJSON",
    )
    def list_areas(
        db: DatabaseDep,
        level: Annotated[AreaLevel, Query(description="Level of the hierarchy.")] = AreaLevel.QUARTIERE,
    ) -> dict[str, Any]:
        """Every area of ``level`` with its residents, geometry simplified for display (EPSG:4326)."""
        return {"type": "FeatureCollection", "features": area_reads.area_features(db, level)}

    @router.get(
        "/{area_id}",
        response_model=AreaDetailResponse,
        responses=_ERRORS,
        summary="One area's details",
    )
    def get_area(
        db: DatabaseDep,
        area_id: Annotated[str, Path(description="Area id, e.g. Q1 or 028060.", max_length=64)],
    ) -> AreaDetailResponse:
        """The area's properties, bounding box, an interior point and its children; 404 if unknown."""
        detail = area_reads.find_area(db, area_id)
        props = AreaProperties.model_validate(area_reads.summary_properties(detail.summary))
        return AreaDetailResponse(**props.model_dump(), bbox=detail.bbox,
                                  interior_point=detail.interior_point, children=detail.children)

    return router
