"""The report upload page on both engines: a partner's valid file is loaded once, a file with bad rows is
refused with the rows listed and nothing written, another organisation's project is refused (403), a file
too large or of the wrong type is refused, every upload is audited, and no personal data reaches the page."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.impact.helpers import CALL, ELDERLY_CALL, beneficiary, build_city, project, write_csv
from tests.web.auth_helpers import csrf_from, make_user, signed_in
from welfare_district.audit.log import audit_tables
from welfare_district.engine import Database
from welfare_district.impact.importer import import_reports
from welfare_district.impact.model import impact_tables
from welfare_district.impact.spec import SPECS, read_sheet
from welfare_district.impact.upload import MAX_FILE_BYTES
from welfare_district.web.auth_guard import UPLOAD_BODY_BYTES

ClientFactory = Callable[..., TestClient]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _register(db: Database, tmp_path: Path) -> None:
    """The hand-made city; P1 and P2 led by E001, P3 led by E002 (another organisation)."""
    build_city(db)
    files = [write_csv(tmp_path / "bandi.csv", [CALL, ELDERLY_CALL]),
             write_csv(tmp_path / "progetti.csv", [project("P1"), project("P2", areas="Q1Z01|Q1Z02"),
                                                   project("P3", lead="E002")])]
    assert all(r.status == "loaded" for r in import_reports(db, files))


def _client(make_client: ClientFactory, db: Database, role: str, grants: tuple[tuple[str, str], ...]) -> TestClient:
    name = f"{role.replace('_', '.')}.{uuid.uuid4().hex[:8]}"
    make_user(db, name, role, grants)  # type: ignore[arg-type]
    return signed_in(make_client, db, name, language="en")


def _partner(make_client: ClientFactory, db: Database) -> TestClient:
    return _client(make_client, db, "partner", (("organisation", "E001"),))


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _activity(pid: str = "P1", day: str = "2022-04-10", area: str = "Q1Z01", hours: str = "3") -> dict[str, str]:
    return {"codice_progetto": pid, "data": day, "tipo": "incontro", "area": area, "ore": hours,
            "partecipanti": "7"}


def _post(client: TestClient, project_id: str, kind: str, name: str, content: bytes,
          content_type: str = "text/csv", token: str | None = None) -> Any:
    token = token if token is not None else csrf_from(client.get("/impact/reports").text)
    return client.post("/impact/reports", data={"csrf_token": token, "project": project_id, "kind": kind},
                       files={"file": (name, content, content_type)})


def _count(db: Database, table: sa.Table) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _audit_actions(db: Database) -> list[tuple[str, str]]:
    log = audit_tables().log
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(log.c.action, log.c.outcome).where(log.c.action.like("impact.report%"))
                            .order_by(log.c.seq)).all()
    return [(str(a), str(o)) for a, o in rows]


def test_a_partner_loads_an_activity_report_once(db: Database, tmp_path: Path, make_client: ClientFactory) -> None:
    _register(db, tmp_path)
    client = _partner(make_client, db)
    page = client.get("/impact/reports")
    assert page.status_code == 200
    # only the partner's own projects are offered
    assert 'value="P1"' in page.text and 'value="P2"' in page.text and 'value="P3"' not in page.text
    content = _csv([_activity(), _activity(day="2022-05-10", hours="2,5"), _activity(day="2022-06-01")])
    first = _post(client, "P1", "attivita", "my report (march).csv", content)
    assert first.status_code == 200, first.text
    assert "Report loaded: 3 activities for project P1." in first.text
    assert _count(db, impact_tables().activity) == 3
    # the report is stored under the project's name, whatever the sender called the file
    with db.engine.connect() as conn:
        assert conn.execute(sa.select(impact_tables().load.c.file_name)
                            .where(impact_tables().load.c.kind == "attivita")).scalars().all() == ["attivita_P1.csv"]
    again = _post(client, "P1", "attivita", "copy.csv", content)
    assert again.status_code == 200 and "already loaded for project P1: nothing changed" in again.text
    assert _count(db, impact_tables().activity) == 3
    # a corrected report replaces the earlier one
    fewer = _post(client, "P1", "attivita", "fixed.csv", _csv([_activity()]))
    assert "Report loaded: 1 activities" in fewer.text and _count(db, impact_tables().activity) == 1
    assert 'id="reports-current"' in fewer.text
    assert _audit_actions(db) == [("impact.report_loaded", "ok"), ("impact.report_unchanged", "ok"),
                                  ("impact.report_loaded", "ok")]


def test_bad_rows_are_listed_without_personal_data_and_nothing_is_written(
        db: Database, tmp_path: Path, make_client: ClientFactory) -> None:
    _register(db, tmp_path)
    client = _partner(make_client, db)
    good = beneficiary("P1", 1)
    rows = [good, {**beneficiary("P1", 3), "data_presa_in_carico": "31/31/2022"},
            {**beneficiary("P1", 5), "data_nascita": "01/01/1930"}, beneficiary("P3", 7)]
    answer = _post(client, "P1", "beneficiari", "beneficiari.csv", _csv(rows))
    assert answer.status_code == 422
    assert "The file was not loaded: no row was saved." in answer.text
    table = answer.text.split('id="reports-problems"', 1)[1].split("</table>", 1)[0]
    # row 3: the bad date; row 4: outside the call's age range; row 5: another project's row
    assert "<td class=\"num\">3</td>" in table and "bad_date" in table and "data_presa_in_carico" in table
    assert "<td class=\"num\">4</td>" in table and "outside_target_group" in table
    assert "<td class=\"num\">5</td>" in table and "other_project" in table
    for value in ("ROSSI", "BIANCHI", "VERDI", "NERI", "RSSMRA80E01G224E", "1930", "31/31"):
        assert value not in answer.text.upper()
    assert _count(db, impact_tables().beneficiary) == 0 and _count(db, impact_tables().load) == 2
    assert _audit_actions(db) == [("impact.report_rejected", "failed")]
    # corrected, the same list loads; nothing of it reaches the page either
    loaded = _post(client, "P1", "beneficiari", "beneficiari.csv", _csv([good, beneficiary("P1", 3)]))
    assert loaded.status_code == 200 and "List loaded: 2 beneficiaries for project P1." in loaded.text
    assert "ROSSI" not in loaded.text.upper() and "RSSMRA" not in loaded.text
    assert _count(db, impact_tables().beneficiary) == 2


def test_another_organisations_project_is_refused(db: Database, tmp_path: Path, make_client: ClientFactory) -> None:
    _register(db, tmp_path)
    client = _partner(make_client, db)
    answer = _post(client, "P3", "attivita", "attivita.csv", _csv([_activity("P3")]))
    assert answer.status_code == 403
    assert _count(db, impact_tables().activity) == 0
    assert _audit_actions(db) == [("impact.report_denied", "denied")]
    # an unknown project is a 404, not a load
    assert _post(client, "P9", "attivita", "attivita.csv", _csv([_activity("P9")])).status_code == 404


def test_the_municipality_uploads_for_any_project(db: Database, tmp_path: Path, make_client: ClientFactory) -> None:
    _register(db, tmp_path)
    steward = _client(make_client, db, "data_steward", (("city", "c"),))
    assert 'value="P3"' in steward.get("/impact/reports").text
    answer = _post(steward, "P3", "attivita", "a.csv", _csv([_activity("P3")]))
    assert answer.status_code == 200 and "1 activities for project P3" in answer.text
    # an analyst may not (route refused before any read)
    analyst = _client(make_client, db, "analyst", (("city", "c"),))
    assert analyst.get("/impact/reports").status_code == 403


def test_files_too_large_or_of_the_wrong_type_are_refused(db: Database, tmp_path: Path,
                                                          make_client: ClientFactory) -> None:
    _register(db, tmp_path)
    client = _partner(make_client, db)
    header = b"codice_progetto,data,tipo,area,ore,partecipanti\n"
    row = b"P1,2022-04-10,incontro,Q1Z01,3,7\n"
    big = header + row * (MAX_FILE_BYTES // len(row) + 1)
    assert MAX_FILE_BYTES < len(big) < UPLOAD_BODY_BYTES["/impact/reports"] - 4096
    too_large = _post(client, "P1", "attivita", "a.csv", big)
    assert too_large.status_code == 413 and "too large: at most 2 MB" in too_large.text
    # past the form guard's limit the body is not even read
    assert _post(client, "P1", "attivita", "a.csv", big * 2).status_code == 413
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    assert _post(client, "P1", "attivita", "a.png", png, "image/png").status_code == 415
    assert _post(client, "P1", "attivita", "a.csv", png, "text/csv").status_code == 415
    assert _post(client, "P1", "attivita", "a.xlsx", b"not a zip", XLSX).status_code == 415
    assert _post(client, "P1", "attivita", "a.csv", "é".encode("latin-1") + header, "text/csv").status_code == 422
    empty = _post(client, "P1", "attivita", "a.csv", b"", "text/csv")
    assert empty.status_code == 422 and "The file is empty." in empty.text
    only_header = _post(client, "P1", "attivita", "a.csv", header)
    assert only_header.status_code == 422 and "only its header" in only_header.text
    assert _count(db, impact_tables().activity) == 0 and _count(db, impact_tables().load) == 2


def test_an_xlsx_report_loads(db: Database, tmp_path: Path, make_client: ClientFactory) -> None:
    _register(db, tmp_path)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    rows = [_activity(), _activity(day="2022-07-01", area="Q1Z01")]
    sheet.append(list(rows[0]))
    for r in rows:
        sheet.append(list(r.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    answer = _post(_partner(make_client, db), "P1", "attivita", "Attività.xlsx", buffer.getvalue(), XLSX)
    assert answer.status_code == 200 and "2 activities for project P1" in answer.text


def test_the_form_needs_its_csrf_token_and_its_fields(db: Database, tmp_path: Path,
                                                      make_client: ClientFactory) -> None:
    _register(db, tmp_path)
    client = _partner(make_client, db)
    forged = _post(client, "P1", "attivita", "a.csv", _csv([_activity()]), token="0" * 64)
    assert forged.status_code == 403 and _count(db, impact_tables().activity) == 0
    token = csrf_from(client.get("/impact/reports").text)
    missing = client.post("/impact/reports", data={"csrf_token": token, "project": "P1"})
    assert missing.status_code == 422 and "Choose a project, a report kind and a file." in missing.text


def test_templates_hold_the_declared_header_row(db: Database, tmp_path: Path, make_client: ClientFactory) -> None:
    _register(db, tmp_path)
    client = _partner(make_client, db)
    for kind in ("attivita", "beneficiari"):
        answer = client.get(f"/impact/reports/templates/{kind}.csv")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
        path = tmp_path / f"{kind}_template.csv"
        path.write_bytes(answer.content)
        assert list(read_sheet(path).columns) == [c.header for c in SPECS[kind]]
    assert client.get("/impact/reports/templates/bandi.csv").status_code == 404


def test_the_list_page_links_the_upload_page_for_those_who_may_report(
        db: Database, tmp_path: Path, make_client: ClientFactory) -> None:
    _register(db, tmp_path)
    assert 'id="impact-report-link"' in _partner(make_client, db).get("/impact").text
    assert 'id="impact-report-link"' not in make_client(db, language="en").get("/impact").text
