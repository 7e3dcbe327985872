"""Protected tables kept between requests: protection is deterministic, so it runs once per table version.

A route reads the exact rows of an indicator and year (every level) as it does today, and asks
``ProtectedTables.protect`` for the protected version. The cache key is what identifies that version of the
table: its indicators, years, row count and newest ``computed_at`` (every recomputation rewrites it), plus the
area hierarchy; the policy and rounding key are fixed per instance. A hit costs a few column reductions
instead of the whole pass. Results are shared: callers must not modify them.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping

import pandas as pd

from welfare_district.privacy.disclosure import DisclosurePolicy, protect


class ProtectedTables:
    """A bounded, thread-safe cache of ``protect`` results for one policy and rounding key."""

    def __init__(self, policy: DisclosurePolicy, rounding_key: bytes, max_tables: int = 512) -> None:
        self.policy = policy
        self._key = rounding_key
        self._max = max_tables
        self._tables: OrderedDict[Hashable, pd.DataFrame] = OrderedDict()
        self._lock = threading.Lock()
        self._running: dict[Hashable, threading.Event] = {}
        self._hierarchies: dict[int, tuple[Mapping[str, str | None], str]] = {}
        self.hits = 0
        self.misses = 0

    def _hierarchy_id(self, parents: Mapping[str, str | None]) -> str:
        known = self._hierarchies.get(id(parents))
        if known is not None and known[0] is parents:
            return known[1]
        text = "\n".join(f"{a}>{p}" for a, p in sorted(parents.items(), key=lambda kv: kv[0]))
        digest = hashlib.sha256(text.encode()).hexdigest()
        self._hierarchies = {id(parents): (parents, digest)}  # one hierarchy is current at a time
        return digest

    def version(self, values: pd.DataFrame, parents: Mapping[str, str | None]) -> Hashable:
        """What identifies this table: indicators, years, rows, newest computation, hierarchy."""
        stamp = str(values["computed_at"].max()) if "computed_at" in values.columns and len(values) else ""
        return (tuple(sorted(values["indicator_id"].astype(str).unique().tolist())),
                tuple(sorted(int(y) for y in values["year"].unique().tolist())), len(values), stamp,
                self._hierarchy_id(parents))

    def protect(self, values: pd.DataFrame, parents: Mapping[str, str | None], *, keep: bool = True
                ) -> pd.DataFrame:
        """``protect(values, parents, policy, key)``, computed once per table version (see the module).

        ``keep=False`` returns a kept result but does not keep a new one (a caller that keeps its own
        split of a large table). Guarantees: two threads protecting the same version at once run one pass;
        the second waits for it.
        """
        if "computed_at" not in values.columns:
            return protect(values, parents, self.policy, self._key)  # no version stamp: never cached
        version = self.version(values, parents)
        while True:
            with self._lock:
                cached = self._tables.get(version)
                if cached is not None:
                    self._tables.move_to_end(version)
                    self.hits += 1
                    return cached
                running = self._running.get(version)
                if running is None:
                    running = self._running[version] = threading.Event()
                    break
            running.wait()  # the same version is being protected by another thread: then look again
        try:
            result = protect(values, parents, self.policy, self._key)
            with self._lock:
                self.misses += 1
                if keep:
                    self._tables[version] = result
                while len(self._tables) > self._max:
                    self._tables.popitem(last=False)
        finally:
            with self._lock:
                if self._running.get(version) is running:
                    del self._running[version]
            running.set()
        return result
