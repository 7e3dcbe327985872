"""The public API of the register of actions: small counts are suppressed, larger ones rounded; exports."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.impact.helpers import beneficiary, build_city, register
from welfare_district.engine import Database
from welfare_district.settings import get_settings
from welfare_district.web.app import create_app


def test_public_counts_of_people_reached_are_disclosure_controlled(db: Database, tmp_path: Path) -> None:
    build_city(db)
    assert all(r.status == "loaded" for r in register(tmp_path, db, [beneficiary("P1", 1), beneficiary("P1", 3)]))
    app = create_app(get_settings(database_url=db.url), database=db)
    with TestClient(app) as client:
        projects = {p["project_id"]: p for p in client.get("/api/v1/projects").json()}
        # two people reached, below the threshold: neither the count nor anything derived from it is shown
        assert projects["P1"]["people"] is None and projects["P1"]["families"] is None
        assert projects["P1"]["eur_per_person"] is None and projects["P1"]["coverage"] is None
        detail = client.get("/api/v1/projects/P1").json()
        assert detail["reach_by_zone"] == [{"area_id": "Q1Z01", "people": None}]
        calls = client.get("/api/v1/calls").json()
        assert {c["call_id"]: c["people"] for c in calls} == {"B1": None, "B2": None}
        assert client.get("/api/v1/calls/B1").json()["project_list"][0]["project_id"] == "P1"
        impact = client.get("/api/v1/projects/P1/impact").json()
        assert impact["person"]["estimate"] is None and "disclosure" in impact["person"]["note"]
        assert impact["area"]["method"]
        csv_text = client.get("/api/v1/exports/projects.csv").text
        assert csv_text.startswith("project_id,") and "ROSSI" not in csv_text.upper()
        assert client.get("/api/v1/projects/P9").status_code == 404
        assert client.get("/api/v1/calls/B9").status_code == 404


def test_an_empty_register_answers_empty_lists(db: Database) -> None:
    app = create_app(get_settings(database_url=db.url), database=db)
    with TestClient(app) as client:
        assert client.get("/api/v1/calls").json() == []
        assert client.get("/api/v1/projects").json() == []
        assert client.get("/api/v1/exports/projects.csv").status_code == 200
        assert client.get("/api/v1/projects/P1/impact").status_code == 404
