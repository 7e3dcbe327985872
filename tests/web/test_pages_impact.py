"""Impact pages on both engines: list and project page in Italian and English, 404 for an unknown project,
protected counts for the public and exact ones for analysts."""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from tests.impact.helpers import beneficiary, build_city, project, register
from tests.web.auth_helpers import AUTH_SETTINGS, make_user, sign_in
from welfare_district.engine import Database

ClientFactory = Callable[..., TestClient]


def _registered(db: Database, tmp_path: Path) -> None:
    build_city(db)
    people = [beneficiary("P1", 1), beneficiary("P1", 3), beneficiary("P2", 3)]
    assert all(r.status == "loaded" for r in register(tmp_path, db, people,
                                                      [project("P1"), project("P2", areas="Q1Z01|Q1Z02")]))


def _cell(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">(.*?)</dd>', html, re.S)
    assert match, element_id
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_list_and_project_pages_render_in_both_languages(db: Database, tmp_path: Path,
                                                         make_client: ClientFactory) -> None:
    _registered(db, tmp_path)
    for lang, words in (("it", ("Bandi e progetti", "Stime di impatto", "non ne dimostra la causa")),
                        ("en", ("Calls and projects", "Impact estimates", "does not prove"))):
        client = make_client(db, language=lang)
        page = client.get("/impact")
        assert page.status_code == 200 and words[0] in page.text
        assert 'href="/impact/projects/P1"' in page.text and "Q1Z01, Q1Z02" in page.text
        assert 'aria-current="page">' + ("Progetti" if lang == "it" else "Projects") in page.text
        detail = client.get("/impact/projects/P1")
        assert detail.status_code == 200 and words[1] in detail.text and words[2] in detail.text
        # P1 and P2 both reached person 3: the overlap table links the other project
        assert 'href="/impact/projects/P2"' in detail.text
        assert "/api/v1/exports/projects.csv" in detail.text
        assert "ROSSI" not in detail.text.upper() and "RSSMRA" not in detail.text


def test_unknown_project_is_a_404_page(db: Database, tmp_path: Path, make_client: ClientFactory) -> None:
    _registered(db, tmp_path)
    client = make_client(db, language="en")
    answer = client.get("/impact/projects/P9")
    assert answer.status_code == 404 and "text/html" in answer.headers["content-type"]
    assert client.get("/impact/projects/bad%20id").status_code in (404, 422)


def test_empty_register_says_so(db: Database, make_client: ClientFactory) -> None:
    page = make_client(db, language="en").get("/impact")
    assert page.status_code == 200 and 'id="impact-empty"' in page.text


def test_public_sees_protected_counts_and_analyst_exact_ones(db: Database, tmp_path: Path,
                                                            make_client: ClientFactory) -> None:
    _registered(db, tmp_path)
    public = make_client(db, language="en").get("/impact/projects/P1").text
    # two people reached, below the threshold: suppressed, as is the spending derived from it
    assert _cell(public, "impact-people") == "—" and "protected figure" in public
    name = f"analyst.{uuid.uuid4().hex[:8]}"
    make_user(db, name, "analyst", (("city", "c"),))
    client = make_client(db, **AUTH_SETTINGS, language="en")
    assert sign_in(client, name).status_code == 303
    exact = client.get("/impact/projects/P1").text
    assert _cell(exact, "impact-people") == "2" and "protected figure" not in exact
    listing = client.get("/impact").text
    assert re.search(r'id="impact-projects".*?P1.*?<td class="num">2</td>', listing, re.S)



def test_impact_pages_draw_svg_figures_without_plotly(db: Database, tmp_path: Path, city_dataset: Path,
                                                      make_client: ClientFactory) -> None:
    from tests.browser.test_impact import register_projects
    from tests.web.city_db import fill_city_db

    fill_city_db(db, city_dataset)
    registered = register_projects(db, tmp_path)
    first, second = registered["zones"]
    for lang, words in (("it", ("Zone dei progetti", "Attività", "Ore", "feb")),
                        ("en", ("Project zones", "Activities", "Hours", "Feb"))):
        client = make_client(db, language=lang)
        listing = client.get("/impact").text
        detail = client.get("/impact/projects/P1").text
        for page in (listing, detail):
            assert "plotly" not in page.lower()
        # the map: IVSM classes, the projects' zones outlined and named in the hover rows, the legend saying so
        svg = re.search(r'<svg id="impact-map-svg".*?</svg>', listing, re.S)
        assert svg, "actions map missing"
        assert 'role="img"' in svg.group(0) and 'class="svgmap__outlined"' in svg.group(0)
        lookup = json.loads(html.unescape(re.search(r'data-lookup="([^"]*)"', svg.group(0)).group(1)))
        position = re.search(rf'data-id="{second}"[^>]*data-projects="(\d+)"', svg.group(0))
        assert position and lookup["projects"][int(position.group(1))] == "P1, P2"
        assert re.search(rf'data-id="{first}"[^>]*data-projects=', svg.group(0))
        assert words[0] in listing and "js/map.js" in listing
        # the timeline: bars, a line, two axis titles, months in the page's language, the table beside it
        chart = re.search(r'<svg id="impact-timeline-svg".*?</svg>', detail, re.S)
        assert chart, "timeline missing"
        assert chart.group(0).count("<rect ") == 11 and "<polyline" in chart.group(0)  # 10 bars and the key
        assert f">{words[1]}</text>" in chart.group(0) and f">{words[2]}</text>" in chart.group(0)
        assert f">{words[3]}<tspan" in chart.group(0)  # the first month carries its year
        assert 'id="impact-timeline-table"' in detail and "js/impact_charts.js" in detail
