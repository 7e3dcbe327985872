"""A small in-process cache of the warehouse reads monitoring repeats (group membership, placements).

Entries are keyed by the database URL and a version token: the snapshots' build times and the register's
loads. A rebuilt warehouse or a new import changes the token, so a stale entry is never served; entries
of an old token are dropped when a new one is first seen.
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
    from welfare_district.impact.model import ensure_impact_tables
    from welfare_district.model.warehouse import ensure_warehouse_tables

    ensure_impact_tables(db)
    ensure_warehouse_tables(db.engine)
    with db.engine.connect() as conn:
        snaps = conn.execute(sa.text("SELECT COUNT(*), MAX(built_at) FROM wh_snapshot")).one()
        loads = conn.execute(sa.text("SELECT COUNT(*), MAX(loaded_at) FROM impact_load")).one()
    return f"{snaps[0]}|{snaps[1]}|{loads[0]}|{loads[1]}"


def cached(db: Database, token: str, key: Hashable, build: Callable[[], T]) -> T:
    """``build()`` once per (database, token, key); the caller must not modify the returned object."""
    store = _store()
    full = (db.url, token, key)
    if full not in store:
        for old in [k for k in store if isinstance(k, tuple) and k[0] == db.url and k[1] != token]:
            del store[old]
        store[full] = build()
    return store[full]  # type: ignore[return-value]
