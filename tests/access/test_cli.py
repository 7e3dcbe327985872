"""`welfare users` and `welfare audit` through the Typer app (DuckDB and PostgreSQL)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from welfare_district.audit.log import audit_tables
from welfare_district.cli import build_app
from welfare_district.engine import connect

runner = CliRunner()
KEY = "cli-test-key-" + "x" * 30


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WELFARE_PSEUDONYM_KEY", KEY)
    monkeypatch.delenv("WELFARE_PSEUDONYM_KEY_FILE", raising=False)
    monkeypatch.delenv("WELFARE_DEMO", raising=False)


def _run(*args: str, url: str, stdin: str | None = None) -> object:
    return runner.invoke(build_app(), [*args, "--database-url", url], input=stdin, terminal_width=220)


def test_users_and_audit_commands(database_url: str) -> None:
    added = _run("users", "add", "op.bianchi", "--role", "operator", "--password-stdin", url=database_url,
                 stdin="a long enough secret\n")
    assert added.exit_code == 0, added.output  # type: ignore[attr-defined]
    assert "no data access" in added.output  # type: ignore[attr-defined]
    prompted = _run("users", "add", "analyst2", "--role", "analyst", url=database_url,
                    stdin="another long secret\nanother long secret\n")
    assert prompted.exit_code == 0, prompted.output  # type: ignore[attr-defined]
    assert "another long secret" not in prompted.output  # type: ignore[attr-defined]
    refused = _run("users", "grant", "op.bianchi", "--kind", "quartiere", "--target", "Q1", url=database_url)
    assert refused.exit_code == 1 and "no areas are stored" in refused.output  # type: ignore[attr-defined]
    assert _run("users", "disable", "analyst2", url=database_url).exit_code == 0  # type: ignore[attr-defined]
    listed = _run("users", "list", url=database_url)
    assert "op.bianchi" in listed.output and "disabled" in listed.output  # type: ignore[attr-defined]

    verified = _run("audit", "verify", url=database_url)
    assert verified.exit_code == 0 and "3 rows" in verified.output  # type: ignore[attr-defined]
    head = verified.output.strip().rsplit(" ", 1)[1]  # type: ignore[attr-defined]
    rows = _run("audit", "list", "--limit", "10", url=database_url)
    assert "users.disable" in rows.output and "op.bianchi" not in rows.output  # type: ignore[attr-defined]

    with connect(database_url) as db, db.engine.begin() as conn:
        conn.execute(audit_tables().log.update().where(audit_tables().log.c.seq == 2).values(purpose="security"))
    damaged = _run("audit", "verify", "--expect", head, url=database_url)
    assert damaged.exit_code == 1 and "row 2" in damaged.output  # type: ignore[attr-defined]


def test_bad_input_and_missing_keys_fail_in_one_line(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    short = _run("users", "add", "someone", "--role", "operator", "--password-stdin", url=database_url,
                 stdin="short\n")
    assert short.exit_code == 1 and "at least 12" in short.output  # type: ignore[attr-defined]
    assert _run("audit", "verify", "--expect", "nonsense", url=database_url).exit_code == 1  # type: ignore[attr-defined]
    monkeypatch.delenv("WELFARE_PSEUDONYM_KEY")
    nokey = _run("users", "add", "someone", "--role", "operator", "--password-stdin", url=database_url,
                 stdin="a long enough secret\n")
    assert nokey.exit_code == 1 and "no pseudonym key" in nokey.output  # type: ignore[attr-defined]
    with connect(database_url) as db, db.engine.connect() as conn:
        assert not sa.inspect(conn).has_table("app_user") or conn.execute(
            sa.text("SELECT count(*) FROM app_user")).scalar_one() == 0
