"""Browser fixtures: live servers on loopback over seeded DuckDB files, and Chromium via Playwright.

In CI (CI=true) a missing Chromium or Playwright fails the tests; locally they are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = os.environ.get("WELFARE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason}: CI must run the browser tests")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """test-artifacts/ at the repository root (gitignored): screenshots and timings land here."""
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@contextmanager
def serve(url: str) -> Iterator[str]:
    """Serve the app over the database ``url`` with uvicorn in a thread on a free loopback port."""
    import uvicorn

    from welfare_district.settings import get_settings
    from welfare_district.web.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # the kernel picks a free port, and we keep the socket: no race
    port = sock.getsockname()[1]
    # public figures are disclosure-controlled, which needs a rounding key
    app = create_app(get_settings(database_url=url, language="it", demo=True,
                                  pseudonym_key="browser-tests-pseudonym-key-0123456789abcdef"))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def areas_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the app over a DuckDB file holding only the area hierarchy (no indicator computed yet)."""
    from welfare_district.engine import connect
    from welfare_district.geo.hierarchy import build_synthetic_hierarchy
    from welfare_district.geo.store import save_areas

    url = f"duckdb:///{tmp_path_factory.mktemp('browser_areas') / 'welfare.duckdb'}"
    with connect(url) as db:
        save_areas(db, build_synthetic_hierarchy(seed=0))
    with serve(url) as base:
        yield base


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the app over the small synthetic city of tests/web/city_db.py, indicators computed."""
    from tests.web.city_db import fill_city_db, generate_city
    from welfare_district.engine import connect

    city = generate_city(tmp_path_factory.mktemp("browser_city") / "city")
    url = f"duckdb:///{city.parent / 'welfare.duckdb'}"
    with connect(url) as db:
        fill_city_db(db, city)
    with serve(url) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, launched through Playwright's sync API."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Python playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


@dataclass
class Traffic:
    """Every request a page made; those to hosts other than loopback were blocked and are listed apart."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


@pytest.fixture
def traffic() -> Traffic:
    """The requests and console errors of the current test's page."""
    return Traffic()


@pytest.fixture
def page(browser: Any, traffic: Traffic) -> Iterator[Any]:
    """A fresh browser context (empty cache, no cookies); requests off loopback are blocked and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")

    def guard(route: Any) -> None:
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if urlsplit(url).scheme in ("data", "blob") or host in LOOPBACK:
            route.continue_()
        else:
            traffic.blocked.append(url)
            route.abort()

    context.route("**/*", guard)
    tab = context.new_page()
    tab.on("request", lambda request: traffic.requests.append(request.url))
    tab.on("console", lambda msg: traffic.console_errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: traffic.console_errors.append(str(exc)))
    try:
        yield tab
    finally:
        context.close()
