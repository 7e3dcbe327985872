"""Load test of the map API: uvicorn on loopback over a Padova-scale database, 20 concurrent clients.

The server runs in a child process (``uvicorn --factory welfare_district.web.app:create_app``) on a copy of
the database (default: var/welfare.duckdb, never opened in place). Clients hit
/api/v1/map?level=section&indicator=<IVSM component>&year=<one of the latest years>, mixing indicators and
years, without If-None-Match, so every answer carries the whole body (gzip, as browsers accept it). The
clients are threads with keep-alive connections (http.client) that read the compressed bytes without
inflating them, to leave the shared cores to the server.
After a fixed number of requests the run stops by itself and prints latency percentiles, throughput, errors,
the machine's cores and the server's peak resident memory; then it times every other endpoint (cold first
request and median of --repeat warm ones).

By default the load starts once the server's background cache warm-up has finished, as on a server in
service; ``--warmup during`` measures just after a start, while the warm-up still runs, ``--warmup off``
without it.

Run: python benchmarks/bench_api_load.py [--database PATH|URL] [--clients 20] [--requests 3000] [--warmup M]
"""

from __future__ import annotations

import argparse
import http.client
import os
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

import httpx

ROOT = Path(__file__).resolve().parents[1]
IVSM = ["ivsm_low_education", "ivsm_large_families", "ivsm_single_parent", "ivsm_care_hardship",
        "ivsm_overcrowding", "ivsm_young_outside", "ivsm_economic_hardship"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _peak_rss_mb(pid: int) -> float:
    # VmHWM: the high-water mark of the process's resident memory, kept by the kernel.
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_seconds(pid: int) -> float:
    # utime + stime of the process, in clock ticks (fields 14 and 15 of /proc/PID/stat)
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _database_url(arg: str | None, tmp: Path) -> str:
    if arg and "://" in arg:
        return arg
    source = Path(arg) if arg else ROOT / "var" / "welfare.duckdb"
    if not source.is_file():
        sys.exit(f"no database at {source}: run `welfare demo` first or pass --database")
    copy = tmp / "bench.duckdb"
    shutil.copyfile(source, copy)
    wal = source.with_name(source.name + ".wal")
    if wal.is_file():
        shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
    return f"duckdb:///{copy}"


def _start_server(url: str, port: int, warmup: str) -> tuple[subprocess.Popen[bytes], threading.Event]:
    """The server, and an event set once its cache warm-up has finished (at once when it is off)."""
    env = {**os.environ, "WELFARE_DATABASE_URL": url, "WELFARE_DEMO": "true",
           "WELFARE_WARMUP": "false" if warmup == "off" else "true"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "welfare_district.web.app:create_app", "--host",
         "127.0.0.1", "--port", str(port), "--log-level", "info", "--no-access-log"],
        env=env, cwd=ROOT, stderr=subprocess.PIPE)
    finished = threading.Event()
    if warmup == "off":
        finished.set()

    def watch() -> None:
        # the server logs one line when its background warm-up ends; the rest of its log is dropped
        assert server.stderr is not None
        for line in server.stderr:
            if b"warm-up finished" in line:
                finished.set()

    threading.Thread(target=watch, daemon=True).start()
    return server, finished


def _wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited with code {server.returncode}")
        try:
            if httpx.get(f"{base}/api/v1/indicators", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    sys.exit("the server did not answer within the timeout")


def _percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return float("nan")
    index = min(len(sorted_ms) - 1, max(0, round(q / 100 * len(sorted_ms)) - 1))
    return sorted_ms[index]


def _load(base: str, urls: list[str], clients: int, total: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    sizes: list[int] = []
    counter = iter(range(total))
    lock = threading.Lock()

    host, port = base.removeprefix("http://").split(":")

    def worker() -> None:
        # http.client with keep-alive: a much lighter client than httpx, so the shared cores go to the server.
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                start = time.perf_counter()
                status, size = 0, 0
                try:
                    conn.request("GET", urls[i % len(urls)], headers={"Accept-Encoding": "gzip"})
                    response = conn.getresponse()
                    status, size = response.status, len(response.read())
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    conn = http.client.HTTPConnection(host, int(port), timeout=30)
                    with lock:
                        errors.append(type(exc).__name__)
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    latencies.append(elapsed)
                    sizes.append(size)
                    if status and (status != 200 or size == 0):
                        errors.append(f"HTTP {status}")
        finally:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return {"latencies": sorted(latencies), "errors": errors, "wall": wall, "sizes": sizes}


def _time_endpoints(base: str, paths: list[str], repeat: int) -> list[tuple[str, float, float, int, int]]:
    rows = []
    with httpx.Client(base_url=base, timeout=120) as client:
        for path in paths:
            start = time.perf_counter()
            first = client.get(path)
            cold = (time.perf_counter() - start) * 1000
            warm = []
            for _ in range(repeat):
                start = time.perf_counter()
                client.get(path)
                warm.append((time.perf_counter() - start) * 1000)
            rows.append((path, cold, statistics.median(warm), first.status_code, len(first.content)))
    return rows


def main() -> None:
    """Serve a copy of the database, run the load, time every endpoint, print the tables, stop."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="DuckDB file (copied first) or database URL; default var/welfare.duckdb")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=3000, help="requests of the load phase")
    parser.add_argument("--years", type=int, default=3, help="latest years mixed into the map requests")
    parser.add_argument("--repeat", type=int, default=5, help="warm repetitions per endpoint")
    parser.add_argument("--warmup", choices=["finished", "during", "off"], default="finished",
                        help="load once the server's cache warm-up has finished (a server in service), while it "
                             "runs (just after a start), or with it off")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="welfare-bench-") as tmp:
        url = _database_url(args.database, Path(tmp))
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server, warmed = _start_server(url, port, args.warmup)
        try:
            t0 = time.perf_counter()
            _wait_ready(base, server)
            startup = time.perf_counter() - t0
            if args.warmup == "finished" and not warmed.wait(timeout=900):
                sys.exit("the server's cache warm-up did not finish within 15 minutes")
            catalogue = httpx.get(f"{base}/api/v1/indicators", timeout=30).json()
            years = catalogue["years"][-args.years:]
            if not years:
                sys.exit("the database holds no indicator values: run the pipeline first")
            urls = [f"/api/v1/map?level=section&indicator={ind}&year={year}" for ind in IVSM for year in years]
            t0 = time.perf_counter()
            with httpx.Client(base_url=base, timeout=120) as client:
                for u in urls:
                    client.get(u)
            warmup = time.perf_counter() - t0
            cpu0 = _cpu_seconds(server.pid)
            result = _load(base, urls, args.clients, args.requests)
            server_cpu_ms = (_cpu_seconds(server.pid) - cpu0) * 1000 / max(1, len(result["latencies"]))
            lat = result["latencies"]
            print(f"map load: {args.clients} clients, {len(urls)} maps (7 IVSM components x years {years}), "
                  f"section level; server start {startup:.1f} s, first build of all maps {warmup:.1f} s; "
                  f"warm-up {args.warmup}")
            print(f"{'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} "
                  f"{'req/s':>7} {'KB/resp':>8} {'srv CPU ms/req':>14} {'cores':>5} {'peak RSS MB':>11}")
            print(f"{len(lat):>8} {len(result['errors']):>6} {_percentile(lat, 50):>7.1f} "
                  f"{_percentile(lat, 95):>7.1f} {_percentile(lat, 99):>7.1f} {max(lat):>7.1f} "
                  f"{len(lat) / result['wall']:>7.1f} {statistics.mean(result['sizes']) / 1024:>8.1f} "
                  f"{server_cpu_ms:>14.2f} {os.cpu_count():>5} {_peak_rss_mb(server.pid):>11.0f}")
            print(f"load average during the run: {os.getloadavg()[0]:.1f} (other work on the machine "
                  "shares its cores)")
            if result["errors"]:
                print("errors:", sorted(set(result["errors"])))
            areas = httpx.get(f"{base}/api/v1/areas/Q1", timeout=30).json()["children"]
            zone = areas[0]
            section = httpx.get(f"{base}/api/v1/areas/{zone}", timeout=30).json()["children"][0]
            latest, ind = years[-1], "ivsm_care_hardship"
            paths = [
                "/api/v1/indicators", f"/api/v1/indicators/{ind}",
                f"/api/v1/values?indicator={ind}&level=section&year={latest}",
                f"/api/v1/values?indicator={ind}&area=Q1&area={zone}&area={section}",
                f"/api/v1/areas/{section}/profile?year={latest}",
                f"/api/v1/series?indicator={ind}&area=028060&area=Q1&area={zone}&area={section}",
                f"/api/v1/rankings?indicator={ind}&level=section&year={latest}",
                f"/api/v1/composite?level=section&year={latest}",
                f"/api/v1/composite?level=section&year={latest}&method=mpi",
                f"/api/v1/map?indicator=old_age_index&level=section&year={latest}",
                f"/api/v1/map?indicator=old_age_index&level=quartiere&year={latest}",
                f"/api/v1/exports/values.csv?indicator={ind}&level=section&year={latest}",
                f"/api/v1/exports/values.xlsx?indicator={ind}&level=section&year={latest}",
                f"/api/v1/exports/values.geojson?indicator={ind}&level=section&year={latest}",
                f"/api/v1/exports/rankings.csv?indicator={ind}&level=section&year={latest}",
            ]
            print(f"\nother endpoints: first request (cold cache) and median of {args.repeat} warm ones")
            print(f"{'endpoint':<76} {'cold ms':>8} {'warm ms':>8} {'status':>6} {'bytes':>9}")
            for path, cold, warm, status, size in _time_endpoints(base, paths, args.repeat):
                shown = path if len(path) <= 76 else path[:73] + "..."
                print(f"{shown:<76} {cold:>8.1f} {warm:>8.1f} {status:>6} {size:>9}")
            print(f"\nserver peak RSS {_peak_rss_mb(server.pid):.0f} MB")
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()
