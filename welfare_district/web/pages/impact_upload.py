"""The report upload page: /impact/reports (a partner sends one of its projects' activity reports or
beneficiary lists as a CSV or xlsx file) and /impact/reports/templates/{kind}.csv (the header row to fill).

The form is multipart; its CSRF token travels in the ``csrf_token`` field like every other form (the form
guard reads it and lets the body up to ``auth_guard.UPLOAD_BODY_BYTES`` through on this path). The checks
and the load are ``impact.upload``'s; every upload that names a project is audited, refusals included. The
answer is the page again with the outcome: rows loaded, "already loaded", or the table of problems (row,
field, reason code and its message: never a cell's value, so no name or codice fiscale).
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from welfare_district.access.policy import Principal
from welfare_district.errors import InputError, NotFoundError, PermissionDeniedError
from welfare_district.impact.cache import cached, linkage_token
from welfare_district.impact.linkage import PersonIndex, index_from_pipeline
from welfare_district.impact.spec import SPECS, Kind
from welfare_district.impact.upload import (
    MAX_FILE_BYTES,
    REPORT_KINDS,
    UploadOutcome,
    UploadRefusedError,
    audit_upload,
    project_loads,
    reportable_projects,
    template_csv,
    upload_report,
)
from welfare_district.web.auth_audit import exclusive, pseudonymiser_of
from welfare_district.web.auth_routes import forbidden
from welfare_district.web.deps import LanguageDep, PrincipalDep
from welfare_district.web.i18n import Language, translate, words_reports
from welfare_district.web.templating import render

UPLOAD_PATH = "/impact/reports"
# the status of each refusal of the file itself
REFUSAL_STATUS = {"empty": 422, "too_large": 413, "wrong_type": 415, "unreadable": 422, "no_rows": 422}


def _page_context(app_state: Any, principal: Principal | None) -> dict[str, Any]:
    with exclusive(app_state) as db:
        projects = reportable_projects(db, principal)
        loads = project_loads(db, [p["project_id"] for p in projects])
    # problems name the sheet's own column headers, which the sender knows, rather than the field names
    headers = {c.field: c.header for kind in REPORT_KINDS for c in SPECS[kind]}
    return {"projects": projects, "loads": loads, "kinds": REPORT_KINDS, "headers": headers,
            "known_reasons": frozenset(k for k in words_reports.WORDS if k.startswith("reason_")),
            "max_mb": MAX_FILE_BYTES // (1024 * 1024)}


def _show(request: Request, lang: Language, principal: Principal | None, *, status_code: int = 200,
          **outcome: Any) -> HTMLResponse:
    context = _page_context(request.app.state, principal)
    return render(request, "impact_upload.html", lang, {**context, **outcome}, status_code=status_code,
                  active="impact")


def _person_index(app_state: Any) -> PersonIndex:
    """The linkage index, built once per linkage run (reading every linked record takes seconds at city
    scale); the caller holds the database."""
    db = app_state.db
    return cached(db, linkage_token(db), "person_index", lambda: index_from_pipeline(db))


def _run(app_state: Any, principal: Principal | None, project_id: str, kind: str,
         upload: tuple[str, str, bytes]) -> UploadOutcome | str:
    """Upload and audit; the outcome, or the refusal code (denied, not_found, bad_kind, or the file's)."""
    pseudonymiser = pseudonymiser_of(app_state)
    file_name, content_type, data = upload
    with exclusive(app_state) as db:
        try:
            outcome = upload_report(db, principal, project_id, kind, file_name, content_type, data,
                                    pseudonymiser=pseudonymiser, index=lambda: _person_index(app_state))
        except PermissionDeniedError:
            audit_upload(db, principal, pseudonymiser, project_id=project_id, kind=kind, sha256=None,
                         status="denied")
            return "denied"
        except NotFoundError:
            return "not_found"
        except UploadRefusedError as exc:
            audit_upload(db, principal, pseudonymiser, project_id=project_id, kind=kind, sha256=None,
                         status="refused")
            return exc.code
        except InputError:
            return "bad_kind"
        audit_upload(db, principal, pseudonymiser, project_id=project_id, kind=outcome.kind,
                     sha256=outcome.sha256, status=outcome.status)
    return outcome


async def _posted_file(request: Request) -> tuple[str, str, tuple[str, str, bytes]] | None:
    """Project, kind and (file name, content type, at most MAX_FILE_BYTES + 1 bytes) of a multipart
    post; None when it is not one or lacks the project or the file."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "multipart/form-data":
        return None
    try:
        form = await request.form(max_files=1, max_fields=8)
    except Exception:  # a malformed body is a form without its fields
        return None
    try:
        project_id, kind, upload = form.get("project"), form.get("kind"), form.get("file")
        if not isinstance(project_id, str) or not project_id or not isinstance(upload, UploadFile) \
                or not upload.filename:
            return None
        data = await upload.read(MAX_FILE_BYTES + 1)
        return project_id[:64], str(kind or "")[:16], (upload.filename[:200], upload.content_type or "", data)
    finally:
        await form.close()


def build_router() -> APIRouter:
    """The upload form, its POST and the header-row templates."""
    router = APIRouter()

    @router.get(UPLOAD_PATH, response_class=HTMLResponse, name="impact_reports_page")
    async def reports_page(request: Request, lang: LanguageDep, principal: PrincipalDep) -> HTMLResponse:
        """The form, listing only the projects this account may report on, and their current reports."""
        return await anyio.to_thread.run_sync(lambda: _show(request, lang, principal))

    @router.post(UPLOAD_PATH, response_class=HTMLResponse, name="impact_reports_upload")
    async def reports_upload(request: Request, lang: LanguageDep, principal: PrincipalDep) -> Response:
        """Check and load the posted report; the page again with the outcome (403 for another
        organisation's project, 413/415/422 for a refused file, 422 with the problems for refused rows)."""
        sent = await _posted_file(request)
        if sent is None:
            return await anyio.to_thread.run_sync(lambda: _show(
                request, lang, principal, status_code=422, refusal="missing"))
        project_id, kind, upload = sent
        result = await anyio.to_thread.run_sync(_run, request.app.state, principal, project_id, kind, upload)
        if result == "denied":
            return forbidden(request)
        if isinstance(result, str):
            status = 404 if result == "not_found" else REFUSAL_STATUS.get(result, 422)
            return await anyio.to_thread.run_sync(lambda: _show(
                request, lang, principal, status_code=status, refusal=result, chosen=project_id))
        status = 422 if result.status == "rejected" else 200
        return await anyio.to_thread.run_sync(lambda: _show(
            request, lang, principal, status_code=status, outcome=result, chosen=project_id))

    @router.get(UPLOAD_PATH + "/templates/{kind}.csv", name="impact_reports_template")
    async def report_template(request: Request, kind: str, lang: LanguageDep) -> Response:
        """The header row of ``kind`` (attivita or beneficiari) as a CSV to fill in; 404 for another kind."""
        if kind not in REPORT_KINDS:
            return render(request, "error.html", lang, {"title": translate(lang, "not_found_title"),
                                                        "message": translate(lang, "reports_unknown_kind")},
                          status_code=404, active="impact")
        chosen: Kind = "attivita" if kind == "attivita" else "beneficiari"
        return Response(template_csv(chosen), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{kind}_modello.csv"'})

    return router
