"""Cost of sign-in and of the per-request session check, on DuckDB, in process (TestClient).

Prints the median and p95 of: GET /api/v1/indicators for the public (no cookie: no database work added) and
for a signed-in account (one session lookup and one account read per request), and a full sign-in (form
token, Argon2id check, session write, audit row). Usage: .venv/bin/python benchmarks/bench_auth.py [N]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient


def _times(call: Callable[[], object], n: int) -> tuple[float, float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def main(n: int = 300) -> None:
    """Run the three measurements and print them."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.web.auth_helpers import AUTH_SETTINGS, PASSWORD, csrf_from, make_user
    from welfare_district.engine import connect
    from welfare_district.geo.hierarchy import build_synthetic_hierarchy
    from welfare_district.geo.store import save_areas
    from welfare_district.settings import get_settings
    from welfare_district.web.app import create_app

    with tempfile.TemporaryDirectory() as tmp, connect(f"duckdb:///{tmp}/bench.duckdb") as db:
        save_areas(db, build_synthetic_hierarchy(seed=0))
        make_user(db, "bench.analyst", "analyst", (("city", "c"),))
        app = create_app(get_settings(database_url=db.url, **AUTH_SETTINGS), database=db)
        with TestClient(app) as public, TestClient(app) as signed:
            def sign_in() -> None:
                signed.cookies.clear()
                token = csrf_from(signed.get("/login").text)
                response = signed.post("/login", data={"username": "bench.analyst", "password": PASSWORD,
                                                       "csrf_token": token}, follow_redirects=False)
                assert response.status_code == 303

            login = _times(sign_in, max(5, n // 20))
            for client in (public, signed):
                assert client.get("/api/v1/indicators").status_code == 200  # warm the read cache
            anonymous = _times(lambda: public.get("/api/v1/indicators"), n)
            with_session = _times(lambda: signed.get("/api/v1/indicators"), n)
    print(f"GET /api/v1/indicators, public:      median {anonymous[0]:.2f} ms, p95 {anonymous[1]:.2f} ms")
    print(f"GET /api/v1/indicators, signed in:   median {with_session[0]:.2f} ms, p95 {with_session[1]:.2f} ms")
    print(f"sign-in (GET form + POST, argon2id): median {login[0]:.1f} ms, p95 {login[1]:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
