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
import sys
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import load_average, median_seconds, paired_medians, peak_mb, stored_padova

if TYPE_CHECKING:
    import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=20231231)
    parser.add_argument("--year", type=int, default=2023)
    args = parser.parse_args()

    from welfare_district.indicators.store import read_values
    from welfare_district.privacy.cache import ProtectedTables
    from welfare_district.privacy.disclosure import DisclosurePolicy, library_themes, protect

    policy = DisclosurePolicy(themes=library_themes())
    key = b"benchmark rounding key, not a secret".ljust(32, b".")
    indicator = "ivsm_care_hardship"
    with stored_padova(args.seed, args.year) as (db, values, parents):
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
            def protect_frame(f: pd.DataFrame = frame) -> pd.DataFrame:
                return protect(f, parents, policy, key)

            def protect_cached(f: pd.DataFrame = frame) -> pd.DataFrame:
                return tables.protect(f, parents)

            t_read, t_protect = paired_medians([read, protect_frame], args.repeat)
            memory = peak_mb(protect_frame)
            out = protect(frame, parents, policy, key)
            results.append((label, len(frame), t_read, t_protect, memory, int(out["suppressed"].sum())))
            # what a route pays per request once the table version is cached: the look-up of a read frame
            t_cached = median_seconds(protect_cached, args.repeat)
            results.append(("  same, cached per table version", len(frame), t_read, t_cached,
                            float("nan"), int(out["suppressed"].sum())))

    print(f"Disclosure control at Padova scale: {len(values):,} rows, {values['area_id'].nunique():,} areas, "
          f"seed {args.seed}, median of {args.repeat} runs, {os.cpu_count()} cores, "
          f"load average {load_average():.1f}")
    print(f"{'frame':45} {'rows':>7} {'read ms':>9} {'protect ms':>11} {'overhead':>9} {'peak MB':>8} "
          f"{'suppressed':>10}")
    for label, rows, t_read, t_protect, memory, hidden in results:
        print(f"{label:45} {rows:>7,} {t_read * 1e3:>9.1f} {t_protect * 1e3:>11.1f} "
              f"{t_protect / t_read:>8.0%} {memory:>8.1f} {hidden:>10,}")


if __name__ == "__main__":
    main()
