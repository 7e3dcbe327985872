"""The indicator dashboard in Chromium over the small city: the SVG map draws and redraws in place, hover
tells an area's figures, clicking an area opens its profile, zoom and table pages work, the language switch
keeps the view, an export downloads the API's CSV, every main page renders without console errors or
requests off loopback (screenshots in test-artifacts/)."""

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


AREAS = "#map-svg .svgmap__areas path"
TIP = "#map .svgmap__tip"
# A screen point inside the fill of the first area matching a CSS selector (the path's own geometry decides,
# so a concave outline or a label on top cannot mislead it), scanning a grid over its bounding box.
_INSIDE = """(selector) => { const p = document.querySelector(selector);
  const b = p.getBoundingClientRect(), inv = p.getScreenCTM().inverse();
  for (let i = 0; i < 400; i++) { const x = b.left + ((i % 20) + 0.5) / 20 * b.width,
    y = b.top + (Math.floor(i / 20) + 0.5) / 20 * b.height;
    if (p.isPointInFill(new DOMPoint(x, y).matrixTransform(inv))
        && document.elementFromPoint(x, y) === p) return [x, y]; } return null; }"""


def _drawn(page: Any) -> dict[str, Any]:
    drawn: dict[str, Any] = page.evaluate(
        "() => { const ps = Array.from(document.querySelectorAll('#map-svg .svgmap__areas path'));"
        " return {ids: ps.map(p => p.dataset.id), fills: ps.map(p => getComputedStyle(p).fill),"
        " values: ps.map(p => p.dataset.value || ''), year: document.getElementById('map').dataset.year}; }")
    return drawn


def _hover(page: Any, selector: str) -> str:
    page.locator("#map").scroll_into_view_if_needed()
    point = page.evaluate(_INSIDE, selector)
    assert point is not None, f"no point inside {selector}"
    page.mouse.move(point[0], point[1])
    page.locator(TIP).wait_for(state="visible", timeout=5_000)
    return page.locator(TIP).inner_text()


def _revision(page: Any) -> int:
    return int(page.get_attribute("#map", "data-revision") or "0")


def test_map_draws_the_quartieri_with_class_legend(page: Any, live_server: str, traffic: Traffic,
                                                   artifacts_dir: Path) -> None:
    _open_map(page, live_server + "/")
    assert page.locator(AREAS).count() == 6
    labels = {t.strip() for t in page.locator("#map-svg .svgmap__labels text").all_text_contents()}
    assert labels >= QUARTIERI
    legend = [t.strip() for t in page.locator("#map-legend li").all_inner_texts()]
    assert "bassa (< 97)" in legend and "alta (> 103)" in legend
    assert "Classi: classi ISTAT dell'IVSM" in page.locator("#map-legend").inner_text()
    assert page.locator("#areas-table tbody tr").count() == 6
    # the map page runs no charting library at all
    assert not [u for u in traffic.requests if "plotly" in u]
    assert page.evaluate("typeof window.Plotly") == "undefined"
    _assert_clean(traffic)


def test_changing_indicator_and_year_redraws_without_reload(page: Any, live_server: str, traffic: Traffic,
                                                            artifacts_dir: Path) -> None:
    _open_map(page, live_server + "/?level=zone&indicator=old_age_index")
    page.evaluate("window.__sameDocument = true")
    before = _drawn(page)
    page.select_option("#ctl-indicator", "foreign_citizens")
    page.wait_for_selector("#map[data-revision='2']", timeout=30_000)
    after_indicator = _drawn(page)
    assert after_indicator["ids"] == before["ids"] and len(before["ids"]) > 20
    assert after_indicator["values"] != before["values"] and after_indicator["fills"] != before["fills"]
    assert parse_qs(urlsplit(page.url).query)["indicator"] == ["foreign_citizens"]
    assert page.locator("#map-legend .svgmap-legend__title").inner_text() == "Cittadini stranieri"
    years = page.eval_on_selector_all("#ctl-year option", "os => os.map(o => o.value)")
    page.select_option("#ctl-year", years[-1])
    page.wait_for_selector("#map[data-revision='3']", timeout=30_000)
    after_year = _drawn(page)
    assert after_year["values"] != after_indicator["values"] and after_year["year"] == years[-1]
    assert parse_qs(urlsplit(page.url).query)["year"] == [years[-1]]
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"
    caption = page.locator("#areas-table caption").inner_text()
    assert caption.startswith("Cittadini stranieri") and years[-1] in caption
    # the shapes come with the page: no geometry download, no charting library
    assert not [u for u in traffic.requests if "/fragments/geometry/" in u or "plotly" in u]
    page.screenshot(path=str(artifacts_dir / "screenshots" / "map-updated-it.png"), full_page=False)
    # the address reproduces the view: a fresh load shows the same values
    page.goto(page.url)
    page.wait_for_selector(DRAWN, timeout=30_000)
    assert _drawn(page)["values"] == after_year["values"]
    _assert_clean(traffic)


def test_table_pages_follow_without_reload_and_keep_the_map(page: Any, live_server: str, traffic: Traffic,
                                                            artifacts_dir: Path) -> None:
    _open_map(page, live_server + "/?level=section&indicator=foreign_citizens&method=equal")
    page.evaluate("window.__sameDocument = true")
    areas = page.locator(AREAS).count()
    assert areas > 100 and page.locator("#areas-table tbody tr").count() == 50
    assert page.locator("#table-status").inner_text().startswith("Righe 1–50 di")
    first_rows = page.locator("#areas-table tbody th").all_inner_texts()
    page.locator("a[data-table-page][rel='next']").click()
    page.wait_for_selector("#map[data-revision='2']", timeout=30_000)
    assert page.locator("#table-status").inner_text().startswith("Righe 51–100 di")
    assert set(page.locator("#areas-table tbody th").all_inner_texts()).isdisjoint(first_rows)
    assert parse_qs(urlsplit(page.url).query)["page"] == ["2"]
    # the keyboard stays on the pager: the next link of the new page has the focus
    assert page.evaluate("document.activeElement.getAttribute('rel')") == "next"
    assert page.locator(AREAS).count() == areas
    assert page.evaluate("window.__sameDocument") is True
    # without the script the links are plain links to the same view
    page.goto(page.url)
    page.wait_for_selector(DRAWN, timeout=30_000)
    assert page.locator("#table-status").inner_text().startswith("Righe 51–100 di")
    _assert_clean(traffic)


def test_zoom_buttons_wheel_and_keys_move_the_view(page: Any, live_server: str, traffic: Traffic,
                                                  artifacts_dir: Path) -> None:
    _open_map(page, live_server + "/?level=zone")
    whole = page.get_attribute("#map-svg", "viewBox")
    page.get_by_role("button", name="Ingrandisci la mappa").click()
    zoomed = [float(v) for v in (page.get_attribute("#map-svg", "viewBox") or "").split()]
    assert zoomed[2] < float((whole or "").split()[2])
    page.locator("#map-stage").focus()
    page.keyboard.press("ArrowRight")
    moved = [float(v) for v in (page.get_attribute("#map-svg", "viewBox") or "").split()]
    assert moved[0] > zoomed[0] and moved[2] == zoomed[2]
    box = page.locator("#map-stage").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -300)
    page.wait_for_function("(w) => document.getElementById('map-svg').viewBox.baseVal.width < w", arg=moved[2])
    page.screenshot(path=str(artifacts_dir / "screenshots" / "map-zoomed-it.png"), full_page=False)
    # a change of indicator keeps the place the user zoomed to
    view = page.get_attribute("#map-svg", "viewBox")
    page.select_option("#ctl-indicator", "share_85plus")
    page.wait_for_selector("#map[data-revision='2']", timeout=30_000)
    assert page.get_attribute("#map-svg", "viewBox") == view
    page.get_by_role("button", name="Vista intera").click()
    assert page.get_attribute("#map-svg", "viewBox") == whole
    _assert_clean(traffic)


def test_unstable_areas_are_marked_on_map_and_in_the_legend(page: Any, live_server: str,
                                                            traffic: Traffic) -> None:
    _open_map(page, live_server + "/?level=zone&indicator=old_age_index")
    unstable = page.locator("#map-svg path[data-unstable]").count()
    marks = page.evaluate("() => (document.querySelector('#map-svg .svgmap__unstable-mark')"
                          " .getAttribute('d').match(/M/g) || []).length")
    flagged = page.locator("#areas-table .flag-unstable").count()
    page.locator("a[data-table-page][rel='next']").click()
    page.wait_for_selector("#map[data-revision='2']", timeout=30_000)
    flagged += page.locator("#areas-table .flag-unstable").count()
    assert unstable > 0 and marks == unstable == flagged
    legend = [t.replace("✕", "").strip() for t in page.locator("#map-legend li").all_inner_texts()]
    assert "Valore instabile" in legend
    text = _hover(page, "#map-svg path[data-unstable]")
    assert "Valore instabile: leggere con cautela" in text
    _assert_clean(traffic)


def test_map_marks_protected_areas_for_the_public(page: Any, live_server: str, traffic: Traffic,
                                                 artifacts_dir: Path) -> None:
    _open_map(page, live_server + "/?indicator=ivsm_care_hardship&level=zone&method=quantiles")
    protected = page.locator("#map-svg path[data-protected]")
    hidden = protected.count()
    assert hidden > 0
    legend = [t.strip() for t in page.locator("#map-legend li").all_inner_texts()]
    assert "Dato protetto" in legend
    # the protected areas are hatched, distinct from every class colour
    fills = page.evaluate("() => Array.from(document.querySelectorAll('#map-svg .svgmap__areas path'))"
                          ".map(p => p.getAttribute('fill'))")
    assert fills.count("url(#map-hatch)") == hidden
    assert page.locator("#map-svg pattern#map-hatch").count() == 1
    # table: the dash is read out as "dato protetto" (protected areas come last), and a footnote explains it
    marks = page.locator("#areas-table .protected .visually-hidden").count()
    page.locator("a[data-table-page][rel='next']").click()
    page.wait_for_selector("#map[data-revision='2']", timeout=30_000)
    marks += page.locator("#areas-table .protected .visually-hidden").count()
    assert marks >= hidden
    assert page.locator("#areas-table .protected .visually-hidden").first.text_content() == "dato protetto"
    assert "segreto statistico" in page.locator("#protected-note").inner_text()
    # hovering a protected area says why it is hidden
    text = _hover(page, "#map-svg path[data-protected]")
    assert "dato protetto" in text and "Dato protetto:" in text
    page.screenshot(path=str(artifacts_dir / "screenshots" / "map-protected-it.png"), full_page=False)
    _assert_clean(traffic)


def test_clicking_an_area_opens_its_profile(page: Any, live_server: str, traffic: Traffic) -> None:
    _open_map(page, live_server + "/")
    text = _hover(page, "#map-svg .svgmap__areas path")
    assert "Valore" in text and "Classe" in text
    area = page.evaluate("() => document.querySelector('#map-svg .svgmap__areas path.is-hover').dataset.id")
    point = page.evaluate(_INSIDE, "#map-svg .svgmap__areas path.is-hover")
    with page.expect_navigation():
        page.mouse.click(point[0], point[1])
    assert f"/areas/{area}?year=" in page.url
    assert "profilo dell'area" in page.locator("h1").inner_text()
    _assert_clean(traffic)


def test_focusing_a_table_row_shows_its_area_on_the_map(page: Any, live_server: str, traffic: Traffic) -> None:
    _open_map(page, live_server + "/?level=zone&indicator=old_age_index")
    link = page.locator("#areas-table tbody th a").nth(2)
    name = link.inner_text()
    link.focus()
    page.locator(TIP).wait_for(state="visible", timeout=5_000)
    assert page.locator(TIP).inner_text().startswith(name)
    highlighted = page.locator("#map-svg .svgmap__areas path.is-hover")
    assert highlighted.count() == 1 and highlighted.get_attribute("data-name") == name
    # the next row's link takes the outline with it
    page.keyboard.press("Tab")
    following = page.locator("#areas-table tbody th a").nth(3).inner_text()
    assert page.evaluate("document.activeElement.textContent") == following
    assert page.locator(TIP).inner_text().startswith(following)
    assert highlighted.get_attribute("data-name") == following
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
        if name.startswith("map"):
            page.locator(DRAWN).wait_for(timeout=30_000)
            assert page.locator(AREAS).count() > 0, f"{name}: no area drawn"
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

    Its own context without request interception, which would slow the downloads.
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
