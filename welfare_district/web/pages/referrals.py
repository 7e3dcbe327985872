"""Referral pages: POST /referrals (an operator sends one, with the family's consent), /referrals (the
operator's outbox or the partner's inbox), /referrals/{id} (one referral, its steps, and the moves this account
may make) and POST /referrals/{id} (a status change with an optional note).

Every check and every audit row is the back end's (``directory.referrals``): territory and organisation,
consent, active service, the state machine. The pages post, then redirect (POST-redirect-GET); a refusal shows
the back end's message and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from welfare_district.access.policy import Principal
from welfare_district.directory.desk import FamilyMatches
from welfare_district.directory.index import get_index
from welfare_district.directory.profile import family_profile
from welfare_district.directory.referrals import (
    STATUSES,
    TRANSITIONS,
    Consent,
    get_referral,
    list_referrals,
    move_referral,
    send_referral,
)
from welfare_district.engine import Database
from welfare_district.errors import InputError, NotFoundError, PermissionDeniedError
from welfare_district.web.areas import AreaLevel, list_areas
from welfare_district.web.auth_audit import exclusive, pseudonymiser_of
from welfare_district.web.auth_guard import form_fields
from welfare_district.web.deps import LanguageDep, PrincipalDep
from welfare_district.web.i18n import Language, translate
from welfare_district.web.pages.desk import family_id_of
from welfare_district.web.templating import render


def allowed_moves(status: str, principal: Principal) -> list[str]:
    """The statuses this account's side may move a referral in ``status`` to (partner or sender)."""
    side = "partner" if principal.role == "partner" else "sender"
    return [to for to, who in TRANSITIONS.get(status, {}).items() if who == side]


SHARED_FIELDS = ("ages", "isee_eur", "area_ids", "minors", "single_parent", "elderly_alone", "disability",
                 "citizenships")


def shared_rows(shared: dict[str, Any], lang: Language) -> list[tuple[str, str]]:
    """The data the partner receives, as (label, value) lines in ``lang``."""
    rows = []
    for key, value in sorted(shared.items()):
        label = translate(lang, f"shared_{key}") if key in SHARED_FIELDS else key
        if isinstance(value, bool):
            text = translate(lang, "answer_yes" if value else "answer_no")
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        else:
            text = "—" if value is None else str(value)
        rows.append((label, text))
    return rows


def create_referral(app_state: Any, principal: Principal, fields: dict[str, str]) -> str:
    """Send the referral the desk form describes; returns its id. InputError without consent or with a bad
    field; NotFoundError for a family that is not in the operator's territory (it looks like no family)."""
    if fields.get("consent") != "yes":
        raise InputError("consent is required: tick the box once the family has agreed", field="consent")
    ref = fields.get("family", "")[:200]
    family_id = family_id_of(app_state, ref) if ref else None
    if family_id is None:
        raise NotFoundError("family not found")
    consent = Consent(fields.get("given_by", ""), datetime.now(UTC), fields.get("purpose", ""))
    note = fields.get("note") or None
    with exclusive(app_state) as db:
        found = family_profile(db, family_id)
        family = FamilyMatches(found, []).referral_ref()
        return send_referral(db, principal, pseudonymiser_of(app_state), family=family,
                             service_id=fields.get("service_id", "")[:64], consent=consent, note=note)


def _names(db: Database) -> dict[str, str]:
    """Service and quartiere names by id (both id spaces are distinct: services S..., areas Q...)."""
    quartieri = {a.area_id: a.name for a in list_areas(db, AreaLevel.QUARTIERE)}
    return {**quartieri, **{sid: s.name for sid, s in get_index(db).services.items()}}


def _rows(app_state: Any, principal: Principal, status: str | None) -> tuple[list[dict[str, Any]], dict[str, str]]:
    with exclusive(app_state) as db:
        rows = list_referrals(db, principal, status=status, limit=200)
        return rows, _names(db)


def _one(app_state: Any, principal: Principal, referral_id: str) -> tuple[dict[str, Any], dict[str, str]]:
    with exclusive(app_state) as db:
        ref = get_referral(db, principal, pseudonymiser_of(app_state), referral_id)
        return ref, _names(db)


def build_router() -> APIRouter:
    """The referral pages."""
    router = APIRouter()

    def _detail(request: Request, lang: Language, principal: Principal, referral_id: str, *,
                message: str | None = None, status_code: int = 200) -> HTMLResponse:
        try:
            ref, names = _one(request.app.state, principal, referral_id)
        except (NotFoundError, PermissionDeniedError):
            return render(request, "error.html", lang, {"title": translate(lang, "not_found_title"),
                                                        "message": translate(lang, "referral_not_found")},
                          status_code=404, active="referrals")
        context = {"ref": ref, "service_name": names.get(ref["service_id"], ref["service_id"]),
                   "quartiere": names.get(ref["quartiere_id"] or "", ref["quartiere_id"]),
                   "moves": allowed_moves(str(ref["status"]), principal), "message": message,
                   "inbox": principal.role == "partner", "shared": shared_rows(ref["shared_data"], lang),
                   "done": request.query_params.get("done")}
        return render(request, "referrals_detail.html", lang, context, status_code=status_code, active="referrals")

    @router.post("/referrals", name="referral_send")
    async def referral_send(request: Request, lang: LanguageDep, principal: PrincipalDep) -> Response:
        """Send a referral from the desk (operators, family in the territory, consent recorded)."""
        assert principal is not None
        fields = await form_fields(request)
        try:
            referral_id = await anyio.to_thread.run_sync(create_referral, request.app.state, principal, fields)
        except (NotFoundError, PermissionDeniedError):
            return render(request, "error.html", lang, {"title": translate(lang, "not_found_title"),
                                                        "message": translate(lang, "families_not_found")},
                          status_code=404, active="referrals")
        except InputError as exc:
            return render(request, "error.html", lang, {"title": translate(lang, "referral_refused"),
                                                        "message": str(exc)}, status_code=422, active="referrals")
        return RedirectResponse(f"{request.scope.get('root_path', '')}/referrals/{referral_id}?done=sent",
                                status_code=303)

    @router.get("/referrals", response_class=HTMLResponse, name="referrals_page")
    async def referrals_page(request: Request, lang: LanguageDep, principal: PrincipalDep,
                             status: Annotated[str | None, Query(max_length=16)] = None) -> HTMLResponse:
        """The operator's outbox (territory) or the partner's inbox (organisation), newest first."""
        assert principal is not None
        chosen = status if status in STATUSES else None
        rows, names = await anyio.to_thread.run_sync(_rows, request.app.state, principal, chosen)
        return render(request, "referrals.html", lang,
                      {"rows": rows, "names": names, "statuses": STATUSES, "status": chosen,
                       "inbox": principal.role == "partner"}, active="referrals")

    @router.get("/referrals/{referral_id}", response_class=HTMLResponse, name="referral_page")
    async def referral_page(request: Request, lang: LanguageDep, principal: PrincipalDep,
                            referral_id: str) -> HTMLResponse:
        """One referral with its steps; the moves this account may make (404 outside its reach)."""
        assert principal is not None
        return await anyio.to_thread.run_sync(lambda: _detail(request, lang, principal, referral_id[:64]))

    @router.post("/referrals/{referral_id}", name="referral_move")
    async def referral_move(request: Request, lang: LanguageDep, principal: PrincipalDep,
                            referral_id: str) -> Response:
        """Move the referral to the posted status (with the posted note), then show it again."""
        assert principal is not None
        fields = await form_fields(request)
        to_status, note = fields.get("status", ""), fields.get("note") or None
        referral_id = referral_id[:64]

        def move() -> None:
            with exclusive(request.app.state) as db:
                move_referral(db, principal, pseudonymiser_of(request.app.state), referral_id, to_status, note=note)

        try:
            await anyio.to_thread.run_sync(move)
        except NotFoundError:
            return render(request, "error.html", lang, {"title": translate(lang, "not_found_title"),
                                                        "message": translate(lang, "referral_not_found")},
                          status_code=404, active="referrals")
        except (InputError, PermissionDeniedError) as exc:
            message = str(exc)
            return await anyio.to_thread.run_sync(
                lambda: _detail(request, lang, principal, referral_id, message=message, status_code=422))
        return RedirectResponse(f"{request.scope.get('root_path', '')}/referrals/{referral_id}?done={to_status}",
                                status_code=303)

    return router
