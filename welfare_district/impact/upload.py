"""A partner's report sent as one file (the browser upload): checked, stored under a name of its own, imported.

One upload is one project's whole report of one kind (``attivita`` or ``beneficiari``). The file is kept
under ``<kind>_<project id>.<ext>`` whatever the sender called it, so that:

- a corrected or extended report replaces the project's earlier one of that kind (the importer replaces the
  rows of a file name), and the report files the pipeline loads under the same names (``attivita_P01.csv``);
- a name chosen by the sender can neither carry personal data into the register nor replace another
  organisation's rows;
- the same bytes sent again are ``unchanged`` and change nothing.

Before anything is read the file must be non-empty, at most ``MAX_FILE_BYTES``, end in .csv or .xlsx, carry
a content type a browser gives such a file, and look like one (an xlsx is a zip archive of bounded unpacked
size; a CSV is UTF-8 text). Every row must belong to the chosen project (reason ``other_project``); then
``import_reports`` validates the rows with the sender's principal and loads all of them or none.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from welfare_district.access.policy import Principal, Resource, authorise
from welfare_district.audit.log import AuditEvent, record
from welfare_district.engine import Database
from welfare_district.errors import InputError, NotFoundError, PermissionDeniedError
from welfare_district.impact.importer import import_reports
from welfare_district.impact.linkage import PersonIndex
from welfare_district.impact.model import ensure_impact_tables, split_ids
from welfare_district.impact.spec import SPECS, Kind, read_sheet
from welfare_district.privacy.pseudonym import Pseudonymiser

REPORT_KINDS: tuple[Kind, ...] = ("attivita", "beneficiari")
MAX_FILE_BYTES = 2 * 1024 * 1024
# an xlsx is compressed: its unpacked parts are bounded too, so a small archive cannot fill the memory
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
# what browsers send for these files; application/octet-stream when the system knows no type for them
CONTENT_TYPES: dict[str, frozenset[str]] = {
    ".csv": frozenset({"text/csv", "text/plain", "application/csv", "text/x-csv", "text/comma-separated-values",
                       "application/vnd.ms-excel", "application/octet-stream"}),
    ".xlsx": frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        "application/octet-stream", "application/zip"}),
}
REPORT_ACTION = "activity.report"


class UploadRefusedError(InputError):
    """The file itself is refused before any row is read: ``code`` is empty, too_large, wrong_type,
    unreadable or no_rows."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, field="file")
        self.code = code


@dataclass(frozen=True)
class UploadOutcome:
    """One upload's result: ``loaded`` (``rows`` written), ``unchanged`` or ``rejected`` (``problems``:
    row_number, field, reason; nothing written). ``sha256`` is the digest of the bytes received."""

    status: str
    kind: Kind
    project_id: str
    rows: int
    sha256: str
    problems: list[dict[str, Any]] = field(default_factory=list)


def may_report(principal: Principal | None, project: dict[str, Any]) -> bool:
    """True when ``principal`` may send reports for ``project`` (a row of impact_project): a partner granted
    its lead or a partner organisation, or the municipality's staff the policy allows for any project."""
    orgs = [str(project["lead_organisation_id"]), *split_ids(str(project["partners"] or ""))]
    return any(authorise(principal, REPORT_ACTION, Resource("impact_project", organisation_id=o)) for o in orgs)


def reportable_projects(db: Database, principal: Principal | None) -> list[dict[str, Any]]:
    """The projects ``principal`` may report on, by id: project_id, title, call_id, starts_on, ends_on."""
    tables = ensure_impact_tables(db)
    with db.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(tables.project).order_by(tables.project.c.project_id))
                .mappings()]
    return [{k: r[k] for k in ("project_id", "title", "call_id", "starts_on", "ends_on")}
            for r in rows if may_report(principal, r)]


def project_loads(db: Database, project_ids: list[str]) -> list[dict[str, Any]]:
    """The files loaded under the upload names of these projects (what each project's reports are now)."""
    names = {f"{kind}_{pid}{ext}": (pid, kind) for pid in project_ids for kind in REPORT_KINDS
             for ext in CONTENT_TYPES}
    if not names:
        return []
    load = ensure_impact_tables(db).load
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(load.c.file_name, load.c.rows, load.c.loaded_at)
                            .where(load.c.file_name.in_(sorted(names)))).all()
    return sorted(({"project_id": names[n][0], "kind": names[n][1], "file_name": n, "rows": int(r),
                    "loaded_at": when.astimezone(UTC) if when.tzinfo else when} for n, r, when in rows),
                  key=lambda x: (x["project_id"], x["kind"]))


def check_file(file_name: str, content_type: str, data: bytes) -> str:
    """The file's extension (``.csv`` or ``.xlsx``) once it passes the size, name, type and content checks;
    UploadRefusedError naming the first check it fails."""
    if not data:
        raise UploadRefusedError("empty", "the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise UploadRefusedError("too_large", f"the file is larger than {MAX_FILE_BYTES} bytes")
    ext = Path(file_name).suffix.lower()
    declared = content_type.split(";")[0].strip().lower()
    if ext not in CONTENT_TYPES or declared not in CONTENT_TYPES[ext]:
        raise UploadRefusedError("wrong_type", "only .csv and .xlsx files are accepted")
    if ext == ".xlsx":
        _check_xlsx(data)
    elif b"\x00" in data:
        raise UploadRefusedError("wrong_type", "the file is not text: only .csv and .xlsx files are accepted")
    else:
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UploadRefusedError("unreadable", "the CSV file is not UTF-8 text") from None
    return ext


def _check_xlsx(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise UploadRefusedError("wrong_type", "the file is not an xlsx workbook") from None
    if not any(p.filename == "[Content_Types].xml" for p in parts):
        raise UploadRefusedError("wrong_type", "the file is not an xlsx workbook")
    if sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
        raise UploadRefusedError("too_large", "the workbook unpacks to more than the accepted size")


def template_csv(kind: Kind) -> bytes:
    """The header row of a report kind (from impact.spec), ``;``-separated with a UTF-8 mark, as spreadsheet
    programs set to Italian read it."""
    return ("\ufeff" + ";".join(c.header for c in SPECS[kind]) + "\r\n").encode("utf-8")


def _blank_other_projects(path: Path, project_id: str) -> tuple[Path, set[int]]:
    """The sheet to import, and the sheet rows naming another project.

    Those rows get an empty project cell in a CSV copy, so the importer refuses the file (``required``)
    while still checking and listing every other row: one answer names every problem, nothing is loaded.
    """
    frame = read_sheet(path)
    if frame.empty:
        # a header without rows would replace the project's report with nothing: almost surely a mistake
        raise UploadRefusedError("no_rows", "the file has no row under its header")
    if "codice_progetto" not in frame.columns:
        return path, set()  # the importer reports the missing column
    codes = frame["codice_progetto"].astype(str).str.strip()
    other = (codes != "") & (codes != project_id)
    if not other.any():
        return path, set()
    frame.loc[other, "codice_progetto"] = ""
    copy = path.parent / "checked" / f"{path.stem}.csv"
    copy.parent.mkdir()
    frame.to_csv(copy, index=False, encoding="utf-8")
    return copy, {int(i) + 2 for i in frame.index[other]}


def upload_report(db: Database, principal: Principal | None, project_id: str, kind: str, file_name: str,
                  content_type: str, data: bytes, *, pseudonymiser: Pseudonymiser,
                  index: Callable[[], PersonIndex] | None = None) -> UploadOutcome:
    """Check and import one project's report; the outcome. Nothing is written unless every row passes.

    Raises InputError for a kind other than attivita or beneficiari, NotFoundError for an unknown project,
    PermissionDeniedError when ``principal`` may not report on it, UploadRefusedError for a refused file.
    ``index`` gives the linkage index (beneficiary lists only; default: built from the pipeline's links).
    """
    if kind not in REPORT_KINDS:
        raise InputError("the report kind must be attivita or beneficiari", field="kind")
    report_kind: Kind = "attivita" if kind == "attivita" else "beneficiari"
    tables = ensure_impact_tables(db)
    with db.engine.connect() as conn:
        project = conn.execute(sa.select(tables.project).where(tables.project.c.project_id == project_id)
                               ).mappings().first()
    if project is None:
        raise NotFoundError("unknown project")
    if not may_report(principal, dict(project)):
        raise PermissionDeniedError("another organisation's project")
    ext = check_file(file_name, content_type, data)
    digest = hashlib.sha256(data).hexdigest()
    with tempfile.TemporaryDirectory(prefix="wd-report-") as folder:
        path = Path(folder) / f"{report_kind}_{project_id}{ext}"
        path.write_bytes(data)
        try:
            checked, other_rows = _blank_other_projects(path, project_id)
        except UploadRefusedError:
            raise
        except InputError:
            raise UploadRefusedError("unreadable", "the file cannot be read as a sheet") from None
        person_index = index() if report_kind == "beneficiari" and index is not None and not other_rows else None
        result = import_reports(db, [checked], principal=principal, index=person_index,
                                pseudonymiser=pseudonymiser)[0]
    problems = [{"row_number": int(row), "field": str(name),
                 "reason": "other_project" if name == "project_id" and int(row) in other_rows else str(reason)}
                for row, name, reason in zip(result.problems["row_number"], result.problems["field"],
                                             result.problems["reason"], strict=True)]
    return UploadOutcome(result.status, report_kind, project_id, result.rows, digest, problems)


def audit_upload(db: Database, principal: Principal | None, pseudonymiser: Pseudonymiser, *, project_id: str,
                 kind: str, sha256: str | None, status: str) -> None:
    """Record one upload in the audit log: who, the project, report kind and file digest (pseudonymised as
    every audit object), and the outcome (``impact.report_<status>``)."""
    actor = "public" if principal is None else f"user:{principal.user_id}"
    outcome = {"loaded": "ok", "unchanged": "ok", "denied": "denied"}.get(status, "failed")
    event = AuditEvent(actor, f"impact.report_{status}", "impact_report",
                       f"{project_id[:64]}:{kind[:16]}:{sha256 or '-'}", "ingest", outcome)
    with db.engine.begin() as conn:
        record(conn, event, pseudonymiser)
