"""`welfare serve`: builds the app from settings when run, prints the address, hands the app to uvicorn."""

from __future__ import annotations

from typing import Any

import pytest
import typer
from fastapi import FastAPI
from typer.testing import CliRunner

from welfare_district.cli.serve import serve


def test_serve_runs_uvicorn_with_a_fresh_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    monkeypatch.setenv("WELFARE_DEMO", "true")  # outside demo mode placeholder secrets refuse to start
    cli = typer.Typer()
    cli.command()(serve)
    url = f"duckdb:///{tmp_path / 'x.duckdb'}"
    result = CliRunner().invoke(cli, ["--host", "127.0.0.1", "--port", "8765", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8765/" in result.output
    assert len(calls) == 1
    assert isinstance(calls[0]["app"], FastAPI)
    assert calls[0]["host"] == "127.0.0.1" and calls[0]["port"] == 8765
    assert calls[0]["app"].state.settings.database_url == url


def test_serve_defaults_come_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    monkeypatch.setenv("WELFARE_PORT", "8123")
    monkeypatch.setenv("WELFARE_HOST", "0.0.0.0")
    monkeypatch.setenv("WELFARE_LANGUAGE", "en")
    monkeypatch.setenv("WELFARE_DEMO", "true")
    cli = typer.Typer()
    cli.command()(serve)
    result = CliRunner().invoke(cli, [])
    assert result.exit_code == 0, result.output
    assert calls[0]["port"] == 8123 and calls[0]["host"] == "0.0.0.0"
    # A wildcard address is shown as one a browser can open.
    assert "listening on http://127.0.0.1:8123/" in result.output


def test_serve_refuses_placeholder_secrets_outside_demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    monkeypatch.setenv("WELFARE_DEMO", "false")
    monkeypatch.setenv("WELFARE_SECRET_KEY", "change-me")
    cli = typer.Typer()
    cli.command()(serve)
    result = CliRunner().invoke(cli, [])
    assert result.exit_code != 0 and calls == []
