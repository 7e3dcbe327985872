"""Run every benchmark at Padova scale and print their tables (`make bench`).

The synthetic Padova used by the benchmarks that read a dataset is built once into var/synth, and the demo
database var/welfare.duckdb (read by the web benchmarks through a copy) once by `welfare demo --no-serve`: the
same folder and file `welfare demo` uses. The Veneto-scale runs take minutes and are listed at the end to run
by hand.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "var" / "synth"
DATABASE = ROOT / "var" / "welfare.duckdb"

# (script, arguments): each script prints its own table with medians, peak memory and core count
RUNS: list[tuple[str, list[str]]] = [
    ("bench_synth.py", ["--scale", "padova", "--runs", "3", "--extracts"]),
    ("bench_areas.py", []),
    ("bench_web.py", []),
    ("bench_geocode.py", ["--synth", str(DATASET)]),
    ("bench_ingest.py", ["--synth", str(DATASET)]),
    ("bench_link.py", ["--synth", str(DATASET)]),
    ("bench_indicators.py", ["--synth", str(DATASET)]),
    ("bench_pipeline.py", ["--synth", str(DATASET)]),
    ("bench_api_load.py", []),
    ("bench_map_page.py", []),
    ("bench_disclosure.py", []),
    ("bench_protection.py", []),
    ("bench_auth.py", []),
    ("bench_directory.py", []),
    ("bench_directory_pages.py", []),
    ("bench_impact.py", []),
    ("bench_impact_pages.py", []),
    ("bench_first_requests.py", []),
]
BY_HAND = [
    "python benchmarks/bench_impact_recovery.py --seeds 1-10  # builds ten 20 % cities, about 1 minute each",
    "python benchmarks/bench_synth.py --scale veneto --runs 1",
    "welfare synth --scale veneto --no-extracts --seed 20231231 --out /tmp/veneto && "
    "python benchmarks/bench_indicators.py --synth /tmp/veneto --runs 1 --keep /tmp/veneto_wh.duckdb "
    "--database-url 'duckdb:////tmp/veneto_wh.duckdb?memory_limit=6GB'",
]


def main() -> int:
    """Run the benchmarks that exist; return non-zero if any of them failed."""
    if not (DATASET / "manifest.json").exists():
        subprocess.run([sys.executable, "-m", "welfare_district", "synth", "--out", str(DATASET),
                        "--seed", "20231231", "--overwrite"], check=True, cwd=ROOT)
    if not DATABASE.exists():
        subprocess.run([sys.executable, "-m", "welfare_district", "demo", "--no-serve"], check=True, cwd=ROOT)
    failed = []
    for script, args in RUNS:
        path = ROOT / "benchmarks" / script
        if not path.exists():
            continue
        print(f"\n== {script} {' '.join(args)}", flush=True)
        if subprocess.run([sys.executable, str(path), *args], cwd=ROOT).returncode != 0:
            failed.append(script)
    print("\nLonger runs, by hand:\n  " + "\n  ".join(BY_HAND))
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
