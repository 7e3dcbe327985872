"""The data-quality page in a browser, signed in as the data steward, over a small city whose synthetic
extracts were really ingested and linked: the load log, the failures by field and reason with their row
numbers, the linkage counts, in Italian and English, WCAG 2.1 AA clean (axe: no serious or critical
violation). Screenshots land in test-artifacts/screenshots/ (quality-*.png).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.browser.conftest import Traffic, serve
from tests.browser.test_accessibility import OPTIONS, _axe
from welfare_district.privacy.pseudonym import Pseudonymiser, load_keyring
from welfare_district.settings import get_settings

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
# the key the browser fixture's server is started with (tests/browser/conftest.py)
SERVER_KEY = "browser-tests-pseudonym-key-0123456789abcdef"
CODICE_FISCALE = re.compile(r"\b[A-Z]{6}\d{2}[A-EHLMPRST]\d{2}[A-Z]\d{3}[A-Z]\b")


@pytest.fixture(scope="module")
def quality_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A served 1% city (2024-2025) with every synthetic extract ingested and linked, the demo accounts, and
    what the stored reports hold: loads, failure rows by field and reason, linked records."""
    from welfare_district.access.demo_users import create_demo_users
    from welfare_district.engine import connect
    from welfare_district.pipeline import PipelineInput, stage_areas, stage_ingest, stage_link
    from welfare_district.synth.generate import generate

    folder = tmp_path_factory.mktemp("browser_quality")
    generate(folder / "city", years=(2024, 2025), seed=5, fraction=0.01, extracts=True)
    url = f"duckdb:///{folder / 'welfare.duckdb'}"
    pseudonymiser = Pseudonymiser(load_keyring(get_settings(demo=True, pseudonym_key=SERVER_KEY)))
    with connect(url) as db:
        inputs = PipelineInput(folder / "city", seed=5)
        for stage in (stage_areas, stage_ingest, stage_link):
            stage(db, inputs)
        steward = next(a for a in create_demo_users(db.engine, pseudonymiser, demo=True)
                       if a.role == "data_steward")
        with db.engine.connect() as conn:
            loads = conn.execute(sa.text("SELECT COUNT(*) FROM load_log")).scalar_one()
            reasons = conn.execute(sa.text("SELECT COUNT(*) FROM load_quality")).scalar_one()
            records = conn.execute(sa.text("SELECT COUNT(*) FROM person_link")).scalar_one()
    with serve(url) as base:
        yield {"base": base, "password": steward.password, "loads": int(loads), "reasons": int(reasons),
               "records": int(records)}


def _sign_in(page: Any, base: str, password: str) -> None:
    page.goto(base + "/quality")
    assert page.url.startswith(base + "/login?next=")  # the public is sent to sign in
    page.get_by_label("Nome utente").fill("demo.steward")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(base + "/quality")


def test_steward_reads_loads_failures_and_linkage(page: Any, quality_site: dict[str, Any], traffic: Traffic,
                                                  artifacts_dir: Path) -> None:
    base, shots = quality_site["base"], artifacts_dir / "screenshots"
    assert quality_site["loads"] > 0 and quality_site["reasons"] > 0 and quality_site["records"] > 0
    _sign_in(page, base, quality_site["password"])
    assert page.get_by_role("heading", name="Qualità dei dati", level=1).is_visible()
    assert page.locator("#loads-table tbody tr").count() == quality_site["loads"]
    assert page.locator("#failures-table tbody tr").count() == quality_site["reasons"]
    # every failure row names a field and a reason code and gives its example rows as row numbers
    examples = page.locator("#failures-table tbody tr td:last-child").all_inner_texts()
    assert examples and all(re.fullmatch(r"\d+(, \d+)*", text.strip()) for text in examples), examples
    assert page.locator("#failures-table tbody code").count() == 2 * quality_site["reasons"]
    linked = page.locator("#linkage-table tbody tr th").all_inner_texts()
    assert linked and "anagrafe" in linked
    total = f"{quality_site['records']:,}".replace(",", ".")
    assert f"Totale: {total} record" in page.locator("main").inner_text()
    text = page.locator("body").inner_text()
    assert not CODICE_FISCALE.search(text)
    page.screenshot(path=str(shots / "quality-it.png"), full_page=True)

    page.goto(base + "/quality?lang=en")
    assert page.get_by_role("heading", name="Data quality", level=1).is_visible()
    assert page.get_by_role("table", name="Stored loads, newest first").is_visible()
    assert "Example rows (row number in the file)" in page.locator("#failures-table thead").inner_text()
    page.screenshot(path=str(shots / "quality-en.png"), full_page=True)
    # on a phone the page itself never scrolls sideways: wide tables scroll in their own focusable region
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    wrap = page.locator(".table-wrap:has(#loads-table)")
    assert wrap.get_attribute("tabindex") == "0" and wrap.get_attribute("aria-labelledby") == "loads"
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth")
    page.screenshot(path=str(shots / "quality-narrow.png"), full_page=True)
    assert traffic.blocked == [] and traffic.console_errors == []


@pytest.mark.parametrize(("lang", "width"), [("it", 1280), ("en", 1280), ("it", 390)])
def test_quality_page_has_no_serious_accessibility_violation(page: Any, quality_site: dict[str, Any],
                                                             artifacts_dir: Path, lang: str, width: int) -> None:
    axe = _axe()
    _sign_in(page, quality_site["base"], quality_site["password"])
    page.set_viewport_size({"width": width, "height": 900})  # narrow: the tables scroll in their regions
    page.goto(quality_site["base"] + f"/quality?lang={lang}")
    results = axe.run(page, options=OPTIONS)
    folder = artifacts_dir / "axe"
    folder.mkdir(exist_ok=True)
    results.save_to_file(folder / f"quality-steward-{lang}-{width}.json", violations_only=True)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
