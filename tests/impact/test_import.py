"""Import of calls, projects and partner reports: whole-file validation, atomic loads, idempotence, authorisation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from tests.impact.helpers import (
    CALL,
    beneficiary,
    build_city,
    person_index,
    project,
    pseudonymiser,
    register,
    write_csv,
)
from welfare_district.access.policy import Grant, Principal
from welfare_district.engine import Database
from welfare_district.impact.importer import import_reports
from welfare_district.impact.model import impact_tables


def _count(db: Database, table: sa.Table) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _import(db: Database, *paths: Path, principal: Principal | None = None) -> list:  # type: ignore[type-arg]
    return import_reports(db, list(paths), principal=principal, index=person_index(),
                          pseudonymiser=pseudonymiser())


def test_valid_files_load_and_the_same_files_twice_change_nothing(db: Database, tmp_path: Path) -> None:
    build_city(db)
    first = register(tmp_path, db, [beneficiary("P1", 1), beneficiary("P1", 3)])
    assert [(r.kind, r.status, r.rows) for r in first] == [("bandi", "loaded", 2), ("progetti", "loaded", 2),
                                                          ("beneficiari", "loaded", 2)]
    t = impact_tables()
    with db.engine.connect() as conn:
        stored = pd.DataFrame(conn.execute(sa.select(t.beneficiary)).mappings().all())
    # linked by code (person 1) and by names and birth date (person 3); no name, code or birth date stored
    assert sorted(zip(stored["person_id"], stored["link_method"], strict=True)) == [
        (1, "codice_fiscale"), (3, "name_birth")]
    assert not {"cognome", "surname", "codice_fiscale", "birth_date"} & set(stored.columns)
    again = register(tmp_path, db, [beneficiary("P1", 1), beneficiary("P1", 3)])
    assert [r.status for r in again] == ["unchanged"] * 3
    assert _count(db, t.beneficiary) == 2


def test_activities_for_an_unknown_project_or_outside_the_period_are_reported_row_by_row(
        db: Database, tmp_path: Path) -> None:
    register(tmp_path, db, [beneficiary("P1", 1)])
    good = {"codice_progetto": "P1", "data": "2022-04-01", "tipo": "sportello", "area": "Q1Z01", "ore": "2",
            "partecipanti": "5"}
    path = write_csv(tmp_path / "attivita_P1.csv", [
        good, {**good, "codice_progetto": "P9"}, {**good, "data": "2023-02-01"}, {**good, "area": "Q1Z02"},
        {**good, "ore": "due"}])
    [result] = _import(db, path)
    assert result.status == "rejected"
    got = list(result.problems[["row_number", "field", "reason"]].itertuples(index=False, name=None))
    assert got == [(3, "project_id", "unknown_project"), (4, "activity_date", "date_outside_project"),
                   (5, "area_id", "area_outside_project"), (6, "hours", "bad_number")]
    assert _count(db, impact_tables().activity) == 0
    # the corrected file loads whole
    [fixed] = _import(db, write_csv(tmp_path / "attivita_P1.csv", [good, {**good, "data": "2022-05-02"}]))
    assert (fixed.status, fixed.rows) == ("loaded", 2)


def test_beneficiaries_outside_the_target_group_or_period_load_nothing(db: Database, tmp_path: Path) -> None:
    register(tmp_path, db, [beneficiary("P1", 1)])
    rows = [beneficiary("P1", 3), beneficiary("P1", 7), beneficiary("P1", 5, reached="2023-01-15"),
            {**beneficiary("P1", 8), "data_nascita": "31/02/1982"}]
    [result] = _import(db, write_csv(tmp_path / "beneficiari_second.csv", rows))
    got = list(result.problems[["row_number", "field", "reason"]].itertuples(index=False, name=None))
    # person 7 is 72 (the call is for 18-64); person 5 was taken in after the project ended
    assert got == [(3, "birth_date", "outside_target_group"), (4, "reached_on", "date_outside_project"),
                   (5, "birth_date", "bad_date")]
    assert _count(db, impact_tables().beneficiary) == 1


def test_projects_of_an_unknown_call_and_missing_columns_are_refused(db: Database, tmp_path: Path) -> None:
    [calls] = _import(db, write_csv(tmp_path / "bandi.csv", [CALL]))
    assert calls.status == "loaded"
    bad = write_csv(tmp_path / "progetti.csv", [project("P1", call="B9"), {**project("P2"), "data_fine": "2022-01-01"}])
    [result] = _import(db, bad)
    got = list(result.problems[["row_number", "field", "reason"]].itertuples(index=False, name=None))
    assert got == [(2, "call_id", "unknown_call"), (3, "ends_on", "ends_before_start")]
    no_title = write_csv(tmp_path / "progetti_b.csv", [{k: v for k, v in project("P3").items() if k != "titolo"}])
    [missing] = _import(db, no_title)
    assert ("missing_column", "title") in {(p.reason, p.field) for p in missing.problems.itertuples()}
    assert _count(db, impact_tables().project) == 0


def test_partners_report_only_on_their_own_projects(db: Database, tmp_path: Path) -> None:
    register(tmp_path, db, [beneficiary("P1", 1)],
             projects=[project("P1", lead="E001"), project("P2", lead="E002")])
    partner = Principal("u1", "partner", grants=frozenset({Grant("organisation", "E001")}))
    act = {"codice_progetto": "P1", "data": "2022-04-01", "tipo": "sportello", "area": "Q1Z01", "ore": "2",
           "partecipanti": "5"}
    [own] = _import(db, write_csv(tmp_path / "attivita_own.csv", [act]), principal=partner)
    assert own.status == "loaded"
    [other] = _import(db, write_csv(tmp_path / "attivita_other.csv", [{**act, "codice_progetto": "P2"}]),
                      principal=partner)
    assert other.status == "rejected" and list(other.problems["reason"]) == ["not_authorised"]
    # and a partner may not register calls
    [calls] = _import(db, write_csv(tmp_path / "bandi_new.csv", [{**CALL, "codice_bando": "B7"}]), principal=partner)
    assert calls.status == "rejected" and list(calls.problems["reason"]) == ["not_authorised"]
