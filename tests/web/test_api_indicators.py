"""The indicator resources of /api/v1 on DuckDB and PostgreSQL, checked against indicator_value."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from welfare_district.engine import Database
from welfare_district.indicators.library import IVSM_COMPONENTS, default_library
from welfare_district.indicators.store import read_values

IND = "ivsm_single_parent"
CITY = "028060"
FIGURE = ("value", "numerator", "denominator", "ci_low", "ci_high", "unstable", "null_reason")


def _get(client: TestClient, url: str, **params: Any) -> Any:
    response = client.get(url, params=params or None)
    assert response.status_code == 200, response.text
    return response.json()


def _same(got: dict[str, Any], row: pd.Series) -> None:
    for key in ("numerator", "denominator", "value", "ci_low", "ci_high"):
        expected = None if pd.isna(row[key]) else float(row[key])
        assert got[key] == expected, key
    assert got["unstable"] == bool(row["unstable"])
    assert got["null_reason"] == (None if pd.isna(row["null_reason"]) else row["null_reason"])


def test_catalogue_lists_every_definition(city_client: TestClient) -> None:
    body = _get(city_client, "/api/v1/indicators")
    library = default_library()
    assert [i["id"] for i in body["indicators"]] == list(library)
    assert body["years"] == [2023, 2024, 2025]
    one = _get(city_client, f"/api/v1/indicators/{IND}")
    assert one == next(i for i in body["indicators"] if i["id"] == IND)
    assert one["version"] == library[IND].version and one["name_it"] == library[IND].name_it
    assert one["polarity"] == 1 and one["kind"] == "proportion" and one["unit"] == "family"


@pytest.mark.parametrize("level", ["quartiere", "zone", "section"])
def test_values_equal_what_indicator_value_holds(analyst_client: TestClient, city_db: Database, level: str) -> None:
    body = _get(analyst_client, "/api/v1/values", indicator=IND, level=level, year=2024)
    stored = read_values(city_db, indicator_ids=[IND], level=level, years=[2024]).set_index("area_id")
    assert body["year"] == 2024 and body["level"] == level
    ids = [v["area_id"] for v in body["values"]]
    assert ids == sorted(ids) and set(stored.index) <= set(ids)
    for v in body["values"]:
        if v["area_id"] in stored.index:
            _same(v, stored.loc[v["area_id"]])
        else:
            assert v["value"] is None and v["null_reason"] == "not computed"
    assert body["provenance"]["definition_versions"] == [default_library()[IND].version]
    assert body["provenance"]["boundary_versions"] == sorted(set(stored["boundary_version"]))


def test_values_default_to_the_latest_year_and_filter_by_area(city_client: TestClient) -> None:
    latest = _get(city_client, "/api/v1/values", indicator=IND)
    assert latest["year"] == 2025 and latest["level"] == "quartiere" and len(latest["values"]) == 6
    picked = _get(city_client, "/api/v1/values?indicator=" + IND + "&area=Q3&area=Q1Z01&area=Q3")
    assert [v["area_id"] for v in picked["values"]] == ["Q3", "Q1Z01"]
    assert picked["values"][0] == next(v for v in latest["values"] if v["area_id"] == "Q3")


def test_profile_agrees_with_values_of_the_area_its_parent_and_the_city(city_client: TestClient) -> None:
    zone = _get(city_client, "/api/v1/values", indicator=IND, level="zone", year=2024)["values"][5]
    body = _get(city_client, f"/api/v1/areas/{zone['area_id']}/profile", year=2024)
    assert body["area"]["area_id"] == zone["area_id"] and body["year"] == 2024
    assert [a["level"] for a in body["ancestors"]] == ["city", "quartiere"]
    assert [e["indicator"] for e in body["indicators"]] == list(default_library())
    entry = next(e for e in body["indicators"] if e["indicator"] == IND)
    assert {k: entry["value"][k] for k in FIGURE} == {k: zone[k] for k in FIGURE}
    parent = _get(city_client, "/api/v1/values", indicator=IND, area=zone["parent_id"], year=2024)["values"][0]
    city = _get(city_client, "/api/v1/values", indicator=IND, level="city", year=2024)["values"][0]
    assert {k: entry["parent"][k] for k in FIGURE} == {k: parent[k] for k in FIGURE}
    assert {k: entry["city"][k] for k in FIGURE} == {k: city[k] for k in FIGURE}
    assert [p["year"] for p in entry["series"]] == [2023, 2024, 2025]
    assert entry["series"][1]["value"] == zone["value"]
    city_profile = _get(city_client, f"/api/v1/areas/{CITY}/profile")
    assert city_profile["ancestors"] == [] and city_profile["year"] == 2025
    assert all(e["parent"] is None and e["city"] is None for e in city_profile["indicators"])


def test_city_counts_are_the_sum_of_quartieri(analyst_client: TestClient) -> None:
    quartieri = _get(analyst_client, "/api/v1/values", indicator=IND, level="quartiere")["values"]
    city = _get(analyst_client, "/api/v1/values", indicator=IND, level="city")["values"][0]
    # Every family is placed in a section, so the city counts add up over the quartieri.
    assert sum(q["numerator"] for q in quartieri) == city["numerator"]
    assert sum(q["denominator"] for q in quartieri) == city["denominator"]


def test_series_in_the_asked_order_over_every_year(city_client: TestClient) -> None:
    body = _get(city_client, f"/api/v1/series?indicator={IND}&area=Q2&area={CITY}")
    assert body["years"] == [2023, 2024, 2025]
    assert [s["area"]["area_id"] for s in body["series"]] == ["Q2", CITY]
    for year, point in zip(body["years"], body["series"][0]["points"], strict=True):
        value = _get(city_client, "/api/v1/values", indicator=IND, area="Q2", year=year)["values"][0]
        assert point["year"] == year and point["value"] == value["value"]


@pytest.mark.parametrize("order", ["desc", "asc"])
def test_rankings_are_ordered_with_nulls_last(city_client: TestClient, order: str) -> None:
    body = _get(city_client, "/api/v1/rankings", indicator=IND, level="section", year=2023, order=order)
    rows = body["ranking"]
    assert body["total"] == len(rows) > 100
    present = [r["value"] for r in rows if r["value"] is not None]
    assert present == sorted(present, reverse=order == "desc")
    assert all(r["value"] is None and r["rank"] is None for r in rows[len(present):])
    ranks = [r["rank"] for r in rows[:len(present)]]
    assert ranks[0] == 1 and ranks == sorted(ranks)
    limited = _get(city_client, "/api/v1/rankings", indicator=IND, level="section", year=2023, order=order,
                   limit=5)
    assert limited["ranking"] == rows[:5] and limited["total"] == body["total"]


def test_composite_city_in_base_year_scores_100(city_client: TestClient) -> None:
    city = _get(city_client, "/api/v1/composite", level="city", year=2023)
    assert city["method"] == "ampi" and city["base_year"] == 2023
    assert city["components"] == list(IVSM_COMPONENTS)
    (only,) = city["values"]
    assert only["value"] == pytest.approx(100.0) and only["ivsm_class"] == "medium-high"
    assert [c["normalised"] for c in only["components"]] == pytest.approx([100.0] * 7)
    later = _get(city_client, "/api/v1/composite", level="city", year=2025)["values"][0]
    assert later["value"] != pytest.approx(100.0)
    rebased = _get(city_client, "/api/v1/composite", level="city", year=2025, base_year=2025)["values"][0]
    assert rebased["value"] == pytest.approx(100.0)


def test_composite_of_zones_has_classes_and_raw_components(analyst_client: TestClient) -> None:
    body = _get(analyst_client, "/api/v1/composite", level="zone")
    values = _get(analyst_client, "/api/v1/values", indicator="ivsm_care_hardship", level="zone")["values"]
    raw = {v["area_id"]: v["value"] for v in values}
    assert len(body["values"]) == len(values)
    scored = [v for v in body["values"] if v["value"] is not None]
    assert len(scored) > len(values) // 2
    for v in scored:
        assert v["ivsm_class"] in ("low", "medium-low", "medium", "medium-high", "high")
        care = next(c for c in v["components"] if c["indicator"] == "ivsm_care_hardship")
        assert care["value"] == raw[v["area_id"]]
    mpi = _get(analyst_client, "/api/v1/composite", level="zone", method="mpi")
    assert mpi["base_year"] is None
    scores = [v["value"] for v in mpi["values"] if v["value"] is not None]
    # MPI standardises within the year: the scores sit around 100.
    assert 95 < sum(scores) / len(scores) < 105


def test_openapi_describes_every_indicator_route(city_client: TestClient) -> None:
    spec = city_client.get("/openapi.json").json()
    routes = {"/api/v1/indicators", "/api/v1/indicators/{indicator_id}", "/api/v1/values", "/api/v1/series",
              "/api/v1/areas/{area_id}/profile", "/api/v1/rankings", "/api/v1/composite", "/api/v1/map",
              "/api/v1/exports/values.csv", "/api/v1/exports/values.xlsx", "/api/v1/exports/values.geojson",
              "/api/v1/exports/rankings.csv"}
    assert routes <= set(spec["paths"])
    for path in routes:
        operation = spec["paths"][path]["get"]
        assert operation["tags"] and operation["summary"] and operation.get("description"), path
    assert "MapCollection" in spec["components"]["schemas"]


def test_composite_base_year_setting(city_db: Database, make_client: Any) -> None:
    client = make_client(city_db, composite_base_year=2024)
    body = _get(client, "/api/v1/composite", level="city", year=2024)
    assert body["base_year"] == 2024 and body["values"][0]["value"] == pytest.approx(100.0)
    assert _get(client, "/api/v1/composite", level="city", year=2024, base_year=2023)["base_year"] == 2023
    wrong = make_client(city_db, composite_base_year=2011).get("/api/v1/composite", params={"level": "city"})
    assert wrong.status_code == 404 and "WELFARE_COMPOSITE_BASE_YEAR=2011" in wrong.json()["error"]["message"]


@pytest.mark.parametrize(("url", "changed"), [
    (f"/api/v1/values?indicator={IND}&level=section", f"/api/v1/values?indicator={IND}&level=zone"),
    (f"/api/v1/rankings?indicator={IND}&level=zone&limit=3", f"/api/v1/rankings?indicator={IND}&level=zone"),
    ("/api/v1/composite?level=zone", "/api/v1/composite?level=zone&method=mpi"),
    ("/api/v1/areas/Q2/profile?year=2024", "/api/v1/areas/Q2/profile?year=2023"),
    (f"/api/v1/series?indicator={IND}&area=Q1&area=Q2", f"/api/v1/series?indicator={IND}&area=Q2&area=Q1"),
    ("/api/v1/indicators", None),
])
def test_json_answers_revalidate_with_their_etag(city_client: TestClient, url: str, changed: str | None) -> None:
    first = city_client.get(url)
    assert first.status_code == 200 and first.headers["cache-control"] == "no-cache"
    etag = first.headers["etag"]
    again = city_client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    stale = city_client.get(url, headers={"If-None-Match": 'W/"stale"'})
    assert stale.status_code == 200 and stale.json() == first.json()
    if changed is not None:
        assert city_client.get(changed).headers["etag"] != etag
