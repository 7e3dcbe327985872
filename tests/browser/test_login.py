"""Signing in with a browser: the demo operator opens a family of their quartiere and is refused another one.

Screenshots land in test-artifacts/screenshots/ (login form, search results, family profile, refusal).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.browser.conftest import Traffic, serve
from welfare_district.privacy.pseudonym import Pseudonymiser, load_keyring
from welfare_district.settings import get_settings
from welfare_district.web.pages.families_data import family_ref

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
# the key the browser fixture's server is started with (tests/browser/conftest.py)
SERVER_KEY = "browser-tests-pseudonym-key-0123456789abcdef"


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A served small city with its warehouse and the demo accounts; the operator's password and two
    family references, one inside the operator's quartiere and one outside."""
    from tests.web.city_db import generate_city
    from welfare_district.access.demo_users import create_demo_users
    from welfare_district.engine import connect
    from welfare_district.geo.folder import read_area_folder
    from welfare_district.geo.store import save_areas
    from welfare_district.synth.truth_warehouse import build_truth_warehouse

    city = generate_city(tmp_path_factory.mktemp("browser_login") / "city")
    url = f"duckdb:///{city.parent / 'welfare.duckdb'}"
    pseudonymiser = Pseudonymiser(load_keyring(get_settings(demo=True, pseudonym_key=SERVER_KEY)))
    with connect(url) as db:
        save_areas(db, read_area_folder(city / "areas")[0])
        build_truth_warehouse(city, db)
        accounts = create_demo_users(db.engine, pseudonymiser, demo=True)
        operator = next(a for a in accounts if a.role == "operator")
        quartiere = operator.scope.split(":", 1)[1]
        with db.engine.connect() as conn:
            year = conn.execute(sa.text("SELECT MAX(snapshot_year) FROM wh_family")).scalar_one()
            mine = conn.execute(sa.text("SELECT family_id FROM wh_family WHERE snapshot_year = :y AND "
                                        "quartiere_id = :q AND size >= 2 ORDER BY family_id LIMIT 1"),
                                {"y": year, "q": quartiere}).scalar_one()
            other = conn.execute(sa.text("SELECT family_id FROM wh_family WHERE snapshot_year = :y AND "
                                         "quartiere_id <> :q ORDER BY family_id LIMIT 1"),
                                 {"y": year, "q": quartiere}).scalar_one()
    with serve(url) as base:
        yield {"base": base, "password": operator.password, "mine": family_ref(pseudonymiser, int(mine)),
               "other": family_ref(pseudonymiser, int(other))}


def test_operator_signs_in_opens_a_family_in_scope_and_is_refused_another(
        page: Any, demo_site: dict[str, Any], traffic: Traffic, artifacts_dir: Path) -> None:
    base = demo_site["base"]
    shots = artifacts_dir / "screenshots"
    page.goto(base + "/families")
    assert page.url.startswith(base + "/login?next=")  # a protected page sends the public to sign in
    page.get_by_label("Nome utente").fill("demo.operator")
    page.get_by_label("Password").fill(demo_site["password"])
    page.screenshot(path=str(shots / "login-form.png"), full_page=True)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(base + "/families")
    assert "demo.operator" in page.locator(".account").inner_text()

    page.get_by_label("Motivo dell'accesso").select_option("case_management")
    page.get_by_label("Codice pseudonimo della famiglia").fill(demo_site["mine"])
    page.get_by_role("button", name="Cerca").click()
    link = page.locator(f"a.family-ref:has-text('{demo_site['mine']}')")
    link.wait_for()
    page.screenshot(path=str(shots / "family-search.png"), full_page=True)
    link.click()
    page.locator("#members-table").wait_for()
    assert page.locator("#members-table tbody tr").count() >= 2
    assert page.get_by_role("heading", name="Componenti").is_visible()
    page.screenshot(path=str(shots / "family-profile.png"), full_page=True)

    response = page.goto(f"{base}/families/{demo_site['other']}?purpose=case_management")
    assert response is not None and response.status == 404
    assert "Famiglia non trovata." in page.locator("main").inner_text()
    page.screenshot(path=str(shots / "family-refused.png"), full_page=True)

    # signing out ends the session: the family page sends to the sign-in form again
    page.get_by_role("button", name="Esci").click()
    page.goto(f"{base}/families/{demo_site['mine']}?purpose=case_management")
    assert page.url.startswith(base + "/login?next=")
    assert traffic.blocked == []
    # the only console error is the refused family's 404 itself
    assert len(traffic.console_errors) == 1 and "404" in traffic.console_errors[0]
