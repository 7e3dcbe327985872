"""Catalogue administration: partners propose changes to their organisation's services; the municipality
(an administrator, or a data steward with a city grant) approves or rejects the pending revisions.

/catalogue/admin lists the pending revisions with their changes and a decision form (``services.approve``);
/catalogue/admin/services lists the services the account may edit and /catalogue/admin/services/{id} is the
proposal form (``services.edit``: a partner only for its own organisation, which ``directory.revisions``
checks again). A proposal changes nothing published until it is approved. Every form posts and redirects.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from welfare_district.access.policy import Principal, Resource, authorise
from welfare_district.directory.hsds_spec import SERVICE_STATUS
from welfare_district.directory.index import DirectoryIndex, ServiceEntry, get_index
from welfare_district.directory.revisions import decide_revision, list_revisions, propose_revision
from welfare_district.errors import InputError, NotFoundError, PermissionDeniedError
from welfare_district.web.auth_audit import exclusive, pseudonymiser_of
from welfare_district.web.auth_guard import form_fields
from welfare_district.web.deps import LanguageDep, PrincipalDep
from welfare_district.web.i18n import Language, translate
from welfare_district.web.templating import render

# the fields of the proposal form, in its order (a subset of revisions.EDITABLE)
FORM_FIELDS = ("name", "description", "status", "email", "url", "application_process", "fees_description",
               "eligibility_description")
MAX_FIELD = 4000


def editable_services(index: DirectoryIndex, principal: Principal) -> list[ServiceEntry]:
    """The services ``principal`` may propose changes to (a partner's organisations; an admin's all), by name."""
    return sorted((s for s in index.services.values()
                   if authorise(principal, "services.edit", Resource("service", organisation_id=s.organization_id))),
                  key=lambda s: (s.name.lower(), s.id))


def changed_fields(document: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    """The form's values that differ from the published ones (blank means 'clear', except required fields)."""
    changes: dict[str, Any] = {}
    for name in FORM_FIELDS:
        if name not in fields:
            continue
        value = fields[name].strip()
        if len(value) > MAX_FIELD:
            raise InputError(f"at most {MAX_FIELD} characters", field=name)
        current = document.get(name)
        if value != ("" if current is None else str(current)):
            changes[name] = value or None
    return changes


def _index(app_state: Any) -> DirectoryIndex:
    with exclusive(app_state) as db:
        return get_index(db)


def _not_found(request: Request, lang: Language) -> HTMLResponse:
    return render(request, "error.html", lang, {"title": translate(lang, "not_found_title"),
                                                "message": translate(lang, "not_found_body")},
                  status_code=404, active="catalogue")


def build_router() -> APIRouter:
    """The catalogue administration pages."""
    router = APIRouter()

    @router.get("/catalogue/admin", response_class=HTMLResponse, name="catalogue_admin")
    async def catalogue_admin(request: Request, lang: LanguageDep, principal: PrincipalDep) -> HTMLResponse:
        """Pending revisions with their changes, each with approve and reject buttons."""
        def read() -> tuple[list[dict[str, Any]], DirectoryIndex]:
            with exclusive(request.app.state) as db:
                return list_revisions(db, status="pending"), get_index(db)

        revisions, index = await anyio.to_thread.run_sync(read)
        rows = [{**r, "service": index.services[r["service_id"]].name if r["service_id"] in index.services
                 else r["service_id"],
                 "organisation": index.organizations.get(r["organization_id"], {}).get("name", r["organization_id"]),
                 "current": {k: (index.services[r["service_id"]].document.get(k)
                                 if r["service_id"] in index.services else None) for k in r["changes"]}}
                for r in revisions]
        return render(request, "catalogue_admin.html", lang,
                      {"revisions": rows, "done": request.query_params.get("done")}, active="catalogue")

    @router.post("/catalogue/admin/revisions/{revision_id}", name="catalogue_decide")
    async def catalogue_decide(request: Request, revision_id: str, lang: LanguageDep,
                               principal: PrincipalDep) -> Response:
        """Approve (publish) or reject one pending revision."""
        assert principal is not None
        fields = await form_fields(request)
        decision = fields.get("decision")
        if decision not in ("approve", "reject"):
            return render(request, "error.html", lang, {"title": translate(lang, "error_title"),
                                                        "message": "decision must be approve or reject"},
                          status_code=422, active="catalogue")

        def decide() -> str:
            with exclusive(request.app.state) as db:
                return decide_revision(db, principal, pseudonymiser_of(request.app.state), revision_id[:64],
                                       approve=decision == "approve", note=(fields.get("note") or None))
        try:
            status = await anyio.to_thread.run_sync(decide)
        except NotFoundError:
            return _not_found(request, lang)
        except (InputError, PermissionDeniedError) as exc:
            return render(request, "error.html", lang, {"title": translate(lang, "error_title"), "message": str(exc)},
                          status_code=422, active="catalogue")
        return RedirectResponse(f"{request.scope.get('root_path', '')}/catalogue/admin?done={status}",
                                status_code=303)

    @router.get("/catalogue/admin/services", response_class=HTMLResponse, name="catalogue_services")
    async def catalogue_services(request: Request, lang: LanguageDep, principal: PrincipalDep) -> HTMLResponse:
        """The services this account may propose changes to, and its own pending proposals."""
        assert principal is not None
        index = await anyio.to_thread.run_sync(_index, request.app.state)
        services = editable_services(index, principal)
        orgs = sorted({s.organization_id for s in services})

        def pending() -> list[dict[str, Any]]:
            with exclusive(request.app.state) as db:
                return list_revisions(db, status=None, organization_ids=orgs)

        revisions = await anyio.to_thread.run_sync(pending) if orgs else []
        return render(request, "catalogue_admin_services.html", lang,
                      {"services": services, "revisions": revisions[-50:][::-1],
                       "names": {s.id: s.name for s in services}, "done": request.query_params.get("done")},
                      active="catalogue")

    @router.get("/catalogue/admin/services/{service_id}", response_class=HTMLResponse, name="catalogue_edit")
    async def catalogue_edit(request: Request, service_id: str, lang: LanguageDep,
                             principal: PrincipalDep) -> HTMLResponse:
        """The proposal form of one service, filled with the published values (404 outside the account's
        organisations)."""
        assert principal is not None
        index = await anyio.to_thread.run_sync(_index, request.app.state)
        entry = index.services.get(service_id[:64])
        if entry is None or not authorise(principal, "services.edit",
                                          Resource("service", organisation_id=entry.organization_id)):
            return _not_found(request, lang)
        return _edit_page(request, lang, entry, None, {})

    @router.post("/catalogue/admin/services/{service_id}", name="catalogue_propose")
    async def catalogue_propose(request: Request, service_id: str, lang: LanguageDep,
                                principal: PrincipalDep) -> Response:
        """Store the changed fields as a pending revision; the published service is untouched."""
        assert principal is not None
        fields = await form_fields(request)
        index = await anyio.to_thread.run_sync(_index, request.app.state)
        entry = index.services.get(service_id[:64])
        if entry is None:
            return _not_found(request, lang)

        def propose() -> str:
            changes = changed_fields(entry.document, fields)
            with exclusive(request.app.state) as db:
                return propose_revision(db, principal, pseudonymiser_of(request.app.state), entry.id, changes)
        try:
            await anyio.to_thread.run_sync(propose)
        except PermissionDeniedError:
            return _not_found(request, lang)
        except InputError as exc:
            return _edit_page(request, lang, entry, str(exc), fields, status_code=422)
        return RedirectResponse(f"{request.scope.get('root_path', '')}/catalogue/admin/services?done=proposed",
                                status_code=303)

    return router


def _edit_page(request: Request, lang: Language, entry: ServiceEntry, message: str | None,
               typed: dict[str, str], *, status_code: int = 200) -> HTMLResponse:
    values = {k: typed.get(k, "" if entry.document.get(k) is None else str(entry.document.get(k)))
              for k in FORM_FIELDS}
    return render(request, "catalogue_admin_edit.html", lang,
                  {"service": entry, "values": values, "message": message, "statuses": SERVICE_STATUS},
                  status_code=status_code, active="catalogue")
