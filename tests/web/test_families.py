"""Operators' family profiles on both engines: scope, purpose, audit in the read's transaction, no CF leaks."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.pgserver import PostgresServer
from tests.web.auth_helpers import AUTH_SETTINGS, csrf_from, make_user, sign_in
from welfare_district.audit.log import audit_tables
from welfare_district.engine import Database, connect
from welfare_district.geo.folder import read_area_folder
from welfare_district.geo.store import save_areas
from welfare_district.link.staging import link_tables
from welfare_district.model.records import record_tables
from welfare_district.synth.truth_warehouse import build_truth_warehouse
from welfare_district.web.auth_audit import pseudonymiser_of
from welfare_district.web.pages.families_data import family_ref

CF_PATTERN = re.compile(r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]")
GIVEN, SURNAME = "Ottavia", "Zanchettin"


def _cf(i: int) -> str:
    return f"ZNCTTV80A{41 + i:02d}G224X"


@pytest.fixture(scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def family_db(request: pytest.FixtureRequest, city_dataset: Path,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The small city's areas and warehouse, plus register rows (names, CFs) and links for one family."""
    admin = None
    if request.param == "duckdb":
        url = f"duckdb:///{tmp_path_factory.mktemp('families') / 'families.duckdb'}"
    else:
        server: PostgresServer = request.getfixturevalue("pg_server")
        name = f"families_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(server.url().replace("postgresql://", "postgresql+psycopg://"),
                                 isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = server.url(name)
    db = connect(url)
    try:
        save_areas(db, read_area_folder(city_dataset / "areas")[0])
        build_truth_warehouse(city_dataset, db)
        with db.engine.connect() as conn:
            year = conn.execute(sa.text("SELECT MAX(snapshot_year) FROM wh_family")).scalar_one()
            # a family of two or more people, and one in another quartiere
            mine = conn.execute(sa.text(
                "SELECT family_id, quartiere_id, zone_id FROM wh_family WHERE snapshot_year = :y AND size >= 2 "
                "AND quartiere_id IS NOT NULL ORDER BY family_id LIMIT 1"), {"y": year}).one()
            other = conn.execute(sa.text(
                "SELECT family_id, quartiere_id FROM wh_family WHERE snapshot_year = :y AND quartiere_id <> :q "
                "ORDER BY family_id LIMIT 1"), {"y": year, "q": mine.quartiere_id}).one()
            members = [int(r[0]) for r in conn.execute(sa.text(
                "SELECT person_id FROM wh_person WHERE snapshot_year = :y AND family_id = :f ORDER BY person_id"),
                {"y": year, "f": mine.family_id})]
        _plant_register(db, int(mine.family_id), members)
        yield {"db": db, "year": year, "family": int(mine.family_id), "quartiere": mine.quartiere_id,
               "zone": mine.zone_id, "other": int(other.family_id), "members": members}
    finally:
        db.close()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def _plant_register(db: Database, family_id: int, members: list[int]) -> None:
    """Register rows with names and codici fiscali, and their links (register and ISEE) to the family."""
    record_tables().metadata.create_all(db.engine, checkfirst=True)
    links = link_tables()
    links.metadata.create_all(db.engine, checkfirst=True)
    when = datetime(2026, 1, 5, tzinfo=UTC)
    people, linked = [], []
    for i, pid in enumerate(members):
        row = 1000 + i
        people.append({"load_id": "L-fam", "source": "anagrafe", "file_name": "anagrafe_2025.csv",
                       "file_sha256": "0" * 64, "row_number": row, "warnings": "", "codice_fiscale": _cf(i),
                       "surname": SURNAME, "given_name": f"{GIVEN}{i}"})
        for source in ("anagrafe", "isee"):
            linked.append({"record_id": f"{source}:{source}_2025.csv:{row}", "source": source,
                           "file_name": f"{source}_2025.csv", "row_number": row, "load_id": "L-fam",
                           "person_id": f"P{pid:016X}", "family_id": f"F{family_id:016X}",
                           "link_method": "deterministic", "cf_status": "valid", "linked_at": when})
    with db.engine.begin() as conn:
        conn.execute(record_tables().records["person_record"].insert(), people)
        conn.execute(links.person.insert(), linked)


@pytest.fixture
def operator(family_db: dict[str, Any], make_client: Callable[..., TestClient]) -> TestClient:
    """A client signed in as an operator of the family's quartiere."""
    db: Database = family_db["db"]
    name = f"op.{uuid.uuid4().hex[:8]}"
    make_user(db, name, "operator", (("quartiere", family_db["quartiere"]),))
    client = make_client(db, **AUTH_SETTINGS, language="en")
    assert sign_in(client, name).status_code == 303
    return client


def _ref(client: TestClient, family_id: int) -> str:
    return family_ref(pseudonymiser_of(client.app.state), family_id)  # type: ignore[attr-defined]


def _audit_rows(db: Database, action: str) -> list[dict[str, Any]]:
    t = audit_tables().log
    with db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(t).where(t.c.action == action).order_by(t.c.seq))
                .mappings()]


def test_profile_in_scope_shows_members_sources_indicators_and_is_audited(
        family_db: dict[str, Any], operator: TestClient) -> None:
    db: Database = family_db["db"]
    ref = _ref(operator, family_db["family"])
    before = len(_audit_rows(db, "family.read"))
    page = operator.get(f"/families/{ref}", params={"purpose": "case_management"})
    assert page.status_code == 200
    for i in range(len(family_db["members"])):
        assert f"{GIVEN}{i} {SURNAME}" in page.text
    assert "anagrafe" in page.text and "isee" in page.text
    assert f"F{family_db['family']:016X}" not in page.text and f"/families/{family_db['family']}?" not in page.text
    api = operator.get(f"/api/v1/families/{ref}", params={"purpose": "referral"}).json()
    assert api["family_ref"] == ref and len(api["members"]) == len(family_db["members"])
    assert {s["source"]: s["records"] for s in api["sources"]} == {
        "anagrafe": len(family_db["members"]), "isee": len(family_db["members"])}
    assert all(i["count"] >= 1 for i in api["hardship_indicators"])
    rows = _audit_rows(db, "family.read")[before:]
    assert [(r["outcome"], r["purpose"]) for r in rows] == [("ok", "case_management"), ("ok", "referral")]
    assert rows[0]["object_ref"] and ref not in str(rows[0]) and rows[0]["object_type"] == "family"


def test_hardship_indicators_match_the_library_filters(family_db: dict[str, Any], operator: TestClient) -> None:
    """Cross-check one family's flags with the directory's precomputed flags (same filters, other code)."""
    from welfare_district.web.pages.families_data import hardship_indicators

    db: Database = family_db["db"]
    found = {i["id"] for i in hardship_indicators(db, family_db["year"], family_db["family"])}
    from welfare_district.directory.profile import HARDSHIP_NEEDS, _flag_frame

    flags = _flag_frame(db, family_db["year"])
    row = flags[flags["family_id"] == family_db["family"]].iloc[0]
    expected = {c for c in HARDSHIP_NEEDS if c in flags.columns and bool(row[c])}
    assert expected <= found


def test_out_of_scope_or_unknown_family_is_not_found_and_audited(family_db: dict[str, Any],
                                                                 operator: TestClient) -> None:
    db: Database = family_db["db"]
    before = len(_audit_rows(db, "family.read"))
    other = _ref(operator, family_db["other"])
    unknown = _ref(operator, 987_654_321_987)
    answers = []
    for ref in (other, unknown, "not-a-pseudonym", str(family_db["other"])):
        page = operator.get(f"/families/{ref}", params={"purpose": "case_management"})
        api = operator.get(f"/api/v1/families/{ref}", params={"purpose": "case_management"})
        assert page.status_code == 404 and api.status_code == 404
        answers.append(api.json())
    assert all(a == answers[0] for a in answers)  # the same words whether the family exists or not
    rows = _audit_rows(db, "family.read")[before:]
    assert len(rows) == 8 and {r["outcome"] for r in rows} == {"denied"}
    listed = operator.get("/families", params={"purpose": "referral", "ref": other}).text
    assert f"/families/{other}?" not in listed and "No family found in your territory." in listed
    assert operator.get("/api/v1/families", params={"purpose": "referral", "ref": other}).json()["families"] == []


def test_search_lists_only_the_territory(family_db: dict[str, Any], operator: TestClient) -> None:
    db: Database = family_db["db"]
    found = operator.get("/api/v1/families", params={"purpose": "referral"}).json()["families"]
    with db.engine.connect() as conn:
        in_scope = conn.execute(sa.text("SELECT COUNT(*) FROM wh_family WHERE snapshot_year = :y AND "
                                        "quartiere_id = :q"), {"y": family_db["year"], "q": family_db["quartiere"]}
                                ).scalar_one()
    assert (len(found) == min(in_scope, 200) and _ref(operator, family_db["family"]) in found) or in_scope > 200
    assert _ref(operator, family_db["other"]) not in found
    by_zone = operator.get("/api/v1/families", params={"purpose": "referral", "area": family_db["zone"]}).json()
    assert _ref(operator, family_db["family"]) in by_zone["families"]
    page = operator.get("/families", params={"purpose": "referral", "ref": _ref(operator, family_db["family"])})
    assert page.status_code == 200 and f"/families/{_ref(operator, family_db['family'])}?purpose=referral" in page.text
    assert len(_audit_rows(db, "family.search")) >= 3


def test_purpose_is_required_from_the_closed_list(family_db: dict[str, Any], operator: TestClient) -> None:
    ref = _ref(operator, family_db["family"])
    before = len(_audit_rows(family_db["db"], "family.read"))
    assert operator.get(f"/families/{ref}").status_code == 400
    assert operator.get(f"/families/{ref}", params={"purpose": "curiosity"}).status_code == 400
    assert operator.get(f"/api/v1/families/{ref}").status_code == 422
    assert operator.get(f"/api/v1/families/{ref}", params={"purpose": "curiosity"}).status_code == 422
    assert len(_audit_rows(family_db["db"], "family.read")) == before  # nothing was read


def test_other_roles_cannot_read_a_family(family_db: dict[str, Any],
                                          make_client: Callable[..., TestClient]) -> None:
    db: Database = family_db["db"]
    for role, grants in (("analyst", (("city", "c"),)), ("partner", (("organisation", "o"),)),
                         ("data_steward", (("city", "c"),)), ("admin", ())):
        name = f"{role.replace('_', '.')}.{uuid.uuid4().hex[:6]}"
        make_user(db, name, role, grants)  # type: ignore[arg-type]
        client = make_client(db, **AUTH_SETTINGS)
        sign_in(client, name)
        ref = _ref(client, family_db["family"])
        assert client.get(f"/api/v1/families/{ref}", params={"purpose": "referral"}).status_code == 403
        assert client.get(f"/families/{ref}", params={"purpose": "referral"}).status_code == 403
    public = make_client(db, **AUTH_SETTINGS)
    assert public.get("/api/v1/families/x", params={"purpose": "referral"}).status_code == 401


def test_the_read_fails_when_its_audit_row_cannot_be_written(family_db: dict[str, Any], operator: TestClient,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from welfare_district.web.pages import families_access

    db: Database = family_db["db"]
    ref = _ref(operator, family_db["family"])
    real = families_access.record

    def failing(conn: sa.Connection, event: Any, pseudonymiser: Any, **kw: Any) -> dict[str, Any]:
        if event.action == "family.read" and event.outcome == "ok":
            raise RuntimeError("audit storage unavailable")
        return real(conn, event, pseudonymiser, **kw)

    monkeypatch.setattr(families_access, "record", failing)
    before = len(_audit_rows(db, "family.read"))
    quiet = TestClient(operator.app, raise_server_exceptions=False, cookies=dict(operator.cookies))
    response = quiet.get(f"/api/v1/families/{ref}", params={"purpose": "referral"})
    assert response.status_code == 500 and SURNAME not in response.text
    assert len(_audit_rows(db, "family.read")) == before


def test_no_codice_fiscale_reaches_the_audit_table_or_the_logs(family_db: dict[str, Any], operator: TestClient,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    db: Database = family_db["db"]
    caplog.set_level(logging.DEBUG)
    ref = _ref(operator, family_db["family"])
    texts = [operator.get(f"/families/{ref}", params={"purpose": "safeguarding"}).text,
             operator.get(f"/api/v1/families/{ref}", params={"purpose": "eligibility_check"}).text,
             operator.post("/families", data={"purpose": "referral", "ref": _cf(0),
                                              "csrf_token": csrf_from(operator.get("/families").text)}).text,
             ]
    with db.engine.connect() as conn:
        audit = [" ".join(str(v) for v in r) for r in conn.execute(sa.select(audit_tables().log))]
    assert audit, "the scan must see audit rows"
    assert texts[2].count('name="ref"') == 1  # the search answered, without repeating what was typed
    # the application's own log records (the test client's request log is not the application's)
    app_log = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore")))
    for text in [*audit, app_log, *texts]:
        assert not CF_PATTERN.search(text), "a codice fiscale leaked"
    assert CF_PATTERN.search(_cf(0))  # the pattern does match a codice fiscale
