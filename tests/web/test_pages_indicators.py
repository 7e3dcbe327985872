"""The dashboard pages over the small city with computed indicators: every page in both languages, the
map fragment and geometry, server-side sorting, exports linked to the API, and clear 404 pages."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.web.auth_helpers import steward_client
from tests.web.svg_helpers import drawn_areas, legend_labels
from welfare_district.engine import Database
from welfare_district.web import indicator_reads as reads

PAGES = {
    "/": ("Mappa degli indicatori", "Indicator map"),
    "/areas/Q1": ("Centro: profilo dell'area", "Centro: area profile"),
    "/trends": ("Andamenti nel tempo", "Trends over time"),
    "/rankings": ("Graduatoria delle aree", "Ranking of areas"),
    "/indicators": ("Indicatori", "Indicators"),
    "/indicators/ivsm_overcrowding": ("Grave affollamento", "Severe overcrowding"),
    "/quality": ("Qualità dei dati", "Data quality"),
}


class _Tables(HTMLParser):
    """Headings, tables (caption, header scopes, cell texts) and links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.h1: list[str] = []
        self.tables: list[dict[str, object]] = []
        self.links: list[str] = []
        self.labels_for: set[str] = set()
        self.controls: list[str] = []
        self.aria_sort: list[str] = []
        self._text: list[str] | None = None
        self._tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self.tables.append({"caption": "", "scopes": [], "rows": []})
        if tag == "th" and self.tables:
            scopes = self.tables[-1]["scopes"]
            assert isinstance(scopes, list)
            scopes.append(a.get("scope"))
            if a.get("aria-sort"):
                self.aria_sort.append(str(a["aria-sort"]))
        if tag == "tr" and self.tables:
            rows = self.tables[-1]["rows"]
            assert isinstance(rows, list)
            rows.append([])
        if tag in ("h1", "caption", "td", "th"):
            self._text, self._tag = [], tag
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        if tag == "label" and a.get("for"):
            self.labels_for.add(str(a["for"]))
        if tag in ("select", "input", "textarea") and a.get("type") != "hidden":
            self.controls.append(str(a.get("id")))

    def handle_endtag(self, tag: str) -> None:
        if tag != self._tag or self._text is None:
            return
        text = " ".join("".join(self._text).split())
        if tag == "h1":
            self.h1.append(text)
        elif tag == "caption":
            self.tables[-1]["caption"] = text
        elif self.tables:
            rows = self.tables[-1]["rows"]
            assert isinstance(rows, list)
            if rows:
                rows[-1].append(text)
        self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def _parse(html: str) -> _Tables:
    page = _Tables()
    page.feed(html)
    return page


@pytest.mark.parametrize("path", list(PAGES))
@pytest.mark.parametrize("lang", ["it", "en"])
def test_every_page_renders_in_both_languages(city_client: TestClient, path: str, lang: str,
                                              city_db: Database, make_client: Callable[..., TestClient]) -> None:
    # the data-quality page is for data stewards only
    client = steward_client(make_client, city_db, language="it") if path == "/quality" else city_client
    response = client.get(path, params={"lang": lang})
    assert response.status_code == 200, response.text[:500]
    page = _parse(response.text)
    assert page.h1 == [PAGES[path][0 if lang == "it" else 1]]
    assert f'<html lang="{lang}">' in response.text
    for table in page.tables:
        assert table["caption"], f"a table without caption on {path}"
        assert None not in table["scopes"], f"a header cell without scope on {path}"
    # every visible form control has a label
    assert set(page.controls) <= page.labels_for
    other = "en" if lang == "it" else "it"
    assert f"lang={other}" in response.text and 'data-lang-switch' in response.text


@pytest.mark.parametrize("path", [
    "/?level=city", "/?level=block", "/?year=1990", "/?year=abc", "/?indicator=nope", "/?method=jenks",
    "/areas/nope", "/areas/Q1?year=1800", "/trends?area=nope", "/trends?indicator=nope",
    "/rankings?level=nope", "/rankings?order=up", "/rankings?sort=rank", "/rankings?year=1800",
    "/indicators/nope", "/fragments/map?year=1800",
])
def test_unknown_values_give_an_html_404(city_client: TestClient, path: str) -> None:
    response = city_client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Pagina non trovata" in response.text and "Traceback" not in response.text


def test_default_map_is_the_composite_in_ivsm_classes(city_client: TestClient, city_db: Database) -> None:
    html = city_client.get("/").text
    latest = reads.latest_year(city_db)
    composite = {v.area_id: v for v in reads.composite(city_db, "quartiere", latest)}
    drawn = drawn_areas(html)
    assert [a["id"] for a in drawn] == list(composite)
    assert legend_labels(html)[0].startswith("bassa (< 97)") and "Classi: classi ISTAT dell" in html
    assert len([label for label in legend_labels(html) if "(" in label]) == 5
    assert f'<option value="{latest}" selected>' in html
    table = _parse(html).tables[0]
    rows = [r for r in table["rows"] if r][1:]  # type: ignore[union-attr]
    assert sorted(r[1] for r in rows) == sorted(v.name for v in composite.values())
    # the table lists the areas from the highest value down (protected ones, "—", last)
    values = [float(r[2].replace(".", "").replace(",", ".")) for r in rows if not r[2].startswith("—")]
    assert values == sorted(values, reverse=True) and values


def test_map_fragment_matches_the_stored_values(analyst_client: TestClient, city_db: Database) -> None:
    year = reads.available_years(city_db)[0]
    response = analyst_client.get("/fragments/map", params={"indicator": "old_age_index", "level": "zone",
                                                         "year": year, "method": "equal", "lang": "en"})
    assert response.status_code == 200
    body = response.json()
    assert parse_qs(urlsplit(body["url"]).query) == {"indicator": ["old_age_index"], "level": ["zone"],
                                                    "year": [str(year)], "method": ["equal"]}
    stored = reads.level_values(city_db, "old_age_index", "zone", year)
    drawn = drawn_areas(body["svg"])
    assert [a["id"] for a in drawn] == [v.area_id for v in stored]
    # hover rows carry value, numerator and denominator formatted in English
    with_value = [v for v in stored if v.value is not None]
    first = next(a for a in drawn if a["id"] == with_value[0].area_id)
    assert first["name"] == with_value[0].name and first["hover"]["Value"] == f"{with_value[0].value:,.1f}"
    assert first["hover"]["Numerator"] == f"{with_value[0].numerator:,.0f}"
    assert first["hover"]["Denominator"] == f"{with_value[0].denominator:,.0f}"
    assert [a["id"] for a in drawn if a.get("unstable")] == [v.area_id for v in stored if v.unstable]
    assert "Equal intervals" not in body["caption"] and "equal intervals" in body["caption"]
    rows = _parse(body["table"]).tables[0]["rows"]
    assert len([r for r in rows if r]) == min(len(stored), 50) + 1  # type: ignore[arg-type]
    assert "Classes: equal intervals" in body["legend"]


def test_ivsm_classes_fall_back_to_quantiles_for_a_plain_indicator(city_client: TestClient) -> None:
    body = city_client.get("/fragments/map", params={"indicator": "share_75plus", "method": "ivsm"}).json()
    assert body["method"] == "quantiles"
    assert {"value": "ivsm", "disabled": True} in body["methods"]


def test_rankings_sort_on_the_server_and_link_the_exports(city_client: TestClient, city_db: Database) -> None:
    year = reads.latest_year(city_db)
    params = {"indicator": "foreign_citizens", "level": "zone", "year": str(year)}
    page = _parse(city_client.get("/rankings", params={**params, "order": "asc"}).text)
    assert page.aria_sort == ["ascending"]
    table = next(t for t in page.tables if t["caption"].startswith("Cittadini stranieri"))  # type: ignore[union-attr]
    body = table["rows"][1:]  # type: ignore[index]
    # the public page: protected areas ("—", read out as "dato protetto") come after the ranked ones
    shown = [r for r in body if r and r[2] != "n.d."]
    ranked = [r for r in shown if not r[2].startswith("—")]
    assert shown[:len(ranked)] == ranked
    values = [float(r[2].replace(".", "").replace(",", ".")) for r in ranked]
    assert values == sorted(values) and len(values) > 10
    by_name = _parse(city_client.get("/rankings", params={**params, "sort": "name", "order": "asc"}).text)
    names = [r[1] for r in next(t for t in by_name.tables if t["rows"])["rows"] if r]  # type: ignore[union-attr]
    assert names[1:] == sorted(names[1:], key=str.casefold)
    csv_link = next(link for link in page.links if "/api/v1/exports/values.csv" in link)
    export = city_client.get(csv_link)
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert len(rows) == len(reads.area_index(city_db).by_level["zone"])


def test_area_profile_lists_every_indicator_with_city_and_composite(analyst_client: TestClient,
                                                                    city_db: Database) -> None:
    year = reads.latest_year(city_db)
    html = analyst_client.get("/areas/Q1Z01", params={"year": year, "lang": "en"}).text
    page = _parse(html)
    profile = next(t for t in page.tables if str(t["caption"]).startswith("Indicators of"))
    assert len([r for r in profile["rows"] if r]) == len(reads.indicators()) + 1  # type: ignore[arg-type]
    assert "IVSM components" in html and 'id="trends-data"' in html
    trends = json.loads(re.search(r'id="trends-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert len([t for t in trends["data"] if t["name"].startswith("Area")]) == len(reads.indicators())


def test_trends_draw_one_line_per_area_and_the_city(city_client: TestClient) -> None:
    html = city_client.get("/trends", params=[("indicator", "share_75plus"), ("area", "Q1"), ("area", "Q2Z01")]).text
    figure = json.loads(re.search(r'id="trend-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert [t["name"] for t in figure["data"]] == ["Centro", "Nord - zona 1", "Comune"]


def test_indicator_page_states_formula_and_provenance(city_client: TestClient, city_db: Database) -> None:
    html = city_client.get("/indicators/disability_allowance", params={"lang": "en"}).text
    assert "multiplied by 1,000" in html and "INPS benefits" in html
    indicator = reads.get_indicator("disability_allowance")
    assert indicator.version in html
    page = _parse(html)
    provenance = next(t for t in page.tables if t["caption"] == "Provenance by year and level")
    years = {int(r[0]) for r in provenance["rows"] if r and r[0].isdigit()}  # type: ignore[union-attr]
    assert years == set(reads.available_years(city_db))


def test_home_page_starts_on_an_indicator_when_the_composite_cannot_be_computed(
        seeded_db: Database, make_client: Callable[..., TestClient]) -> None:
    import pandas as pd

    from welfare_district.indicators.store import COLUMNS, save_values

    # One plain indicator stored for the quartieri, none of the composite's components.
    now = pd.Timestamp("2025-01-01", tz="UTC")
    rows = [dict(indicator_id="share_75plus", level="quartiere", area_id=f"Q{i}", year=2024, numerator=10.0 * i,
                 denominator=100.0, value=10.0 * i, ci_low=None, ci_high=None, unstable=False, null_reason=None,
                 definition_version=reads.get_indicator("share_75plus").version, boundary_version="b",
                 snapshot_built_at=now, computed_at=now) for i in range(1, 7)]
    save_values(seeded_db, pd.DataFrame(rows, columns=COLUMNS))
    client = make_client(seeded_db, language="en")
    html = client.get("/").text
    assert '<option value="share_75plus" selected>' in html and "Residents aged 75+" in html
    assert client.get("/", params={"indicator": "ivsm"}).status_code == 404


def test_trends_take_census_sections_by_code_or_full_name(city_client: TestClient) -> None:
    sections = city_client.get("/api/v1/areas", params={"level": "section"}).json()["features"]
    first, second = (f["properties"] for f in sections[:2])
    params = [("indicator", "share_75plus"), ("area", "Q1"), ("area", first["area_id"]),
              ("area", second["name"].upper()), ("area", " ")]
    html = city_client.get("/trends", params=params).text
    figure = json.loads(re.search(r'id="trend-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert [t["name"] for t in figure["data"]] == ["Centro", first["name"], second["name"], "Comune"]
    # every section is offered as a suggestion; the chosen ones stay ticked for the next submission
    assert html.count('<option value="') >= len(sections)
    for props in (first, second):
        assert f'<input type="checkbox" name="area" value="{props["area_id"]}" checked>' in html
    missing = city_client.get("/trends", params=[("area", "sezione che non esiste")])
    assert missing.status_code == 404 and "sezione che non esiste" in missing.text
