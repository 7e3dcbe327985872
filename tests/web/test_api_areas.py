"""The /api/v1/areas resource on DuckDB and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import Point, shape

from welfare_district.geo.reference import load_population

PROPERTY_KEYS = {"area_id", "code", "name", "level", "parent_id", "synthetic", "boundary_version",
                 "residents", "residents_year"}
QUARTIERI = {"Q1": "Centro", "Q2": "Nord", "Q3": "Est", "Q4": "Sud-Est", "Q5": "Sud-Ovest", "Q6": "Ovest"}


def _features(client: TestClient, level: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/areas", params={"level": level})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    features: list[dict[str, Any]] = body["features"]
    return features


def test_quartieri_are_six_valid_polygons_with_residents_adding_up(client: TestClient) -> None:
    features = _features(client, "quartiere")
    assert {f["id"]: f["properties"]["name"] for f in features} == QUARTIERI
    for feature in features:
        assert feature["type"] == "Feature"
        assert set(feature["properties"]) == PROPERTY_KEYS
        assert feature["properties"]["level"] == "quartiere"
        assert feature["properties"]["parent_id"] == "028060"
        geom = shape(feature["geometry"])
        assert geom.geom_type in ("Polygon", "MultiPolygon")
        assert geom.is_valid and not geom.is_empty
        # Padova lies around 11.88 E, 45.41 N: the coordinates are lon/lat, not metres.
        assert 11.7 < geom.centroid.x < 12.0 and 45.3 < geom.centroid.y < 45.5
    city = _features(client, "city")
    assert len(city) == 1
    total = sum(f["properties"]["residents"] for f in features)
    assert total == city[0]["properties"]["residents"] == int(load_population(2023)["tot"].sum())


def test_geometry_is_simplified_for_display(client: TestClient, areaset: Any) -> None:
    stored = {r["area_id"]: r["geometry"] for r in areaset.level("quartiere").to_dict("records")}
    for feature in _features(client, "quartiere"):
        original = stored[feature["id"]]
        served = shape(feature["geometry"])
        assert _vertices(served) <= _vertices(original)
        # Display simplification moves the outline by metres, never by a noticeable share of the area.
        assert abs(served.area - original.area) / original.area < 0.01


def _vertices(geom: Any) -> int:
    import shapely

    return int(shapely.get_num_coordinates(geom))


def test_zone_level_lists_children_of_quartieri(client: TestClient) -> None:
    zones = _features(client, "zone")
    assert len(zones) > 6
    assert {f["properties"]["parent_id"] for f in zones} == set(QUARTIERI)
    assert all(f["properties"]["synthetic"] for f in zones)


def test_unknown_level_is_422_with_a_clear_message(client: TestClient) -> None:
    response = client.get("/api/v1/areas", params={"level": "province"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert "level" in error["message"] and "quartiere" in error["message"]
    assert error["details"][0]["location"] == "query.level"


def test_area_detail(client: TestClient) -> None:
    response = client.get("/api/v1/areas/Q1")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "Centro" and body["level"] == "quartiere" and body["parent_id"] == "028060"
    assert body["children"] and all(c.startswith("Q1Z") for c in body["children"])
    minx, miny, maxx, maxy = body["bbox"]
    x, y = body["interior_point"]
    assert minx < x < maxx and miny < y < maxy
    city = client.get("/api/v1/areas/028060").json()
    assert city["parent_id"] is None and sorted(city["children"]) == sorted(QUARTIERI)
    assert city["residents"] == int(load_population(2023)["tot"].sum())
    assert Point(x, y).within(shape(_features(client, "quartiere")[0]["geometry"]).buffer(0.01))


@pytest.mark.parametrize("area_id", ["Q9", "nowhere"])
def test_unknown_area_is_404_json(client: TestClient, area_id: str) -> None:
    response = client.get(f"/api/v1/areas/{area_id}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "not_found" and area_id in error["message"]


def test_unknown_api_path_is_json_404(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "http_404"


def test_openapi_describes_the_api_and_only_our_offline_docs_page_exists(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/areas", "/api/v1/areas/{area_id}"} <= set(spec["paths"])
    assert "/" not in spec["paths"]
    assert "AreaFeatureCollection" in spec["components"]["schemas"]
    # FastAPI's own Swagger UI and ReDoc load their assets from a CDN: /redoc is off and /docs is our page
    # (tests/web/test_api_docs.py), which loads nothing from outside
    assert "cdn" not in client.get("/docs").text.lower()
    assert client.get("/redoc").status_code == 404
