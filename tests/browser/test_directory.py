"""The service directory in a browser: find a service, refer a family with consent, the partner accepts, the
operator sees the status. Screenshots of every page land in test-artifacts/screenshots/ (directory-*.png).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.browser.conftest import CHROMIUM_ARGS, Traffic, serve  # noqa: F401  (CHROMIUM_ARGS: same launch)
from tests.directory.conftest import write_extract
from welfare_district.privacy.pseudonym import Pseudonymiser, load_keyring
from welfare_district.settings import get_settings
from welfare_district.web.pages.families_data import family_ref

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
# the key the browser fixture's server is started with (tests/browser/conftest.py)
SERVER_KEY = "browser-tests-pseudonym-key-0123456789abcdef"


def _catalogue(folder: Path) -> Path:
    """The small test catalogue with its first organisation (the demo partner's) a third-sector association."""
    write_extract(folder)
    for path in folder.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("E000", "E00X").replace("E001", "E000").replace("E00X", "E001"),
                        encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def directory_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A served small city with its warehouse, indicators, the catalogue, the family profiles and the demo
    accounts."""
    from tests.web.city_db import fill_city_db, generate_city
    from welfare_district.access.demo_users import create_demo_users
    from welfare_district.directory.profile import build_family_profiles
    from welfare_district.directory.transfer import import_catalogue
    from welfare_district.engine import connect

    root = tmp_path_factory.mktemp("browser_directory")
    city = generate_city(root / "city")
    url = f"duckdb:///{root / 'welfare.duckdb'}"
    pseudonymiser = Pseudonymiser(load_keyring(get_settings(demo=True, pseudonym_key=SERVER_KEY)))
    with connect(url) as db:
        fill_city_db(db, city)  # areas, warehouse and indicators: the dashboard map draws its indicator view
        import_catalogue(db, _catalogue(root / "catalogo"))
        build_family_profiles(db)
        accounts = {a.role: a for a in create_demo_users(db.engine, pseudonymiser, demo=True)}
        quartiere = accounts["operator"].scope.split(":", 1)[1]
        with db.engine.connect() as conn:
            year = conn.execute(sa.text("SELECT MAX(snapshot_year) FROM wh_family")).scalar_one()
            mine = conn.execute(sa.text("SELECT family_id FROM wh_family WHERE snapshot_year = :y AND "
                                        "quartiere_id = :q AND size >= 2 ORDER BY family_id LIMIT 1"),
                                {"y": year, "q": quartiere}).scalar_one()
    with serve(url) as base:
        yield {"base": base, "operator": accounts["operator"].password, "partner": accounts["partner"].password,
               "family": family_ref(pseudonymiser, int(mine))}


def _accessible(page: Any, name: str, artifacts_dir: Path) -> None:
    """No serious or critical WCAG 2.1 A/AA violation on the page as it stands (axe-core; report saved)."""
    from tests.browser.test_accessibility import OPTIONS, _axe

    results = _axe().run(page, options=OPTIONS)
    folder = artifacts_dir / "axe"
    folder.mkdir(exist_ok=True)
    results.save_to_file(folder / f"directory-{name}.json", violations_only=True)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()


def _sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Nome utente").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_load_state()
    assert username in page.locator(".account").inner_text()


def test_find_a_service_with_filters_and_open_it(page: Any, directory_site: dict[str, Any], traffic: Traffic,
                                                 artifacts_dir: Path) -> None:
    base, shots = directory_site["base"], artifacts_dir / "screenshots"
    page.goto(base + "/services")
    page.locator("#services-map[data-rendered='true']").wait_for()
    assert page.locator(".service-item").count() == 4
    page.screenshot(path=str(shots / "directory-search.png"), full_page=True)
    _accessible(page, "search", artifacts_dir)
    page.get_by_label("Bisogno").select_option(label="Minori e famiglie")
    page.get_by_role("button", name="Cerca").click()
    page.locator("#services-map[data-rendered='true']").wait_for()
    assert page.locator(".service-item").count() == 1
    page.screenshot(path=str(shots / "directory-search-filtered.png"), full_page=True)
    page.get_by_role("link", name="Doposcuola Alfa").click()
    page.get_by_role("heading", name="Doposcuola Alfa", level=1).wait_for()
    assert "Possono accedere: età dai 6 ai 14 anni." in page.locator("main").inner_text()
    assert "123456" in page.locator("#service-details").inner_text()
    page.screenshot(path=str(shots / "directory-detail.png"), full_page=True)
    _accessible(page, "detail", artifacts_dir)
    page.locator("[data-lang-switch]").click()
    page.get_by_role("heading", name="Doposcuola Alfa", level=1).wait_for()
    assert "Eligible: aged 6 to 14." in page.locator("main").inner_text()
    page.screenshot(path=str(shots / "directory-detail-en.png"), full_page=True)
    assert traffic.blocked == [] and traffic.console_errors == []


def test_operator_refers_partner_accepts_operator_sees_it(browser: Any, page: Any, directory_site: dict[str, Any],
                                                          traffic: Traffic, artifacts_dir: Path) -> None:
    base, shots = directory_site["base"], artifacts_dir / "screenshots"
    _sign_in(page, base, "demo.operator", directory_site["operator"])
    page.goto(f"{base}/families/{directory_site['family']}?purpose=case_management")
    page.get_by_role("link", name="Trova servizi per questa famiglia").click()
    match = page.locator("#match-S0004")
    match.wait_for()
    assert page.get_by_role("heading", name="Indicatori di disagio").count() == 0  # a label, not a heading
    assert "Indicatori di disagio" in page.locator("#desk-family").locator("..").inner_text()
    page.screenshot(path=str(shots / "directory-desk.png"), full_page=True)
    _accessible(page, "desk-family", artifacts_dir)
    match.get_by_text("Invia a questo servizio").click()
    send = match.get_by_role("button", name="Invia")
    send.click()  # without consent the browser keeps the form: the box is required
    assert "/desk" in page.url
    match.get_by_label("La famiglia ha dato il consenso all'invio").check()
    match.get_by_label("Nota (facoltativa)").fill("colloquio fissato per giovedì")
    page.screenshot(path=str(shots / "directory-refer-form.png"), full_page=True)
    send.click()
    page.locator("#referral-status").wait_for()
    assert page.locator("#referral-status").inner_text() == "richiesto"
    referral_url = page.url.split("?")[0]
    page.screenshot(path=str(shots / "directory-referral-sent.png"), full_page=True)
    _accessible(page, "referral", artifacts_dir)

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
    partner = context.new_page()
    try:
        _sign_in(partner, base, "demo.partner", directory_site["partner"])
        partner.goto(base + "/referrals")
        assert partner.locator("#referrals-table tbody tr").count() == 1
        partner.screenshot(path=str(shots / "directory-inbox.png"), full_page=True)
        _accessible(partner, "inbox", artifacts_dir)
        partner.locator("#referrals-table tbody a").first.click()
        assert "colloquio fissato per giovedì" in partner.locator("#referral-steps").inner_text()
        partner.get_by_role("button", name="Segna come ricevuto").click()
        partner.get_by_role("button", name="Accetta").click()
        partner.locator("#referral-status:has-text('accettato')").wait_for()
        partner.screenshot(path=str(shots / "directory-partner-accepted.png"), full_page=True)
        partner.goto(base + "/catalogue/admin/services")
        partner.screenshot(path=str(shots / "directory-catalogue-partner.png"), full_page=True)
        _accessible(partner, "catalogue-partner", artifacts_dir)
        partner.get_by_role("link", name="Emporio solidale").click()
        partner.get_by_label("Costi").fill("gratuito, con tessera")
        partner.screenshot(path=str(shots / "directory-catalogue-edit.png"), full_page=True)
        _accessible(partner, "catalogue-edit", artifacts_dir)
        partner.get_by_role("button", name="Invia la proposta").click()
        partner.locator("#my-revisions").wait_for()
        partner.screenshot(path=str(shots / "directory-catalogue-proposed.png"), full_page=True)
    finally:
        context.close()

    page.goto(referral_url)
    assert page.locator("#referral-status").inner_text() == "accettato"
    assert page.locator("#referral-steps li").count() == 3
    page.goto(base + "/referrals")
    assert "accettato" in page.locator("#referrals-table").inner_text()
    page.screenshot(path=str(shots / "directory-outbox.png"), full_page=True)
    _accessible(page, "outbox", artifacts_dir)
    page.goto(base + "/desk")
    page.get_by_label("Età dei componenti").fill("82")
    page.get_by_label("Anziano che vive solo").check()
    page.get_by_label("Anziani e cura").check()
    page.get_by_role("button", name="Trova i servizi").click()
    page.locator("#match-S0003").wait_for()
    page.screenshot(path=str(shots / "directory-desk-anonymous.png"), full_page=True)
    _accessible(page, "desk-anonymous", artifacts_dir)
    assert traffic.blocked == [] and traffic.console_errors == []

    # the public sees the referral figures, protected: one referral is below the threshold
    public = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT").new_page()
    try:
        public.goto(base + "/services")
        table = public.locator("#referral-figures-table")
        assert "Emporio solidale" in table.inner_text() and "1" not in table.locator("tbody td.num").all_inner_texts()
        public.locator("#referral-figures").scroll_into_view_if_needed()
        public.screenshot(path=str(shots / "directory-referral-figures.png"), full_page=True)
    finally:
        public.context.close()


def test_services_layer_on_the_dashboard_map(page: Any, directory_site: dict[str, Any], traffic: Traffic,
                                             artifacts_dir: Path) -> None:
    base = directory_site["base"]
    page.goto(base + "/")
    page.locator("#map[data-revision='1']").wait_for()
    markers = page.locator("#map-svg .svgmap__services path")
    assert markers.count() == 0
    page.get_by_label("Mostra le sedi dei servizi").check()
    page.locator("#map[data-revision='2']").wait_for()
    assert markers.count() > 0 and "Sedi dei servizi" in page.locator("#map-legend").inner_text()
    assert "services=1" in page.url
    page.screenshot(path=str(artifacts_dir / "screenshots" / "directory-map-layer.png"), full_page=False)
    assert traffic.blocked == [] and traffic.console_errors == []

