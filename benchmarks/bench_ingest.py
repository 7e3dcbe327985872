"""Time the ingestion of every extract of a synthetic city into a fresh DuckDB database.

Usage: python benchmarks/bench_ingest.py [--synth DIR] [--repeat R]
DIR is a dataset written by `welfare synth` (its extracts/ are read); default var/synth, the full
synthetic Padova of seed 20231231.
Prints, per source, rows and the median seconds over R runs (each run on a new database file), then the
total: median time, rows per second, peak resident memory and the machine's core count.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

from welfare_district.engine import connect
from welfare_district.ingest.load import load_file
from welfare_district.ingest.runner import declared_files


def _run(extracts: Path, url: str) -> tuple[float, dict[str, list[float]]]:
    """One full ingestion; returns total seconds and per-source [seconds, rows read, loaded, quarantined]."""
    per_source: dict[str, list[float]] = defaultdict(lambda: [0.0, 0, 0, 0])
    start = time.perf_counter()
    with connect(url) as db:
        for path, decl in declared_files(extracts):
            t = time.perf_counter()
            result = load_file(db, decl, path, file_name=path.relative_to(extracts).as_posix())
            acc = per_source[decl.name]
            acc[0] += time.perf_counter() - t
            acc[1] += result.rows_read
            acc[2] += result.rows_loaded
            acc[3] += result.rows_quarantined
    return time.perf_counter() - start, per_source


def main() -> None:
    """Run the ingestion R times and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synth", type=Path, default=Path(__file__).resolve().parents[1] / "var" / "synth")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    args.extracts = args.synth / "extracts"
    if not args.extracts.is_dir():
        sys.exit(f"no extracts folder at {args.extracts}; build one with `welfare synth --out DIR`")
    totals: list[float] = []
    runs: list[dict[str, list[float]]] = []
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            total, per_source = _run(args.extracts, f"duckdb:///{Path(tmp) / f'bench{i}.duckdb'}")
        totals.append(total)
        runs.append(per_source)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux

    by_source = Table(title=f"welfare ingest: {args.extracts} -> fresh DuckDB, median of {args.repeat}")
    for name in ("source", "rows read", "loaded", "quarantined", "seconds", "rows/s"):
        by_source.add_column(name, justify="left" if name == "source" else "right")
    rows_read = 0
    for source in runs[0]:
        seconds = statistics.median(r[source][0] for r in runs)
        _, read, loaded, quarantined = runs[0][source]
        rows_read += int(read)
        by_source.add_row(source, f"{int(read):,}", f"{int(loaded):,}", f"{int(quarantined):,}", f"{seconds:.2f}",
                          f"{read / seconds:,.0f}")
    median = statistics.median(totals)
    summary = Table(title="total")
    for name in ("files", "rows", "median s", "runs (s)", "rows/s", "peak RSS MB", "cores"):
        summary.add_column(name, justify="right")
    summary.add_row(str(len(declared_files(args.extracts))), f"{rows_read:,}", f"{median:.1f}",
                    ", ".join(f"{t:.1f}" for t in totals), f"{rows_read / median:,.0f}", f"{peak_mb:,.0f}",
                    str(os.cpu_count()))
    console = Console()
    console.print(by_source)
    console.print(summary)


if __name__ == "__main__":
    main()
