"""Matching at the desk (operators only): /desk for a family of the operator's territory (by reference, linked
from the family profile) or for an anonymous needs profile typed in the form.

A family's matches go through ``directory.desk.match_for_family``, which checks the territory and audits the
read; a family outside the territory gets the same answer as one that does not exist (404). The anonymous
profile is posted, so what is typed never reaches a URL or an access log, and it is never stored.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from welfare_district.access.policy import Principal
from welfare_district.directory.desk import FamilyMatches, match_for_family
from welfare_district.directory.eligibility import describe
from welfare_district.directory.index import DirectoryIndex, get_index
from welfare_district.directory.matching import Match, match_services
from welfare_district.directory.referrals import CONSENT_GIVERS, CONSENT_PURPOSES
from welfare_district.errors import InputError, NotFoundError, PermissionDeniedError
from welfare_district.web.auth_audit import exclusive, pseudonymiser_of, transaction
from welfare_district.web.auth_guard import form_fields
from welfare_district.web.deps import LanguageDep, PrincipalDep
from welfare_district.web.i18n import Language, translate
from welfare_district.web.pages.desk_form import parse_profile
from welfare_district.web.pages.desk_words import reason_text
from welfare_district.web.pages.families_data import family_index
from welfare_district.web.pages.services_view import need_choices, need_name
from welfare_district.web.templating import render

RESULTS = 20


def family_id_of(app_state: Any, ref: str) -> int | None:
    """The warehouse id of the family with reference ``ref`` in the latest snapshot, or None."""
    pseudonymiser = pseudonymiser_of(app_state)
    with transaction(app_state) as conn:
        index = family_index(app_state, conn, pseudonymiser)
    place = None if index is None else index.by_ref.get(ref)
    return None if place is None else place.family_id


def _match_rows(matches: list[Match], index: DirectoryIndex, lang: Language) -> list[dict[str, Any]]:
    rows = []
    for m in matches:
        entry = index.services.get(m.service_id)
        # outcomes come in the order of the service's rules: each is named by its rule in the page's language
        texts = [describe(r, lang) for r in entry.rules] if entry is not None else []
        org = index.organizations.get(m.organization_id, {})
        rows.append({"service_id": m.service_id, "name": m.name, "organisation": org.get("name", m.organization_id),
                     "needs": [need_name(n, lang) for n in m.needs_matched], "distance_km": m.distance_km,
                     "outcomes": [{"rule": texts[i] if i < len(texts) else o.rule, "status": o.status,
                                   "reason": reason_text(o.reason, lang)} for i, o in enumerate(m.outcomes)]})
    return rows


def _flag_names(flags: tuple[str, ...], lang: Language) -> list[str]:
    from welfare_district.indicators.library import default_library

    library = default_library()
    return [getattr(library[f], f"name_{lang}") if f in library else f for f in flags]


def build_router() -> APIRouter:
    """The desk page: the family or anonymous-profile form and the ranked services."""
    router = APIRouter()

    def _page(request: Request, lang: Language, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        base: dict[str, Any] = {"needs": need_choices(lang), "givers": CONSENT_GIVERS,
                                "consent_purposes": CONSENT_PURPOSES, "family": None, "matches": None,
                                "message": None, "typed": {}, "service": None}
        return render(request, "desk.html", lang, {**base, **context}, status_code=status, active="desk")

    @router.get("/desk", response_class=HTMLResponse, name="desk_page")
    def desk_page(request: Request, lang: LanguageDep, principal: PrincipalDep,
                  family: Annotated[str | None, Query(max_length=200)] = None,
                  service: Annotated[str | None, Query(max_length=64)] = None) -> HTMLResponse:
        """The desk form; with ``family`` (a reference), that family's ranked services and hardship flags."""
        assert principal is not None  # the route table lets operators only
        if not family:
            return _page(request, lang, {"service": service})
        found = _family_matches(request.app.state, principal, family)
        if found is None:
            return render(request, "error.html", lang, {"title": translate(lang, "not_found_title"),
                                                        "message": translate(lang, "families_not_found")},
                          status_code=404, active="desk")
        context = {"family": {"ref": family, "flags": _flag_names(found.family.flags, lang),
                              "needs": [need_name(n, lang) for n in found.family.profile.needs],
                              "cases": [need_name(n, lang) for n in found.family.case_needs]},
                   "matches": _match_rows(found.matches, _index(request.app.state), lang), "service": service}
        return _page(request, lang, context)

    @router.post("/desk", response_class=HTMLResponse, name="desk_match")
    async def desk_match(request: Request, lang: LanguageDep, principal: PrincipalDep) -> HTMLResponse:
        """Ranked services for the anonymous profile typed in the form (nothing stored, nothing audited by
        person: there is no person)."""
        fields = await form_fields(request)
        try:
            profile = parse_profile(fields)
        except InputError as exc:
            return _page(request, lang, {"message": str(exc), "typed": fields}, status=422)
        import anyio.to_thread

        index = await anyio.to_thread.run_sync(_index, request.app.state)
        matches = match_services(index, profile, limit=RESULTS)
        return _page(request, lang, {"matches": _match_rows(matches, index, lang), "typed": fields})

    return router


def _index(app_state: Any) -> DirectoryIndex:
    with exclusive(app_state) as db:
        return get_index(db)


def _family_matches(app_state: Any, principal: Principal, ref: str) -> FamilyMatches | None:
    family_id = family_id_of(app_state, ref)
    if family_id is None:
        return None
    try:
        with exclusive(app_state) as db:
            return match_for_family(db, principal, pseudonymiser_of(app_state), family_id, limit=RESULTS)
    except (NotFoundError, PermissionDeniedError):
        return None

