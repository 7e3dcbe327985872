"""The data-quality page: the load log, failures by reason and field, and the record-linkage report.

Only counts, codes, file names and source row numbers are read: never a stored value of a record, so no
codice fiscale or name can reach the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from welfare_district.engine import Database
from welfare_district.web.deps import DatabaseDep, LanguageDep, ReadCacheDep
from welfare_district.web.read_cache import ReadCache, cached
from welfare_district.web.templating import render


@dataclass(frozen=True)
class LinkageRow:
    """Linkage counts of one source: records in, distinct people, duplicates merged, records in review."""

    source: str
    records_in: int
    people: int
    in_review: int

    @property
    def duplicates_merged(self) -> int:
        """Records that turned out to be a person already counted in the same source."""
        return self.records_in - self.people


@dataclass(frozen=True)
class LinkageReport:
    """Per-source rows, the totals over all sources and the size of the manual review queue."""

    rows: list[LinkageRow]
    records: int
    people: int
    review_pairs: int


def _has_tables(db: Database, *names: str) -> bool:
    existing = set(sa.inspect(db.engine).get_table_names())
    return all(name in existing for name in names)


def linkage_report(db: Database) -> LinkageReport | None:
    """Counts from the stored linkage results (``person_link``, ``link_review``); None before the first run.

    Guarantees: people per source are distinct person ids among that source's records; the total of people
    is distinct over all sources (a person in two sources counts once); record ids are never returned.
    """
    from welfare_district.link.staging import link_tables

    if not _has_tables(db, "person_link", "link_review"):
        return None
    t = link_tables()
    person, review = t.person, t.review
    reviewed = sa.union(sa.select(review.c.record_id_l.label("record_id")),
                        sa.select(review.c.record_id_r.label("record_id"))).subquery()
    per_source = (sa.select(person.c.source, sa.func.count().label("records"),
                            sa.func.count(sa.distinct(person.c.person_id)).label("people"))
                  .group_by(person.c.source).order_by(person.c.source))
    # The review queue is small: join it to the records it names rather than scanning every record for it.
    in_review = (sa.select(person.c.source, sa.func.count().label("records"))
                 .join(reviewed, reviewed.c.record_id == person.c.record_id).group_by(person.c.source))
    totals = sa.select(sa.func.count(), sa.func.count(sa.distinct(person.c.person_id)))
    with db.engine.connect() as conn:
        reviewing = {str(r.source): int(r.records) for r in conn.execute(in_review)}
        rows = [LinkageRow(str(r.source), int(r.records), int(r.people), reviewing.get(str(r.source), 0))
                for r in conn.execute(per_source)]
        records, people = conn.execute(totals).one()
        pairs = conn.execute(sa.select(sa.func.count()).select_from(review)).scalar_one()
    return LinkageReport(rows, int(records), int(people), int(pairs))


def _linkage_stamp(db: Database) -> tuple[Any, ...] | None:
    from welfare_district.link.staging import link_tables

    if not _has_tables(db, "person_link", "link_review"):
        return None
    t = link_tables()
    query = sa.select(sa.func.count(), sa.func.max(t.person.c.linked_at),
                      sa.select(sa.func.count()).select_from(t.review).scalar_subquery())
    with db.engine.connect() as conn:
        return tuple(conn.execute(query).one())


def cached_linkage_report(db: Database, cache: ReadCache) -> LinkageReport | None:
    """``linkage_report`` kept in the app's read cache under the run's own stamp (records, last link time,
    review pairs): a new linkage run changes the stamp, so the page never shows an earlier run's counts."""
    stamp = _linkage_stamp(db)
    if stamp is None:
        return None
    return cached(cache, db, ("quality_linkage", *map(str, stamp)), lambda: linkage_report(db))


def quality_context(db: Database, cache: ReadCache) -> dict[str, Any]:
    """The load log (newest first), its failures by source, field and reason, and the linkage report."""
    from welfare_district.ingest.report import loads_frame, quality_frame

    loads: list[dict[Any, Any]] = loads_frame(db).to_dict("records")
    failures: list[dict[Any, Any]] = quality_frame(db).to_dict("records")
    counts = ("rows_read", "rows_loaded", "rows_flagged", "rows_quarantined")
    return {
        "loads": [{"source": r["source"], "file_name": r["file_name"], "started_at": str(r["started_at"])[:19],
                   **{c: int(r[c]) for c in counts}} for r in loads],
        "failures": [{"source": r["source"], "file_name": r["file_name"], "field": r["field"],
                      "reason_code": r["reason_code"], "severity": r["severity"], "failures": int(r["failures"]),
                      "example_rows": r["example_rows"]} for r in failures],
        "linkage": cached_linkage_report(db, cache),
    }


def build_router() -> APIRouter:
    """The data-quality page at /quality."""
    router = APIRouter()

    @router.get("/quality", response_class=HTMLResponse, name="quality_page")
    def quality_page(request: Request, db: DatabaseDep, lang: LanguageDep, cache: ReadCacheDep) -> HTMLResponse:
        """Render the load and linkage reports in the request's language."""
        return render(request, "quality.html", lang, quality_context(db, cache), active="quality")

    return router
