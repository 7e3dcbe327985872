"""The service directory's pages at Padova scale: the search page and the desk, through the whole web stack.

Copies the demo database (``var/welfare.duckdb``, built by ``welfare demo``) to a temporary folder, imports
the synthetic catalogue extract into the copy if it has none, builds the family profiles if missing, signs in
an operator with a city-wide grant through the real login form (in-process HTTP client, demo mode), then
times many requests of:
- GET /services without filters (map of every location, first page, referral figures);
- GET /services with random filters (need, words, quartiere, page);
- GET /services/{id} (detail);
- GET /desk?family=... (territory check, audited read, matching, rule texts);
- POST /desk with a random anonymous profile (form parsing, matching);
and prints median and p95 in milliseconds, the machine's cores and the process's peak resident memory.

Run: python benchmarks/bench_directory_pages.py [--calls 200] [--database var/welfare.duckdb]
     [--catalogue var/synth/extracts/catalogo] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import peak_rss_mb, timed_calls  # noqa: E402  (the benchmarks folder, added above)

PASSWORD = "benchmark password, long enough"


def main() -> None:
    """Run the measurements and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--database", type=Path, default=ROOT / "var" / "welfare.duckdb")
    parser.add_argument("--catalogue", type=Path, default=ROOT / "var" / "synth" / "extracts" / "catalogo")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not args.database.is_file():
        raise SystemExit(f"{args.database} not found: build the demo first (welfare demo)")

    import sqlalchemy as sa
    from fastapi.testclient import TestClient

    from welfare_district.access.users import access_tables, add_user, ensure_tables
    from welfare_district.directory.index import get_index
    from welfare_district.directory.profile import build_family_profiles
    from welfare_district.directory.store import current_version
    from welfare_district.directory.taxonomy import NEEDS
    from welfare_district.directory.transfer import import_catalogue
    from welfare_district.engine import connect
    from welfare_district.privacy.pseudonym import Pseudonymiser, load_keyring
    from welfare_district.settings import get_settings
    from welfare_district.web.app import create_app
    from welfare_district.web.auth_audit import pseudonymiser_of
    from welfare_district.web.pages.families_data import family_ref

    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "welfare.duckdb"
        shutil.copyfile(args.database, copy)
        db = connect(f"duckdb:///{copy}")
        if current_version(db) == 0:
            import_catalogue(db, args.catalogue, "catalogo")
        if not sa.inspect(db.engine).has_table("directory_family_profile"):
            build_family_profiles(db)
        settings = get_settings(database_url=f"duckdb:///{copy}", demo=True, language="it",
                                secret_key="benchmark secret key of the directory pages, 48+",
                                pseudonym_key="benchmark-pseudonym-key-0123456789abcdef")
        ensure_tables(db.engine)
        user_id = add_user(db.engine, "bench.operator", PASSWORD, "operator",
                           Pseudonymiser(load_keyring(settings)))
        with db.engine.begin() as conn:
            city = conn.execute(sa.text("SELECT area_id FROM area WHERE level = 'city'")).scalar_one()
            conn.execute(access_tables().grant.insert().values(user_id=user_id, kind="city", target=city,
                                                               granted_at=datetime.now(UTC)))
            year = conn.execute(sa.text("SELECT MAX(snapshot_year) FROM wh_family")).scalar_one()
            family_ids = [int(x) for x in conn.execute(sa.text(
                "SELECT family_id FROM directory_family_profile WHERE snapshot_year = :y"), {"y": year}).scalars()]
            quartieri = [str(x) for x in conn.execute(sa.text(
                "SELECT area_id FROM area WHERE level = 'quartiere'")).scalars()]
        index = get_index(db)
        services = sorted(index.services)
        needs, words = list(NEEDS), ["anziani", "casa", "lavoro", "sportello", "minori", "ascolto", "donne"]
        app = create_app(settings, database=db)
        with TestClient(app) as client:
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
            signed = client.post("/login", data={"username": "bench.operator", "password": PASSWORD,
                                                 "csrf_token": token}, follow_redirects=False)
            assert signed.status_code == 303, signed.text
            pseudonymiser = pseudonymiser_of(app.state)
            refs = [family_ref(pseudonymiser, f) for f in rng.sample(family_ids, min(2000, len(family_ids)))]
            desk_token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/desk").text).group(1)  # type: ignore[union-attr]

            def get(url: str, **params: object) -> object:
                answer = client.get(url, params=params)
                assert answer.status_code == 200, (url, answer.status_code)
                return answer

            def filtered(i: int) -> object:
                params = {"need": rng.choice(["", *needs]), "text": rng.choice(["", "", *words]),
                          "area": rng.choice(["", "", *quartieri])}
                return get("/services", **{k: v for k, v in params.items() if v})

            def anonymous(i: int) -> object:
                form = {"csrf_token": desk_token, "ages": ", ".join(str(rng.randint(0, 95))
                                                                   for _ in range(rng.randint(1, 5))),
                        "isee": str(rng.randint(0, 40_000)), f"need_{rng.choice(needs)}": "1",
                        "lat": f"{45.38 + rng.random() * 0.06:.5f}", "lon": f"{11.83 + rng.random() * 0.08:.5f}"}
                answer = client.post("/desk", data=form)
                assert answer.status_code == 200, answer.text[:300]
                return answer

            timings = [
                ("GET /services (all, map, figures)", timed_calls(lambda i: get("/services"), args.calls)),
                ("GET /services with filters", timed_calls(filtered, args.calls)),
                ("GET /services/{id}",
                 timed_calls(lambda i: get(f"/services/{services[i % len(services)]}"), args.calls)),
                ("GET /desk?family= (audited match)", timed_calls(lambda i: get("/desk", family=refs[i % len(refs)]),
                                                             args.calls)),
                ("POST /desk anonymous profile", timed_calls(anonymous, args.calls)),
            ]
        db.close()
    peak_mb = peak_rss_mb()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"Directory pages benchmark: {len(index.services)} services, {len(family_ids):,} families, "
          f"{args.calls} requests each, {cores} cores, peak RSS {peak_mb:.0f} MB")
    print(f"  {'request':<40} {'median ms':>10} {'p95 ms':>10}")
    for label, (median, p95) in timings:
        print(f"  {label:<40} {median:>10.2f} {p95:>10.2f}")


if __name__ == "__main__":
    main()
