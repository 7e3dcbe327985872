"""Monitoring and impact reads of the register of actions at Padova scale.

Builds (or reuses, with --dataset) a synthetic Padova with its demo register of actions (4 calls, 30
projects), loads its truth warehouse and the indicators the comparisons need into a temporary DuckDB file,
imports the partner reports (beneficiaries linked to the truth by code and names: this measures the reads,
not the integration pipeline), then times, over --runs runs each, the reads the pages will make:
- call list (people reached counted once per call), project list (reach, coverage, spending),
- one project's page (reach by zone, services, timeline), overlap between projects,
- one project's impact estimates (area-level difference in differences and person-level comparison),
and prints, in seconds, the first call (cold: the warehouse reads monitoring caches per warehouse and
register version, see impact/cache.py; the reads run in the order listed, so later ones may find the cache
filled by earlier ones), the median and the slowest of the further runs, the import time, the machine's
cores and the process's peak resident memory.

Run: python benchmarks/bench_impact.py [--runs 5] [--dataset PATH] [--fraction 1.0] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _timed(fn: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """Seconds of a first (cold) call of fn, then median and maximum of ``runs`` further calls."""
    started = time.perf_counter()
    fn()
    cold = time.perf_counter() - started
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return cold, statistics.median(times), max(times)


def main() -> None:
    """Prepare the database, run the measurements and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dataset", type=Path, default=None)
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import pyarrow.parquet as pq

    from welfare_district.engine import connect
    from welfare_district.impact import monitoring, views
    from welfare_district.impact.importer import import_reports, report_files
    from welfare_district.impact.linkage import PersonIndex
    from welfare_district.indicators.library import IVSM_COMPONENTS, default_library
    from welfare_district.indicators.store import compute_and_store
    from welfare_district.pipeline import PipelineInput, stage_areas
    from welfare_district.privacy.disclosure import DisclosurePolicy
    from welfare_district.privacy.pseudonym import Keyring, Pseudonymiser
    from welfare_district.synth.generate import generate
    from welfare_district.synth.truth_warehouse import build_truth_warehouse

    with tempfile.TemporaryDirectory(prefix="bench-impact-") as tmp:
        dataset = args.dataset
        started = time.perf_counter()
        if dataset is None:
            dataset = Path(tmp) / "synth"
            generate(dataset, fraction=args.fraction, seed=args.seed)
        generated = time.perf_counter() - started
        with connect(f"duckdb:///{Path(tmp) / 'impact.duckdb'}") as db:
            started = time.perf_counter()
            stage_areas(db, PipelineInput(dataset))
            build_truth_warehouse(dataset, db)
            lib = default_library()
            compute_and_store(db, [lib[i] for i in sorted({*IVSM_COMPONENTS, "elderly_alone_65plus"})])
            prepared = time.perf_counter() - started
            persons = pq.read_table(dataset / "truth" / "persons.parquet").to_pandas()
            started = time.perf_counter()
            index = PersonIndex.from_frame(persons)
            results = import_reports(db, report_files(dataset / "extracts" / "impatto"), index=index,
                                     pseudonymiser=Pseudonymiser(Keyring({"bench": b"b" * 32}, "bench")))
            imported = time.perf_counter() - started
            reg = monitoring.read_register(db)
            project = str(reg.projects["project_id"].iloc[0])
            policy = DisclosurePolicy()
            reads: list[tuple[str, Callable[[], object]]] = [
                ("call list (GET /calls)", lambda: views.call_list(db, policy, False)),
                ("project list (GET /projects)", lambda: views.project_list(db, policy, False)),
                ("one project (GET /projects/{id})", lambda: views.project_detail(db, project, policy, False)),
                ("overlap between projects", lambda: monitoring.overlap(db)),
                ("impact of one project (GET .../impact)",
                 lambda: views.project_estimates(db, project, policy, False)),
            ]
            rows = [(name, *_timed(fn, args.runs)) for name, fn in reads]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"dataset: {dataset.name} (generated in {generated:.1f} s), warehouse and indicators {prepared:.1f} s, "
          f"{len(results)} report files imported in {imported:.1f} s, "
          f"{len(reg.projects)} projects, {len(reg.beneficiaries):,} beneficiary rows")
    print(f"{'read':44} {'cold s':>7} {'median s':>9} {'max s':>7}")
    for name, cold, median, worst in rows:
        print(f"{name:44} {cold:7.3f} {median:9.3f} {worst:7.3f}")
    print(f"runs: {args.runs} each; cores: {os.cpu_count()}; peak resident memory: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
