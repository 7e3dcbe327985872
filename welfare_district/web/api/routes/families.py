"""/api/v1/families: the operator's family search and profile as JSON (same checks and audit as the pages)."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, HTTPException, Query, Request

from welfare_district.web.deps import PrincipalDep
from welfare_district.web.pages.families_access import Purpose, read_family, search_families

PurposeParam = Annotated[Purpose, Query(description="Purpose of access, recorded in the audit log.")]


def build_router() -> APIRouter:
    """The family routes under /api/v1."""
    router = APIRouter(prefix="/api/v1", tags=["families"])

    @router.get("/families", summary="Families of the operator's territory")
    async def list_families(request: Request, principal: PrincipalDep, purpose: PurposeParam,
                            ref: Annotated[str | None, Query(max_length=64)] = None,
                            area: Annotated[str | None, Query(max_length=64)] = None) -> dict[str, Any]:
        """References of the families in the caller's territory matching ``ref`` or inside ``area``."""
        assert principal is not None  # the route table lets operators only
        result = await anyio.to_thread.run_sync(
            lambda: search_families(request.app.state, principal, purpose, ref=ref, area=area))
        return {"families": result.refs, "truncated": result.truncated}

    @router.get("/families/{family_ref}", summary="One family's integrated profile")
    async def one_family(request: Request, family_ref: str, principal: PrincipalDep,
                         purpose: PurposeParam) -> dict[str, Any]:
        """Members, sources, hardship indicators and open cases; 404 outside the caller's territory."""
        assert principal is not None
        profile = await anyio.to_thread.run_sync(
            lambda: read_family(request.app.state, principal, family_ref[:200], purpose))
        if profile is None:
            raise HTTPException(status_code=404, detail="Family not found.")
        return {"family_ref": profile.ref, "snapshot_year": profile.year,
                "reference_date": None if profile.reference_date is None else profile.reference_date.isoformat(),
                "area": profile.area, "members": [
                    {"name": m["name"], "relation": m["relation"], "sex": m["sex"], "age": m["age"]}
                    for m in profile.members],
                "sources": profile.sources, "hardship_indicators": profile.indicators,
                "open_cases": [{"need": c["need"], "opened": c["opened"].isoformat()} for c in profile.cases]}

    return router
