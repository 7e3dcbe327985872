"""Loading a validated catalogue into the database (all or nothing, idempotent) and reading it back.

An import replaces the published catalogue in one transaction. Its fingerprint (SHA-256 of the canonical
rows) is kept with the catalogue counter: importing the same catalogue again writes nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from welfare_district.directory.hsds_spec import TABLES, Catalogue
from welfare_district.directory.hsds_validate import HsdsImportError, Issue, validate
from welfare_district.directory.model import (
    bump_version,
    catalogue_version,
    directory_tables,
    ensure_tables,
    last_fingerprint,
)
from welfare_district.engine import Database


@dataclass(frozen=True)
class LoadResult:
    """What a load did: 'loaded' or 'unchanged', rows per table, and the catalogue counter after it."""

    status: str
    rows: dict[str, int]
    version: int


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def fingerprint(cat: Catalogue) -> str:
    """SHA-256 of the catalogue's canonical form (rows sorted by id, values as JSON)."""
    canonical = {name: sorted(({k: _plain(v) for k, v in r.items()} for r in rows), key=lambda r: str(r["id"]))
                 for name, rows in cat.items() if rows}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def load_catalogue(db: Database, raw: Catalogue, *, source: str = "input",
                   prior_issues: list[Issue] | None = None) -> LoadResult:
    """Validate ``raw`` (HsdsImportError listing every problem, nothing written) and replace the catalogue with it.

    One transaction: the old catalogue stays whole if anything fails. The same catalogue twice: 'unchanged'.
    Referrals and revisions are kept (they name services by id). ``prior_issues``: problems the reader already
    found (file shape); they are reported together with the validation's own.
    """
    typed, issues = validate(raw, source)
    if prior_issues or issues:
        raise HsdsImportError([*(prior_issues or []), *issues])
    digest = fingerprint(typed)
    ensure_tables(db.engine)
    t = directory_tables()
    counts = {name: len(rows) for name, rows in typed.items()}
    with db.engine.begin() as conn:
        if last_fingerprint(conn) == digest:
            return LoadResult("unchanged", counts, catalogue_version(conn))
        for spec in reversed(TABLES):
            conn.execute(sa.delete(t.hsds[spec.name]))
        for spec in TABLES:
            rows = typed[spec.name]
            if rows:
                conn.execute(t.hsds[spec.name].insert(), rows)
        version = bump_version(conn, digest)
    return LoadResult("loaded", counts, version)


def _normalise(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def read_catalogue(db: Database) -> Catalogue:
    """The published catalogue as typed HSDS tables, rows sorted by id (empty tables when nothing is loaded)."""
    ensure_tables(db.engine)
    t = directory_tables()
    out: Catalogue = {}
    with db.engine.connect() as conn:
        for spec in TABLES:
            table = t.hsds[spec.name]
            rows = conn.execute(sa.select(table).order_by(table.c.id)).mappings().all()
            out[spec.name] = [{k: _normalise(v) for k, v in r.items()} for r in rows]
    return out


def current_version(db: Database) -> int:
    """The catalogue counter: it moves with every import, approved revision or status change (0 before any).

    One indexed read: it runs before every search, so it does not create or inspect tables.
    """
    try:
        with db.engine.connect() as conn:
            return catalogue_version(conn)
    except sa.exc.DBAPIError:  # the directory tables do not exist yet
        return 0
