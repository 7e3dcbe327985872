"""What disclosure control adds to a read of indicator values, at Padova scale.

Builds the synthetic Padova hierarchy (about 1,300 sections, 59 zones, 6 quartieri, the city), draws counts
for every library indicator (29) at section level with realistic rates, rolls them up to every level (plus
a few residents without a section, counted in the city only, as the pipeline does), stores them in a
temporary DuckDB file and then times, as medians of --repeat runs:
- the unprotected read the API makes (``read_values``) of the whole year and of one indicator-year slice
  (every level: a slice must be protected with its totals, then filtered);
- the protection pass alone (``protect``) on the same frames;
and prints the overhead of protection over the read, the machine's cores and the peak Python memory of one
protection pass (tracemalloc); then the same with ``ProtectedTables``, which protects each table version once
(the cost of a request is then the read plus the cache look-up, which its row shows).

Run: python benchmarks/bench_disclosure.py [--repeat 7] [--seed 20231231] [--year 2023]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

UNIT_SIZE = {"person": 150.0, "family": 70.0, "dwelling": 150.0, "isee": 70.0, "case": 150.0}


def padova_values(seed: int, year: int) -> tuple[pd.DataFrame, dict[str, str | None]]:
    """indicator_value rows of every level for one year, and the area parents."""
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


def median_seconds(fn: Callable[[], Any], repeat: int) -> float:
    """Median wall time of ``repeat`` calls after one warm-up call."""
    return paired_medians([fn], repeat)[0]


def paired_medians(fns: list[Callable[[], Any]], repeat: int) -> list[float]:
    """Median wall time of each function, the functions run in turn in every round: on a shared machine
    a burst of load then slows all of them alike instead of one."""
    for fn in fns:
        fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, out in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def peak_mb(fn: Callable[[], Any]) -> float:
    """Peak Python-allocated memory of one call, in MB."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=20231231)
    parser.add_argument("--year", type=int, default=2023)
    args = parser.parse_args()

    from welfare_district.engine import connect
    from welfare_district.indicators.store import read_values, save_values
    from welfare_district.privacy.cache import ProtectedTables
    from welfare_district.privacy.disclosure import DisclosurePolicy, library_themes, protect

    values, parents = padova_values(args.seed, args.year)
    policy = DisclosurePolicy(themes=library_themes())
    key = b"benchmark rounding key, not a secret".ljust(32, b".")
    indicator = "ivsm_care_hardship"
    with tempfile.TemporaryDirectory() as tmp:
        db = connect(f"duckdb:///{Path(tmp) / 'bench.duckdb'}")
        try:
            save_values(db, values)
            full = read_values(db, years=[args.year])
            one = read_values(db, indicator_ids=[indicator], years=[args.year])
            cases = [
                ("whole year (29 indicators, every level)", full,
                 lambda: read_values(db, years=[args.year])),
                (f"one slice ({indicator}, every level)", one,
                 lambda: read_values(db, indicator_ids=[indicator], years=[args.year])),
            ]
            results = []
            tables = ProtectedTables(policy, key)
            for label, frame, read in cases:
                t_read, t_protect = paired_medians([read, lambda f=frame: protect(f, parents, policy, key)],
                                                   args.repeat)
                memory = peak_mb(lambda f=frame: protect(f, parents, policy, key))
                out = protect(frame, parents, policy, key)
                results.append((label, len(frame), t_read, t_protect, memory, int(out["suppressed"].sum())))
                # what a route pays per request once the table version is cached: the look-up of a read frame
                t_cached = median_seconds(lambda f=frame: tables.protect(f, parents), args.repeat)
                results.append(("  same, cached per table version", len(frame), t_read, t_cached,
                                float("nan"), int(out["suppressed"].sum())))
        finally:
            db.close()

    print(f"Disclosure control at Padova scale: {len(values):,} rows, {values['area_id'].nunique():,} areas, "
          f"seed {args.seed}, median of {args.repeat} runs, {os.cpu_count()} cores")
    print(f"{'frame':45} {'rows':>7} {'read ms':>9} {'protect ms':>11} {'overhead':>9} {'peak MB':>8} "
          f"{'suppressed':>10}")
    for label, rows, t_read, t_protect, memory, hidden in results:
        print(f"{label:45} {rows:>7,} {t_read * 1e3:>9.1f} {t_protect * 1e3:>11.1f} "
              f"{t_protect / t_read:>8.0%} {memory:>8.1f} {hidden:>10,}")


if __name__ == "__main__":
    main()
