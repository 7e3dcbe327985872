"""Time to a drawn map page in headless Chromium, per area level, on a Padova-scale database.

The database (default: a copy of var/welfare.duckdb, which is never opened itself) is served by uvicorn on
loopback; for each level the map page is opened ``--runs`` times in a fresh browser context (empty cache:
the page with its SVG map, the stylesheets and the map's script are downloaded every time), then ``--runs``
times more in one context (browser cache warm). The time is navigation start to the performance mark
"map-rendered", which the page's script sets once the server-drawn SVG map is laid out and painted. One
untimed visit per level first warms the server's read cache, as a running server would be. The table also
gives the bytes of the map's <svg> element per level (coordinates in tenths of a view unit).

Run: python benchmarks/bench_map_page.py [--database FILE] [--runs N] [--levels quartiere zone section]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import serve_app  # noqa: E402  (the benchmarks folder, added above)

DEFAULT_DATABASE = ROOT / "var" / "welfare.duckdb"
CHROMIUM = os.environ.get("WELFARE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
TARGET_MS = 2000.0
# Sums what the page downloaded (uncompressed bodies: the server does not compress) from the Performance API.
# Also how long the browser spent between having every script and running the page's code (script compile
# and start-up, the part of a cold visit the server cannot shorten).
_PAGE_BYTES = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  const scripts = res.filter(r => r.initiatorType === 'script').map(r => r.responseEnd);
  const ready = Math.max(nav.responseEnd, ...scripts);
  return [nav.encodedBodySize + res.reduce((s, r) => s + r.encodedBodySize, 0), res.length + 1,
          nav.domContentLoadedEventStart - ready];
}"""


@contextmanager
def serve(url: str) -> Iterator[str]:
    """The app over ``url`` served by uvicorn in a thread on a free loopback port, its warm-up finished."""
    from welfare_district.settings import get_settings
    from welfare_district.web.app import create_app

    app = create_app(get_settings(database_url=url, language="it", demo=True))
    with serve_app(app) as base:
        # A server started on its own database fills its read caches in a background thread; the visits are
        # timed once that is over, as on a server that has been running, not against it for the CPU.
        warmup = getattr(app.state, "warmup", None)
        if warmup is not None and not warmup.wait(timeout=900):
            raise SystemExit("the server's cache warm-up did not finish within 15 minutes")
        yield base


def _visit(page: Any, url: str) -> tuple[float, int, int, float, int]:
    page.goto(url)
    page.wait_for_selector("#map[data-rendered='true']", timeout=60_000)
    ms = float(page.evaluate("performance.getEntriesByName('map-rendered')[0].startTime"))
    size, requests, startup = page.evaluate(_PAGE_BYTES)
    svg = int(page.evaluate("new Blob([document.getElementById('map-svg').outerHTML]).size"))
    return ms, int(size), int(requests), float(startup), svg


def measure(base: str, levels: list[str], runs: int, indicator: str | None) -> list[dict[str, Any]]:
    """Per level: cold-cache and warm-cache times (ms), page weight, request count and SVG bytes of a cold
    visit."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for level in levels:
                url = f"{base}/?level={level}" + (f"&indicator={indicator}" if indicator else "")
                warmup = browser.new_context(viewport={"width": 1280, "height": 900})
                _visit(warmup.new_page(), url)
                warmup.close()
                cold, startup, weight, requests, svg = [], [], 0, 0, 0
                for _ in range(runs):
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    ms, weight, requests, script_ms, svg = _visit(context.new_page(), url)
                    cold.append(ms)
                    startup.append(script_ms)
                    context.close()
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                _visit(page, url)
                warm = [_visit(page, url)[0] for _ in range(runs)]
                context.close()
                rows.append({"level": level, "cold": cold, "warm": warm, "bytes": weight, "requests": requests,
                             "startup": startup, "svg": svg})
        finally:
            browser.close()
    return rows


def _peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Copy the database, serve it, time the map page per level, print a table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", type=Path, default=DEFAULT_DATABASE,
                        help="DuckDB file to copy and serve (default: var/welfare.duckdb)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--levels", nargs="+", default=["quartiere", "zone", "section"])
    parser.add_argument("--indicator", default=None, help="indicator id (default: the page's default, IVSM)")
    args = parser.parse_args()
    if not args.database.is_file():
        raise SystemExit(f"{args.database} not found: run `make demo` (or pass --database)")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "bench.duckdb"
        shutil.copyfile(args.database, copy)
        wal = args.database.with_name(args.database.name + ".wal")
        if wal.is_file():
            shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
        with serve(f"duckdb:///{copy}") as base:
            rows = measure(base, args.levels, args.runs, args.indicator)
    print(f"map page, navigation start to 'map-rendered'; {args.runs} runs per cache state; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; target {TARGET_MS:.0f} ms")
    print("cold: fresh browser profile; js start-up: scripts downloaded to DOMContentLoaded (cold, median)")
    print(f"{'level':<10} {'cold median':>12} {'cold max':>9} {'js start-up':>12} {'warm median':>12} "
          f"{'warm max':>9} {'page weight':>12} {'requests':>9} {'svg':>9}")
    for r in rows:
        print(f"{r['level']:<10} {statistics.median(r['cold']):>10.0f}ms {max(r['cold']):>7.0f}ms "
              f"{statistics.median(r['startup']):>10.0f}ms "
              f"{statistics.median(r['warm']):>10.0f}ms {max(r['warm']):>7.0f}ms "
              f"{r['bytes'] / 1e6:>9.2f} MB {r['requests']:>9} {r['svg'] / 1e3:>6.0f} kB")
    print(f"peak memory of this process (server and driver): {_peak_mib():.0f} MiB")
    worst = max(max(r["cold"]) for r in rows)
    verdict = "within" if worst <= TARGET_MS else "OVER"
    print(f"worst cold visit: {worst:.0f} ms ({verdict} the {TARGET_MS:.0f} ms target)")


if __name__ == "__main__":
    main()
