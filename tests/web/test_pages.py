"""The map page, the language switch, the empty-database how-to and the served assets."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from html import unescape as html_unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from welfare_district.engine import Database
from welfare_district.web.i18n import MESSAGES
from welfare_district.web.vendor import plotly_js_file

ClientFactory = Callable[..., TestClient]
NAMES = ["Centro", "Nord", "Est", "Sud-Est", "Sud-Ovest", "Ovest"]


class _Page(HTMLParser):
    """Collects what the tests look at: URLs the page loads or links to, headings, table cells."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.html_lang: str | None = None
        self.scoped_th: list[str] = []
        self.captions = 0
        self.h1: list[str] = []
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in ("src", "href", "action", "poster", "data"):
            if a.get(name):
                self.urls.append(str(a[name]))
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "th" and a.get("scope"):
            self.scoped_th.append(str(a["scope"]))
        if tag == "caption":
            self.captions += 1
        self._in_h1 = tag == "h1"

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1 and data.strip():
            self.h1.append(data.strip())


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _assert_no_external_assets(html: str) -> None:
    page = _parse(html)
    for url in page.urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, f"page refers to an outside address: {url}"
    # Inline CSS could still pull fonts or images from elsewhere.
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)


def test_map_page_in_italian_by_default(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    page = _parse(html)
    assert page.html_lang == "it"
    assert page.h1 == ["Residenti per quartiere"]
    assert "Residenti (stima 2023 dai dati censuari 2011)" in html
    assert all(name in html for name in NAMES)
    assert page.captions == 1 and page.scoped_th.count("row") == 7 and page.scoped_th.count("col") == 4
    assert "206.496" in html  # the 2023 total with the Italian thousands separator
    assert 'href="#main"' in html and 'id="main"' in html
    assert 'hreflang="en"' in html and "?lang=en" in html
    # the map is drawn on the server: no charting library to download before it shows
    assert "plotly" not in html and "/static/js/map.js" in html and "/static/css/map.css" in html
    _assert_no_external_assets(html)


def test_residents_map_is_svg_with_the_six_areas_and_a_localised_legend(client: TestClient) -> None:
    html = client.get("/").text
    svg = re.search(r'<svg id="map-svg".*?</svg>', html, re.S)
    assert svg is not None
    paths = re.findall(r'<path d="[^"]+" fill="(#[0-9a-f]{6})" data-id="([^"]+)" data-name="([^"]+)" '
                       r'data-value="([^"]+)"', svg.group(0))
    assert sorted(p[2] for p in paths) == sorted(NAMES)
    # Viridis: the quartiere with most residents is the lightest (yellow) one, and its count has Italian dots
    assert any(fill == "#fde725" and "." in value for fill, _, _, value in paths)
    assert json.loads(html_unescape(re.search(r'data-fields="([^"]*)"', svg.group(0)).group(1))) == \
        [["value", "Residenti"]]  # type: ignore[union-attr]
    assert re.search(r'role="img" aria-labelledby="map-svg-title map-svg-desc"', svg.group(0))
    labels = re.findall(r"<text [^>]*>([^<]+)</text>", svg.group(0))
    assert sorted(labels) == sorted(NAMES)
    assert '<p class="svgmap-legend__title">Residenti</p>' in html
    assert "linear-gradient(to right, #440154" in html


def test_english_with_query_parameter_and_cookie(client: TestClient) -> None:
    response = client.get("/", params={"lang": "en"})
    page = _parse(response.text)
    assert page.html_lang == "en"
    assert page.h1 == ["Residents by quartiere"]
    assert "Residents (2023 estimate from 2011 census data)" in response.text
    assert "206,496" in response.text
    assert response.cookies.get("lang") == "en"
    # The cookie keeps English on the next page without the parameter.
    again = client.get("/")
    assert _parse(again.text).h1 == ["Residents by quartiere"]
    back = client.get("/", params={"lang": "it"})
    assert _parse(back.text).h1 == ["Residenti per quartiere"]


def test_invalid_language_falls_back_to_default(client: TestClient) -> None:
    response = client.get("/", params={"lang": "fr"})
    assert response.status_code == 200 and _parse(response.text).html_lang == "it"
    assert "lang" not in response.cookies


def test_configured_default_language(seeded_db: Database, make_client: ClientFactory) -> None:
    english = make_client(seeded_db, language="en")
    assert _parse(english.get("/").text).html_lang == "en"


def test_empty_database_explains_what_to_run(db: Database, make_client: ClientFactory) -> None:
    client = make_client(db, language="it")
    response = client.get("/")
    assert response.status_code == 200
    assert "Nessuna area nel database" in response.text
    assert "<code>welfare areas build</code>" in response.text and "<code>make demo</code>" in response.text
    assert "plotly.min.js" not in response.text
    english = client.get("/?lang=en").text
    assert "No areas in the database" in english and "welfare areas build" in english
    _assert_no_external_assets(response.text)


def test_plotly_js_is_the_package_file(client: TestClient) -> None:
    response = client.get("/static/vendor/plotly.min.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    expected = plotly_js_file().read_bytes()
    assert hashlib.sha256(response.content).hexdigest() == hashlib.sha256(expected).hexdigest()
    assert "max-age" in response.headers["cache-control"]


@pytest.mark.parametrize("path", ["/static/css/site.css", "/static/js/map.js"])
def test_own_static_files_are_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response.text.strip()
    assert "http://" not in response.text and "https://" not in response.text


def test_security_headers_keep_the_page_on_this_origin(client: TestClient) -> None:
    csp = client.get("/").headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp


def test_unknown_page_is_a_localised_html_404(client: TestClient) -> None:
    response = client.get("/nope", params={"lang": "en"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Page not found" in response.text
    _assert_no_external_assets(response.text)


def test_catalogue_languages_define_the_same_keys() -> None:
    assert set(MESSAGES["it"]) == set(MESSAGES["en"])


def test_map_shows_register_residents_once_the_warehouse_has_a_snapshot(
        seeded_db: Database, make_client: ClientFactory) -> None:
    import re
    from datetime import date

    import sqlalchemy as sa

    from welfare_district.model.warehouse import ensure_warehouse_tables, warehouse_tables

    ensure_warehouse_tables(seeded_db.engine)
    person = warehouse_tables().person
    rows = [dict(snapshot_year=2024, person_id=i, family_id=i, relation="head", sex="F",
                 birth_date=date(1980, 1, 1), age=44, citizenship="IT", disability_allowance=False,
                 care_allowance=False, quartiere_id=q)
            for i, q in enumerate(["Q1", "Q1", "Q3", None])]
    # an older snapshot must not be counted
    rows.append({**rows[0], "snapshot_year": 2023, "person_id": 99})
    with seeded_db.engine.begin() as conn:
        conn.execute(sa.insert(person), rows)
    html = make_client(seeded_db, language="it").get("/").text
    assert "anagrafe al 31 dicembre 2024" in html
    cells = re.findall(r'<td class="num">([\d.]+)</td>', html)
    assert cells[:1] == ["2"]  # Centro (Q1): two residents in the register
    assert "non collocato su un quartiere: 1" in html


def test_api_residents_follow_the_register_snapshot(seeded_db: Database, make_client: ClientFactory) -> None:
    from datetime import date

    import sqlalchemy as sa

    from welfare_district.model.warehouse import ensure_warehouse_tables, warehouse_tables

    client = make_client(seeded_db, language="it")
    before = client.get("/api/v1/areas?level=quartiere").json()["features"]
    assert all(f["properties"]["residents_year"] is None for f in before)
    assert sum(f["properties"]["residents"] for f in before) == 206_496
    ensure_warehouse_tables(seeded_db.engine)
    with seeded_db.engine.begin() as conn:
        conn.execute(sa.insert(warehouse_tables().person), [dict(
            snapshot_year=2025, person_id=1, family_id=1, relation="head", sex="M", birth_date=date(1950, 5, 5),
            age=75, citizenship="IT", disability_allowance=False, care_allowance=False, quartiere_id="Q2")])
    after = {f["id"]: f["properties"] for f in client.get("/api/v1/areas?level=quartiere").json()["features"]}
    assert after["Q2"]["residents"] == 1 and after["Q2"]["residents_year"] == 2025
    assert after["Q1"]["residents"] == 0


def _row_values(html: str) -> list[str]:
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    return re.findall(r'</th><td class="num">(.*?)</td>', body)


def test_indicator_map_is_svg_and_pages_its_long_table(city_client: TestClient) -> None:
    params = {"indicator": "foreign_citizens", "level": "section", "method": "quantiles"}
    first = city_client.get("/", params=params).text
    assert "plotly" not in first and 'class="svgmap__svg"' in first
    areas = re.findall(r'<path d="[^"]+" fill="[^"]+" data-id="([^"]+)"', first)
    assert len(areas) == len(set(areas)) > 100  # every section drawn once, in one page
    assert first.count("<tr><td>") == 50
    status = re.search(r'id="table-status">Righe 1–50 di ([\d.]+) \(pagina 1 di (\d+)\)', first)
    assert status and int(status.group(1).replace(".", "")) == len(areas)
    assert 'rel="prev"' not in first and re.search(r'href="/\?[^"]*page=2"[^>]*rel="next"', first.replace(
        "&amp;", "&"))
    pages = int(status.group(2))
    second = city_client.get("/", params={**params, "page": "2"}).text
    assert 'id="table-status">Righe 51–100 di' in second and 'rel="prev"' in second and 'rel="next"' in second
    last = city_client.get("/", params={**params, "page": str(pages)}).text
    assert 'rel="next"' not in last
    # one order across the pages: from the highest value down, hidden figures last
    shown = [v for v in _row_values(first) + _row_values(second) if not v.startswith("<span")]
    numbers = [float(v.replace(".", "").replace(",", ".")) for v in shown]
    assert numbers == sorted(numbers, reverse=True)
    # the fragment serves the same page, for the script to swap in
    fragment = city_client.get("/fragments/map", params={**params, "page": "2"}).json()
    assert "Righe 51–100" in fragment["table"] and fragment["url"].endswith("&page=2")
    for bad in ("0", "abc", "-1", str(pages + 1)):
        assert city_client.get("/", params={**params, "page": bad}).status_code == 404


def test_indicator_map_in_english_keeps_the_view_words(city_client: TestClient) -> None:
    html = city_client.get("/", params={"level": "zone", "indicator": "old_age_index", "lang": "en"}).text
    assert 'aria-label="Zoom in"' in html and ">Whole city</button>" in html
    assert "Classes: quantiles" in html and "highest value first" in html
