"""The indicator dashboard in Chromium over the small city: the map draws and redraws in place, clicking an
area opens its profile, the language switch keeps the view, an export downloads the API's CSV, every main
page renders without console errors or requests off loopback (screenshots in test-artifacts/)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import LOOPBACK, Traffic

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DRAWN = "#map[data-rendered='true']"
QUARTIERI = {"Centro", "Nord", "Est", "Sud-Est", "Sud-Ovest", "Ovest"}
MAIN_PAGES = {
    "map": "/",
    "map-zones": "/?indicator=old_age_index&level=zone&method=quantiles",
    "map-sections": "/?indicator=foreign_citizens&level=section&method=equal",
    "area": "/areas/Q2",
    "area-zone": "/areas/Q4Z03",
    "trends": "/trends?indicator=share_75plus&area=Q1&area=Q3&area=Q5Z02",
    "rankings": "/rankings?indicator=ivsm_care_hardship&level=zone",
    "indicators": "/indicators",
    "indicator": "/indicators/ivsm_single_parent",
    "quality": "/quality",
}
FIGURES = "[data-plotly-figure]"


def _assert_clean(traffic: Traffic) -> None:
    assert traffic.requests, "the page made no requests at all"
    assert traffic.blocked == [], f"requests left 127.0.0.1: {traffic.blocked}"
    outside = [u for u in traffic.requests
               if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).hostname not in LOOPBACK]
    assert outside == []
    assert traffic.console_errors == []


def _open_map(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(DRAWN, timeout=30_000)


def _main_trace(page: Any) -> dict[str, Any]:
    trace: dict[str, Any] = page.evaluate(
        "() => { const t = document.getElementById('map').data[0];"
        " return {z: Array.from(t.z), locations: Array.from(t.locations),"
        " values: t.customdata.map(r => r[1]), year: document.getElementById('map').dataset.year}; }")
    fills = page.evaluate("() => Array.from(document.querySelectorAll('#map .choroplethlocation'))"
                          ".map(p => p.style.fill)")
    trace["fills"] = fills
    return trace


def _revision(page: Any) -> int:
    return int(page.get_attribute("#map", "data-revision") or "0")


def test_map_draws_the_quartieri_with_class_legend(page: Any, live_server: str, traffic: Traffic,
                                                   artifacts_dir: Path) -> None:
    _open_map(page, live_server + "/")
    assert page.locator("#map .choroplethlocation").count() == 6
    labels = {t.strip() for t in page.locator("#map .scattergeo text").all_text_contents()}
    assert labels >= QUARTIERI
    ticks = [t.strip() for t in page.locator("#map .colorbar .cbaxis text").all_text_contents()]
    assert "bassa (< 97)" in ticks and "alta (> 103)" in ticks
    assert page.locator("#areas-table tbody tr").count() == 6
    _assert_clean(traffic)


def test_changing_indicator_and_year_redraws_without_reload(page: Any, live_server: str, traffic: Traffic,
                                                            artifacts_dir: Path) -> None:
    _open_map(page, live_server + "/?level=zone&indicator=old_age_index")
    page.evaluate("window.__sameDocument = true")
    before = _main_trace(page)
    page.select_option("#ctl-indicator", "foreign_citizens")
    page.wait_for_selector("#map[data-revision='2']", timeout=30_000)
    after_indicator = _main_trace(page)
    assert after_indicator["values"] != before["values"]
    assert after_indicator["z"] != before["z"] or after_indicator["fills"] != before["fills"]
    assert parse_qs(urlsplit(page.url).query)["indicator"] == ["foreign_citizens"]
    years = page.eval_on_selector_all("#ctl-year option", "os => os.map(o => o.value)")
    page.select_option("#ctl-year", years[-1])
    page.wait_for_selector("#map[data-revision='3']", timeout=30_000)
    after_year = _main_trace(page)
    assert after_year["values"] != after_indicator["values"] and after_year["year"] == years[-1]
    assert parse_qs(urlsplit(page.url).query)["year"] == [years[-1]]
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"
    caption = page.locator("#areas-table caption").inner_text()
    assert caption.startswith("Cittadini stranieri") and years[-1] in caption
    # geometry of a level is fetched once, then reused from Plotly's cache
    geometry = [u for u in traffic.requests if "/fragments/geometry/zone.geojson" in u]
    assert len(geometry) == 1
    page.screenshot(path=str(artifacts_dir / "screenshots" / "map-updated-it.png"), full_page=False)
    # the address reproduces the view: a fresh load shows the same values
    page.goto(page.url)
    page.wait_for_selector(DRAWN, timeout=30_000)
    assert _main_trace(page)["values"] == after_year["values"]
    _assert_clean(traffic)


def test_unstable_areas_are_marked_on_map_and_in_the_legend(page: Any, live_server: str,
                                                            traffic: Traffic) -> None:
    _open_map(page, live_server + "/?level=zone&indicator=old_age_index")
    marked = page.evaluate("() => document.getElementById('map').data.filter(t => t.type === 'scattergeo'"
                           " && t.mode === 'markers' && t.name === 'Valore instabile').map(t => t.ids.length)")
    flagged = page.locator("#areas-table .flag-unstable").count()
    assert flagged > 0 and marked == [flagged]
    legend = [t.strip() for t in page.locator("#map .legend text").all_text_contents()]
    assert "Valore instabile" in legend
    _assert_clean(traffic)


def test_map_marks_protected_areas_for_the_public(page: Any, live_server: str, traffic: Traffic,
                                                 artifacts_dir: Path) -> None:
    _open_map(page, live_server + "/?indicator=ivsm_care_hardship&level=zone&method=quantiles")
    traces = page.evaluate("() => document.getElementById('map').data.map(t => "
                           "({name: t.name, type: t.type, n: (t.locations || t.ids || []).length}))")
    protected = [t for t in traces if t["name"] == "Dato protetto" and t["type"] == "choropleth"]
    assert protected and protected[0]["n"] > 0
    legend = [t.strip() for t in page.locator("#map .legend text").all_text_contents()]
    assert "Dato protetto" in legend
    # the protected areas are filled with the neutral grey, distinct from every class colour
    fills = page.evaluate("() => Array.from(document.querySelectorAll('#map .choroplethlocation'))"
                          ".map(p => getComputedStyle(p).fill)")
    assert fills.count("rgb(163, 163, 163)") == protected[0]["n"]
    # table: the dash is read out as "dato protetto", and a footnote explains it
    marks = page.locator("#areas-table .protected .visually-hidden")
    assert marks.count() >= protected[0]["n"] and marks.first.text_content() == "dato protetto"
    assert "segreto statistico" in page.locator("#protected-note").inner_text()
    # hovering a protected area says why it is hidden
    point = page.evaluate(
        """() => { const p = Array.from(document.querySelectorAll('#map .choroplethlocation'))
          .find(q => getComputedStyle(q).fill === 'rgb(163, 163, 163)');
        const b = p.getBoundingClientRect(), inv = p.getScreenCTM().inverse();
        for (let i = 0; i < 400; i++) { const x = b.left + ((i % 20) + 0.5) / 20 * b.width,
          y = b.top + (Math.floor(i / 20) + 0.5) / 20 * b.height;
          if (p.isPointInFill(new DOMPoint(x, y).matrixTransform(inv))) return [x, y]; } return null; }""")
    assert point is not None
    page.mouse.move(point[0], point[1])
    page.locator("#map .hoverlayer .hovertext").first.wait_for(timeout=5_000)
    hover = page.locator("#map .hoverlayer .hovertext").first.text_content() or ""
    assert "dato protetto" in hover and "Dato protetto:" in hover
    page.screenshot(path=str(artifacts_dir / "screenshots" / "map-protected-it.png"), full_page=False)
    _assert_clean(traffic)


def test_clicking_an_area_opens_its_profile(page: Any, live_server: str, traffic: Traffic) -> None:
    _open_map(page, live_server + "/")
    path = page.locator("#map .choroplethlocation").first
    box = path.bounding_box()
    assert box is not None
    # the path's own geometry picks a point inside its fill (a label or a concave outline cannot mislead)
    point = page.evaluate(
        """() => { const p = document.querySelector('#map .choroplethlocation');
        const b = p.getBoundingClientRect(), inv = p.getScreenCTM().inverse();
        for (let i = 0; i < 400; i++) { const x = b.left + ((i % 20) + 0.5) / 20 * b.width,
          y = b.top + (Math.floor(i / 20) + 0.5) / 20 * b.height;
          if (p.isPointInFill(new DOMPoint(x, y).matrixTransform(inv))) return [x, y]; } return null; }""")
    assert point is not None
    page.mouse.move(point[0], point[1])
    page.locator("#map .hoverlayer .hovertext").first.wait_for(timeout=5_000)
    hover = page.locator("#map .hoverlayer .hovertext").first.text_content() or ""
    assert "Valore" in hover and "Classe" in hover
    with page.expect_navigation():
        page.mouse.click(point[0], point[1])
    assert "/areas/" in page.url
    assert "profilo dell'area" in page.locator("h1").inner_text()
    _assert_clean(traffic)


def test_language_switch_keeps_the_view(page: Any, live_server: str, traffic: Traffic) -> None:
    _open_map(page, live_server + "/?level=zone")
    page.select_option("#ctl-indicator", "share_85plus")
    page.wait_for_selector("#map[data-revision='2']", timeout=30_000)
    page.click("[data-lang-switch]")
    page.wait_for_selector(DRAWN, timeout=30_000)
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("h1").inner_text() == "Indicator map"
    query = parse_qs(urlsplit(page.url).query)
    assert query["indicator"] == ["share_85plus"] and query["level"] == ["zone"]
    assert page.locator("#areas-table caption").inner_text().startswith("Residents aged 85+")
    for name in ("/indicators", "/quality"):
        page.goto(live_server + name)
        assert page.get_attribute("html", "lang") == "en"
    _assert_clean(traffic)


def test_export_downloads_the_api_csv(page: Any, live_server: str, traffic: Traffic) -> None:
    page.goto(live_server + "/rankings?indicator=ivsm_large_families&level=quartiere")
    link = page.locator("[data-export='csv']")
    with page.expect_download() as info:
        link.click()
    download = info.value
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    api = page.request.get(live_server + (link.get_attribute("href") or ""))
    assert api.ok
    assert rows == list(csv.DictReader(io.StringIO(api.text().lstrip("\ufeff"))))
    assert len(rows) == 6
    table_names = [n.strip() for n in page.locator("#ranking-table tbody th").all_inner_texts()]
    assert set(table_names) == QUARTIERI
    _assert_clean(traffic)


@pytest.mark.parametrize("lang", ["it", "en"])
def test_every_main_page_renders_cleanly(page: Any, live_server: str, traffic: Traffic, artifacts_dir: Path,
                                         lang: str) -> None:
    for name, path in MAIN_PAGES.items():
        sep = "&" if "?" in path else "?"
        page.goto(f"{live_server}{path}{sep}lang={lang}")
        # Waiting on selectors, not on page functions: the page's CSP forbids evaluating strings.
        for index in range(page.locator(FIGURES).count()):
            page.locator(FIGURES).nth(index).and_(page.locator("[data-rendered='true']")).wait_for(timeout=30_000)
        # every drawn chart has content: at least one trace with points
        empty = page.evaluate("() => Array.from(document.querySelectorAll('[data-plotly-figure]'))"
                              ".filter(el => !(el.data || []).some(t => (t.locations || t.x || t.lon || []).length))"
                              ".map(el => el.id || el.dataset.plotlyFigure)")
        assert empty == [], f"{name}: empty charts {empty}"
        # The section table runs to 1,300 rows: its screenshot keeps to the first screen.
        page.screenshot(path=str(artifacts_dir / "screenshots" / f"{name}-{lang}.png"),
                        full_page=name != "map-sections")
    _assert_clean(traffic)


def test_keyboard_reaches_every_control_with_visible_focus(page: Any, live_server: str) -> None:
    _open_map(page, live_server + "/")
    seen = []
    for _ in range(30):
        page.keyboard.press("Tab")
        info = page.evaluate("() => { const e = document.activeElement; const s = getComputedStyle(e);"
                             " return [e.id || e.tagName, s.outlineStyle, s.outlineWidth]; }")
        seen.append(info[0])
        if info[0] != "BODY":
            assert info[1] != "none" and info[2] != "0px", f"no visible focus on {info[0]}"
    for control in ("ctl-indicator", "ctl-level", "ctl-year", "ctl-method"):
        assert control in seen


def test_render_time_is_recorded(browser: Any, live_server: str, artifacts_dir: Path) -> None:
    """Navigation start to the map drawn, cold cache then warm; written to test-artifacts for reports.

    Its own context without request interception, which would slow the 4.8 MB plotly.min.js download.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    hosts: set[str | None] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
    timings = []
    try:
        for _ in range(3):
            _open_map(page, live_server + "/")
            ms = page.evaluate("performance.getEntriesByName('map-rendered')[0].startTime")
            timings.append(round(float(ms), 1))
    finally:
        context.close()
    assert hosts <= LOOPBACK
    (artifacts_dir / "browser-timings.json").write_text(
        json.dumps({"map_page_rendered_ms": {"cold": timings[0], "warm": timings[1:]}}, indent=2) + "\n")
    print(f"\nmap page drawn after {timings[0]} ms (cold cache), {timings[1:]} ms (warm)")
    # A generous bound: it catches a hang or a blocked download, not a slow machine.
    assert timings[0] < 15_000
