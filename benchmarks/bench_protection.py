"""What disclosure control adds to the public API calls it wraps, at Padova scale.

Stores the synthetic Padova (hierarchy with geometries, 29 indicators of one year at every level, from
``_timing.padova_values``) in a temporary DuckDB file, serves it with the web app in-process and
times, as medians of --repeat runs in alternation (so a burst of load on a shared machine slows both alike):
- /api/v1/values and /api/v1/map at section level, for the public (protected figures) and for an analyst
  (exact figures, the unprotected call), signed in through a dependency override;
- cold: the app's read cache and protected tables emptied before every call (the first request after
  ``welfare indicators compute``); warm: the same call again (the answer cached per data stamp and mode).
It prints the overhead of protection, the machine's cores, the load average and the peak Python memory
(tracemalloc) of one cold call of each kind.

Run: python benchmarks/bench_protection.py [--repeat 9] [--indicator ivsm_care_hardship] [--seed 20231231]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import load_average, paired_medians, peak_mb, stored_padova

BENCH_KEY = "benchmark-pseudonym-key-not-a-secret-0123456789"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--seed", type=int, default=20231231)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--indicator", default="ivsm_care_hardship")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from welfare_district.access.policy import Grant, Principal
    from welfare_district.settings import get_settings
    from welfare_district.web.app import create_app
    from welfare_district.web.deps import get_principal

    analyst = Principal("bench-analyst", "analyst", grants=frozenset({Grant("city", "city")}))
    with stored_padova(args.seed, args.year, with_areas=True) as (db, values, _):
        public_app = create_app(get_settings(database_url=db.url, pseudonym_key=BENCH_KEY), database=db)
        exact_app = create_app(get_settings(database_url=db.url, pseudonym_key=BENCH_KEY), database=db)
        exact_app.dependency_overrides[get_principal] = lambda: analyst
        with TestClient(public_app) as public, TestClient(exact_app) as exact:
            rows = _measure(public, exact, args)

    load = load_average()
    print(f"Protection overhead of the public API at Padova scale: {len(values):,} stored rows, "
          f"{values['area_id'].nunique():,} areas, indicator {args.indicator}, year {args.year}, "
          f"median of {args.repeat} runs, {os.cpu_count()} cores, load average {load:.1f}")
    print(f"{'call':34} {'exact ms':>9} {'protected ms':>13} {'overhead':>9} {'peak MB exact':>14} "
          f"{'peak MB prot.':>14}")
    for label, t_exact, t_protected, m_exact, m_protected in rows:
        m_e = f"{m_exact:.1f}" if m_exact == m_exact else "-"
        m_p = f"{m_protected:.1f}" if m_protected == m_protected else "-"
        print(f"{label:34} {t_exact * 1e3:>9.1f} {t_protected * 1e3:>13.1f} {t_protected / t_exact - 1:>+9.0%} "
              f"{m_e:>14} {m_p:>14}")


def _measure(public: Any, exact: Any, args: argparse.Namespace) -> list[tuple[str, float, float, float, float]]:
    calls = [("values", "/api/v1/values"), ("map", "/api/v1/map")]
    params = {"indicator": args.indicator, "level": "section", "year": args.year}
    # the two apps must serve what they stand for, or the comparison means nothing
    sample = {"indicator": args.indicator, "level": "quartiere", "year": args.year}
    assert all(v["protection"] is None for v in exact.get(calls[0][1], params=sample).json()["values"])
    assert all(v["protection"] for v in public.get(calls[0][1], params=sample).json()["values"])
    results = []
    for name, url in calls:
        def get(client: Any, cold: bool, url: str = url) -> None:
            if cold:
                client.app.state.read_cache.clear()
                client.app.state.protected_tables = _fresh(client.app.state.protected_tables)
            response = client.get(url, params=params, headers={"Accept-Encoding": "identity"})
            assert response.status_code == 200, response.text

        for kind, cold in (("cold", True), ("warm", False)):
            def get_exact(c: bool = cold) -> None:
                get(exact, c)

            def get_public(c: bool = cold) -> None:
                get(public, c)

            t_exact, t_protected = paired_medians([get_exact, get_public], args.repeat)
            m_exact = peak_mb(lambda: get(exact, True)) if cold else float("nan")
            m_protected = peak_mb(lambda: get(public, True)) if cold else float("nan")
            results.append((f"{name} section ({kind})", t_exact, t_protected, m_exact, m_protected))
            if cold:  # leave both warm for the warm rows
                get(exact, False)
                get(public, False)
    return results


def _fresh(tables: Any) -> Any:
    from welfare_district.privacy.cache import ProtectedTables

    return ProtectedTables(tables.policy, tables._key)


if __name__ == "__main__":
    main()
