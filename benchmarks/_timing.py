"""What the benchmark scripts share: timing helpers, memory and load figures, and the Padova indicator table.

- ``timed_calls``: median and p95 of many calls (after a few warm-up calls);
- ``paired_medians`` / ``median_seconds``: medians of functions run in turn, round after round, so a burst of
  load on a shared machine slows them alike;
- ``peak_mb`` (Python allocations of one call), ``peak_rss_mb`` (of a process), ``load_average``;
- ``padova_values`` and ``stored_padova``: every library indicator at every level for one year of the
  synthetic Padova, stored in a temporary DuckDB file (the read-and-time setup of the disclosure benchmarks).
"""

from __future__ import annotations

import os
import resource
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

UNIT_SIZE = {"person": 150.0, "family": 70.0, "dwelling": 150.0, "isee": 70.0, "case": 150.0}


def timed_calls(fn: Callable[[int], object], calls: int, warmup: int = 5) -> tuple[float, float]:
    """Median and p95 in ms of ``calls`` calls of fn(i), after ``warmup`` calls that are not counted."""
    for i in range(warmup):
        fn(i)
    times = []
    for i in range(calls):
        started = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def paired_medians(fns: list[Callable[[], Any]], repeat: int) -> list[float]:
    """Median wall time in seconds of each function, after one warm-up call each; the functions run in turn
    in every round."""
    for fn in fns:
        fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, out in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def median_seconds(fn: Callable[[], Any], repeat: int) -> float:
    """Median wall time of ``repeat`` calls after one warm-up call."""
    return paired_medians([fn], repeat)[0]


def peak_mb(fn: Callable[[], Any]) -> float:
    """Peak Python-allocated memory of one call, in MB (tracemalloc)."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def peak_rss_mb(pid: int | None = None) -> float:
    """Peak resident memory in MB of process ``pid`` (Linux /proc), or of this process when None."""
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load_average() -> float:
    """The machine's one-minute load average (NaN where the platform has none)."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def padova_values(seed: int, year: int) -> tuple[pd.DataFrame, dict[str, str | None]]:
    """indicator_value rows of every level for one year, and the area parents.

    Section counts are drawn with realistic rates for every library indicator (29) over the synthetic
    Padova hierarchy and rolled up to every level, plus a few residents without a section counted in the
    city only, as the pipeline does.
    """
    from welfare_district.geo.hierarchy import build_synthetic_hierarchy
    from welfare_district.indicators.compute import finish
    from welfare_district.indicators.library import default_library

    areas = build_synthetic_hierarchy(seed).areas
    parents = {str(a): (None if p is None or p != p else str(p)) for a, p in zip(areas["area_id"],
                                                                                 areas["parent_id"], strict=True)}
    sections = areas.loc[areas["level"] == "section", "area_id"].astype(str).tolist()
    rng = np.random.default_rng(seed)
    library = list(default_library().values())
    parts = []
    for ind in library:
        den = rng.poisson(UNIT_SIZE.get(ind.denominator.source, 150.0), len(sections)).astype(float)
        rate = min(0.9, max(0.005, rng.beta(2, 20)))
        num = rng.binomial(den.astype(int), rate).astype(float) if ind.kind == "proportion" else \
            rng.poisson(den * rate).astype(float)
        parts.append(pd.DataFrame({"indicator_id": ind.id, "area_id": sections, "numerator": num,
                                   "denominator": den}))
    base = pd.concat(parts, ignore_index=True)
    rows = [base.assign(level="section")]
    current = base
    for level in ("zone", "quartiere", "city"):
        current = (current.assign(area_id=current["area_id"].map(parents))
                   .groupby(["indicator_id", "area_id"], as_index=False)[["numerator", "denominator"]].sum())
        if level == "city":  # residents without a placed address count in the city only
            current["numerator"] += 1.0
            current["denominator"] += 4.0
        rows.append(current.assign(level=level))
    counts = pd.concat(rows, ignore_index=True).assign(year=year)
    values = finish(counts, library)
    stamp = pd.Timestamp("2026-01-01", tz="UTC")
    values = values.assign(definition_version="bench", boundary_version="bench", snapshot_built_at=stamp,
                           computed_at=stamp)
    return values, parents


@contextmanager
def stored_padova(seed: int, year: int, *, with_areas: bool = False) -> Iterator[tuple[Any, pd.DataFrame,
                                                                                      dict[str, str | None]]]:
    """(open Database, values, parents): ``padova_values`` stored in a temporary DuckDB file (with the area
    hierarchy and its geometries when ``with_areas``); the file is removed afterwards."""
    from welfare_district.engine import connect
    from welfare_district.indicators.store import save_values

    values, parents = padova_values(seed, year)
    with tempfile.TemporaryDirectory() as tmp:
        db = connect(f"duckdb:///{Path(tmp) / 'bench.duckdb'}")
        try:
            if with_areas:
                from welfare_district.geo.hierarchy import build_synthetic_hierarchy
                from welfare_district.geo.store import save_areas

                save_areas(db, build_synthetic_hierarchy(seed))
            save_values(db, values)
            yield db, values, parents
        finally:
            db.close()


@contextmanager
def serve_app(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free loopback port (lifespan on); yields its base URL."""
    import socket
    import threading

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise SystemExit("the web server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
