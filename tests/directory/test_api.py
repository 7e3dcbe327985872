"""The public HSDS read API on both engines: pages, filters, proximity, 404 and 422 answers as JSON."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.directory.conftest import build_city
from welfare_district.engine import Database
from welfare_district.settings import get_settings
from welfare_district.web.app import create_app


@pytest.fixture
def api(db: Database, tmp_path: Path) -> Iterator[TestClient]:
    build_city(db, tmp_path / "cat")
    app = create_app(get_settings(database_url=db.url), database=db)
    with TestClient(app) as client:
        yield client


def test_services_are_paged_the_hsds_way(api: TestClient) -> None:
    body = api.get("/api/v1/services", params={"per_page": 3}).json()
    assert {k: body[k] for k in ("total_items", "total_pages", "page_number", "size", "first_page", "last_page",
                                 "empty")} == {"total_items": 4, "total_pages": 2, "page_number": 1, "size": 3,
                                               "first_page": True, "last_page": False, "empty": False}
    assert [s["id"] for s in body["contents"]] == ["S0001", "S0002", "S0004"]  # by name
    last = api.get("/api/v1/services", params={"per_page": 3, "page": 2}).json()
    assert [s["id"] for s in last["contents"]] == ["S0003"] and last["last_page"]
    assert api.get("/api/v1/services", params={"page": 9}).json()["empty"] is True
    service = body["contents"][0]
    assert service["organization"]["name"] == "Comune di Padova"
    assert service["service_at_locations"][0]["location"]["addresses"][0]["city"] == "Padova"
    assert service["attributes"][0]["taxonomy_term"]["code"] == "economic"
    assert service["eligibility_text_it"].startswith("Possono accedere: ISEE inferiore a 9.360 euro")


def test_service_filters(api: TestClient) -> None:
    def ids(**params: str) -> list[str]:
        return [s["id"] for s in api.get("/api/v1/services", params=params).json()["contents"]]

    assert ids(taxonomy_term_id="wd-needs:economic") == ["S0001", "S0004"]
    assert ids(taxonomy_term_id="elderly_care") == ["S0003"]
    assert ids(text="doposcuola") == ["S0002"] and ids(text="pàsti") == ["S0003"]
    assert ids(organization_id="E001") == ["S0002", "S0004"]
    assert ids(area_id="Q1") == ["S0001", "S0003"] and ids(status="inactive") == []


def test_one_service_and_organizations(api: TestClient) -> None:
    assert api.get("/api/v1/services/S0003").json()["eligibility_rules"][0]["rules"] == [
        {"kind": "age", "min_age": 65}, {"kind": "elderly_alone"}]
    orgs = api.get("/api/v1/organizations").json()
    assert [o["id"] for o in orgs["contents"]] == ["E001", "E000", "E002"]  # by name
    alfa = api.get("/api/v1/organizations/E001").json()
    assert alfa["organization_identifiers"][0]["identifier"] == "123456"
    assert [s["id"] for s in alfa["services"]] == ["S0002", "S0004"]
    assert api.get("/api/v1/taxonomies").json()["contents"][0]["id"] == "wd-needs"
    assert api.get("/api/v1/taxonomy_terms", params={"taxonomy_id": "wd-needs"}).json()["total_items"] == 11


def test_service_at_locations_near_a_point(api: TestClient) -> None:
    body = api.get("/api/v1/service_at_locations", params={"lat": 45.407, "lon": 11.876, "radius_km": 3}).json()
    assert [(c["service"]["id"], c["location"]["id"]) for c in body["contents"]] == [
        ("S0001", "L001"), ("S0002", "L002"), ("S0004", "L002")]
    assert body["contents"][0]["distance_km"] == 0.0 and 2.5 < body["contents"][1]["distance_km"] < 2.6
    assert api.get("/api/v1/service_at_locations").json()["total_items"] == 4
    near_elderly = api.get("/api/v1/service_at_locations", params={"lat": 45.38, "lon": 11.89, "radius_km": 1,
                                                                   "taxonomy_term_id": "elderly_care"}).json()
    assert [c["service"]["id"] for c in near_elderly["contents"]] == ["S0003"]


@pytest.mark.parametrize(("path", "params", "status", "words"), [
    ("/api/v1/services/S9999", {}, 404, "S9999"),
    ("/api/v1/organizations/E999", {}, 404, "E999"),
    ("/api/v1/services", {"per_page": 1000}, 422, "per_page"),
    ("/api/v1/services", {"page": 0}, 422, "page"),
    ("/api/v1/services", {"taxonomy_term_id": "wd-needs:magic"}, 422, "unknown taxonomy term"),
    ("/api/v1/services", {"status": "open"}, 422, "unknown status"),
    ("/api/v1/service_at_locations", {"lat": 45.4}, 422, "both lat and lon"),
    ("/api/v1/service_at_locations", {"lat": 45.4, "lon": 11.8, "radius_km": 500}, 422, "radius_km"),
    ("/api/v1/service_at_locations", {"lat": 95, "lon": 11.8}, 422, "lat"),
    ("/api/v1/services/bad id!", {}, 422, "service_id"),
])
def test_errors_are_clear_json(api: TestClient, path: str, params: dict[str, object], status: int,
                               words: str) -> None:
    answer = api.get(path, params=params)  # type: ignore[arg-type]
    assert answer.status_code == status and answer.headers["content-type"].startswith("application/json")
    assert words in answer.json()["error"]["message"]


def test_openapi_describes_the_directory_routes(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    routes = {"/api/v1/services", "/api/v1/services/{service_id}", "/api/v1/organizations",
              "/api/v1/organizations/{organization_id}", "/api/v1/taxonomies", "/api/v1/taxonomy_terms",
              "/api/v1/service_at_locations"}
    assert routes <= set(spec["paths"])
    for path in routes:
        operation = spec["paths"][path]["get"]
        assert operation["tags"] == ["directory"] and operation["summary"] and operation["description"], path
    assert "HsdsPage" in spec["components"]["schemas"]
