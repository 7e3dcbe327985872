"""Search and matching over the whole service catalogue at Padova scale.

Copies the demo database (``var/welfare.duckdb``, built by ``welfare demo``) to a temporary folder, imports
the synthetic catalogue extract into the copy if it has none, builds the family profiles (timed: it is the
pipeline's directory stage cost), then times many calls of:
- search: the catalogue filters an API request uses (need, text, area, page), including the catalogue
  version check that runs before every search;
- the same through the REST API (in-process HTTP client, JSON encoding included);
- proximity: services within 2 km of a random point of the city;
- matching of an anonymous desk profile (random ages, ISEE, needs, point);
- matching of a family of the latest snapshot: its stored profile read by primary key, then matching;
and prints median and p95 in milliseconds, the machine's cores and the process's peak resident memory.

Run: python benchmarks/bench_directory.py [--calls 500] [--database var/welfare.duckdb]
     [--catalogue var/synth/extracts/catalogo] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import peak_rss_mb, timed_calls  # noqa: E402  (the benchmarks folder, added above)


def main() -> None:
    """Run the measurements and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--database", type=Path, default=ROOT / "var" / "welfare.duckdb")
    parser.add_argument("--catalogue", type=Path, default=ROOT / "var" / "synth" / "extracts" / "catalogo")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not args.database.is_file():
        raise SystemExit(f"{args.database} not found: build the demo first (welfare demo)")

    import sqlalchemy as sa
    from fastapi.testclient import TestClient

    from welfare_district.directory.eligibility import Profile
    from welfare_district.directory.index import get_index
    from welfare_district.directory.matching import match_services
    from welfare_district.directory.profile import build_family_profiles, family_profile
    from welfare_district.directory.search import find_services, near, paginate
    from welfare_district.directory.store import current_version
    from welfare_district.directory.taxonomy import NEEDS
    from welfare_district.directory.transfer import import_catalogue
    from welfare_district.engine import connect
    from welfare_district.settings import get_settings
    from welfare_district.web.app import create_app

    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "welfare.duckdb"
        shutil.copyfile(args.database, copy)
        db = connect(f"duckdb:///{copy}")
        rows: list[tuple[str, str]] = []
        if current_version(db) == 0:
            started = time.perf_counter()
            import_catalogue(db, args.catalogue, "catalogo")
            rows.append(("catalogue import (once)", f"{time.perf_counter() - started:.2f} s"))
        started = time.perf_counter()
        families = build_family_profiles(db)
        rows.append((f"family profiles, {families:,} families (once)", f"{time.perf_counter() - started:.2f} s"))
        started = time.perf_counter()
        index = get_index(db)
        rows.append((f"index of {len(index.services)} services (once per catalogue version)",
                     f"{(time.perf_counter() - started) * 1000:.0f} ms"))
        with db.engine.connect() as conn:
            family_ids = [int(x) for x in conn.execute(sa.text(
                "SELECT family_id FROM directory_family_profile")).scalars()]
            areas = [str(x) for x in conn.execute(sa.text(
                "SELECT area_id FROM area WHERE level IN ('quartiere', 'zone')")).scalars()]
        needs, words = list(NEEDS), ["anziani", "casa", "lavoro", "sportello", "minori", "ascolto", "donne"]
        points = [(45.38 + rng.random() * 0.06, 11.83 + rng.random() * 0.08) for _ in range(997)]
        filters = [{"taxonomy_term": rng.choice([None, *needs]), "query": rng.choice([None, None, *words]),
                    "area_id": rng.choice([None, None, *areas])} for _ in range(997)]

        def search(i: int) -> object:
            found = find_services(get_index(db), **filters[i % len(filters)])
            return paginate([s.document for s in found], 1, 20)

        def nearby(i: int) -> object:
            lat, lon = points[i % len(points)]
            return near(get_index(db), lat, lon, 2.0)

        def desk(i: int) -> object:
            lat, lon = points[i % len(points)]
            profile = Profile(ages=[rng.randint(0, 95) for _ in range(rng.randint(1, 5))],
                              isee_eur=rng.choice([None, rng.uniform(0, 40_000)]), citizenships=None,
                              needs=rng.sample(needs, 2), lat=lat, lon=lon)
            return match_services(get_index(db), profile)

        def family(i: int) -> object:
            found = family_profile(db, family_ids[rng.randrange(len(family_ids))])
            return match_services(get_index(db), found.profile)

        app = create_app(get_settings(database_url=f"duckdb:///{copy}"), database=db)
        with TestClient(app) as client:
            def api(i: int) -> object:
                params = {k if k != "query" else "text": v for k, v in filters[i % len(filters)].items()
                          if v is not None}
                params = {("taxonomy_term_id" if k == "taxonomy_term" else k): v for k, v in params.items()}
                answer = client.get("/api/v1/services", params=params)
                assert answer.status_code == 200, answer.text
                return answer

            timings = [("search (filters + page of 20)", timed_calls(search, args.calls)),
                       ("search through GET /api/v1/services", timed_calls(api, args.calls)),
                       ("proximity, 2 km", timed_calls(nearby, args.calls)),
                       ("matching, desk profile", timed_calls(desk, args.calls)),
                       ("matching, family (profile read + match)", timed_calls(family, args.calls))]
        db.close()
    peak_mb = peak_rss_mb()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"Directory benchmark: {args.calls} calls each, {cores} cores, peak RSS {peak_mb:.0f} MB")
    for label, value in rows:
        print(f"  {label:<58} {value}")
    print(f"  {'operation':<46} {'median ms':>10} {'p95 ms':>10}")
    for label, (median, p95) in timings:
        print(f"  {label:<46} {median:>10.2f} {p95:>10.2f}")


if __name__ == "__main__":
    main()
