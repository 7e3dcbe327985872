"""/api/v1/areas/{area_id}/profile: everything computed about one area in one year."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from welfare_district.web import indicator_reads as reads
from welfare_district.web.api.common import ERRORS, AreaPath, YearQuery, area_ref, cached_json, figure, year_value
from welfare_district.web.api.indicator_schemas import ProfileIndicator, ProfileResponse
from welfare_district.web.deps import DatabaseDep, ReadCacheDep
from welfare_district.web.figures_access import FiguresDep


def build_router() -> APIRouter:
    """Routes of the area profile."""
    router = APIRouter(prefix="/areas", tags=["profiles"])

    @router.get("/{area_id}/profile", response_model=ProfileResponse, responses=ERRORS,
                summary="An area's indicator profile")
    def get_profile(request: Request, db: DatabaseDep, cache: ReadCacheDep, figures: FiguresDep, area_id: AreaPath,
                    year: YearQuery = None) -> Response:
        """Every indicator at the area in ``year`` (default: latest), with the parent's and the city's
        figure for comparison and the area's series over all stored years."""
        reads.find_area_summary(db, area_id, cache=cache)
        chosen = reads.latest_year(db, cache=cache) if year is None else reads.check_year(db, year, cache=cache)

        def build() -> ProfileResponse:
            prof = reads.profile(db, area_id, chosen, cache=cache, protection=figures.protection)
            entries = [ProfileIndicator(
                indicator=e.indicator.id, name_it=e.indicator.name_it, name_en=e.indicator.name_en,
                theme=e.indicator.theme, polarity=e.indicator.polarity, value=figure(e.value),
                parent=None if e.parent is None else figure(e.parent),
                city=None if e.city is None else figure(e.city),
                series=[year_value(y, v) for y, v in e.series]) for e in prof.entries]
            return ProfileResponse(area=area_ref(prof.area), ancestors=[area_ref(a) for a in prof.ancestors],
                                   year=prof.year, years=prof.years, indicators=entries)

        return cached_json(request, db, cache, ("profile", area_id, chosen), build, figures)

    return router
