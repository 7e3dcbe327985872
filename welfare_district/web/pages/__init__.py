"""HTML pages, one module per page type, each exposing ``build_router()``."""

from __future__ import annotations

from fastapi import APIRouter


def build_pages_router() -> APIRouter:
    """The router of every page; pages are left out of the OpenAPI document (it describes the API)."""
    from welfare_district.web.pages import (
        api_docs,
        areas,
        catalogue_admin,
        desk,
        impact,
        indicators,
        quality,
        rankings,
        referrals,
        services,
        trends,
    )
    from welfare_district.web.pages import map as map_page

    router = APIRouter(include_in_schema=False)
    for module in (map_page, areas, trends, rankings, indicators, quality, services, desk, referrals,
                   catalogue_admin, impact, api_docs):
        router.include_router(module.build_router())
    return router
