"""The residents map (before any indicator is computed) in Chromium: six SVG areas, hover names and counts,
language switch, no charting library."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import LOOPBACK, Traffic

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NAMES = {"Centro", "Nord", "Est", "Sud-Est", "Sud-Ovest", "Ovest"}
DRAWN = "#map[data-rendered='true']"
AREA_PATHS = "#map-svg .svgmap__areas path"
TIP = "#map .svgmap__tip"

# Finds, for each area's path, a screen point inside its fill (the path's own geometry decides, so a
# concave area or a label on top cannot mislead it), scanning a grid over the path's bounding box.
_INSIDE_POINTS = """
() => Array.from(document.querySelectorAll('#map-svg .svgmap__areas path')).map((path) => {
  const box = path.getBoundingClientRect();
  const toLocal = path.getScreenCTM().inverse();
  for (let fy = 0.5, step = 0; step < 400; step++) {
    const fx = ((step % 20) + 0.5) / 20;
    fy = (Math.floor(step / 20) + 0.5) / 20;
    const x = box.left + fx * box.width, y = box.top + fy * box.height;
    const p = new DOMPoint(x, y).matrixTransform(toLocal);
    if (path.isPointInFill(p)) {
      const cx = box.left + box.width / 2, cy = box.top + box.height / 2;
      const pc = new DOMPoint(cx, cy).matrixTransform(toLocal);
      return path.isPointInFill(pc) ? [cx, cy] : [x, y];
    }
  }
  return null;
})
"""


def _open(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(DRAWN, timeout=30_000)


def _assert_loopback_only(traffic: Traffic) -> None:
    assert traffic.requests, "the page made no requests at all"
    assert traffic.blocked == [], f"requests left 127.0.0.1: {traffic.blocked}"
    outside = [u for u in traffic.requests
               if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).hostname not in LOOPBACK]
    assert outside == []


def test_map_draws_six_areas_with_legend(page: Any, areas_server: str, traffic: Traffic,
                                         artifacts_dir: Path) -> None:
    _open(page, areas_server + "/")
    assert page.locator(AREA_PATHS).count() == 6
    assert page.locator("#map-legend .svgmap-legend__ramp").count() == 1
    assert page.locator("#map-legend .svgmap-legend__title").inner_text() == "Residenti"
    labels = {t.strip() for t in page.locator("#map-svg .svgmap__labels text").all_text_contents()}
    assert labels == NAMES
    # six distinct fills along the scale: the counts differ, so do the colours
    fills = page.evaluate("() => Array.from(document.querySelectorAll('#map-svg .svgmap__areas path'))"
                          ".map(p => getComputedStyle(p).fill)")
    assert len(set(fills)) == 6
    assert not [u for u in traffic.requests if "plotly" in u]
    assert page.locator("#areas-table tbody tr").count() == 6
    page.screenshot(path=str(artifacts_dir / "screenshots" / "map-it.png"), full_page=True)
    assert traffic.console_errors == []
    _assert_loopback_only(traffic)


def test_hovering_each_area_shows_its_name(page: Any, areas_server: str, artifacts_dir: Path) -> None:
    _open(page, areas_server + "/")
    points = page.evaluate(_INSIDE_POINTS)
    assert len(points) == 6 and all(points)
    seen = set()
    for x, y in points:
        page.mouse.move(x, y)
        hover = page.locator(TIP)
        hover.wait_for(state="visible", timeout=5_000)
        text = hover.inner_text()
        assert "Residenti: " in text
        seen.add(next(name for name in sorted(NAMES, key=len, reverse=True) if name in text))
        if len(seen) == 1:
            page.screenshot(path=str(artifacts_dir / "screenshots" / "map-hover-it.png"))
        page.mouse.move(1, 1)
        hover.wait_for(state="hidden", timeout=5_000)
    assert seen == NAMES


def test_language_switch_changes_heading_and_legend(page: Any, areas_server: str, traffic: Traffic,
                                                    artifacts_dir: Path) -> None:
    _open(page, areas_server + "/")
    assert page.locator("h1").inner_text() == "Residenti per quartiere"
    page.click("[data-lang-switch]")
    page.wait_for_url("**/?lang=en")
    page.wait_for_selector(DRAWN, timeout=30_000)
    assert page.locator("h1").inner_text() == "Residents by quartiere"
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("#map-legend .svgmap-legend__title").inner_text() == "Residents"
    assert page.get_by_role("button", name="Zoom in").is_visible()
    page.screenshot(path=str(artifacts_dir / "screenshots" / "map-en.png"), full_page=True)
    # The choice is remembered: the next visit without ?lang stays in English.
    _open(page, areas_server + "/")
    assert page.locator("h1").inner_text() == "Residents by quartiere"
    assert traffic.console_errors == []
    _assert_loopback_only(traffic)


def test_keyboard_skip_link_reaches_main(page: Any, areas_server: str) -> None:
    _open(page, areas_server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
