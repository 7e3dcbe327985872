"""HTML pages, one module per page type, each exposing ``build_router()``."""

from __future__ import annotations

from fastapi import APIRouter


def build_pages_router() -> APIRouter:
    """The router of every page; pages are left out of the OpenAPI document (it describes the API)."""
    from welfare_district.web.pages import map as map_page

    router = APIRouter(include_in_schema=False)
    router.include_router(map_page.build_router())
    return router
