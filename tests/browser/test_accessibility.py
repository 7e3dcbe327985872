"""WCAG 2.1 A/AA checks by axe-core (shipped inside the axe-playwright-python wheel) on every main page.

A serious or critical violation fails the test; the full report of each page lands in test-artifacts/axe/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import IN_CI, Traffic

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PAGES = {
    "map": "/",
    "map-zones": "/?indicator=old_age_index&level=zone&method=equal",
    "map-sections": "/?indicator=ivsm_care_hardship&level=section&page=2",
    "area": "/areas/Q3",
    "trends": "/trends",
    "rankings": "/rankings?level=zone",
    "indicators": "/indicators",
    "indicator": "/indicators/open_cases",
    "login": "/login?next=%2Fquality",  # /quality itself, signed in as data steward: tests/browser/test_quality.py
    "not-found": "/areas/nowhere",
    "map-en": "/?lang=en",  # the other pages in English share these templates and strings
}
OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}


def _axe() -> Any:
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        if IN_CI:
            pytest.fail("axe-playwright-python is not installed: CI must run the accessibility checks")
        pytest.skip("axe-playwright-python is not installed (pip install -e '.[test]')")
    return Axe()


def _open(page: Any, url: str) -> None:
    page.goto(url)
    if page.locator("#map .svgmap__svg").count():  # the SVG map: checked once its script has run
        page.locator("#map[data-rendered='true']").wait_for(timeout=30_000)
    figures = page.locator("[data-plotly-figure]")
    for index in range(figures.count()):
        figures.nth(index).and_(page.locator("[data-rendered='true']")).wait_for(timeout=30_000)


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violation(page: Any, live_server: str, traffic: Traffic,
                                                     artifacts_dir: Path, name: str) -> None:
    axe = _axe()
    _open(page, live_server + PAGES[name])
    results = axe.run(page, options=OPTIONS)
    folder = artifacts_dir / "axe"
    folder.mkdir(exist_ok=True)
    results.save_to_file(folder / f"{name}.json", violations_only=True)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
    assert traffic.blocked == []


def test_the_checker_catches_an_unlabelled_control(page: Any, live_server: str) -> None:
    """The check above can fail: a select without a label added to a real page is reported as critical."""
    axe = _axe()
    _open(page, live_server + "/rankings")
    page.evaluate("document.querySelector('main').appendChild(document.createElement('select'))")
    results = axe.run(page, options=OPTIONS)
    found = {(v["id"], v["impact"]) for v in results.response["violations"]}
    assert ("select-name", "critical") in found
