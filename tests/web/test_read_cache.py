"""The read cache builds a key once at a time: concurrent readers wait for the build in progress."""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable, Mapping
from typing import Any

import pandas as pd

from tests.privacy.frames import frame, hierarchy
from welfare_district.engine import Database
from welfare_district.privacy.cache import ProtectedTables
from welfare_district.privacy.disclosure import DisclosurePolicy
from welfare_district.web.read_cache import ReadCache


def _slow(calls: list[str], name: str, value: Any, started: threading.Event | None = None) -> Any:
    calls.append(name)
    if started is not None:
        started.set()
    time.sleep(0.3)
    return value


def test_a_key_being_built_is_waited_for_not_built_twice(db: Database) -> None:
    cache, calls, started = ReadCache(), [], threading.Event()
    results: list[Any] = []
    first = threading.Thread(target=lambda: results.append(
        cache.get(db, ("k",), lambda: _slow(calls, "first", [1, 2], started))))
    first.start()
    assert started.wait(5)
    second = cache.get(db, ("k",), lambda: _slow(calls, "second", [9]))
    first.join()
    assert calls == ["first"] and second == [1, 2] and results == [[1, 2]]


def test_a_failed_build_lets_the_waiter_build(db: Database) -> None:
    cache, started = ReadCache(), threading.Event()

    def fail() -> Any:
        started.set()
        time.sleep(0.2)
        raise RuntimeError("boom")

    errors: list[BaseException] = []

    def run() -> None:
        try:
            cache.get(db, ("k",), fail)
        except RuntimeError as exc:
            errors.append(exc)

    failing = threading.Thread(target=run)
    failing.start()
    assert started.wait(5)
    assert cache.get(db, ("k",), lambda: [3]) == [3]
    failing.join()
    assert len(errors) == 1


def test_get_many_builds_missing_keys_once_and_readers_wait(db: Database) -> None:
    cache, calls, started = ReadCache(), [], threading.Event()
    cache.get(db, ("a",), lambda: ["kept"])

    def build(missing: list[Hashable]) -> Mapping[Hashable, Any]:
        calls.append(sorted(map(str, missing)))
        started.set()
        time.sleep(0.3)
        return {key: [str(key)] for key in missing}

    filler = threading.Thread(target=lambda: cache.get_many(db, [("a",), ("b",), ("c",)], build))
    filler.start()
    assert started.wait(5)
    # a reader of a key being filled waits for the fill instead of building it
    assert cache.get(db, ("b",), lambda: _slow(calls, "reader", ["other"])) == [str(("b",))]
    cache.get_many(db, [("c",)], build)  # waits too, builds nothing
    filler.join()
    assert calls == [["('b',)", "('c',)"]]
    assert cache.get(db, ("a",), list) == ["kept"]


def test_protected_tables_protect_one_version_once_at_a_time() -> None:
    parents = hierarchy([[3, 2]])
    sections = dict(zip([a for a in parents if "S" in a], [(1, 40), (5, 50), (7, 60), (0, 30), (9, 80)],
                        strict=True))
    rows = frame(parents, sections).assign(computed_at=pd.Timestamp("2026-01-01", tz="UTC"))
    tables = ProtectedTables(DisclosurePolicy(), b"c" * 32)
    out: list[pd.DataFrame] = []
    threads = [threading.Thread(target=lambda: out.append(tables.protect(rows, parents))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert tables.misses == 1 and tables.hits == 3
    assert all(o is out[0] for o in out)
    assert tables.protect(rows, parents, keep=False) is out[0]  # a kept table is still used
    other = rows.assign(computed_at=pd.Timestamp("2026-02-01", tz="UTC"))
    first = tables.protect(other, parents, keep=False)
    assert tables.protect(other, parents, keep=False) is not first and first.equals(tables.protect(other, parents))
