"""The impact pages in a browser: the list with the actions map over the IVSM classes, one project's page
with its timeline and estimates, and a partner sending its activity report through the upload form.
Screenshots land in test-artifacts/screenshots/ (impact-*.png)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.browser.conftest import Traffic, serve

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
KEY = b"browser-impact-test-key-01234567"
PARTNER = "impact.partner"


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _letters(number: int) -> str:
    return "".join("abcdefghij"[int(d)] for d in str(number)).title()


def register_projects(db: Any, folder: Path) -> dict[str, Any]:
    """One call for families in hardship and two projects in 2024 on real zones, each reaching 15 adults of
    the 2023 snapshot (fictitious names made for the linkage index); the first project's id and zones."""
    from welfare_district.impact.importer import import_reports
    from welfare_district.impact.linkage import PersonIndex
    from welfare_district.privacy.pseudonym import Keyring, Pseudonymiser

    with db.engine.connect() as conn:
        zones = [r[0] for r in conn.execute(sa.text(
            "SELECT zone_id FROM wh_person WHERE snapshot_year = 2023 GROUP BY zone_id ORDER BY COUNT(*) DESC "
            "LIMIT 3"))]
        people = pd.DataFrame(conn.execute(sa.text(
            "SELECT person_id, birth_date, zone_id FROM wh_person WHERE snapshot_year = 2023 AND age BETWEEN 20 "
            "AND 60 AND zone_id IN (:a, :b, :c) ORDER BY person_id"), dict(zip("abc", zones, strict=True))).all(),
            columns=["person_id", "birth_date", "zone_id"])
    people["surname"] = people["person_id"].map(_letters)
    people["first_name"] = "Prova"
    people["codice_fiscale"] = None
    call = {"codice_bando": "B24", "titolo": "Famiglie in difficoltà 2024", "budget_eur": "300000",
            "data_apertura": "2023-10-01", "data_chiusura": "2024-12-31", "gruppo_target": "economic_hardship_families",
            "eta_min": "18", "eta_max": "64", "aree_target": "|".join(zones)}
    projects, beneficiaries, activities = [], [], []
    for k, areas in enumerate((zones[:2], zones[1:])):
        pid = f"P{k + 1}"
        projects.append({"codice_progetto": pid, "codice_bando": "B24", "titolo": f"Rete solidale {k + 1}",
                         "ente_capofila": "E001", "partner": "", "servizi": "", "budget_eur": "60000",
                         "data_inizio": "2024-02-01", "data_fine": "2024-11-30", "aree": "|".join(areas)})
        chosen = people[people["zone_id"].isin(areas)].iloc[k * 10:k * 10 + 15]
        beneficiaries += [{"codice_progetto": pid, "cognome": r.surname, "nome": r.first_name,
                           "data_nascita": pd.Timestamp(r.birth_date).strftime("%d/%m/%Y"), "codice_fiscale": "",
                           "data_presa_in_carico": "2024-03-15"} for r in chosen.itertuples()]
        activities += [{"codice_progetto": pid, "data": f"2024-{m:02d}-10", "tipo": "incontro", "area": areas[m % 2],
                        "ore": str(2 + m), "partecipanti": str(5 + m)} for m in range(2, 12)]
    files = [_write(folder / "bandi.csv", [call]), _write(folder / "progetti.csv", projects),
             _write(folder / "attivita_tutti.csv", activities), _write(folder / "beneficiari_tutti.csv", beneficiaries)]
    results = import_reports(db, files, index=PersonIndex.from_frame(people),
                             pseudonymiser=Pseudonymiser(Keyring({"t1": KEY}, "t1")))
    assert all(r.status == "loaded" for r in results), [r for r in results if r.status != "loaded"]
    return {"project": "P1", "zones": zones[:2]}


@pytest.fixture(scope="module")
def impact_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A served small city with indicators, a registered call with two projects (both led by E001) and a
    partner account granted E001 (``partner``: its user name)."""
    from tests.web.auth_helpers import make_user
    from tests.web.city_db import fill_city_db, generate_city
    from welfare_district.engine import connect

    root = tmp_path_factory.mktemp("browser_impact")
    city = generate_city(root / "city")
    url = f"duckdb:///{root / 'welfare.duckdb'}"
    folder = root / "impatto"
    folder.mkdir()
    with connect(url) as db:
        fill_city_db(db, city)
        registered = register_projects(db, folder)
        make_user(db, PARTNER, "partner", (("organisation", "E001"),))
    with serve(url) as base:
        yield {"base": base, **registered}


def test_impact_list_and_project_pages(page: Any, impact_site: dict[str, Any], traffic: Traffic,
                                       artifacts_dir: Path) -> None:
    base, shots = impact_site["base"], artifacts_dir / "screenshots"
    first, second = impact_site["zones"]
    plotly: list[str] = []
    page.on("request", lambda r: plotly.append(r.url) if "plotly" in r.url else None)
    page.goto(base + "/impact")
    page.locator("#impact-map #map[data-rendered='true']").wait_for()
    # the IVSM classes drawn as SVG, the project zones outlined, the legend saying what the outline means
    assert page.locator("#impact-map-svg .svgmap__areas path").count() > 2
    assert page.locator("#impact-map-svg .svgmap__outlined path").count() == 2
    assert "Zone dei progetti" in page.locator("#impact-map-legend").inner_text()
    assert page.locator("#impact-projects tbody tr").count() == 2
    # hovering a zone both projects act in names it, its IVSM value and the two projects
    page.locator(f"#impact-map-svg [data-id='{second}']").hover()
    tip = page.locator("#map-tip")
    tip.wait_for(state="visible")
    assert "Progetti: P1, P2" in tip.inner_text() and "Valore" in tip.inner_text()
    page.screenshot(path=str(shots / "impact-list.png"), full_page=True)
    assert plotly == []
    # a click opens the zone's profile (a page that keeps its Plotly charts)
    with page.expect_navigation():
        page.locator(f"#impact-map-svg [data-id='{first}']").click()
    assert f"/areas/{first}" in page.url
    page.goto(base + "/impact")
    plotly.clear()
    page.get_by_role("link", name="Rete solidale 1").click()
    page.locator("#impact-timeline[data-rendered='true']").wait_for()
    chart = page.locator("#impact-timeline-svg")
    assert chart.locator(".svgchart__bars rect").count() == 10 and chart.locator(".svgchart__line circle").count() == 10
    assert chart.locator(".svgchart__bars rect").first.locator("title").text_content() == "feb 2024: Attività 1"
    assert page.locator("#impact-timeline-table tbody tr").count() == 10
    text = page.locator("main").inner_text()
    assert "Stime di impatto" in text and "non ne dimostra la causa" in text
    assert page.locator("#impact-estimates tbody tr").count() == 2
    page.screenshot(path=str(shots / "impact-project.png"), full_page=True)
    page.locator("[data-lang-switch]").click()
    page.locator("#impact-timeline[data-rendered='true']").wait_for()
    assert "Impact estimates" in page.locator("main").inner_text()
    assert chart.locator(".svgchart__axis--months text").first.text_content() == "Feb2024"
    page.screenshot(path=str(shots / "impact-project-en.png"), full_page=True)
    assert plotly == [] and traffic.blocked == [] and traffic.console_errors == []


def sign_in_partner(page: Any, base: str) -> None:
    """Sign in through the login form as the site's partner account."""
    from tests.web.auth_helpers import PASSWORD

    page.goto(base + "/login")
    page.get_by_label("Nome utente").fill(PARTNER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_load_state()
    assert PARTNER in page.locator(".account").inner_text()


def _report(rows: list[list[str]]) -> bytes:
    lines = ["codice_progetto;data;tipo;area;ore;partecipanti", *(";".join(r) for r in rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_a_partner_uploads_an_activity_report(page: Any, impact_site: dict[str, Any], traffic: Traffic,
                                              artifacts_dir: Path) -> None:
    base, shots, zone = impact_site["base"], artifacts_dir / "screenshots", impact_site["zones"][0]
    sign_in_partner(page, base)
    page.goto(base + "/impact")
    page.get_by_role("link", name="Invia il rapporto di un progetto").click()
    page.get_by_role("heading", name="Invia un rapporto", level=1).wait_for()
    page.screenshot(path=str(shots / "impact-upload-form.png"), full_page=True)
    # a row outside the project's period and an unknown area: refused, rows listed, nothing loaded
    page.get_by_label("Progetto").select_option("P1")
    page.get_by_label("Attività svolte").check()
    bad = _report([["P1", "2024-03-10", "incontro", zone, "2", "6"], ["P1", "2025-06-01", "incontro", zone, "2", "6"],
                   ["P1", "2024-04-10", "laboratorio", "Q9Z99", "3", "8"]])
    page.get_by_label("File (CSV o .xlsx)").set_input_files(
        {"name": "attivita marzo.csv", "mimeType": "text/csv", "buffer": bad})
    page.get_by_role("button", name="Invia il rapporto").click()
    page.locator("#reports-problems").wait_for()
    problems = page.locator("#reports-problems tbody tr")
    assert problems.count() == 2
    assert "date_outside_project" in problems.nth(0).inner_text()
    assert "area_outside_project" in problems.nth(1).inner_text()
    page.screenshot(path=str(shots / "impact-upload-problems.png"), full_page=True)
    good = _report([["P1", "2024-03-10", "incontro", zone, "2", "6"],
                    ["P1", "2024-04-10", "laboratorio", zone, "3", "8"]])
    page.get_by_label("File (CSV o .xlsx)").set_input_files(
        {"name": "attivita marzo.csv", "mimeType": "text/csv", "buffer": good})
    page.get_by_role("button", name="Invia il rapporto").click()
    outcome = page.locator("#reports-outcome")
    outcome.wait_for()
    assert outcome.inner_text() == "Rapporto caricato: 2 attività per il progetto P1."
    assert page.locator("#reports-current tbody tr").count() == 1
    page.screenshot(path=str(shots / "impact-upload-loaded.png"), full_page=True)
    # the same file again changes nothing, and says so
    page.get_by_label("File (CSV o .xlsx)").set_input_files(
        {"name": "copia.csv", "mimeType": "text/csv", "buffer": good})
    page.get_by_role("button", name="Invia il rapporto").click()
    page.get_by_text("nulla è cambiato").wait_for()
    # the refused file's answer is a 422, which Chromium logs; nothing else may be
    assert traffic.blocked == [] and len(traffic.console_errors) == 1
    assert "status of 422" in traffic.console_errors[0]
