"""Service directory pages on both engines: search and detail (it/en, filters, 404), the desk (scope, audit),
referrals (consent, inbox, status moves), catalogue administration, route refusals and CSRF."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.directory.conftest import build_city
from tests.web.auth_helpers import AUTH_SETTINGS, csrf_from, make_user, sign_in
from welfare_district.audit.log import audit_tables
from welfare_district.directory.model import directory_tables
from welfare_district.engine import Database
from welfare_district.web.auth_audit import pseudonymiser_of
from welfare_district.web.pages.families_data import family_ref
from welfare_district.web.pages.services_figures import protect_row

ClientFactory = Callable[..., TestClient]


@pytest.fixture
def site(db: Database, tmp_path: Path) -> Database:
    """The tiny city (Q1, Q2), its house numbers, the small catalogue (4 services) and the family profiles."""
    build_city(db, tmp_path / "cat")
    return db


def _client(make_client: ClientFactory, db: Database, role: str, grants: tuple[tuple[str, str], ...] = (),
            lang: str = "it") -> TestClient:
    name = f"{role.replace('_', '.')}.{uuid.uuid4().hex[:8]}"
    make_user(db, name, role, grants)  # type: ignore[arg-type]
    client = make_client(db, **AUTH_SETTINGS, language=lang)
    assert sign_in(client, name).status_code == 303
    return client


def _ref(client: TestClient, family_id: int) -> str:
    return family_ref(pseudonymiser_of(client.app.state), family_id)  # type: ignore[attr-defined]


def _referrals(db: Database) -> list[dict[str, Any]]:
    t = directory_tables().referral
    with db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(t)).mappings()]


def test_search_filters_map_and_languages(site: Database, make_client: ClientFactory) -> None:
    client = make_client(site, **AUTH_SETTINGS)
    page = client.get("/services")
    assert page.status_code == 200 and "Servizi del territorio" in page.text
    for name in ("Contributi economici", "Doposcuola Alfa", "Pasti a domicilio", "Emporio solidale"):
        assert name in page.text
    assert 'data-plotly-figure="services-map-data"' in page.text and '"type":"scattergeo"' in page.text
    assert '<label for="need">Bisogno</label>' in page.text
    only = client.get("/services", params={"need": "minors_family"}).text
    assert "Doposcuola Alfa" in only and "Pasti a domicilio" not in only
    words = client.get("/services", params={"text": "pàsti"}).text
    assert "Pasti a domicilio" in words and "Doposcuola Alfa" not in words
    org = client.get("/services", params={"organization": "E002"}).text
    assert "Pasti a domicilio" in org and "Emporio solidale" not in org
    north = client.get("/services", params={"area": "Q2"}).text
    assert "Doposcuola Alfa" in north and "Contributi economici" not in north
    english = client.get("/services", params={"lang": "en"})
    assert "Services in the city" in english.text and "Active services only" in english.text
    bad = client.get("/services", params={"need": "nonsense"})
    assert bad.status_code == 422 and "unknown need" in bad.text


def test_service_detail_in_both_languages_and_404(site: Database, make_client: ClientFactory) -> None:
    client = make_client(site, **AUTH_SETTINGS)
    page = client.get("/services/S0002")
    assert page.status_code == 200
    assert "Possono accedere: età dai 6 ai 14 anni." in page.text
    assert "123456 (APS)" in page.text and "mar e gio 15:00-18:30" in page.text and "inglese" in page.text
    assert "Via Nord 2" in page.text and "contributo libero" in page.text and "2025-12-31" in page.text
    english = client.get("/services/S0002", params={"lang": "en"}).text
    assert "Eligible: aged 6 to 14." in english and "RUNTS number" in english
    assert client.get("/services/S9999").status_code == 404


def test_refusals_by_role_and_csrf(site: Database, make_client: ClientFactory) -> None:
    public = make_client(site, **AUTH_SETTINGS)
    response = public.get("/desk", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    partner = _client(make_client, site, "partner", (("organisation", "E001"),))
    assert partner.get("/desk").status_code == 403
    assert partner.get("/catalogue/admin").status_code == 403
    operator = _client(make_client, site, "operator", (("quartiere", "Q1"),))
    assert operator.get("/catalogue/admin/services").status_code == 403
    # a form posted without its token is refused and nothing is sent
    refused = operator.post("/referrals", data={"family": _ref(operator, 1), "service_id": "S0004",
                                                "consent": "yes", "given_by": "person", "purpose": "referral"})
    assert refused.status_code == 403 and _referrals(site) == []
    assert operator.post("/desk", data={"ages": "80"}).status_code == 403


def test_desk_for_a_family_in_scope_and_refused_outside(site: Database, make_client: ClientFactory) -> None:
    operator = _client(make_client, site, "operator", (("quartiere", "Q1"),), lang="en")
    page = operator.get("/desk", params={"family": _ref(operator, 1)})
    assert page.status_code == 200
    assert "Emporio solidale" in page.text and "Hardship flags" in page.text
    assert re.search(r'class="outcome outcome--(passed|failed|unknown)"', page.text)
    assert 'name="consent" value="yes" required' in page.text
    outside = operator.get("/desk", params={"family": _ref(operator, 5)})
    assert outside.status_code == 404 and "Emporio" not in outside.text
    t = audit_tables().log
    with site.engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.action, t.c.outcome).where(t.c.action.in_(
            ("directory.match", "family.read")))).all()
    assert ("directory.match", "ok") in rows and ("family.read", "denied") in rows
    # the family profile page links to the desk
    profile = operator.get(f"/families/{_ref(operator, 1)}", params={"purpose": "case_management"})
    assert f"/desk?family={_ref(operator, 1)}" in profile.text


def test_anonymous_profile_at_the_desk(site: Database, make_client: ClientFactory) -> None:
    operator = _client(make_client, site, "operator", (("quartiere", "Q1"),))
    token = csrf_from(operator.get("/desk").text)
    page = operator.post("/desk", data={"csrf_token": token, "ages": "80", "elderly_alone": "1",
                                        "need_elderly_care": "1"})
    assert page.status_code == 200 and "Pasti a domicilio" in page.text and "Doposcuola Alfa" not in page.text
    bad = operator.post("/desk", data={"csrf_token": token, "ages": "eighty"})
    assert bad.status_code == 422 and "ages" in bad.text


def test_referral_with_consent_inbox_and_status_moves(site: Database, make_client: ClientFactory) -> None:
    operator = _client(make_client, site, "operator", (("quartiere", "Q1"),))
    token = csrf_from(operator.get("/desk").text)
    form = {"csrf_token": token, "family": _ref(operator, 1), "service_id": "S0004", "given_by": "person",
            "purpose": "referral", "note": "prima visita"}
    no_consent = operator.post("/referrals", data=form)
    assert no_consent.status_code == 422 and "consent" in no_consent.text and _referrals(site) == []
    outside = operator.post("/referrals", data={**form, "consent": "yes", "family": _ref(operator, 5)})
    assert outside.status_code == 404 and _referrals(site) == []
    sent = operator.post("/referrals", data={**form, "consent": "yes"}, follow_redirects=False)
    assert sent.status_code == 303
    referral_id = sent.headers["location"].split("/referrals/")[1].split("?")[0]
    assert "richiesto" in operator.get(f"/referrals/{referral_id}").text
    assert referral_id in operator.get("/referrals").text

    partner = _client(make_client, site, "partner", (("organisation", "E001"),), lang="en")
    inbox = partner.get("/referrals").text
    assert referral_id in inbox and "Referrals received" in inbox
    detail = partner.get(f"/referrals/{referral_id}").text
    assert "Mark as received" in detail and "prima visita" in detail
    token = csrf_from(detail)
    wrong = partner.post(f"/referrals/{referral_id}", data={"csrf_token": token, "status": "completed"})
    assert wrong.status_code == 422 and "allowed" in wrong.text
    for status in ("received", "accepted"):
        moved = partner.post(f"/referrals/{referral_id}", data={"csrf_token": token, "status": status},
                             follow_redirects=False)
        assert moved.status_code == 303
    assert "accettato" in operator.get(f"/referrals/{referral_id}").text
    other = _client(make_client, site, "partner", (("organisation", "E002"),))
    assert other.get(f"/referrals/{referral_id}").status_code == 404
    assert referral_id not in other.get("/referrals").text


def test_partner_proposes_and_the_municipality_approves(site: Database, make_client: ClientFactory) -> None:
    partner = _client(make_client, site, "partner", (("organisation", "E001"),))
    listing = partner.get("/catalogue/admin/services").text
    assert "Doposcuola Alfa" in listing and "Pasti a domicilio" not in listing
    assert partner.get("/catalogue/admin/services/S0003").status_code == 404
    form = partner.get("/catalogue/admin/services/S0002").text
    sent = partner.post("/catalogue/admin/services/S0002",
                        data={"csrf_token": csrf_from(form), "name": "Doposcuola Alfa e Gamma"},
                        follow_redirects=False)
    assert sent.status_code == 303
    assert "Doposcuola Alfa e Gamma" not in partner.get("/services/S0002").text  # not published yet
    steward = _client(make_client, site, "data_steward", (("city", "c"),))
    queue = steward.get("/catalogue/admin").text
    assert "Doposcuola Alfa e Gamma" in queue
    revision_id = re.search(r"/catalogue/admin/revisions/(v[0-9a-f]+)", queue).group(1)  # type: ignore[union-attr]
    decided = steward.post(f"/catalogue/admin/revisions/{revision_id}",
                           data={"csrf_token": csrf_from(queue), "decision": "approve"}, follow_redirects=False)
    assert decided.status_code == 303
    assert "Doposcuola Alfa e Gamma" in partner.get("/services/S0002").text


def test_referral_figures_are_protected_for_the_public() -> None:
    assert protect_row(2, 1, 0, 1.5, threshold=3) == (None, None, None, None)
    assert protect_row(10, 9, 0, 2.0, threshold=3) == (10, None, 0, 2.0)
    assert protect_row(10, 5, 4, 2.0, threshold=3) == (10, 5, 4, 2.0)


def test_services_layer_on_the_dashboard_map(db: Database, city_dataset: Path, tmp_path: Path,
                                            make_client: ClientFactory) -> None:
    from tests.directory.conftest import write_extract
    from tests.web.city_db import fill_city_db
    from tests.web.svg_helpers import map_svg
    from welfare_district.directory.transfer import import_catalogue

    fill_city_db(db, city_dataset)  # real quartiere shapes and indicators, so the page draws the indicator map
    import_catalogue(db, write_extract(tmp_path / "cat"))
    client = make_client(db, **AUTH_SETTINGS)

    def layer(html: str) -> list[str]:
        found = re.search(r'<g class="svgmap__services">(.*?)</g>', map_svg(html), re.S)
        return re.findall(r"<title>(.*?)</title>", found.group(1)) if found else []

    assert layer(client.get("/").text) == []
    page = client.get("/", params={"services": "1"}).text
    assert len(layer(page)) == 4  # one per service-at-location of the 4 services
    assert "Sedi dei servizi" in page  # and its legend entry
    assert 'id="ctl-services" name="services" value="1" checked' in page
    fragment = client.get("/fragments/map", params={"services": "1"}).json()
    assert len(layer(fragment["svg"])) == 4 and "&services=1" in fragment["url"]
    assert layer(client.get("/fragments/map").json()["svg"]) == []


def test_outcome_reasons_in_italian() -> None:
    from welfare_district.directory.eligibility import Profile, evaluate, parse_rules
    from welfare_district.web.pages.desk_words import reason_text

    rules = parse_rules('[{"kind": "age", "min_age": 65}, {"kind": "isee", "max_eur": 9360}, {"kind": "disability"},'
                        ' {"kind": "residence", "area_ids": ["Q1"]}, {"kind": "citizenship", "group": "non_eu"}]')
    known = evaluate(rules, Profile(ages=[30, 8], isee_eur=12000, disability=False, area_ids=["Q1"],
                                    citizenships=["MA"]))
    unknown = evaluate(rules, Profile())
    assert [reason_text(o.reason, "it") for o in known] == [
        "nessun componente nella fascia d'età (età 8, 30)", "ISEE 12.000 euro", "disabilità: no", "residente in Q1",
        "cittadinanze MA"]
    assert [reason_text(o.reason, "it") for o in unknown] == [
        "età non note", "nessuna dichiarazione ISEE nota", "disabilità: non noto", "residenza non nota",
        "cittadinanza non nota"]
    assert [reason_text(o.reason, "en") for o in known] == [o.reason for o in known]


def test_inactive_services_only_when_asked_and_never_referred(site: Database, make_client: ClientFactory) -> None:
    from welfare_district.directory.model import bump_version

    t = directory_tables().hsds["service"]
    with site.engine.begin() as conn:
        conn.execute(t.update().where(t.c.id == "S0004").values(status="inactive"))
        bump_version(conn)
    client = make_client(site, **AUTH_SETTINGS)
    assert "Emporio solidale" not in client.get("/services").text  # only active services by default
    everything = client.get("/services", params={"active": "0"}).text
    assert "Emporio solidale" in everything and "non attivo" in everything
    operator = _client(make_client, site, "operator", (("quartiere", "Q1"),))
    refused = operator.post("/referrals", data={"csrf_token": csrf_from(operator.get("/desk").text),
                                                "family": _ref(operator, 1), "service_id": "S0004", "consent": "yes",
                                                "given_by": "person", "purpose": "referral"})
    assert refused.status_code == 422 and "active services only" in refused.text and _referrals(site) == []
