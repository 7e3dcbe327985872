"""`welfare geocode` without a file: geocodes what `welfare ingest` staged; the pipeline keeps the geocodes."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from tests.conftest import STAGED_FILES
from welfare_district.cli.geocode import geocode
from welfare_district.cli.ingest import ingest
from welfare_district.engine import connect
from welfare_district.pipeline import PipelineInput, stage_areas, stage_geocode

pytestmark = pytest.mark.slow



def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("ingest")(ingest)
    app.command("geocode")(geocode)
    return app


def _frame(url: str, sql: str) -> pd.DataFrame:
    with connect(url) as db, db.engine.connect() as conn:
        return pd.DataFrame(conn.execute(sa.text(sql)).mappings().all())


def test_geocode_staged_addresses_and_the_pipeline_keeps_them(database_url: str, tiny_city: Path) -> None:
    runner = CliRunner()
    with connect(database_url) as db:
        stage_areas(db, PipelineInput(tiny_city))
    empty = runner.invoke(_app(), ["geocode", "--database-url", database_url])
    assert empty.exit_code == 1 and "No staged records to geocode" in empty.output
    assert "Traceback" not in empty.output

    for source, name in STAGED_FILES:
        done = runner.invoke(_app(), ["ingest", source, str(tiny_city / "extracts" / name),
                                      "--database-url", database_url])
        assert done.exit_code == 0, done.output
    first = runner.invoke(_app(), ["geocode", "--database-url", database_url], terminal_width=160)
    assert first.exit_code == 0, first.output
    staged = _frame(database_url, "SELECT source, address FROM person_record")
    stored = _frame(database_url, "SELECT source, match_kind, reason FROM geocode_result")
    assert len(stored) == len(staged) > 2000
    # each source's row: records, with an address, placed, match rate (placed / with an address)
    for source, part in stored.groupby("source"):
        with_text = int((part["reason"].fillna("") != "empty").sum())
        placed = int((part["match_kind"] != "unmatched").sum())
        cells = [f"{len(part):,}", f"{with_text:,}", f"{placed:,}", f"{100 * placed / with_text:.2f}"]
        assert re.search(rf"{source}\W+" + r"\W+".join(re.escape(c) for c in cells), first.output), first.output
    unmatched = stored[(stored["match_kind"] == "unmatched") & (stored["reason"] != "empty")]
    assert "Unmatched addresses by reason" in first.output
    for (source, reason), count in unmatched.groupby(["source", "reason"]).size().items():
        assert re.search(rf"{source}\W+{reason}\W+{count:,}", first.output), first.output
    # counts only: no staged address shows up in the output
    addresses = {a for a in staged["address"].dropna() if len(a) > 6}
    assert addresses and not [a for a in addresses if a in first.output]

    with connect(database_url) as db:
        assert stage_geocode(db, PipelineInput(tiny_city)).startswith("unchanged loads and house numbers")


def test_wrong_mode_options_are_refused(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    extract = tmp_path / "extract.csv"
    extract.write_text("INDIRIZZO\nVia Roma 1\n", encoding="utf-8")
    runner = CliRunner()
    no_column = runner.invoke(_app(), ["geocode", str(extract), "--database-url", url])
    assert no_column.exit_code == 1 and "--column is required with a PATH" in no_column.output
    file_only = runner.invoke(_app(), ["geocode", "--store", "prova", "--number-column", "N",
                                       "--database-url", url])
    assert file_only.exit_code == 1 and "only with a PATH: --number-column, --store" in file_only.output
    assert not (tmp_path / "w.duckdb").exists()
