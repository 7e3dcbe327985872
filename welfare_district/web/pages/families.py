"""Operators' family pages: /families (search in the territory) and /families/{family_ref} (the profile).

Both need the operator role (checked for every route by web.auth_routes) and a stated purpose from a closed
list; the family itself is checked against the operator's territory and every read is audited
(web.pages.families_access). A family outside the territory looks exactly like one that does not exist.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from welfare_district.access.policy import Principal
from welfare_district.privacy.pseudonym import is_pseudonym
from welfare_district.web.auth_guard import form_fields
from welfare_district.web.deps import LanguageDep, PrincipalDep
from welfare_district.web.i18n import Language, translate
from welfare_district.web.pages.families_access import PURPOSES, parse_purpose, read_family, search_families
from welfare_district.web.pages.families_data import MAX_RESULTS
from welfare_district.web.templating import render

RefQuery = Annotated[str | None, Query(max_length=64, description="Family reference (pseudonym).")]
AreaQuery = Annotated[str | None, Query(max_length=64, description="Quartiere or zone id.")]
PurposeQuery = Annotated[str | None, Query(max_length=32, description="Purpose of access (closed list).")]


def _grants(principal: Principal) -> list[str]:
    return sorted(g.target for g in principal.grants if g.kind in ("city", "quartiere", "zone"))


def build_router() -> APIRouter:
    """The family search and profile pages."""
    router = APIRouter()

    @router.get("/families", response_class=HTMLResponse, name="families_page")
    async def families_page(request: Request, lang: LanguageDep, principal: PrincipalDep, ref: RefQuery = None,
                            area: AreaQuery = None, purpose: PurposeQuery = None) -> HTMLResponse:
        """The search form; with a purpose and a reference or an area, the families found."""
        return await _search_page(request, lang, principal, ref, area, purpose)

    @router.post("/families", response_class=HTMLResponse, name="families_search")
    async def families_search(request: Request, lang: LanguageDep, principal: PrincipalDep) -> HTMLResponse:
        """The search form's own submission: POST, so what was typed never reaches a URL or an access log."""
        fields = await form_fields(request)
        return await _search_page(request, lang, principal, fields.get("ref", "")[:64] or None,
                                  fields.get("area", "")[:64] or None, fields.get("purpose", "")[:32] or None)

    async def _search_page(request: Request, lang: Language, principal: Principal | None, ref: str | None,
                           area: str | None, purpose: str | None) -> HTMLResponse:
        assert principal is not None  # the route table lets operators only
        chosen = parse_purpose(purpose)
        # only a reference is shown back: anything else typed there (a tax code, a name) is not repeated
        context: dict[str, Any] = {"purposes": PURPOSES, "purpose": chosen,
                                   "ref": ref if ref and is_pseudonym(ref) else "", "area": area or "",
                                   "areas": _grants(principal), "result": None, "message": None,
                                   "max_results": MAX_RESULTS}
        status = 200
        if purpose is not None or ref or area:
            if chosen is None:
                context["message"], status = translate(lang, "purpose_required"), 400
            else:
                context["result"] = await anyio.to_thread.run_sync(
                    partial(search_families, request.app.state, principal, chosen, ref=ref, area=area))
        return render(request, "families.html", lang, context, status_code=status, active="families")

    @router.get("/families/{family_ref}", response_class=HTMLResponse, name="family_page")
    async def family_page(request: Request, family_ref: str, lang: LanguageDep, principal: PrincipalDep,
                          purpose: PurposeQuery = None) -> HTMLResponse:
        """One family's profile, read for the stated purpose; not found outside the territory."""
        assert principal is not None
        chosen = parse_purpose(purpose)
        if chosen is None:
            context = {"purposes": PURPOSES, "purpose": None, "ref": family_ref[:64], "area": "",
                       "areas": _grants(principal), "result": None, "max_results": MAX_RESULTS,
                       "message": translate(lang, "purpose_required")}
            return render(request, "families.html", lang, context, status_code=400, active="families")
        profile = await anyio.to_thread.run_sync(read_family, request.app.state, principal, family_ref[:200], chosen)
        if profile is None:
            return render(request, "error.html", lang, {"title": translate(lang, "not_found_title"),
                                                        "message": translate(lang, "families_not_found")},
                          status_code=404, active="families")
        return render(request, "family.html", lang, {"profile": profile, "purpose": chosen}, active="families")

    return router
