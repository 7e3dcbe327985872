"""Linkage quality and cost on a synthetic city: codice fiscale rules + model, side by side with Splink alone.

Usage: python benchmarks/bench_link.py [--synth DIR] [--repeat R] [--splink-alone | --no-splink-alone]
``DIR`` is a `welfare synth` output (extracts/ and ground_truth/), var/synth (built by `welfare demo`) by default.
Prints: records, pairs compared, time (median of R runs), peak RSS, cores, pairwise precision / recall / F1
overall, per source and for third-sector records without a valid codice fiscale.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.link.synthetic import load_records, load_truth
from welfare_district.ingest.codice_fiscale import is_valid
from welfare_district.link.evaluate import PairScores, pairwise_scores
from welfare_district.link.run import LinkResult, LinkSettings, link_records


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fmt(s: PairScores) -> str:
    return f"{s.precision:.4f} | {s.recall:.4f} | {s.f1:.4f}"


def _run(records: pd.DataFrame, settings: LinkSettings, repeat: int) -> tuple[LinkResult, list[float]]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = link_records(records, settings)
        times.append(time.perf_counter() - start)
    assert result is not None
    return result, times


def _scores(result: LinkResult, truth: pd.Series, records: pd.DataFrame) -> dict[str, PairScores]:
    pred = pd.Series(result.clusters["person_id"].to_numpy(), index=result.clusters["record_id"].to_numpy())
    ids = records["record_id"].to_numpy()
    valid = records["codice_fiscale"].map(lambda c: isinstance(c, str) and is_valid(c))
    out = {"overall": pairwise_scores(pred, truth)}
    ts_no_cf = records["source"].str.startswith("ts_") & ~valid
    out["third sector, no valid CF"] = pairwise_scores(pred, truth, pd.Series(ts_no_cf.to_numpy(), index=ids))
    for source in sorted(records["source"].unique()):
        out[source] = pairwise_scores(pred, truth, pd.Series((records["source"] == source).to_numpy(), index=ids))
    return out


def main() -> None:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synth", type=Path, default=Path(__file__).resolve().parents[1] / "var" / "synth")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--splink-alone", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()

    start = time.perf_counter()
    records = load_records(args.synth / "extracts")
    truth = load_truth(args.synth / "ground_truth")
    load_s = time.perf_counter() - start
    print(f"records: {len(records):,} from {args.synth} (read in {load_s:.1f} s, not counted below); "
          f"cores: {os.cpu_count()}; runs per method: {args.repeat} (median)\n")

    runs: dict[str, tuple[LinkResult, list[float], float]] = {}
    result, times = _run(records, LinkSettings(), args.repeat)
    runs["CF rules + Splink"] = (result, times, _peak_rss_mb())
    if args.splink_alone:
        result, times = _run(records, LinkSettings(use_cf_rules=False), args.repeat)
        runs["Splink alone (CF as a comparison)"] = (result, times, _peak_rss_mb())

    scores = {name: _scores(r, truth, records) for name, (r, _, _) in runs.items()}
    print("| method | records | pairs compared | time s (median) | steps s | peak RSS MB (cumulative) | "
          "precision | recall | F1 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, (r, times, rss) in runs.items():
        steps = ", ".join(f"{k} {v:.1f}" for k, v in r.seconds.items())
        print(f"| {name} | {len(records):,} | {r.pairs_compared:,} | {statistics.median(times):.1f} | {steps} | "
              f"{rss:,.0f} | {_fmt(scores[name]['overall'])} |")
    print()
    names = list(runs)
    print("| subset | " + " | ".join(f"{n}: P / R / F1" for n in names) + " |")
    print("|---|" + "---|" * len(names))
    for subset in scores[names[0]]:
        print(f"| {subset} | " + " | ".join(_fmt(scores[n][subset]).replace(" | ", " / ") for n in names) + " |")
    print()
    print(f"redundancy report ({names[0]}):")
    print(runs[names[0]][0].report.to_string(index=False))


if __name__ == "__main__":
    main()
