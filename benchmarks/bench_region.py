"""Run the pipeline on a regional dataset (one extracts folder per comune) and measure time, memory, quality.

Usage: python benchmarks/bench_region.py --synth DIR [--workers N] [--threads N] [--memory-limit 6GB]
                                         [--keep DIR] [--again]
                                         [--quality]
DIR is a regional dataset, e.g. `welfare synth --scale veneto --seed 20231231 --out DIR` (24 districts) or
with `--districts K` for the first K. Runs every stage once on a fresh DuckDB file (the comuni's files go
beside it), sampling twice a second the resident memory of this process and of every worker process, so
the peak printed is of everything the run held at once. Prints the wall seconds of every stage and of each
comune (its own ingest, link, geocode and warehouse, with the worker's peak), then ingest through merge,
the core count and the load average. ``--again`` times a second run on unchanged data. ``--quality`` then
scores the linkage against the ground truth by SQL in the regional database: pairwise precision, recall and
F1 over all records and over the third-sector records without a trusted codice fiscale. A run of half an
hour is not repeated: one run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import load_average

from welfare_district.engine import connect
from welfare_district.pipeline import PipelineInput, StageResult, run_pipeline


class TreeMemory:
    """Peak of the summed resident memory of this process and its descendants, sampled in a thread."""

    def __init__(self, interval: float = 0.5) -> None:
        self.peak_mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            self.peak_mib = max(self.peak_mib, _tree_rss_mib(os.getpid()))
            self._stop.wait(interval)


def _tree_rss_mib(root: int) -> float:
    parents: dict[int, int] = {}
    rss: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(stat.rsplit(")", 1)[1].split()[1])
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss[pid] = int(line.split()[1]) / 1024
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    return sum(rss.get(pid, 0.0) for pid in tree)


def _run(dataset: Path, url: str, comuni: Path, workers: int) -> tuple[list[StageResult], float, float]:
    started = time.perf_counter()
    with TreeMemory() as memory, connect(url) as db:
        results = run_pipeline(db, PipelineInput(dataset, partition_dir=comuni, workers=workers))
    return results, time.perf_counter() - started, memory.peak_mib


def _table(title: str, results: list[StageResult]) -> Table:
    table = Table(title=title)
    for col in ("stage", "seconds", "result"):
        table.add_column(col, overflow="fold")
    for r in results:
        table.add_row(r.stage, f"{r.seconds:,.1f}", r.summary[:160])
    return table


def _quality(dataset: Path, url: str) -> pd.DataFrame:
    """Pairwise precision, recall and F1 of the stored linkage against the ground truth, counted by SQL in
    the database itself (a region's 54 million records do not fit comfortably in pandas).

    Pairs as in ``link.evaluate.pairwise_scores``: over all records, and over the pairs with at least one
    third-sector record without a trusted codice fiscale.
    """
    records = str(dataset / "ground_truth" / "records.csv").replace("'", "''")
    with connect(url) as db, db.engine.connect() as conn:
        conn.exec_driver_sql(
            "CREATE TEMP TABLE scored AS SELECT l.person_id AS pred, g.person_id AS truth, "
            "(l.source LIKE 'ts_%' AND l.cf_status <> 'trusted') AS third "
            f"FROM read_csv('{records}', all_varchar = true) g JOIN person_link l "
            "ON l.record_id = g.source || ':' || g.file || ':' || g.row")
        rows = []
        for scope, flag in (("all records", "TRUE"), ("third sector, no trusted code", "third")):
            def pairs(keys: str, flag: str = flag) -> int:
                sql = (f"SELECT COALESCE(SUM(n * (n - 1) / 2 - (n - k) * (n - k - 1) / 2), 0) FROM "
                       f"(SELECT COUNT(*) AS n, SUM(CASE WHEN {flag} THEN 1 ELSE 0 END) AS k FROM scored "
                       f"GROUP BY {keys}) WHERE k > 0")
                return int(conn.exec_driver_sql(sql).scalar_one())

            rows.append({"scope": scope, "true": pairs("truth"), "predicted": pairs("pred"),
                         "correct": pairs("pred, truth")})
    total = pd.DataFrame(rows)
    total["precision"] = total["correct"] / total["predicted"]
    total["recall"] = total["correct"] / total["true"]
    total["f1"] = 2 * total["precision"] * total["recall"] / (total["precision"] + total["recall"])
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synth", type=Path, required=True, help="regional dataset folder")
    parser.add_argument("--workers", type=int, default=None, help="comuni at once (default: cores, at most 2)")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads of the regional database")
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory_limit of the regional database (6GB)")
    parser.add_argument("--keep", type=Path, default=None, help="folder for the database (default: temporary)")
    parser.add_argument("--again", action="store_true", help="also time a second run on unchanged data")
    parser.add_argument("--quality", action="store_true", help="score the linkage against the ground truth")
    parser.add_argument("--quality-only", action="store_true",
                        help="only score the database already in --keep (no pipeline run)")
    args = parser.parse_args()
    console = Console(width=160)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench_region_"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "region.duckdb"
    for stale in (path, folder / "region.duckdb.wal"):
        if not args.quality_only:
            stale.unlink(missing_ok=True)
    options = [f"threads={args.threads}"] if args.threads else []
    options += [f"memory_limit={args.memory_limit}"] if args.memory_limit else []
    url = f"duckdb:///{path}" + ("?" + "&".join(options) if options else "")
    comuni = folder / "comuni"
    if comuni.exists() and not args.quality_only:
        for old in comuni.glob("*.duckdb*"):
            old.unlink()
    if args.quality_only:
        console.print(_quality(args.synth, url).to_string(index=False))
        return
    load_before = load_average()
    results, seconds, peak = _run(args.synth, url, comuni, args.workers)
    console.print(_table(f"First run on {args.synth} ({os.cpu_count()} cores)", results))
    by = {r.stage: r.seconds for r in results}
    core = sum(by.get(s, 0.0) for s in ("areas", "ingest", "comuni", "merge"))
    comune_rows = [r for r in results if r.stage.startswith("comune ")]
    summary = Table(title="Region: ingest, link, geocode and warehouse of every comune, then the merge")
    for col in ("figure", "value"):
        summary.add_column(col)
    summary.add_row("comuni", f"{len(comune_rows)}")
    summary.add_row("areas + ingest + comuni + merge, wall", f"{core:,.1f} s ({core / 60:.1f} min)")
    summary.add_row("whole pipeline (with indicators, directory, impact), wall", f"{seconds:,.1f} s")
    summary.add_row("median seconds of one comune's stages",
                    f"{pd.Series([r.seconds for r in comune_rows]).median():,.1f}" if comune_rows else "-")
    summary.add_row("peak resident memory, all processes together", f"{peak:,.0f} MiB ({peak / 1024:.2f} GiB)")
    summary.add_row("cores", f"{os.cpu_count()}")
    summary.add_row("load average before / after", f"{load_before:.1f} / {load_average():.1f}")
    console.print(summary)
    if args.again:
        again, seconds_again, peak_again = _run(args.synth, url, comuni, args.workers)
        console.print(_table("Second run, unchanged data", again))
        console.print(f"second run: {seconds_again:,.1f} s, peak {peak_again:,.0f} MiB")
    if args.quality:
        console.print(_quality(args.synth, url).to_string(index=False))


if __name__ == "__main__":
    main()
