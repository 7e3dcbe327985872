"""Benchmark of the synthetic-population generator: wall time and peak memory per scale.

Each run happens in a fresh child process that generates into a temporary folder and reports its own
peak resident set size (resource.getrusage: the process itself, and separately its worker processes).
Prints a table with the median of the runs.

    python benchmarks/bench_synth.py --scale padova --runs 3 [--report]
    python benchmarks/bench_synth.py --scale veneto --runs 1
    python benchmarks/bench_synth.py --scale veneto --districts 4 --extracts --runs 1
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CHILD = """
import json, resource, sys, time
from welfare_district.synth.generate import generate
out, scale, first, last, seed, extracts, districts = sys.argv[1:8]
start = time.perf_counter()
result = generate(out, scale=scale, years=(int(first), int(last)), seed=int(seed), extracts=extracts == "1",
                  max_chunks=int(districts) or None)
wall = time.perf_counter() - start
kib = 1024
print(json.dumps({
    "wall_s": wall,
    "rss_self_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kib,
    "rss_workers_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kib,
    "rows": result.manifest["row_counts"],
}))
"""


def run_once(
    scale: str, years: tuple[int, int], seed: int, extracts: bool, report: bool = False, districts: int = 0
) -> dict[str, object]:
    """One generation in a child process; its measurements as a dict (and the calibration report)."""
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as tmp:
        out = Path(tmp) / "out"
        started = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                _CHILD,
                str(out),
                scale,
                str(years[0]),
                str(years[1]),
                str(seed),
                "1" if extracts else "0",
                str(districts),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"generation failed:\n{proc.stderr[-2000:]}")
        result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
        result["process_s"] = elapsed
        if report:
            from welfare_district.synth.calibration import format_report, read_truth

            result["report"] = format_report(read_truth(out / "truth"), out / "areas")
        return result


def main() -> None:
    """Parse arguments, run the benchmark, print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="padova", choices=["padova", "veneto"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--years", default="2019-2025")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--extracts", action="store_true", help="include the source extracts stage")
    parser.add_argument("--districts", type=int, default=0, help="veneto only: the first K districts (0: all)")
    parser.add_argument("--report", action="store_true", help="print the calibration report of the last run")
    args = parser.parse_args()
    first, last = (int(y) for y in args.years.split("-"))
    results = []
    for i in range(args.runs):
        r = run_once(args.scale, (first, last), args.seed, args.extracts, args.report and i == args.runs - 1,
                     args.districts)
        print(
            f"run {i + 1}/{args.runs}: {r['wall_s']:.1f} s, peak {r['rss_self_mib']:.0f} MiB "
            f"(+ workers {r['rss_workers_mib']:.0f} MiB)",
            file=sys.stderr,
        )
        results.append(r)
    rows = results[0]["rows"]
    assert isinstance(rows, dict)
    walls = [float(r["wall_s"]) for r in results]  # type: ignore[arg-type]
    rss = [float(r["rss_self_mib"]) for r in results]  # type: ignore[arg-type]
    workers = [float(r["rss_workers_mib"]) for r in results]  # type: ignore[arg-type]
    table = [
        ("scale", args.scale + (f", first {args.districts} districts" if args.districts else "")),
        ("years", args.years),
        ("extracts", "yes" if args.extracts else "no"),
        ("runs", str(args.runs)),
        ("wall time, median (s)", f"{statistics.median(walls):.1f}"),
        ("wall time, min-max (s)", f"{min(walls):.1f}-{max(walls):.1f}"),
        ("peak RSS main process, median (MiB)", f"{statistics.median(rss):.0f}"),
        ("peak RSS largest worker, median (MiB)", f"{statistics.median(workers):.0f}"),
        ("cores (os.cpu_count)", str(os.cpu_count())),
        ("load average (1 min) at the end", f"{os.getloadavg()[0]:.2f}"),
        ("persons", f"{rows['truth/persons.parquet']:,}"),
        ("person_year rows", f"{rows['truth/person_year.parquet']:,}"),
        ("family_year rows", f"{rows['truth/family_year.parquet']:,}"),
    ]
    width = max(len(k) for k, _ in table)
    print(f"{'metric':<{width}}  value")
    print(f"{'-' * width}  {'-' * 12}")
    for key, value in table:
        print(f"{key:<{width}}  {value}")
    if args.report:
        print()
        print(results[-1]["report"])


if __name__ == "__main__":
    main()
