"""Disclosure control of the API and exports: what the public, partners and analysts receive.

Over the small city of city_db.py: every public figure of every route is the protected cell of the privacy
library (so none is below its threshold), a differencing attack over nested areas recovers nobody, analysts
get the exact figures, and no cache or ETag hands an analyst's body to the public.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.figures_helpers import ANALYST, NEW_ANALYST, OPERATOR, PARTNER, STEWARD, sign_in
from welfare_district.engine import Database
from welfare_district.indicators.library import default_library
from welfare_district.indicators.store import read_values
from welfare_district.privacy.disclosure import rounding_key
from welfare_district.privacy.export import protected_table
from welfare_district.privacy.pseudonym import load_keyring
from welfare_district.web import indicator_reads as reads

IND = "ivsm_single_parent"
LEVELS = ("city", "quartiere", "zone", "section")
FIGURE = ("value", "numerator", "denominator", "ci_low", "ci_high")


def _get(client: TestClient, url: str, **params: Any) -> Any:
    response = client.get(url, params=params or None)
    assert response.status_code == 200, response.text
    return response.json()


def _reference(client: TestClient, db: Database, indicator: str, year: int) -> dict[str, dict[str, Any]]:
    """The privacy library's own protected table (another read path): area id -> row."""
    tables = client.app.state.protected_tables  # type: ignore[attr-defined]
    key = rounding_key(load_keyring(client.app.state.settings))  # type: ignore[attr-defined]
    table = protected_table(db, indicator, year, tables.policy, key)
    return {str(r["area_id"]): r for r in table.to_dict("records")}


def _opt(x: Any) -> float | None:
    return None if x is None or x != x else float(x)


def _assert_publishable(v: dict[str, Any], threshold: int, proportion: bool) -> None:
    """A published cell has counts of 0 or at least the threshold (and so does the complement)."""
    assert v["protection"] is not None
    if v["suppressed"]:
        assert all(v[k] is None for k in FIGURE) and v["null_reason"] == "suppressed"
        return
    num, den = v["numerator"], v["denominator"]
    assert num == 0 or num >= threshold, v
    assert den == 0 or den >= threshold, v
    if proportion:
        assert den - num == 0 or den - num >= threshold, v


def test_public_values_are_the_protected_cells_of_every_indicator_year_and_level(
        city_client: TestClient, city_db: Database) -> None:
    policy = city_client.app.state.protected_tables.policy  # type: ignore[attr-defined]
    library = default_library()
    hidden = 0
    for indicator in library.values():
        for year in reads.available_years(city_db):
            reference = _reference(city_client, city_db, indicator.id, year)
            for level in LEVELS:
                body = _get(city_client, "/api/v1/values", indicator=indicator.id, level=level, year=year)
                for v in body["values"]:
                    ref = reference.get(v["area_id"])
                    if ref is None:
                        assert v["null_reason"] == "not computed"
                        continue
                    _assert_publishable(v, policy.threshold_for(indicator.id), indicator.kind == "proportion")
                    assert {k: v[k] for k in FIGURE} == {k: _opt(ref[k]) for k in FIGURE}
                    assert (v["suppressed"], v["protection"]) == (bool(ref["suppressed"]), ref["protection"])
                    assert v["protection_reason"]
                    hidden += v["suppressed"]
    assert hidden > 100  # the small city has many small sections: the test would notice exact figures


def _scan(node: Any, seen: list[dict[str, Any]]) -> None:
    # every object carrying a figure, anywhere in a JSON answer
    if isinstance(node, dict):
        if "numerator" in node and "denominator" in node:
            seen.append(node)
        for value in node.values():
            _scan(value, seen)
    elif isinstance(node, list):
        for value in node:
            _scan(value, seen)


@pytest.mark.parametrize("indicator", ["ivsm_care_hardship", "disability_allowance", "share_75plus", IND])
def test_no_public_route_or_export_shows_a_cell_below_the_threshold(
        city_client: TestClient, city_db: Database, indicator: str) -> None:
    ind = reads.get_indicator(indicator)
    threshold = city_client.app.state.protected_tables.policy.threshold_for(indicator)  # type: ignore[attr-defined]
    year = reads.latest_year(city_db)
    zones = [a.area_id for a in reads.area_index(city_db).by_level["zone"]][:10]
    sections = [a.area_id for a in reads.area_index(city_db).by_level["section"]][:40]
    answers = [_get(city_client, "/api/v1/series", indicator=indicator, area=zones + sections)]
    for level in LEVELS:
        answers.append(_get(city_client, "/api/v1/map", indicator=indicator, level=level, year=year))
        answers.append(_get(city_client, "/api/v1/rankings", indicator=indicator, level=level, year=year))
        answers.append(_get(city_client, "/api/v1/exports/values.geojson", indicator=indicator, level=level))
    for area_id in ["Q1", *zones[:3], *sections[:5]]:
        answers.append(_get(city_client, f"/api/v1/areas/{area_id}/profile"))
    seen: list[dict[str, Any]] = []
    _scan(answers, seen)
    assert len(seen) > 1000 and all(v["protection"] is not None for v in seen)
    for v in seen:  # profiles hold every indicator: each cell against its own threshold
        _assert_publishable(v, v["protection_threshold"], False)
    assert any(v["suppressed"] for v in seen)
    for level in LEVELS:
        for url in ("/api/v1/exports/values.csv", "/api/v1/exports/rankings.csv"):
            rows = _csv(city_client.get(url, params={"indicator": indicator, "level": level}))
            for r in rows:
                assert r["protection"] and r["protection_reason"]
                if r["suppressed"] == "true":
                    assert r["value"] == r["numerator"] == r["denominator"] == ""
                else:
                    cell = {"numerator": float(r["numerator"]), "denominator": float(r["denominator"]),
                            "suppressed": False, "protection": r["protection"], "value": None, "ci_low": None,
                            "ci_high": None, "null_reason": None}
                    _assert_publishable(cell, threshold, ind.kind == "proportion")


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))


def test_differencing_nested_areas_one_or_two_people_apart_recovers_nobody(
        city_client: TestClient, city_db: Database) -> None:
    exact = read_values(city_db)
    parents = {a.area_id: a.parent_id for a in reads.area_index(city_db).by_id.values()}
    exact["parent_id"] = exact["area_id"].map(parents)
    pairs = exact.merge(exact, left_on=["indicator_id", "year", "parent_id"],
                        right_on=["indicator_id", "year", "area_id"], suffixes=("", "_parent"))
    pairs["people"] = pairs["denominator_parent"] - pairs["denominator"]
    pairs["counted"] = pairs["numerator_parent"] - pairs["numerator"]
    close = pairs[(pairs["people"] >= 1) & (pairs["people"] <= 2)]
    assert len(close) > 20  # the attack has material to work on

    def recovered(client: TestClient) -> int:
        found = 0
        for row in close.itertuples(index=False):
            child, parent = _get(client, "/api/v1/values", indicator=row.indicator_id, year=row.year,
                                 area=[row.area_id, row.parent_id])["values"]
            if child["suppressed"] or parent["suppressed"]:
                continue  # nothing to subtract
            # the attacker's estimate of the people in the parent but not in the child, and of those counted
            people = parent["denominator"] - child["denominator"]
            counted = parent["numerator"] - child["numerator"]
            found += people == row.people and counted == row.counted
        return found

    assert recovered(city_client) == 0
    # the same attack on the exact figures finds every one of them: the test has the power to fail
    assert recovered(sign_in(city_client, ANALYST)) == len(close)


def test_analysts_get_exact_figures_and_everyone_else_the_protected_ones(
        city_client: TestClient, city_db: Database) -> None:
    stored = read_values(city_db, indicator_ids=[IND], level="zone", years=[2024]).set_index("area_id")
    public = _get(city_client, "/api/v1/values", indicator=IND, level="zone", year=2024)["values"]
    for who in (PARTNER, OPERATOR, NEW_ANALYST, None):
        sign_in(city_client, who)
        assert _get(city_client, "/api/v1/values", indicator=IND, level="zone", year=2024)["values"] == public
    for who in (ANALYST, STEWARD):
        sign_in(city_client, who)
        exact = _get(city_client, "/api/v1/values", indicator=IND, level="zone", year=2024)["values"]
        for v in exact:
            assert v["protection"] is None and not v["suppressed"] and v["protection_reason"] is None
            assert v["numerator"] == float(stored.loc[v["area_id"], "numerator"])
            assert v["denominator"] == float(stored.loc[v["area_id"], "denominator"])
        assert exact != public
    # exact exports are the analysts' only: a data steward downloads the protected file
    sign_in(city_client, STEWARD)
    steward = _csv(city_client.get("/api/v1/exports/values.csv", params={"indicator": IND, "level": "zone"}))
    assert all(r["protection"] for r in steward)
    sign_in(city_client, ANALYST)
    analyst = _csv(city_client.get("/api/v1/exports/values.csv", params={"indicator": IND, "level": "zone"}))
    assert all(r["protection"] == "" for r in analyst)


ROUTES = [
    ("/api/v1/values", {"indicator": IND, "level": "section"}),
    ("/api/v1/map", {"indicator": IND, "level": "section"}),
    ("/api/v1/rankings", {"indicator": IND, "level": "zone"}),
    ("/api/v1/series", {"indicator": IND, "area": ["Q1Z01", "Q1Z02"]}),
    ("/api/v1/areas/Q1Z01/profile", {}),
    ("/api/v1/composite", {"level": "zone"}),
    ("/api/v1/exports/values.geojson", {"indicator": IND, "level": "zone"}),
]


@pytest.mark.parametrize(("url", "params"), ROUTES)
def test_caches_never_hand_the_analysts_body_to_the_public(city_client: TestClient, url: str,
                                                           params: dict[str, Any]) -> None:
    sign_in(city_client, ANALYST)
    exact = city_client.get(url, params=params)
    assert exact.status_code == 200
    assert exact.headers["cache-control"].startswith("private") and "Cookie" in exact.headers["vary"]
    again = city_client.get(url, params=params, headers={"If-None-Match": exact.headers["etag"]})
    assert again.status_code == 304  # the analyst's own revalidation still works
    sign_in(city_client, None)
    public = city_client.get(url, params=params, headers={"If-None-Match": exact.headers["etag"]})
    assert public.status_code == 200 and public.content != exact.content
    assert public.headers["etag"] != exact.headers["etag"]
    assert "private" not in public.headers["cache-control"] and "Cookie" in public.headers["vary"]
    assert '"protection":null' not in public.text.replace(" ", "")


def test_the_same_public_query_gives_byte_identical_answers(city_db: Database,
                                                            make_client: Callable[..., TestClient]) -> None:
    first, second = make_client(city_db), make_client(city_db)
    for url, params in ROUTES:
        one = first.get(url, params=params, headers={"Accept-Encoding": "identity"})
        two = second.get(url, params=params, headers={"Accept-Encoding": "identity"})
        assert one.status_code == 200 and one.content == two.content, url
        assert one.headers["etag"] == two.headers["etag"]


def test_public_rankings_list_protected_areas_last_and_unranked(city_client: TestClient) -> None:
    body = _get(city_client, "/api/v1/rankings", indicator="ivsm_care_hardship", level="zone", order="asc")
    rows = body["ranking"]
    ranked = [r for r in rows if r["rank"] is not None]
    hidden = [r for r in rows if r["suppressed"]]
    assert hidden and ranked and rows[:len(ranked)] == ranked
    assert all(r["rank"] is None and r["value"] is None for r in rows[len(ranked):])
    assert rows[len(ranked):len(ranked) + len(hidden)] == hidden
    values = [r["value"] for r in ranked]
    assert values == sorted(values)


def test_public_composite_is_suppressed_wherever_a_component_is(city_client: TestClient) -> None:
    body = _get(city_client, "/api/v1/composite", level="zone")
    hidden = {}
    for ind in body["components"]:
        values = _get(city_client, "/api/v1/values", indicator=ind, level="zone", year=body["year"])["values"]
        for v in values:
            hidden.setdefault(v["area_id"], False)
            hidden[v["area_id"]] |= v["suppressed"]
    for v in body["values"]:
        assert v["protection"] in ("protected components", "suppressed: component")
        assert v["suppressed"] == hidden[v["area_id"]]
        if v["suppressed"]:
            assert v["value"] is None and v["ivsm_class"] is None and v["protection_reason"]
    city = _get(city_client, "/api/v1/composite", level="city")["values"][0]
    assert not city["suppressed"] and city["value"] is not None


def test_xlsx_and_geojson_exports_say_the_figures_are_protected(city_client: TestClient) -> None:
    from openpyxl import load_workbook

    params = {"indicator": "ivsm_care_hardship", "level": "zone"}
    book = load_workbook(io.BytesIO(city_client.get("/api/v1/exports/values.xlsx", params=params).content))
    about = {r[0]: r[1] for r in book["provenance"].iter_rows(values_only=True)}
    assert about["figures"] == "protected" and "suppressed" in about["disclosure_control"]
    assert int(about["suppressed_cells"]) > 0
    header = next(book["values"].iter_rows(values_only=True))
    assert {"suppressed", "protection", "protection_reason"} <= set(header)
    geo = _get(city_client, "/api/v1/exports/values.geojson", **params)
    assert geo["figures"] == "protected" and "disclosure_control" in geo
    assert any(f["properties"]["suppressed"] for f in geo["features"])
