"""The interactive API documentation draws every operation from this server's OpenAPI description, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Traffic

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_swagger_ui_lists_the_api_and_fetches_nothing_from_outside(page: Any, live_server: str, traffic: Traffic,
                                                                   artifacts_dir: Path) -> None:
    page.goto(live_server + "/docs")
    operations = page.locator("#api-docs .opblock")
    operations.first.wait_for(timeout=30_000)
    page.screenshot(path=str(artifacts_dir / "screenshots" / "api-docs-top.png"), full_page=False)
    paths = set(page.locator("#api-docs .opblock-summary-path").all_inner_texts())
    assert {"/api/v1/values", "/api/v1/map", "/api/v1/services"} <= {p.replace("\u200b", "") for p in paths}
    # opening an operation shows its parameters, read from /openapi.json
    page.locator("#api-docs .opblock-summary-path", has_text="/api/v1/values").first.click()
    page.locator("#api-docs .parameters").first.wait_for(timeout=10_000)
    page.screenshot(path=str(artifacts_dir / "screenshots" / "api-docs.png"), full_page=False)
    assert traffic.blocked == [] and traffic.console_errors == []
    assert any(r.endswith("/openapi.json") for r in traffic.requests)
