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
scores the linkage against the ground truth, comune by comune (a synthetic district shares no person with
another, so the pair counts add up): pairwise precision, recall and F1 over all records and over the
third-sector records without a trusted codice fiscale. A run of half an hour is not repeated: one run.
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
import pyarrow.csv as pacsv
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import load_average

from welfare_district.engine import connect
from welfare_district.link.evaluate import pairwise_scores
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
    """Pairwise scores per comune folder and in total (pair counts summed over the comuni)."""
    truth = pacsv.read_csv(dataset / "ground_truth" / "records.csv", convert_options=pacsv.ConvertOptions(
        include_columns=["source", "file", "row", "person_id"],
        column_types={"source": "string", "file": "string", "row": "string", "person_id": "string"}))
    gt = truth.to_pandas()
    del truth
    gt["folder"] = gt["file"].str.split("/", n=1).str[0]
    rows = []
    with connect(url) as db:
        for folder, part in gt.groupby("folder", sort=True):
            links = db.ibis.table("person_link")
            pred = links.filter(links.file_name.startswith(f"{folder}/")).select(
                "record_id", "person_id", "source", "cf_status").to_pyarrow().to_pandas().set_index("record_id")
            true = pd.Series(part["person_id"].to_numpy(),
                             index=(part["source"] + ":" + part["file"] + ":" + part["row"]).to_numpy())
            third = pred["source"].str.startswith("ts_") & (pred["cf_status"] != "trusted")
            for scope, subset in (("all records", None), ("third sector, no trusted code", third)):
                s = pairwise_scores(pred["person_id"], true, subset)
                rows.append({"folder": folder, "scope": scope, "true": s.true_pairs,
                             "predicted": s.predicted_pairs, "correct": s.correct_pairs})
    frame = pd.DataFrame(rows)
    total = frame.groupby("scope", as_index=False)[["true", "predicted", "correct"]].sum()
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
    args = parser.parse_args()
    console = Console(width=160)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench_region_"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "region.duckdb"
    for stale in (path, folder / "region.duckdb.wal"):
        stale.unlink(missing_ok=True)
    options = [f"threads={args.threads}"] if args.threads else []
    options += [f"memory_limit={args.memory_limit}"] if args.memory_limit else []
    url = f"duckdb:///{path}" + ("?" + "&".join(options) if options else "")
    comuni = folder / "comuni"
    if comuni.exists():
        for old in comuni.glob("*.duckdb*"):
            old.unlink()
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
