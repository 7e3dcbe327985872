"""Protected figures on the pages: the map marks and leaves them out of the classes, tables show "—" with an
accessible label and a footnote, and no page shows the public a count below the threshold."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.figures_helpers import ANALYST, sign_in
from tests.web.svg_helpers import drawn_areas, legend_labels
from welfare_district.engine import Database
from welfare_district.web import indicator_reads as reads
from welfare_district.web.figures_map import ClassMethod, classify

MARK = '<span aria-hidden="true">—</span><span class="visually-hidden">dato protetto</span>'


def _fragment(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/fragments/map", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _public_values(client: TestClient, indicator: str, level: str, year: int) -> list[dict[str, Any]]:
    body = client.get("/api/v1/values", params={"indicator": indicator, "level": level, "year": year}).json()
    return list(body["values"])


def _count(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


@pytest.mark.parametrize("level", ["quartiere", "zone", "section"])
def test_public_map_never_draws_a_small_count_and_marks_protected_areas(
        city_client: TestClient, city_db: Database, level: str) -> None:
    year = reads.latest_year(city_db)
    marked = 0
    for indicator in reads.indicators():
        threshold = city_client.app.state.protected_tables.policy.threshold_for(indicator.id)  # type: ignore[attr-defined]
        body = _fragment(city_client, indicator=indicator.id, level=level, year=year, method="quantiles")
        drawn = drawn_areas(body["svg"])
        values = {v["area_id"]: v for v in _public_values(city_client, indicator.id, level, year)}
        hidden = [a for a, v in values.items() if v["suppressed"]]
        protected = [a for a in drawn if a.get("protected")]
        if hidden:
            marked += 1
            assert [a["id"] for a in protected] == hidden
            assert all(a["fill"] == "url(#map-hatch)" and a["hover"]["Valore"] == "dato protetto"
                       and a["note"].startswith("Dato protetto") for a in protected)
            assert 'id="protected-note"' in body["table"]
            # the table lists protected areas after every shown value, so its last page has them
            last = _fragment(city_client, indicator=indicator.id, level=level, year=year, method="quantiles",
                             page=-(-len(values) // 50))
            assert MARK in last["table"]
            assert "Dato protetto" in legend_labels(body["legend"])
        else:
            assert not protected
        for area in drawn:
            for text in (area["hover"]["Numeratore"], area["hover"]["Denominatore"]):  # as drawn in the hover
                if text not in ("–", "n.d."):
                    assert _count(text) == 0 or _count(text) >= threshold, (indicator.id, area)
    assert marked > 0


def test_class_breaks_ignore_protected_areas(city_client: TestClient, city_db: Database) -> None:
    year = reads.latest_year(city_db)
    body = _fragment(city_client, indicator="ivsm_care_hardship", level="section", year=year, method="quantiles",
                     lang="en")
    values = _public_values(city_client, "ivsm_care_hardship", "section", year)
    expected = classify([None if v["suppressed"] else v["value"] for v in values], ClassMethod.QUANTILES, "en")
    assert legend_labels(body["legend"])[:len(expected.labels)] == list(expected.labels)
    assert "Protected figure" in body["legend"] and "protected figure" in body["table"]


def test_public_tables_of_the_pages_mark_protected_figures(city_client: TestClient, city_db: Database) -> None:
    year = reads.latest_year(city_db)
    ranking = city_client.get("/rankings", params={"indicator": "ivsm_care_hardship", "level": "zone",
                                                   "year": year})
    assert ranking.status_code == 200 and MARK in ranking.text and 'id="protected-note"' in ranking.text
    assert 'id="rounding-note"' in ranking.text
    rows = re.findall(r"<tr>\s*<td class=\"num\">(.*?)</td>.*?</tr>", ranking.text, re.S)
    ranks = [r for r in rows if r != "–"]
    assert rows[:len(ranks)] == ranks and len(ranks) < len(rows)
    profile = city_client.get("/api/v1/areas/Q1Z01/profile").json()
    hidden = [e for e in profile["indicators"] if e["value"]["suppressed"]]
    page = city_client.get("/areas/Q1Z01")
    assert hidden and page.text.count(MARK) >= len(hidden) and 'id="protected-note"' in page.text
    trends = city_client.get("/trends", params=[("indicator", "ivsm_care_hardship"), ("area", "Q1Z01"),
                                                ("area", "Q1Z02")])
    series = city_client.get("/api/v1/series", params=[("indicator", "ivsm_care_hardship"), ("area", "Q1Z01"),
                                                       ("area", "Q1Z02")]).json()
    gaps = sum(p["suppressed"] for s in series["series"] for p in s["points"])
    assert gaps and trends.text.count(MARK) == gaps


@pytest.mark.parametrize("path", ["/", "/rankings?level=zone", "/areas/Q1Z01", "/trends?area=Q1Z01",
                                  "/fragments/map?indicator=ivsm_care_hardship&level=section"])
def test_pages_differ_for_analysts_and_are_never_shared(city_client: TestClient, path: str) -> None:
    public = city_client.get(path)
    sign_in(city_client, ANALYST)
    exact = city_client.get(path)
    assert public.status_code == exact.status_code == 200
    assert "Cookie" in exact.headers["vary"] and "Cookie" in public.headers["vary"]
    assert MARK not in exact.text and 'id="rounding-note"' not in exact.text
    assert exact.text != public.text
    if not path.startswith("/fragments"):
        assert exact.headers["cache-control"].startswith("private")
