"""The first requests after a server start, at Padova scale, with and without the warm-up.

Copies the demo database (``var/welfare.duckdb``, every pipeline stage run) to a temporary folder, creates
the demo accounts in the copy, and then, --runs times for each of three starts, launches a fresh
``welfare serve`` process on the copy and times, in this order, the first:
- home map (``/``, as the public: protected figures), area profile of a quartiere and of a census section
  (``/areas/{id}``), rankings (``/rankings``), data-quality page (``/quality`` signed in as data steward)
  and project list (``/impact``);
the three starts being: warm-up off (``WELFARE_WARMUP=false``), warm-up on and the requests sent once it has
finished (its own time is printed), warm-up on and the requests sent as soon as the server answers. Each
request is the first of its kind in its server, but they share what earlier requests filled (the section
profile finds the years the quartiere profile protected). Prints medians over the runs, the server's peak
resident memory (VmHWM), the time to the first answer, the machine's cores and load average.

Run: python benchmarks/bench_first_requests.py [--runs 3] [--database var/welfare.duckdb] [--port 8765]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import load_average, peak_rss_mb  # noqa: E402

BENCH_KEY = "benchmark-pseudonym-key-not-a-secret-0123456789"
MODES = (("warm-up off", "false", False), ("warm-up done", "true", True), ("warm-up running", "true", False))
REQUESTS = ("home map /", "profile quartiere", "profile section", "rankings", "quality (steward)",
            "impact list")


def _accounts(url: str) -> tuple[str, str, str]:
    """The data steward's password, a quartiere id and a section id of the database copy."""
    import sqlalchemy as sa

    from welfare_district.access.demo_users import create_demo_users
    from welfare_district.engine import connect
    from welfare_district.privacy.pseudonym import Pseudonymiser, load_keyring
    from welfare_district.settings import get_settings

    pseudonymiser = Pseudonymiser(load_keyring(get_settings(demo=True, pseudonym_key=BENCH_KEY)))
    with connect(url) as db:
        steward = next(a for a in create_demo_users(db.engine, pseudonymiser, demo=True)
                       if a.role == "data_steward")
        with db.engine.connect() as conn:
            quartiere, section = (conn.execute(sa.text(
                f"SELECT MIN(area_id) FROM area WHERE level = '{level}'")).scalar_one()
                for level in ("quartiere", "section"))
    return steward.password, str(quartiere), str(section)


class Server:
    """One ``welfare serve`` process; its log is read in a thread to notice the end of the warm-up."""

    def __init__(self, url: str, port: int, warmup: str) -> None:
        env = {**os.environ, "WELFARE_DEMO": "true", "WELFARE_PSEUDONYM_KEY": BENCH_KEY, "WELFARE_WARMUP": warmup,
               "WELFARE_LANGUAGE": "it"}
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "welfare"), "serve", "--port", str(port), "--database-url", url],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.base = f"http://127.0.0.1:{port}"
        self.warm = threading.Event()
        self.warm_seconds = float("nan")
        threading.Thread(target=self._read_log, daemon=True).start()

    def _read_log(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            found = re.search(r"warm-up finished in ([\d.]+) s", line)
            if found:
                self.warm_seconds = float(found.group(1))
                self.warm.set()

    def wait_ready(self, timeout: float = 120) -> float:
        """Seconds from launch until the port accepts connections."""
        port = int(self.base.rsplit(":", 1)[1])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("the server exited during startup")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return time.perf_counter() - self.started
            except OSError:
                time.sleep(0.05)
        raise SystemExit("the server did not start")

    def stop(self) -> float:
        """Stop the server; its peak resident memory in MB."""
        peak = peak_rss_mb(self.proc.pid)
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return peak


def _first_requests(base: str, password: str, quartiere: str, section: str) -> list[float]:
    import httpx

    def timed(client: httpx.Client, path: str) -> float:
        started = time.perf_counter()
        response = client.get(base + path)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
        return elapsed

    times = []
    with httpx.Client(timeout=600) as public:
        for path in ("/", f"/areas/{quartiere}", f"/areas/{section}", "/rankings"):
            times.append(timed(public, path))
    with httpx.Client(timeout=600, follow_redirects=True) as steward:
        form = steward.get(base + "/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        if token is None:
            raise SystemExit("no sign-in form")
        signed = steward.post(base + "/login", data={"csrf_token": token.group(1), "next": "/quality",
                                                     "username": "demo.steward", "password": password},
                              follow_redirects=False)
        if signed.status_code != 303:
            raise SystemExit(f"sign-in failed: HTTP {signed.status_code}")
        times.append(timed(steward, "/quality"))
    with httpx.Client(timeout=600) as public:
        times.append(timed(public, "/impact"))
    return times


def main() -> None:
    """Run the measurements and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", type=Path, default=ROOT / "var" / "welfare.duckdb")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if not args.database.is_file():
        raise SystemExit(f"{args.database} not found: build the demo first (welfare demo)")

    results: dict[str, dict[str, list[float]]] = {mode: {} for mode, _, _ in MODES}
    loads: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "welfare.duckdb"
        shutil.copyfile(args.database, copy)
        url = f"duckdb:///{copy}"
        password, quartiere, section = _accounts(url)
        for _ in range(args.runs):
            for mode, warmup, wait in MODES:  # alternated, so a burst of load hits every mode alike
                loads.append(load_average())
                server = Server(url, args.port, warmup)
                row: dict[str, Any] = results[mode]
                try:
                    row.setdefault("first answer (s)", []).append(server.wait_ready())
                    if wait:
                        if not server.warm.wait(1800):
                            raise SystemExit("the warm-up did not finish")
                        row.setdefault("warm-up itself (s)", []).append(server.warm_seconds)
                    for name, seconds in zip(REQUESTS, _first_requests(server.base, password, quartiere, section),
                                             strict=True):
                        row.setdefault(name, []).append(seconds)
                finally:
                    row.setdefault("peak RSS (MB)", []).append(server.stop())

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"First requests after a server start: {args.database.name}, median of {args.runs} fresh starts "
          f"per column, {cores} cores, load average {statistics.median(loads):.1f} (median at the starts, "
          f"range {min(loads):.1f}-{max(loads):.1f})")
    names = ["first answer (s)", "warm-up itself (s)", *REQUESTS, "peak RSS (MB)"]
    print(f"  {'seconds (peak RSS in MB)':<26}" + "".join(f"{mode:>17}" for mode, _, _ in MODES))
    for name in names:
        cells = []
        for mode, _, _ in MODES:
            values = results[mode].get(name)
            cells.append(f"{statistics.median(values):>17.2f}" if values else f"{'-':>17}")
        print(f"  {name:<26}" + "".join(cells))


if __name__ == "__main__":
    main()
