"""An in-process cache of prepared indicator reads, invalidated by a cheap stamp of the stored figures.

The stamp (``data_stamp``) is one SQLAlchemy query over ``indicator_value`` and ``area``: row counts, the
latest computation time and the boundary versions. When the pipeline rewrites the figures or the areas while
the server runs, the stamp changes and every cached entry is dropped. The stamp itself is re-read at most
every ``stamp_max_age`` seconds, so a busy server runs that query about once a second, not once a request.

One ReadCache lives on ``app.state.read_cache`` (made by ``create_app``); nothing is cached at import time.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sized
from typing import Any, TypeVar

import sqlalchemy as sa

from welfare_district.engine import Database

T = TypeVar("T")

# Rough bytes per item of a cached list of small dataclasses; bytes values count their real length.
_ITEM_WEIGHT = 400
_EMPTY_STAMP = "empty"


def _stamp_query(with_values: bool, with_areas: bool) -> sa.Select[Any]:
    from welfare_district.indicators.store import indicator_value_table
    from welfare_district.model.areas import area_tables

    iv, area = indicator_value_table(), area_tables().area
    parts: list[Any] = []
    if with_values:
        parts += [sa.select(sa.func.count()).select_from(iv).scalar_subquery(),
                  sa.select(sa.func.max(iv.c.computed_at)).scalar_subquery()]
    if with_areas:
        # The name lengths catch a renamed area that kept its boundary version.
        parts += [sa.select(sa.func.count()).select_from(area).scalar_subquery(),
                  sa.select(sa.func.min(area.c.boundary_version)).scalar_subquery(),
                  sa.select(sa.func.max(area.c.boundary_version)).scalar_subquery(),
                  sa.select(sa.func.sum(sa.func.length(area.c.name))).scalar_subquery()]
    return sa.select(*parts)


def data_stamp(db: Database) -> str:
    """A short fingerprint of the stored indicator figures and areas; it changes whenever either is rewritten.

    Guarantees: one query when both tables exist; missing tables count as empty (no error, nothing created).
    """
    try:
        with db.engine.connect() as conn:
            row: tuple[Any, ...] = tuple(conn.execute(_stamp_query(True, True)).one())
    except sa.exc.DBAPIError:
        # A fresh database lacks one of the tables: read whichever exists.
        inspector = sa.inspect(db.engine)
        has_values, has_areas = inspector.has_table("indicator_value"), inspector.has_table("area")
        if not (has_values or has_areas):
            return _EMPTY_STAMP
        with db.engine.connect() as conn:
            part = tuple(conn.execute(_stamp_query(has_values, has_areas)).one())
        row = (*(part[:2] if has_values else ("-", "-")), *(part[-4:] if has_areas else ("-",) * 4))
    text = "|".join(str(v) for v in row)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _weight(value: Any) -> int:
    # Serialised answers report their size (``nbytes``); lists count a rough size per item.
    if isinstance(value, bytes):
        return len(value)
    if isinstance(getattr(value, "nbytes", None), int):
        return int(value.nbytes)
    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        # nested tables (protected rows: level -> area -> row) count their rows
        return max(1, sum(len(v) for v in value.values())) * _ITEM_WEIGHT
    return len(value) * _ITEM_WEIGHT if isinstance(value, Sized) else _ITEM_WEIGHT


class _Flight:
    """One build in progress: waiters block on ``event``; ``done`` tells whether ``value`` was produced."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.owner = threading.get_ident()
        self.value: Any = None
        self.done = False

    def wait(self) -> bool:
        """Block until the build ends; True when it produced ``value`` (False: it failed)."""
        self.event.wait()
        return self.done


class ReadCache:
    """Prepared results keyed by the caller (e.g. (kind, indicator, level, year)), valid for one data stamp.

    Thread-safe. Entries beyond ``max_bytes`` (estimated) are evicted least recently used first. Builders
    run outside the internal lock; a key being built is built once, other threads asking for it wait
    (single flight), so a warm-up and the first requests never do the same work twice at the same time.
    """

    def __init__(self, stamp_max_age: float = 1.0, max_bytes: int = 256 * 1024 * 1024, *,
                 composite_base_year: int | None = None) -> None:
        self.stamp_max_age = stamp_max_age
        # The app's configured AMPI base year (WELFARE_COMPOSITE_BASE_YEAR), used when a read names none.
        self.composite_base_year = composite_base_year
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._size = 0
        self._stamp: str | None = None
        self._checked_at = 0.0
        self._flights: dict[tuple[str, Hashable], _Flight] = {}

    def recent_stamp(self) -> str | None:
        """The stamp read less than ``stamp_max_age`` seconds ago, or None when it must be read again."""
        with self._lock:
            if self._stamp is not None and time.monotonic() - self._checked_at < self.stamp_max_age:
                return self._stamp
            return None

    def stamp(self, db: Database) -> str:
        """The current data stamp (re-read when stale); a changed stamp empties the cache."""
        recent = self.recent_stamp()
        if recent is not None:
            return recent
        fresh = data_stamp(db)
        with self._lock:
            if fresh != self._stamp:
                self._entries.clear()
                self._size = 0
                self._stamp = fresh
            self._checked_at = time.monotonic()
        return fresh

    def peek(self, key: Hashable, stamp: str) -> Any | None:
        """The entry for ``key`` if it was built under ``stamp``; None otherwise."""
        with self._lock:
            if stamp != self._stamp or key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._entries[key][0]

    def get(self, db: Database, key: Hashable, build: Callable[[], T]) -> T:
        """The cached value of ``key`` under the current stamp, built (and kept) on a miss.

        Guarantees: while one thread builds ``key``, another asking for it waits for that build instead of
        running a second one (a failed build lets the waiter build it itself).
        """
        stamp = self.stamp(db)
        while True:
            hit = self.peek(key, stamp)
            if hit is not None:
                return hit
            flight, mine = self._claim(key, stamp)
            if not mine:
                if flight.wait():
                    return flight.value
                continue
            try:
                value = build()
                self.put(key, stamp, value)
                flight.value, flight.done = value, True
            finally:
                self._land(key, stamp, flight)
            return value

    def get_many(self, db: Database, keys: list[Hashable],
                 build: Callable[[list[Hashable]], Mapping[Hashable, Any]]) -> None:
        """Make sure every key of ``keys`` is cached: ``build(missing)`` returns the values of the missing keys
        (and may return more, which are kept too), in one call for all of them.

        Guarantees: keys another thread is building meanwhile (through ``get`` or ``get_many``) are not built
        again: this call waits for them; a request for one of the keys being built here waits for this build.
        """
        stamp = self.stamp(db)
        claimed: dict[Hashable, _Flight] = {}
        others: list[_Flight] = []
        for key in keys:
            if self.peek(key, stamp) is not None:
                continue
            flight, mine = self._claim(key, stamp)
            if mine:
                claimed[key] = flight
            else:
                others.append(flight)
        try:
            if claimed:
                values = build(list(claimed))
                for key, value in values.items():
                    self.put(key, stamp, value)
                    if key in claimed:
                        claimed[key].value, claimed[key].done = value, True
        finally:
            for key, flight in claimed.items():
                self._land(key, stamp, flight)
        for flight in others:
            flight.wait()

    def _claim(self, key: Hashable, stamp: str) -> tuple[_Flight, bool]:
        # (the flight building ``key`` under ``stamp``, True when the caller just became its builder)
        with self._lock:
            flight = self._flights.get((stamp, key))
            if flight is not None and flight.owner != threading.get_ident():
                return flight, False
            # a thread re-entering its own build (not expected) builds again rather than wait for itself
            flight = _Flight()
            self._flights[(stamp, key)] = flight
            return flight, True

    def _land(self, key: Hashable, stamp: str, flight: _Flight) -> None:
        with self._lock:
            if self._flights.get((stamp, key)) is flight:
                del self._flights[(stamp, key)]
        flight.event.set()

    def put(self, key: Hashable, stamp: str, value: Any) -> None:
        """Keep ``value`` for ``key`` unless the stamp moved on while it was being built."""
        weight = _weight(value)
        with self._lock:
            if stamp != self._stamp or weight > self.max_bytes:
                return
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= old[1]
            self._entries[key] = (value, weight)
            self._size += weight
            while self._size > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._size -= dropped

    def clear(self) -> None:
        """Forget every entry and the stamp (the next read queries the database again)."""
        with self._lock:
            self._entries.clear()
            self._size = 0
            self._stamp = None
            self._checked_at = 0.0


def cached(cache: ReadCache | None, db: Database, key: Hashable, build: Callable[[], T]) -> T:
    """``build()`` through ``cache`` when one is given, else directly (scripts and tests without an app)."""
    return build() if cache is None else cache.get(db, key, build)


__all__ = ["ReadCache", "cached", "data_stamp"]
