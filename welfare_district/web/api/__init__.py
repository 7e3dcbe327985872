"""The REST API, versioned under /api/v1; one module per resource in ``routes``."""

from __future__ import annotations

from fastapi import APIRouter

API_V1_PREFIX = "/api/v1"


def build_api_router() -> APIRouter:
    """The /api/v1 router with every resource's routes included."""
    from welfare_district.web.api.routes import (
        areas,
        composite,
        directory,
        exports,
        impact,
        indicators,
        map,
        profiles,
        rankings,
        series,
        values,
    )

    router = APIRouter(prefix=API_V1_PREFIX)
    for module in (areas, profiles, indicators, values, series, rankings, composite, map, exports, directory,
                   impact):
        router.include_router(module.build_router())
    return router
