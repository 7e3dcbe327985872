"""The data-quality page: load log, failures by reason, linkage counts; never a codice fiscale or a name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.web.auth_helpers import steward_client
from welfare_district.engine import Database

CF = "RSSMRA80A01H501U"
NAME = "Mario Rossi"


def _plant(db: Database) -> None:
    """Two loads with failures and a quarantined row, and a linkage run, all carrying personal data in
    the columns the page must not read (messages, raw rows, record ids)."""
    from welfare_district.ingest.load import ensure_tables
    from welfare_district.link.staging import link_tables
    from welfare_district.model.records import record_tables

    ensure_tables(db)
    t = record_tables()
    links = link_tables()
    links.metadata.create_all(db.engine, checkfirst=True)
    now = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    log = [dict(load_id=f"L{i}", source=s, file_name=f"{s}_2024.csv", file_sha256=str(i) * 64, strict=False,
                rows_read=100 * i, rows_loaded=90 * i, rows_quarantined=3 * i, rows_flagged=7 * i,
                started_at=now, finished_at=now) for i, s in ((1, "anagrafe"), (2, "isee"))]
    quality = [dict(load_id="L1", source="anagrafe", field="codice_fiscale", reason_code="cf_checksum",
                    severity="error", failures=3, example_rows="4, 17, 52"),
               dict(load_id="L2", source="isee", field="birth_date", reason_code="date_future",
                    severity="warning", failures=14, example_rows="8")]
    failure = [dict(load_id="L1", source="anagrafe", file_name="anagrafe_2024.csv", row_number=4,
                    field="codice_fiscale", reason_code="cf_checksum", severity="error",
                    message=f"{CF} of {NAME} fails its check character")]
    quarantine = [dict(load_id="L1", source="anagrafe", file_name="anagrafe_2024.csv", file_sha256="1" * 64,
                       row_number=4, reasons="cf_checksum", raw=f'{{"cf": "{CF}", "nome": "{NAME}"}}')]
    person = [dict(record_id=f"{src}:{src}_2024.csv:{row}|{CF}", source=src, file_name=f"{src}_2024.csv",
                   row_number=row, load_id="L1", person_id=pid, family_id=None, link_method="cf",
                   cf_status="trusted", linked_at=now)
              for src, row, pid in (("anagrafe", 1, "P1"), ("anagrafe", 2, "P1"), ("anagrafe", 3, "P2"),
                                    ("isee", 1, "P1"), ("isee", 2, "P3"))]
    review = [dict(record_id_l=person[2]["record_id"], record_id_r=person[4]["record_id"], match_weight=3.2,
                   reason="between_thresholds")]
    with db.engine.begin() as conn:
        for table, rows in ((t.load_log, log), (t.quality, quality), (t.failure, failure),
                            (t.quarantine, quarantine), (links.person, person), (links.review, review)):
            conn.execute(sa.insert(table), rows)


def test_quality_page_shows_counts_and_row_numbers_only(seeded_db: Database,
                                                        make_client: Callable[..., TestClient]) -> None:
    _plant(seeded_db)
    client = steward_client(make_client, seeded_db, language="it")
    for lang in ("it", "en"):
        html = client.get("/quality", params={"lang": lang}).text
        assert CF not in html and NAME not in html and "Rossi" not in html
        assert "anagrafe_2024.csv" in html and "cf_checksum" in html and "4, 17, 52" in html
    html = client.get("/quality", params={"lang": "en"}).text
    assert "Quarantined" in html and ">6<" in html  # isee: 3 x 2 quarantined
    # anagrafe: 3 records, 2 distinct people, 1 duplicate merged, 1 record in review
    assert '<th scope="row">anagrafe</th>\n      <td class="num">3</td>\n      <td class="num">2</td>\n' \
           '      <td class="num">1</td>\n      <td class="num">1</td>' in html
    assert "Total: 5 records, 3 distinct people." in html
    assert "Pairs waiting for a manual review: 1." in html


def test_quality_page_before_any_load(seeded_db: Database, make_client: Callable[..., TestClient]) -> None:
    html = steward_client(make_client, seeded_db, language="en").get("/quality").text
    assert "No load stored." in html and "Record linkage has not run yet." in html


def test_quality_page_needs_a_data_steward(seeded_db: Database, make_client: Callable[..., TestClient]) -> None:
    public = make_client(seeded_db, language="en").get("/quality", follow_redirects=False)
    assert public.status_code == 303 and public.headers["location"] == "/login?next=%2Fquality"


def test_quality_page_follows_a_new_linkage_run(seeded_db: Database,
                                                make_client: Callable[..., TestClient]) -> None:
    from welfare_district.link.staging import link_tables

    _plant(seeded_db)
    client = steward_client(make_client, seeded_db, language="en")
    assert "Total: 5 records, 3 distinct people." in client.get("/quality").text
    person = link_tables().person
    with seeded_db.engine.begin() as conn:
        conn.execute(sa.insert(person), [dict(
            record_id="isee:isee_2024.csv:3", source="isee", file_name="isee_2024.csv", row_number=3,
            load_id="L2", person_id="P4", family_id=None, link_method="model", cf_status="missing",
            linked_at=datetime(2025, 3, 2, tzinfo=UTC))])
    assert "Total: 6 records, 4 distinct people." in client.get("/quality").text
