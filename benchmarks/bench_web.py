"""Latency of the web layer on a DuckDB file seeded with the synthetic Padova hierarchy.

Prints one row per endpoint: median and worst time of in-process requests (no network), response size.
Run: python benchmarks/bench_web.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from welfare_district.engine import connect
from welfare_district.geo.hierarchy import build_synthetic_hierarchy
from welfare_district.geo.store import save_areas
from welfare_district.settings import get_settings
from welfare_district.web.app import create_app

ENDPOINTS = [
    "/",
    "/?lang=en",
    "/api/v1/areas?level=city",
    "/api/v1/areas?level=quartiere",
    "/api/v1/areas?level=zone",
    "/api/v1/areas?level=section",
    "/api/v1/areas/Q1",
    "/api/v1/areas/Q1Z01",
    "/static/vendor/plotly.min.js",
]


def main() -> None:
    """Seed a temporary database, time each endpoint ``--repeat`` times, print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"duckdb:///{Path(tmp) / 'bench.duckdb'}"
        with connect(url) as db:
            save_areas(db, build_synthetic_hierarchy(seed=0))
        with TestClient(create_app(get_settings(database_url=url, demo=True))) as client:
            print(f"{'endpoint':<34} {'median ms':>10} {'max ms':>8} {'bytes':>10}")
            for path in ENDPOINTS:
                client.get(path)  # warm caches once, as a running server would be
                times, size = [], 0
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    response = client.get(path)
                    times.append((time.perf_counter() - start) * 1000)
                    size = len(response.content)
                    assert response.status_code == 200, (path, response.status_code)
                print(f"{path:<34} {statistics.median(times):>10.1f} {max(times):>8.1f} {size:>10,}")


if __name__ == "__main__":
    main()
