"""The map (GeoJSON with ETag/304) and the exports (CSV, XLSX, GeoJSON) on DuckDB and PostgreSQL."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from shapely.geometry import shape

from tests.web.figures_helpers import ANALYST, sign_in
from welfare_district.engine import Database
from welfare_district.geo.areaset import AreaSet
from welfare_district.geo.store import save_areas
from welfare_district.indicators.store import indicator_value_table, save_values
from welfare_district.web.api.routes.exports import VALUE_COLUMNS

IND = "ivsm_care_hardship"
MAP = "/api/v1/map"
HOSTILE = {"Q1": '=HYPERLINK("http://example.org","x")', "Q2": "+SUM(1,2)", "Q3": "-2+3", "Q4": "@cmd",
           "Q5": "\tTabbed", "Q6": '\rOvest, "quoted"\r\nsecond line'}


def test_map_is_the_level_with_the_figures_of_values(city_client: TestClient) -> None:
    response = city_client.get(MAP, params={"indicator": IND, "level": "zone", "year": 2024})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/geo+json")
    assert response.headers["etag"].startswith('W/"') and "max-age" in response.headers["cache-control"]
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["indicator"] == IND and body["year"] == 2024
    values = city_client.get("/api/v1/values", params={"indicator": IND, "level": "zone", "year": 2024}).json()
    assert body["provenance"] == values["provenance"]
    assert [f["id"] for f in body["features"]] == [v["area_id"] for v in values["values"]]
    for feature, value in zip(body["features"], values["values"], strict=True):
        assert feature["properties"] == value
        geom = shape(feature["geometry"])
        assert geom.is_valid and geom.geom_type in ("Polygon", "MultiPolygon")
        assert 11.7 < geom.centroid.x < 12.0 and 45.3 < geom.centroid.y < 45.5


def test_map_defaults_to_the_latest_year_and_revalidates_with_304(city_client: TestClient) -> None:
    first = city_client.get(MAP, params={"indicator": IND, "level": "section"})
    assert first.status_code == 200 and first.json()["year"] == 2025
    assert first.headers["content-encoding"] == "gzip"
    etag = first.headers["etag"]
    again = city_client.get(MAP, params={"indicator": IND, "level": "section"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    listed = city_client.get(MAP, params={"indicator": IND, "level": "section", "year": 2025},
                             headers={"If-None-Match": f'"other", {etag.removeprefix("W/")}'})
    assert listed.status_code == 304
    plain = city_client.get(MAP, params={"indicator": IND, "level": "section", "year": 2025},
                            headers={"Accept-Encoding": "identity", "If-None-Match": '"stale"'})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert plain.json() == first.json()
    other = city_client.get(MAP, params={"indicator": IND, "level": "section", "year": 2024})
    assert other.headers["etag"] != etag


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.count(b"\r\n") == response.content.count(b"\n")  # CRLF only
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))


def _num(text: str) -> float | None:
    return None if text == "" else float(text)


def test_csv_export_parses_and_equals_the_api_json(city_client: TestClient) -> None:
    params = {"indicator": IND, "level": "zone", "year": 2023}
    response = city_client.get("/api/v1/exports/values.csv", params=params)
    disposition = response.headers["content-disposition"]
    assert disposition == f'attachment; filename="values_{IND}_zone_2023.csv"'
    rows = _csv(response)
    values = city_client.get("/api/v1/values", params=params).json()
    assert list(rows[0]) == VALUE_COLUMNS
    assert len(rows) == len(values["values"])
    for row, value in zip(rows, values["values"], strict=True):
        assert row["area_id"] == value["area_id"] and row["name"] == value["name"]
        for key in ("value", "numerator", "denominator", "ci_low", "ci_high"):
            assert _num(row[key]) == value[key], key
        assert row["unstable"] == str(value["unstable"]).lower()
        assert row["indicator_id"] == IND and row["year"] == "2023"
        assert row["definition_version"] in values["provenance"]["definition_versions"]
        assert row["boundary_version"] in values["provenance"]["boundary_versions"]
    ranking = _csv(city_client.get("/api/v1/exports/rankings.csv", params={**params, "order": "asc"}))
    api = city_client.get("/api/v1/rankings", params={**params, "order": "asc"}).json()["ranking"]
    assert [(r["rank"], r["area_id"]) for r in ranking] == [("" if a["rank"] is None else str(a["rank"]),
                                                             a["area_id"]) for a in api]


def test_xlsx_and_geojson_exports_carry_provenance(city_client: TestClient) -> None:
    params = {"indicator": IND, "level": "quartiere", "year": 2025}
    response = city_client.get("/api/v1/exports/values.xlsx", params=params)
    assert response.status_code == 200 and "spreadsheetml" in response.headers["content-type"]
    assert response.headers["content-disposition"].endswith('.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["values", "provenance"]
    rows = list(book["values"].iter_rows(values_only=True))
    values = city_client.get("/api/v1/values", params=params).json()["values"]
    assert list(rows[0]) == VALUE_COLUMNS and len(rows) == 7
    # Spreadsheets keep 15 significant digits.
    assert [r[7] for r in rows[1:]] == pytest.approx([v["value"] for v in values], rel=1e-13)
    about = dict(book["provenance"].iter_rows(values_only=True))
    assert about["indicator_id"] == IND and about["year"] == 2025 and about["definition_version"]
    geo = city_client.get("/api/v1/exports/values.geojson", params=params)
    assert geo.status_code == 200 and geo.headers["content-disposition"].startswith("attachment;")
    assert geo.json()["provenance"]["boundary_versions"] and len(geo.json()["features"]) == 6


@pytest.fixture
def hostile_client(db: Database, areaset: AreaSet, make_client: Callable[..., TestClient]) -> TestClient:
    """An app over areas whose quartiere names are spreadsheet formulas, with figures for them in 2025."""
    areas = areaset.areas.copy()
    for area_id, name in HOSTILE.items():
        areas.loc[areas["area_id"] == area_id, "name"] = name
    save_areas(db, AreaSet(areas, areaset.versions))
    now = datetime.now(UTC)
    rows = [{"indicator_id": IND, "level": "quartiere", "area_id": q, "year": 2025, "numerator": float(i),
             "denominator": 100.0, "value": float(i), "ci_low": None, "ci_high": None, "unstable": False,
             "null_reason": None, "definition_version": "=cmd|' /C calc'!A0", "boundary_version": "v1",
             "snapshot_built_at": now, "computed_at": now} for i, q in enumerate(sorted(HOSTILE))]
    save_values(db, pd.DataFrame(rows))
    return make_client(db)


def test_formula_injection_is_neutralised_in_csv_and_xlsx(hostile_client: TestClient) -> None:
    params = {"indicator": IND, "level": "quartiere", "year": 2025}
    rows = _csv(hostile_client.get("/api/v1/exports/values.csv", params=params))
    names = {r["area_id"]: r["name"] for r in rows}
    assert names == {q: "'" + n for q, n in HOSTILE.items()}
    assert all(r["definition_version"].startswith("'=") for r in rows)
    book = openpyxl.load_workbook(io.BytesIO(
        hostile_client.get("/api/v1/exports/values.xlsx", params=params).content))
    cells = [c for row in book["values"].iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@", "\t", "\r"))]
    # XML turns CR and CRLF inside text into LF.
    assert {r[0]: r[2] for r in book["values"].iter_rows(min_row=2, values_only=True)} == {
        q: "'" + n.replace("\r\n", "\n").replace("\r", "\n") for q, n in HOSTILE.items()}
    # The JSON API returns names as stored: neutralising is for spreadsheets only.
    values = hostile_client.get("/api/v1/values", params=params).json()["values"]
    assert {v["area_id"]: v["name"] for v in values} == HOSTILE


def test_map_etag_changes_when_the_figures_are_rewritten(hostile_client: TestClient, db: Database) -> None:
    sign_in(hostile_client, ANALYST)  # exact figures: this partial table is all suppressed for the public
    hostile_client.app.state.read_cache.stamp_max_age = 0.0  # type: ignore[attr-defined]
    params = {"indicator": IND, "level": "quartiere", "year": 2025}
    first = hostile_client.get(MAP, params=params)
    t = indicator_value_table()
    with db.engine.begin() as conn:
        conn.execute(sa.update(t).where(t.c.area_id == "Q1").values(value=42.0, computed_at=sa.func.now()))
    second = hostile_client.get(MAP, params=params, headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200 and second.headers["etag"] != first.headers["etag"]
    assert next(f for f in second.json()["features"] if f["id"] == "Q1")["properties"]["value"] == 42.0


def test_gzip_body_is_the_plain_body(city_client: TestClient) -> None:
    params = {"indicator": IND, "level": "zone", "year": 2025}
    with city_client.stream("GET", MAP, params=params, headers={"Accept-Encoding": "gzip"}) as response:
        compressed = b"".join(response.iter_raw())
    plain = city_client.get(MAP, params=params, headers={"Accept-Encoding": "identity"}).content
    assert gzip.decompress(compressed) == plain and len(compressed) < len(plain) / 2


def test_csv_quotes_text_and_keeps_harmless_text_as_is() -> None:
    from welfare_district.web.api.tabular import csv_bytes, safe_filename

    body = csv_bytes(["name", "n"], [['Ovest, "quoted"\r\nline', -1.5], ["Centro", None]])
    assert body.startswith(b"name,n\r\n") and body.endswith(b"\r\n")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    assert rows == [["name", "n"], ['Ovest, "quoted"\r\nline', "-1.5"], ["Centro", ""]]
    assert safe_filename("values", '../"x"; y', 2025, suffix="csv") == "values_x-y_2025.csv"
