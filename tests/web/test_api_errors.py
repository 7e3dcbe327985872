"""Bad input to the indicator resources: a 404 or 422 JSON error naming the bad parameter, on both engines."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from welfare_district.engine import Database

IND = "ivsm_care_hardship"
ROUTES_WITH_INDICATOR = ["/api/v1/values", "/api/v1/map", "/api/v1/rankings", "/api/v1/exports/values.csv",
                         "/api/v1/exports/values.xlsx", "/api/v1/exports/values.geojson",
                         "/api/v1/exports/rankings.csv"]
ROUTES_WITH_LEVEL = [*ROUTES_WITH_INDICATOR, "/api/v1/composite"]

# (path, query, status, text the message must contain)
CASES = [
    *[(p, "indicator=no_such_thing&year=2025", 404, "'no_such_thing'") for p in ROUTES_WITH_INDICATOR],
    *[(p, f"indicator={IND}&level=province", 422, "level") for p in ROUTES_WITH_LEVEL],
    *[(p, f"indicator={IND}&year=2019", 404, "year 2019") for p in [*ROUTES_WITH_LEVEL, "/api/v1/areas/Q1/profile"]],
    *[(p, f"indicator={IND}&year=twenty", 422, "year") for p in [*ROUTES_WITH_LEVEL, "/api/v1/areas/Q1/profile"]],
    *[(p, f"indicator={IND}&year=99999", 422, "year") for p in ROUTES_WITH_LEVEL],
    *[(p, "indicator=" + "x" * 65, 422, "indicator") for p in ROUTES_WITH_INDICATOR],
    *[(p, "indicator=a%20b%3Bdrop", 422, "indicator") for p in ROUTES_WITH_INDICATOR],
    *[(p, "year=2025", 422, "indicator") for p in ROUTES_WITH_INDICATOR],
    ("/api/v1/indicators/no_such_thing", "", 404, "'no_such_thing'"),
    ("/api/v1/areas/Q9/profile", "", 404, "'Q9'"),
    ("/api/v1/areas/" + "Q" * 65 + "/profile", "", 422, "area_id"),
    ("/api/v1/values", f"indicator={IND}&area=Q9", 404, "'Q9'"),
    ("/api/v1/values", f"indicator={IND}&area=Q1&level=zone", 422, "'Q1'"),
    ("/api/v1/values", f"indicator={IND}&area=bad%20id", 422, "area"),
    ("/api/v1/values", f"indicator={IND}&" + "&".join(["area=Q1"] * 51), 422, "area"),
    ("/api/v1/series", f"indicator={IND}", 422, "area"),
    ("/api/v1/series", f"indicator={IND}&area=Q1&area=Q9", 404, "'Q9'"),
    ("/api/v1/series", f"indicator={IND}&" + "&".join(f"area=Q{i}" for i in range(51)), 422, "area"),
    ("/api/v1/series", f"indicator={IND}&area=" + "Z" * 65, 422, "area"),
    ("/api/v1/rankings", f"indicator={IND}&limit=0", 422, "limit"),
    ("/api/v1/rankings", f"indicator={IND}&limit=10001", 422, "limit"),
    ("/api/v1/rankings", f"indicator={IND}&order=sideways", 422, "order"),
    ("/api/v1/composite", "method=xyz", 422, "method"),
    ("/api/v1/composite", "base_year=2011", 404, "year 2011"),
]


@pytest.mark.parametrize(("path", "query", "status", "text"), CASES)
def test_bad_input_is_a_json_error_naming_it(city_client: TestClient, path: str, query: str, status: int,
                                             text: str) -> None:
    response = city_client.get(f"{path}?{query}" if query else path)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert text in error["message"]
    assert error["code"] in ("not_found", "invalid_request", "invalid_input")


def test_a_database_without_figures_answers_clearly(seeded_db: Database,
                                                    make_client: Callable[..., TestClient]) -> None:
    client = make_client(seeded_db)
    catalogue = client.get("/api/v1/indicators")
    assert catalogue.status_code == 200 and catalogue.json()["years"] == []
    for path in ("/api/v1/values", "/api/v1/map", "/api/v1/rankings"):
        response = client.get(path, params={"indicator": IND})
        assert response.status_code == 404
        assert "No indicator values are stored yet" in response.json()["error"]["message"]
    response = client.get("/api/v1/values", params={"indicator": IND, "year": 2025})
    assert response.status_code == 404 and "year 2025" in response.json()["error"]["message"]
