"""Time every indicator x every area level x every snapshot year at Padova scale on DuckDB, and compare the
generated queries with a hand-written DuckDB SQL query computing the IVSM components on the same tables.

Usage: python benchmarks/bench_indicators.py --synth var/synth [--runs 3] [--database-url URL]
Builds the warehouse from the dataset's truth (DuckDB in a temporary file by default), prints a table of
median seconds and peak memory, the hand-written/generated ratio, and a validation of the city-level IVSM
components against the 2011 values of the Province of Padova (docs: /work/shared/design/INDICATORS.md).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from welfare_district.engine import Database, connect
from welfare_district.geo.folder import read_area_folder
from welfare_district.geo.store import save_areas
from welfare_district.indicators.composite import UnitReference, ampi, wide
from welfare_district.indicators.compute import compute_values, snapshot_years
from welfare_district.indicators.library import IVSM_COMPONENTS, default_library
from welfare_district.indicators.store import compute_and_store
from welfare_district.synth.truth_warehouse import build_truth_warehouse

# ISTAT 2011, Province of Padova, percent (INDICATORS.md): V5, V6, V7, V8, V9.
PROVINCE_2011 = {"ivsm_large_families": 1.7, "ivsm_economic_hardship": 1.0, "ivsm_overcrowding": 0.6,
                 "ivsm_young_outside": 6.7, "ivsm_care_hardship": 2.7}

_SETS = "GROUP BY GROUPING SETS ((y, section_id), (y, zone_id), (y, quartiere_id), (y))"
_LEVEL = ("CASE WHEN grouping(section_id) = 0 THEN 'section' WHEN grouping(zone_id) = 0 THEN 'zone' "
          "WHEN grouping(quartiere_id) = 0 THEN 'quartiere' ELSE 'city' END AS level, "
          "coalesce(section_id, zone_id, quartiere_id, '028060') AS area_id, y")
HAND_SQL = [
    f"""WITH fam AS (
      SELECT snapshot_year AS y, family_id, count(*) AS members,
             sum(CASE WHEN relation = 'child' THEN 1 ELSE 0 END) AS children,
             sum(CASE WHEN relation IN ('spouse', 'partner') THEN 1 ELSE 0 END) AS couples,
             min(age) AS min_age, max(age) AS max_age, max(CASE WHEN relation = 'head' THEN age END) AS head_age,
             sum(CASE WHEN labour_status IN ('employed', 'retired') THEN 1 ELSE 0 END) AS working
      FROM wh_person GROUP BY 1, 2)
    SELECT {_LEVEL}, count(*) AS families,
           sum(CASE WHEN size >= 6 THEN 1 ELSE 0 END) AS large,
           sum(CASE WHEN children >= 1 AND couples = 0 AND head_age <= 64 THEN 1 ELSE 0 END) AS single_parent,
           sum(CASE WHEN members >= 2 AND min_age >= 65 AND max_age >= 80 THEN 1 ELSE 0 END) AS care,
           sum(CASE WHEN children >= 1 AND head_age <= 64 AND working = 0 THEN 1 ELSE 0 END) AS economic
    FROM (SELECT f.snapshot_year AS y, f.section_id, f.zone_id, f.quartiere_id, f.size, fam.*
          FROM wh_family f LEFT JOIN fam ON fam.y = f.snapshot_year AND fam.family_id = f.family_id) {_SETS}""",
    f"""SELECT {_LEVEL},
           sum(CASE WHEN age BETWEEN 25 AND 64 THEN 1 ELSE 0 END) AS adults,
           sum(CASE WHEN age BETWEEN 25 AND 64 AND education IN ('none_illiterate', 'none_literate')
                    THEN 1 ELSE 0 END) AS low_education,
           sum(CASE WHEN age BETWEEN 15 AND 29 THEN 1 ELSE 0 END) AS young,
           sum(CASE WHEN age BETWEEN 15 AND 29 AND labour_status IN ('retired', 'other_inactive')
                    THEN 1 ELSE 0 END) AS young_outside
    FROM (SELECT snapshot_year AS y, * FROM wh_person) {_SETS}""",
    f"""SELECT {_LEVEL},
           sum(CASE WHEN occupants > 0 AND surface_m2 IS NOT NULL THEN occupants ELSE 0 END) AS residents,
           sum(CASE WHEN (surface_m2 < 40 AND occupants > 4) OR (surface_m2 BETWEEN 40 AND 59 AND occupants > 5)
                      OR (surface_m2 BETWEEN 60 AND 79 AND occupants > 6) THEN occupants ELSE 0 END) AS crowded
    FROM (SELECT snapshot_year AS y, * FROM wh_dwelling) {_SETS}""",
]


def _median(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _hand(db: Database) -> list[pd.DataFrame]:
    raw = db.ibis.con  # the DuckDB connection under Ibis
    return [raw.execute(sql).df() for sql in HAND_SQL]


def _check_hand(hand: list[pd.DataFrame], generated: pd.DataFrame) -> float:
    """Largest difference between the hand-written and generated IVSM counts (should be 0)."""
    pairs = {"ivsm_large_families": (0, "large", "families"), "ivsm_care_hardship": (0, "care", "families"),
             "ivsm_economic_hardship": (0, "economic", "families"),
             "ivsm_single_parent": (0, "single_parent", "families"),
             "ivsm_low_education": (1, "low_education", "adults"),
             "ivsm_young_outside": (1, "young_outside", "young"), "ivsm_overcrowding": (2, "crowded", "residents")}
    worst = 0.0
    keyed = generated.set_index(["indicator_id", "level", "area_id", "year"])
    for ind_id, (i, num, den) in pairs.items():
        frame = hand[i].rename(columns={"y": "year"}).assign(indicator_id=ind_id)
        frame = frame.set_index(["indicator_id", "level", "area_id", "year"])
        both = frame.join(keyed[["numerator", "denominator"]], how="inner")
        worst = max(worst, float((both[num] - both["numerator"]).abs().max()),
                    float((both[den] - both["denominator"]).abs().max()))
    return worst


def _validate(values: pd.DataFrame) -> None:
    years = sorted(values["year"].unique())
    cities = values[values["level"] == "city"]
    # At Veneto scale every virtual district is a city of its own: validate the first one.
    cities = cities[cities["area_id"] == cities["area_id"].min()]
    city = cities.pivot(index="indicator_id", columns="year", values="value")
    print("\nCity-level IVSM components (percent) vs Province of Padova 2011 (ISTAT):")
    print(f"{'indicator':28s} {'2011 prov.':>10s} " + " ".join(f"{y:>6d}" for y in years))
    for ind_id in IVSM_COMPONENTS:
        ref = PROVINCE_2011.get(ind_id)
        row = " ".join(f"{city.loc[ind_id, y]:6.2f}" for y in years)
        shown = f"{ref:.1f}" if ref else "-"
        print(f"{ind_id:28s} {shown:>10s} {row}")
    last = years[-1]
    zones = values[(values["level"] == "zone") & (values["year"] == last)]
    print(f"\nZones in {last}: highest rate vs the city, zones at 2x the city rate or more")
    for ind_id in IVSM_COMPONENTS:
        z = zones[zones["indicator_id"] == ind_id]
        rate = city.loc[ind_id, last]
        print(f"{ind_id:28s} city {rate:5.2f}  max {z['value'].max():6.2f} ({z['value'].max() / rate:4.1f}x)  "
              f">=2x: {int((z['value'] >= 2 * rate).sum())} of {len(z)}")
    table = wide(values, list(IVSM_COMPONENTS), "zone")
    city_rows = wide(values, list(IVSM_COMPONENTS), "city")
    data = pd.concat([table, city_rows])
    result = ampi(data, dict.fromkeys(IVSM_COMPONENTS, 1), UnitReference((city_rows.index[0][0], years[0])))
    scores = result.scores.loc[table.index]
    print(f"\nIVSM (AMPI) of the zones, city {years[0]} = 100: classes in {last}:")
    print(scores.xs(last, level="year")["class"].value_counts().to_string())


def _build(dataset: Path, url: str, out: Any) -> None:
    started = time.perf_counter()
    with connect(url) as db:
        counts = build_truth_warehouse(dataset, db)
        # Indicators read sections, not house numbers: the civico register is not needed here.
        areaset, _civici = read_area_folder(dataset / "areas")
        save_areas(db, areaset)
    out.put((counts, time.perf_counter() - started, _peak_mb(), len(areaset.areas)))


def _reuse(url: str) -> tuple[dict[str, int], float, float, int]:
    # A kept warehouse: count what is there instead of building it (build time and memory not measured).
    with connect(url) as db, db.engine.connect() as conn:
        counts = {t: int(conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one())
                  for t in ("wh_person", "wh_family", "wh_dwelling", "wh_isee", "wh_case")}
        areas = int(conn.execute(sa.text("SELECT count(*) FROM area")).scalar_one())
    return counts, float("nan"), float("nan"), areas


def main() -> None:
    """Build the truth warehouse, time the generated and hand-written queries, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synth", type=Path, required=True, help="dataset folder written by `welfare synth`")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", type=Path, default=None,
                        help="DuckDB file holding the truth warehouse: built when absent, reused when present")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"duckdb:///{args.keep or Path(tmp) / 'bench.duckdb'}"
        if args.keep is not None and args.keep.exists():
            counts, build_s, build_mb, n_areas = _reuse(url)
        else:
            # Built in a child process so the peak memory below is the computation's own.
            ctx = multiprocessing.get_context("spawn")
            queue = ctx.Queue()
            child = ctx.Process(target=_build, args=(args.synth, url, queue))
            child.start()
            counts, build_s, build_mb, n_areas = queue.get()
            child.join()
        with connect(url) as db:
            years = sorted(snapshot_years(db))
            lib = list(default_library().values())
            ivsm = [i for i in lib if i.id in IVSM_COMPONENTS]
            all_s, values = _median(lambda: compute_values(db, lib, years), args.runs)
            all_mb = _peak_mb()
            gen_s, generated = _median(lambda: compute_values(db, ivsm, years), args.runs)
            hand_s, hand = _median(lambda: _hand(db), args.runs) if db.dialect.is_duckdb else (float("nan"), [])
            store_s, stored = _median(lambda: compute_and_store(db, lib, years), 1)
            threads = db.ibis.con.execute("SELECT current_setting('threads')").fetchone()[0] \
                if db.dialect.is_duckdb else "-"
            worst = _check_hand(hand, generated) if hand else float("nan")
    print(f"\nIndicators on the synthetic Padova ({counts['wh_person']:,} person-years, "
          f"{counts['wh_family']:,} family-years, {len(years)} years, {n_areas} areas), "
          f"{db.dialect.name}, cores {os.cpu_count()}, DuckDB threads {threads}, median of {args.runs} runs")
    rows = [("build truth warehouse + areas (once, child)", build_s, build_mb, f"{sum(counts.values()):,} rows"),
            ("all indicators x all levels x all years", all_s, all_mb, f"{len(lib)} indicators, "
                                                                       f"{len(values):,} values"),
            ("IVSM components, generated (Ibis)", gen_s, _peak_mb(), f"{len(generated):,} values"),
            ("IVSM components, hand-written SQL", hand_s, _peak_mb(), "3 GROUPING SETS queries"),
            ("compute and store all (1 run)", store_s, _peak_mb(), f"{stored.rows:,} rows")]
    print(f"{'step':42s} {'seconds':>8s} {'peak RSS MB':>12s}  note")
    for name, secs, mb, note in rows:
        print(f"{name:42s} {secs:8.2f} {mb:12.0f}  {note}")
    print(f"generated / hand-written: {gen_s / hand_s:.2f}x (target <= 1.5x); all indicators target <= 15 s; "
          f"largest count difference hand vs generated: {worst:g}")
    _validate(values)


if __name__ == "__main__":
    main()
