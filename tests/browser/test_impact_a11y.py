"""WCAG 2.1 A/AA checks (axe-core) of the register-of-actions pages: the list with its actions map, a project
page, and the report upload form, empty and with a table of refused rows. A serious or critical violation
fails; each report lands in test-artifacts/axe/impact-*.json and a screenshot in test-artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Traffic
from tests.browser.test_accessibility import OPTIONS, _axe, _open
from tests.browser.test_impact import impact_site, sign_in_partner  # noqa: F401  (impact_site: a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _check(page: Any, name: str, artifacts_dir: Path) -> None:
    results = _axe().run(page, options=OPTIONS)
    folder = artifacts_dir / "axe"
    folder.mkdir(exist_ok=True)
    results.save_to_file(folder / f"impact-{name}.json", violations_only=True)
    page.screenshot(path=str(artifacts_dir / "screenshots" / f"impact-a11y-{name}.png"), full_page=True)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()


def test_impact_pages_have_no_serious_accessibility_violation(page: Any, impact_site: dict[str, Any],  # noqa: F811
                                                              traffic: Traffic, artifacts_dir: Path) -> None:
    base = impact_site["base"]
    _open(page, base + "/impact")
    _check(page, "list", artifacts_dir)
    _open(page, f"{base}/impact/projects/{impact_site['project']}")
    _check(page, "project", artifacts_dir)
    sign_in_partner(page, base)
    _open(page, base + "/impact/reports?lang=it")
    _check(page, "upload", artifacts_dir)
    page.get_by_label("File (CSV o .xlsx)").set_input_files(
        {"name": "attivita.csv", "mimeType": "text/csv",
         "buffer": b"codice_progetto;data;tipo;area;ore;partecipanti\nP1;2030-01-01;incontro;X;-1;due\n"})
    page.get_by_role("button", name="Invia il rapporto").click()
    page.locator("#reports-problems").wait_for()
    _check(page, "upload-problems", artifacts_dir)
    _open(page, f"{base}/impact/reports?lang=en")
    _check(page, "upload-en", artifacts_dir)
    _open(page, f"{base}/impact/projects/{impact_site['project']}?lang=en")
    _check(page, "project-en", artifacts_dir)
    _open(page, base + "/impact?lang=en")
    _check(page, "list-en", artifacts_dir)
    # the refused file's answer is a 422, which Chromium logs; nothing else may be
    assert traffic.blocked == [] and [e for e in traffic.console_errors if "status of 422" not in e] == []
