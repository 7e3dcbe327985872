"""Run the whole pipeline on a synthetic city and compare its indicators with those of the city's truth.

Usage: python benchmarks/bench_pipeline.py [--synth DIR] [--keep DIR] [--levels city,quartiere]
DIR is a dataset written by `welfare synth` (default var/synth, the full synthetic Padova of seed 20231231
that `welfare demo` builds).
Runs areas -> ingest -> link -> geocode -> warehouse -> indicators on a fresh DuckDB file, then a second time
(every stage should skip), and builds the truth warehouse with its indicators in a second DuckDB file.
Prints the seconds of each stage of both runs (and the CPU seconds of the first, which a machine shared with
other jobs inflates less than the wall time), the peak resident memory of each stage and of the whole run,
the core count and the load average, then per indicator (IVSM components first) and level the largest
absolute difference over the years between the pipeline's value and the truth's, with the values of the
last year. ``--once`` runs the pipeline once and skips the truth (a regional dataset: see docs/pipeline.md).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from welfare_district.engine import connect
from welfare_district.indicators.library import IVSM_COMPONENTS, default_library
from welfare_district.indicators.store import compare_values, compute_and_store, read_values
from welfare_district.pipeline import PipelineInput, run_pipeline, stage_areas
from welfare_district.synth.truth_warehouse import build_truth_warehouse


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _stage_peak_mib() -> float:
    """Peak resident memory since the last ``_reset_peak`` (Linux VmHWM), else the process's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return _peak_mib()


def _reset_peak() -> None:
    # Linux resets VmHWM to the current RSS when "5" is written here, so each stage gets its own peak
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _cpu_seconds() -> float:
    # user + system time of every thread of this process (DuckDB's threads included)
    times = os.times()
    return times.user + times.system


def _truth_values(dataset: Path, url: str) -> tuple[pd.DataFrame, float]:
    start = time.perf_counter()
    with connect(url) as db:
        stage_areas(db, PipelineInput(dataset))
        build_truth_warehouse(dataset, db)
        compute_and_store(db, list(default_library().values()))
        values = read_values(db)
    return values, time.perf_counter() - start


def comparison_table(truth: pd.DataFrame, pipeline: pd.DataFrame, levels: list[str]) -> pd.DataFrame:
    """Per indicator and level: largest and mean absolute difference over areas and years, last-year values."""
    diff = compare_values(truth, pipeline)
    diff = diff[diff["level"].isin(levels)]
    last = int(diff["year"].max())
    city_last = diff[(diff["year"] == last) & (diff["level"] == "city")].set_index("indicator_id")
    out = diff.groupby(["indicator_id", "level"]).agg(max_abs_diff=("abs_diff", "max"),
                                                      mean_abs_diff=("abs_diff", "mean")).reset_index()
    out["truth_city_last"] = out["indicator_id"].map(city_last["value_truth"])
    out["pipeline_city_last"] = out["indicator_id"].map(city_last["value_other"])
    order = {ind: i for i, ind in enumerate(IVSM_COMPONENTS)}
    out["_o"] = out["indicator_id"].map(order).fillna(len(order))
    out["_l"] = out["level"].map({lv: i for i, lv in enumerate(levels)})
    return out.sort_values(["_o", "indicator_id", "_l"]).drop(columns=["_o", "_l"]).reset_index(drop=True)


def main() -> None:
    """Run the pipeline twice and the truth once; print timings, memory and the indicator comparison."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synth", type=Path, default=Path(__file__).resolve().parents[1] / "var" / "synth")
    parser.add_argument("--keep", type=Path, default=None, help="keep the two database files in this folder")
    parser.add_argument("--levels", default="city,quartiere")
    parser.add_argument("--once", action="store_true", help="one pipeline run, no second run and no truth")
    args = parser.parse_args()
    if not (args.synth / "extracts").is_dir():
        sys.exit(f"no dataset at {args.synth}; build one with `welfare synth --out DIR`")
    levels = args.levels.split(",")
    console = Console(soft_wrap=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        url, truth_url = f"duckdb:///{folder / 'pipeline.duckdb'}", f"duckdb:///{folder / 'truth.duckdb'}"
        for path in (folder / "pipeline.duckdb", folder / "truth.duckdb"):
            path.unlink(missing_ok=True)
        runs = []
        peaks: dict[str, float] = {}
        cpu: dict[str, float] = {}  # first run only
        for _ in range(1 if args.once else 2):
            with connect(url) as db:
                start = time.perf_counter()
                stages: list[str] = []
                started: list[float] = []

                def on_stage(name: str, stages: list[str] = stages, started: list[float] = started) -> None:
                    if stages and stages[-1] not in peaks:
                        peaks[stages[-1]] = _stage_peak_mib()
                    _reset_peak()
                    now = _cpu_seconds()
                    if stages:
                        cpu.setdefault(stages[-1], now - started[-1])
                    stages.append(name)
                    started.append(now)

                results = run_pipeline(db, PipelineInput(args.synth), on_stage=on_stage)
                peaks.setdefault(stages[-1], _stage_peak_mib())
                cpu.setdefault(stages[-1], _cpu_seconds() - started[-1])
                runs.append((results, time.perf_counter() - start))
        # resetting VmHWM also resets ru_maxrss, so the run's peak is the largest stage peak
        peak_pipeline = max(peaks.values())
        with connect(url) as db:
            values = read_values(db)
        truth, truth_seconds = (None, 0.0) if args.once else _truth_values(args.synth, truth_url)

    table = Table(title=f"Pipeline on {args.synth} (DuckDB), seconds")
    for col in ("stage", "first run", "first run CPU", "second run", "stage peak RSS MiB", "first run summary"):
        table.add_column(col)
    seconds = runs[1][0] if len(runs) > 1 else [None] * len(runs[0][0])
    for first, second in zip(runs[0][0], seconds, strict=True):
        table.add_row(first.stage, f"{first.seconds:.1f}", f"{cpu.get(first.stage, 0):.1f}",
                      "-" if second is None else f"{second.seconds:.1f}", f"{peaks.get(first.stage, 0):,.0f}",
                      first.summary)
    table.add_row("total", f"{runs[0][1]:.1f}", f"{sum(cpu.values()):.1f}",
                  f"{runs[1][1]:.1f}" if len(runs) > 1 else "-", f"{peak_pipeline:,.0f}", "")
    console.print(table)
    core_stages = ("ingest", "link", "geocode", "warehouse")
    core = sum(r.seconds for r in runs[0][0] if r.stage in core_stages)
    core_cpu = sum(cpu.get(name, 0.0) for name in core_stages)
    console.print(f"ingest+link+geocode+warehouse: {core:.1f} s ({core_cpu:.1f} s CPU, all threads); "
                  f"peak RSS {peak_pipeline:,.0f} MiB; "
                  f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} (1 min) at the end; "
                  f"truth warehouse and indicators: {truth_seconds:.1f} s")
    if truth is None:
        return

    comp = comparison_table(truth, values, levels)
    out = Table(title="Indicators: |pipeline - truth| over areas and years")
    out.add_column("indicator", no_wrap=True)
    for col in ("level", "max |diff|", "mean |diff|", "truth city (last)", "pipeline city (last)"):
        out.add_column(col)
    for row in comp.itertuples():
        out.add_row(str(row.indicator_id), str(row.level), f"{row.max_abs_diff:.3f}", f"{row.mean_abs_diff:.3f}",
                    f"{row.truth_city_last:.3f}", f"{row.pipeline_city_last:.3f}")
    console.print(out)


if __name__ == "__main__":
    main()
