"""/api/v1/composite: the IVSM composite index (AMPI or MPI) of the areas of a level."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from welfare_district.indicators.library import IVSM_COMPONENTS
from welfare_district.web import indicator_reads as reads
from welfare_district.web.api.common import ERRORS, LevelQuery, YearQuery, area_ref, cached_json
from welfare_district.web.api.indicator_schemas import ComponentOut, CompositeOut, CompositeResponse
from welfare_district.web.areas import AreaLevel
from welfare_district.web.composite_reads import SUPPRESSED_COMPONENT, reference_year
from welfare_district.web.deps import DatabaseDep, ReadCacheDep
from welfare_district.web.figures_access import FiguresDep


def composite_reason(protection: str | None) -> str | None:
    """Why a composite is protected, in words; None for the exact figures."""
    if protection is None:
        return None
    if protection == SUPPRESSED_COMPONENT:
        return "a component is suppressed by disclosure control, so the index would narrow it down"
    return "computed from the disclosure-controlled (rounded) components"


def build_router() -> APIRouter:
    """Routes of the composite resource."""
    router = APIRouter(prefix="/composite", tags=["composite"])

    @router.get("", response_model=CompositeResponse, responses=ERRORS, summary="IVSM composite index by area")
    def get_composite(
        request: Request,
        db: DatabaseDep,
        cache: ReadCacheDep,
        figures: FiguresDep,
        level: LevelQuery = AreaLevel.QUARTIERE,
        year: YearQuery = None,
        method: Annotated[Literal["ampi", "mpi"], Query(
            description="ampi: adjusted Mazziotta-Pareto, the city in the base year = 100 (ISTAT's IVSM "
                        "method); mpi: Mazziotta-Pareto within the year.")] = "ampi",
        base_year: Annotated[int | None, Query(
            description="AMPI reference year (default: WELFARE_COMPOSITE_BASE_YEAR, else the earliest stored).",
            ge=1900, le=2200)] = None,
    ) -> Response:
        """The composite of every area of ``level`` in ``year`` (default: latest), its IVSM class (< 97 low,
        97-98 medium-low, 98-99 medium, 99-103 medium-high, > 103 high) and its seven components.
        Partners and the public get the index of the protected components, suppressed wherever a component
        is suppressed."""
        chosen = reads.latest_year(db, cache=cache) if year is None else reads.check_year(db, year, cache=cache)
        base = reference_year(db, base_year, cache=cache) if method == "ampi" else None

        def build() -> CompositeResponse:
            values = reads.composite(db, level.value, chosen, method, base_year=base, cache=cache,
                                     protection=figures.protection)
            out = [CompositeOut(**area_ref(v).model_dump(), value=v.value,
                                ivsm_class=v.ivsm_class,  # type: ignore[arg-type]
                                components=[ComponentOut(indicator=c.indicator_id, value=c.value,
                                                         normalised=c.normalised) for c in v.components],
                                suppressed=v.suppressed, protection=v.protection,
                                protection_reason=composite_reason(v.protection))
                   for v in values]
            return CompositeResponse(level=level.value, year=chosen, method=method, base_year=base,
                                     components=list(IVSM_COMPONENTS), values=out)

        return cached_json(request, db, cache, ("composite", level.value, chosen, method, base), build,
                           figures)

    return router
