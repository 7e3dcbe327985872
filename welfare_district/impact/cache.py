"""A small in-process cache of the warehouse reads monitoring repeats (group membership, placements).

Entries are keyed by the database URL, a version token and a key. The token says what the entry was read
from: the snapshots' build times and the register's loads (``version_token``), or the linkage decisions
(``linkage_token``, for the index of linked identities). A rebuilt warehouse, a new import or a new linkage
changes the token, so a stale entry is never served; an entry of an old token is dropped when the same key
is first asked for under a new one (keys of different tokens never evict each other).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import TypeVar

import sqlalchemy as sa

from welfare_district.engine import Database

T = TypeVar("T")


@lru_cache(maxsize=1)
def _store() -> dict[Hashable, object]:
    return {}


def version_token(db: Database) -> str:
    """What the cached reads depend on: every snapshot's build time and every imported file's load time."""
    try:
        return _stamp(db)
    except sa.exc.DBAPIError:
        # a table is missing: create it, once; checking for the tables on every call cost more than the reads
        from welfare_district.impact.model import ensure_impact_tables
        from welfare_district.model.warehouse import ensure_warehouse_tables

        ensure_impact_tables(db)
        ensure_warehouse_tables(db.engine)
        return _stamp(db)


def warehouse_token(db: Database) -> str:
    """What reads of the warehouse alone depend on (group membership): every snapshot's build time, so an
    import of reports does not drop them."""
    return version_token(db).rsplit("|", 2)[0]


def _stamp(db: Database) -> str:
    with db.engine.connect() as conn:
        snaps = conn.execute(sa.text("SELECT COUNT(*), MAX(built_at) FROM wh_snapshot")).one()
        loads = conn.execute(sa.text("SELECT COUNT(*), MAX(loaded_at) FROM impact_load")).one()
    return f"{snaps[0]}|{snaps[1]}|{loads[0]}|{loads[1]}"


def linkage_token(db: Database) -> str:
    """What the index of linked identities depends on: the number and time of the linkage decisions."""
    from welfare_district.link.staging import link_tables

    link_tables().metadata.create_all(db.engine, checkfirst=True)
    with db.engine.connect() as conn:
        links = conn.execute(sa.text("SELECT COUNT(*), MAX(linked_at) FROM person_link")).one()
    return f"link|{links[0]}|{links[1]}"


def cached(db: Database, token: str, key: Hashable, build: Callable[[], T]) -> T:
    """``build()`` once per (database, token, key); the caller must not modify the returned object."""
    store = _store()
    full = (db.url, token, key)
    if full not in store:
        for old in [k for k in store if isinstance(k, tuple) and k[0] == db.url and k[2] == key and k[1] != token]:
            del store[old]
        store[full] = build()
    return store[full]  # type: ignore[return-value]
