"""`welfare indicators list | show | compute | docs` through the Typer app."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tests.indicators.tiny_city import save_tiny_areas, save_tiny_warehouse
from welfare_district.cli.indicators import app, parse_year_list
from welfare_district.engine import connect
from welfare_district.errors import InputError

runner = CliRunner()


@pytest.fixture
def tiny_url(tmp_path: Path) -> str:
    url = f"duckdb:///{tmp_path / 'tiny.duckdb'}"
    with connect(url) as db:
        save_tiny_areas(db)
        save_tiny_warehouse(db, [2024, 2025])
    return url


def _stored(url: str) -> int:
    with connect(url) as db, db.engine.connect() as conn:
        if not sa.inspect(conn).has_table("indicator_value"):
            return 0
        return int(conn.execute(sa.text("SELECT count(*) FROM indicator_value")).scalar_one())


def test_list_and_show() -> None:
    listed = runner.invoke(app, ["list"], terminal_width=200)
    assert listed.exit_code == 0 and "ivsm_care_hardship" in listed.output and "V9" in listed.output
    shown = runner.invoke(app, ["show", "ivsm_overcrowding"], terminal_width=200)
    assert shown.exit_code == 0 and "sum of occupants" in shown.output


def test_unknown_indicator_is_a_clear_error() -> None:
    result = runner.invoke(app, ["show", "nope"])
    assert result.exit_code == 1 and "Unknown indicator 'nope'" in result.output


def test_compute_stores_values_and_prints_a_table(tiny_url: str) -> None:
    result = runner.invoke(app, ["compute", "--years", "2024-2025", "--database-url", tiny_url],
                           terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "ivsm_large_families" in result.output and "16.67" in result.output
    assert _stored(tiny_url) == 2 * 9 * 29
    again = runner.invoke(app, ["compute", "--database-url", tiny_url])
    assert again.exit_code == 0 and "up to date" in again.output


def test_compute_one_level_and_indicator(tiny_url: str) -> None:
    result = runner.invoke(app, ["compute", "--years", "2025", "--level", "zone", "--indicator",
                                 "ivsm_care_hardship", "--database-url", tiny_url], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert _stored(tiny_url) == 2


@pytest.mark.parametrize(("args", "message"), [
    (["--years", "2030"], "No warehouse snapshot for year(s) [2030]"),
    (["--years", "20x"], "years must look like"),
    (["--level", "district"], "Unknown level(s) ['district']"),
    (["--indicator", "nope"], "Unknown indicator 'nope'"),
])
def test_compute_refuses_bad_arguments_and_writes_nothing(tiny_url: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["compute", *args, "--database-url", tiny_url])
    assert result.exit_code == 1 and message in result.output
    assert _stored(tiny_url) == 0


def test_compute_names_a_missing_snapshot_table(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'partial.duckdb'}"
    with connect(url) as db:
        save_tiny_areas(db)
        save_tiny_warehouse(db, [2024], skip=("isee",))
    result = runner.invoke(app, ["compute", "--years", "2024", "--database-url", url])
    assert result.exit_code == 1 and "wh_isee" in result.output
    assert _stored(url) == 0


def test_docs_command_writes_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    target = tmp_path / "indicators.md"
    monkeypatch.setattr("welfare_district.indicators.docs.docs_path", lambda: target)
    result = runner.invoke(app, ["docs"])
    assert result.exit_code == 0 and target.read_text(encoding="utf-8").startswith("# Indicators")


def test_parse_year_list() -> None:
    assert parse_year_list("2019-2021,2024") == [2019, 2020, 2021, 2024]
    with pytest.raises(InputError):
        parse_year_list("2025-2019")
