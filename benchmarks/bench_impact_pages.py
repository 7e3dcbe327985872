"""The register-of-actions pages at Padova scale: server time and full render in headless Chromium.

Copies the demo database (default var/welfare.duckdb, built by `welfare demo`; the original is never
opened) and measures, on the copy:

1. server time through the whole web stack (in-process HTTP client, demo mode): the first request of each
   page in a fresh app (every cache cold, in the order a visitor would open them), then the median and
   maximum of ``--runs`` warm requests. Pages: /impact (calls, projects and the actions map over the IVSM
   zones), /impact/projects/{id} (the project that reached most people), /api/v1/calls/{id} (the site has no
   HTML page per call: the API detail is what a call view reads) and /impact/reports (the upload form,
   signed in as a partner of that project); then POSTs of that project's activity report through the upload
   form: a changed report (loaded) and the same bytes again (unchanged);
2. full render in headless Chromium against uvicorn on loopback: navigation start to the performance mark
   "charts-drawn", which an init script sets once every figure of the page says data-rendered (the SVG
   map's frame and the SVG charts, marked by their scripts once painted; a Plotly figure, should a page
   still have one, once drawn; pages without a figure: the load event), in ``--runs`` fresh browser
   contexts (empty cache: every script and style sheet is downloaded and compiled each time) and ``--runs``
   visits in one context (warm cache). One untimed visit first warms the server, as a running server would
   be.

The browser table also gives the bytes a cold visit transfers (page, scripts, style sheets; median).
Prints the machine's cores, load average (start and end) and the process's peak resident memory (the
server side; Chromium runs in processes of its own). Target: monitoring pages load in at most 2 s.

Run: python benchmarks/bench_impact_pages.py [--database FILE] [--runs 5] [--no-browser]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import serve_app  # noqa: E402  (the benchmarks folder, added above)

DEFAULT_DATABASE = ROOT / "var" / "welfare.duckdb"
CHROMIUM = os.environ.get("WELFARE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PASSWORD = "benchmark password, long enough"
TARGET_MS = 2000.0
SETTINGS: dict[str, Any] = {"demo": True, "language": "it",
                            "secret_key": "benchmark secret key of the impact pages, 48 chars",
                            "pseudonym_key": "benchmark-pseudonym-key-0123456789abcdef"}
# Every element that says data-rendered once its figure is on screen: the SVG map's frame (map.js), the SVG
# charts (impact_charts.js) and any Plotly figure (charts.js).
FIGURES = "[data-plotly-figure], .svgmap, [data-svg-chart]"
# Sets the mark "charts-drawn" once every figure of the page has drawn.
CHARTS_DRAWN = """(() => {
  const check = () => {
    const figures = document.querySelectorAll('FIGURES');
    if (!figures.length || performance.getEntriesByName('charts-drawn').length) return;
    for (const f of figures) if (f.getAttribute('data-rendered') !== 'true') return;
    performance.mark('charts-drawn');
  };
  new MutationObserver(check).observe(document, {subtree: true, attributes: true,
                                                 attributeFilter: ['data-rendered']});
})();""".replace("FIGURES", FIGURES)
_DRAWN_MS = """() => {
  const figures = document.querySelectorAll('FIGURES').length;
  const mark = performance.getEntriesByName('charts-drawn')[0];
  const nav = performance.getEntriesByType('navigation')[0];
  const bytes = performance.getEntriesByType('resource').reduce((n, r) => n + r.transferSize, nav.transferSize);
  return [figures, mark ? mark.startTime : null, nav.loadEventEnd, bytes];
}""".replace("FIGURES", FIGURES)


def _ms(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _sign_in(client: Any, username: str) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text[:300]


def _prepare(db: Any, settings: Any, extracts: Path) -> dict[str, Any]:
    """The project that reached most people, a call, the project's activity report as CSV, a beneficiary
    list of the demo's report folder (CSV), and a partner account granted both projects' lead organisations."""
    import sqlalchemy as sa

    from welfare_district.access.users import access_tables, add_user, ensure_tables
    from welfare_district.impact.model import ensure_impact_tables
    from welfare_district.privacy.pseudonym import Pseudonymiser, load_keyring

    t = ensure_impact_tables(db)
    with db.engine.connect() as conn:
        project_id, lead, call_id = conn.execute(sa.text(
            "SELECT p.project_id, p.lead_organisation_id, p.call_id FROM impact_project p JOIN impact_beneficiary b "
            "USING (project_id) GROUP BY 1, 2, 3 ORDER BY COUNT(*) DESC, 1 LIMIT 1")).one()
        acts = conn.execute(sa.select(t.activity).where(t.activity.c.project_id == project_id)
                            .order_by(t.activity.c.row_number)).mappings().all()
        sizes = conn.execute(sa.text("SELECT (SELECT COUNT(*) FROM impact_project), (SELECT COUNT(*) FROM "
                                     "impact_beneficiary), (SELECT COUNT(*) FROM impact_activity)")).one()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["codice_progetto", "data", "tipo", "area", "ore", "partecipanti"])
    for a in acts[:-1]:  # one row fewer than the stored report: a real change to load
        writer.writerow([a["project_id"], a["activity_date"].isoformat(), a["kind"], a["area_id"], a["hours"],
                         a["participants"]])
    lists = sorted(extracts.glob("beneficiari_*.csv"))
    ben_project, ben_lines = None, []
    leads = {str(lead)}
    if lists:
        ben_project = lists[0].stem.split("_", 1)[1]
        ben_lines = lists[0].read_bytes().splitlines(keepends=True)
        with db.engine.connect() as conn:
            leads.add(str(conn.execute(sa.select(t.project.c.lead_organisation_id)
                                       .where(t.project.c.project_id == ben_project)).scalar_one()))
    ensure_tables(db.engine)
    user_id = add_user(db.engine, "bench.partner", PASSWORD, "partner", Pseudonymiser(load_keyring(settings)))
    with db.engine.begin() as conn:
        for org in sorted(leads):
            conn.execute(access_tables().grant.insert().values(user_id=user_id, kind="organisation", target=org,
                                                               granted_at=datetime.now(UTC)))
    return {"project": str(project_id), "call": str(call_id), "report": out.getvalue().encode(),
            "activities": len(acts) - 1, "sizes": tuple(int(x) for x in sizes),
            "ben_project": ben_project, "ben_lines": ben_lines}


def server_times(db: Any, settings: Any, info: dict[str, Any], runs: int) -> list[tuple[str, float, list[float]]]:
    """(label, first request ms, warm request ms) per page and upload, in a fresh app."""
    from fastapi.testclient import TestClient

    from welfare_district.impact import cache
    from welfare_district.web.app import create_app

    cache._store().clear()  # a fresh process: no monitoring read cached
    app = create_app(settings, database=db)
    rows = []
    with TestClient(app) as client:
        pages = [("GET /impact (list + actions map)", "/impact"),
                 ("GET /api/v1/calls/{id}", f"/api/v1/calls/{info['call']}"),
                 ("GET /impact/projects/{id}", f"/impact/projects/{info['project']}")]
        for label, url in pages:
            def get(url: str = url) -> None:
                answer = client.get(url)
                assert answer.status_code == 200, (url, answer.status_code)
            rows.append((label, _ms(get), [_ms(get) for _ in range(runs)]))
        _sign_in(client, "bench.partner")

        def form() -> None:
            assert client.get("/impact/reports").status_code == 200
        rows.append(("GET /impact/reports (partner)", _ms(form), [_ms(form) for _ in range(runs)]))
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/impact/reports").text).group(1)  # type: ignore[union-attr]

        def upload(expect: str) -> None:
            answer = client.post("/impact/reports", data={"csrf_token": token, "project": info["project"],
                                                          "kind": "attivita"},
                                 files={"file": ("attivita.csv", info["report"], "text/csv")})
            assert answer.status_code == 200 and expect in answer.text, answer.text[-600:]
        loaded = _ms(lambda: upload("Rapporto caricato"))
        rows.append((f"POST /impact/reports ({info['activities']} activities, loaded)", loaded, []))
        rows.append(("POST /impact/reports (same file: unchanged)", _ms(lambda: upload("nulla è cambiato")),
                     [_ms(lambda: upload("nulla è cambiato")) for _ in range(runs)]))
        rows.append(("GET /impact after the upload (caches rebuilt)", _ms(lambda: client.get("/impact")), []))
        lines = info["ben_lines"]
        for drop, label in ((1, "linkage index built"), (2, "index in memory")):
            if not lines:
                break
            body = b"".join(lines[:-drop])

            def send(body: bytes = body) -> None:
                answer = client.post("/impact/reports", data={"csrf_token": token, "project": info["ben_project"],
                                                              "kind": "beneficiari"},
                                     files={"file": ("beneficiari.csv", body, "text/csv")})
                assert answer.status_code == 200 and "Elenco caricato" in answer.text, answer.text[-600:]
            rows.append((f"POST beneficiary list ({len(lines) - 1 - drop} rows, {label})", _ms(send), []))
    return rows


@contextmanager
def serve(db: Any, settings: Any) -> Iterator[str]:
    """The app over the open ``db`` served by uvicorn in a thread on a free loopback port."""
    from welfare_district.web.app import create_app

    with serve_app(create_app(settings, database=db)) as base:
        yield base


def _visit(page: Any, url: str) -> tuple[float, int]:
    """Navigation start to charts drawn (or load) in ms, and the bytes the visit transferred."""
    page.goto(url)
    figures = page.evaluate(f"document.querySelectorAll('{FIGURES}').length")
    # selectors, not wait_for_function: the pages' Content-Security-Policy forbids evaluating strings
    for index in range(figures):
        page.locator(FIGURES).nth(index).and_(page.locator("[data-rendered='true']")).wait_for(
            timeout=60_000)
    page.wait_for_load_state("load")
    _, drawn, loaded, transferred = page.evaluate(_DRAWN_MS)
    return float(drawn if figures else loaded), int(transferred)


def _browser_sign_in(page: Any, base: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", "bench.partner")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def browser_times(base: str, info: dict[str, Any], runs: int) -> list[tuple[str, list[float], list[float], int]]:
    """(label, cold-cache ms, warm-cache ms, bytes of a cold visit) per page: navigation start to charts drawn
    (or load)."""
    from playwright.sync_api import sync_playwright

    pages = [("/impact", base + "/impact", False),
             ("/impact/projects/{id}", f"{base}/impact/projects/{info['project']}", False),
             ("/impact/reports (signed in)", base + "/impact/reports", True)]
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for label, url, signed in pages:
                def context() -> Any:
                    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
                    ctx.add_init_script(CHARTS_DRAWN)
                    return ctx
                warmup = context()
                tab = warmup.new_page()
                if signed:
                    _browser_sign_in(tab, base)
                _visit(tab, url)
                warmup.close()
                cold, sizes = [], []
                for _ in range(runs):
                    ctx = context()
                    tab = ctx.new_page()
                    if signed:  # signing in loads the style sheets: this page's "cold" is cold for itself only
                        _browser_sign_in(tab, base)
                    took, size = _visit(tab, url)
                    cold.append(took)
                    sizes.append(size)
                    ctx.close()
                ctx = context()
                tab = ctx.new_page()
                if signed:
                    _browser_sign_in(tab, base)
                _visit(tab, url)
                warm = [_visit(tab, url)[0] for _ in range(runs)]
                ctx.close()
                rows.append((label, cold, warm, int(statistics.median(sizes))))
        finally:
            browser.close()
    return rows


def main() -> None:
    """Copy the database, measure, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", type=Path, default=DEFAULT_DATABASE)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true", help="server times only")
    parser.add_argument("--extracts", type=Path, default=None,
                        help="the demo's report folder (default: synth/extracts/impatto next to the database)")
    args = parser.parse_args()
    if not args.database.is_file():
        raise SystemExit(f"{args.database} not found: build the demo first (welfare demo)")

    from welfare_district.engine import connect
    from welfare_district.settings import get_settings

    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "welfare.duckdb"
        shutil.copyfile(args.database, copy)
        settings = get_settings(database_url=f"duckdb:///{copy}", **SETTINGS)
        db = connect(f"duckdb:///{copy}")
        try:
            extracts = args.extracts or args.database.parent / "synth" / "extracts" / "impatto"
            info = _prepare(db, settings, extracts)
            server = server_times(db, settings, info, args.runs)
            browser: list[tuple[str, list[float], list[float], int]] = []
            if not args.no_browser:
                with serve(db, settings) as base:
                    browser = browser_times(base, info, args.runs)
        finally:
            db.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    projects, beneficiaries, activities = info["sizes"]
    print(f"Impact pages benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {projects} projects, "
          f"{beneficiaries:,} beneficiary rows, {activities:,} activities; {cores} cores; load average "
          f"{load_start[0]:.2f} at start, {os.getloadavg()[0]:.2f} at end; peak RSS {peak_mb:.0f} MB (server "
          f"process); target {TARGET_MS:.0f} ms")
    print(f"\nServer (in-process HTTP client): first request in a fresh app, then {args.runs} warm requests")
    print(f"  {'request':<52} {'first ms':>9} {'warm median':>12} {'warm max':>9}")
    for label, first, warm in server:
        tail = f"{statistics.median(warm):>12.0f} {max(warm):>9.0f}" if warm else f"{'-':>12} {'-':>9}"
        print(f"  {label:<52} {first:>9.0f} {tail}")
    if browser:
        print(f"\nChromium: navigation start to charts drawn (or load without charts), {args.runs} runs each")
        print(f"  {'page':<32} {'cold median':>12} {'cold max':>9} {'warm median':>12} {'warm max':>9} "
              f"{'within 2 s':>11} {'cold kB':>8}")
        for label, cold, warm, size in browser:
            verdict = "yes" if max(cold) <= TARGET_MS else ("warm only" if max(warm) <= TARGET_MS else "no")
            print(f"  {label:<32} {statistics.median(cold):>12.0f} {max(cold):>9.0f} "
                  f"{statistics.median(warm):>12.0f} {max(warm):>9.0f} {verdict:>11} {size / 1000:>8.0f}")


if __name__ == "__main__":
    main()
