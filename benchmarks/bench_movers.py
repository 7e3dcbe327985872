"""Time the join of residents registered in two comuni, on a merged regional database, with N made-up movers.

Usage: python benchmarks/bench_movers.py --database DIR/region.duckdb [--movers 100000] [--runs 3]
                                         [--memory-limit 6GB]
The database is one a regional run left (e.g. ``bench_region.py --keep DIR``). The synthetic districts
share nobody, so each run first makes N movers inside a transaction: N residents of the first comune leave
after 2021 and N codes of the second comune's register become theirs from 2022. Then it times
``join_movers`` (the step the merge runs) and rolls everything back, so the database is left as it was.
Prints the median of the runs, the core count and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from pathlib import Path

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from welfare_district.engine import connect
from welfare_district.regional_link import MoverReport, join_movers


def _one_run(url: str, movers: int) -> tuple[float, float, MoverReport]:
    with connect(url) as db, db.engine.connect() as conn:
        tx = conn.begin()
        try:
            comuni = [r[0] for r in conn.execute(sa.text(
                "SELECT DISTINCT split_part(file_name, '/', 1) FROM person_link WHERE source = 'anagrafe' "
                "ORDER BY 1 LIMIT 2"))]
            picks = []
            for comune, since in zip(comuni, ("c.first_year <= 2021", "TRUE"), strict=True):
                # the leavers were registered by 2021, so their years end before the arrivals' begin
                picks.append(
                    f"SELECT c.codice_fiscale, c.person_id, row_number() OVER (ORDER BY c.person_id) AS k "
                    f"FROM link_register_code c WHERE {since} AND c.person_id IN (SELECT person_id FROM "
                    f"person_link WHERE source = 'anagrafe' AND file_name LIKE '{comune}/%') "
                    f"ORDER BY c.person_id LIMIT {movers}")
            conn.execute(sa.text(
                f"CREATE TEMPORARY TABLE bench_moved AS SELECT a.codice_fiscale AS code, a.person_id AS left_id, "
                f"b.person_id AS arrived_id FROM ({picks[0]}) a JOIN ({picks[1]}) b USING (k)"))
            conn.execute(sa.text("UPDATE link_register_code SET last_year = 2021 "
                                 "WHERE person_id IN (SELECT left_id FROM bench_moved)"))
            conn.execute(sa.text("UPDATE link_register_code SET codice_fiscale = m.code, first_year = 2022 "
                                 "FROM bench_moved m WHERE link_register_code.person_id = m.arrived_id"))
            cpu, wall = time.process_time(), time.perf_counter()
            report = join_movers(conn, db)
            return time.perf_counter() - wall, time.process_time() - cpu, report
        finally:
            tx.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", type=Path, required=True, help="a merged regional DuckDB file")
    parser.add_argument("--movers", type=int, default=100_000, help="made-up movers per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--memory-limit", default="6GB", help="DuckDB memory_limit")
    args = parser.parse_args()
    url = f"duckdb:///{args.database}?memory_limit={args.memory_limit}"
    runs = [_one_run(url, args.movers) for _ in range(args.runs)]
    table = Table(title=f"join_movers on {args.database.name}, {args.movers:,} made-up movers ({args.runs} runs)")
    for column in ("figure", "value"):
        table.add_column(column)
    report = runs[-1][2]
    table.add_row("codes joined / ids replaced / codes left apart",
                  f"{report.codes_joined:,} / {report.ids_replaced:,} / {report.codes_apart:,}")
    table.add_row("wall seconds, median", f"{statistics.median(r[0] for r in runs):.1f}")
    table.add_row("CPU seconds of this process, median", f"{statistics.median(r[1] for r in runs):.1f}")
    table.add_row("peak resident memory", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    table.add_row("cores", f"{os.cpu_count()}")
    Console(width=140).print(table)


if __name__ == "__main__":
    main()
