"""`welfare link` without a file: links what `welfare ingest` staged, keeps ids, and the pipeline keeps it."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from tests.conftest import STAGED_FILES
from welfare_district.cli.ingest import ingest
from welfare_district.cli.link import link
from welfare_district.engine import connect
from welfare_district.link.model import ModelSettings
from welfare_district.link.run import LinkSettings
from welfare_district.pipeline import PipelineInput, link_fingerprint, stage_link

pytestmark = pytest.mark.slow

CODICE_FISCALE = re.compile(r"[A-Z]{6}\d{2}[A-EHLMPRST]\d{2}[A-Z]\d{3}[A-Z]")


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("ingest")(ingest)
    app.command("link")(link)
    return app


def _ingest(runner: CliRunner, url: str, city: Path) -> None:
    for source, name in STAGED_FILES:
        done = runner.invoke(_app(), ["ingest", source, str(city / "extracts" / name), "--database-url", url])
        assert done.exit_code == 0, done.output


def _frame(url: str, sql: str) -> pd.DataFrame:
    with connect(url) as db, db.engine.connect() as conn:
        return pd.DataFrame(conn.execute(sa.text(sql)).mappings().all())


def test_link_staged_records_keeps_ids_and_the_pipeline_keeps_the_linkage(
        database_url: str, tiny_city: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    empty = runner.invoke(_app(), ["link", "--database-url", database_url, "--out", str(tmp_path / "out")])
    assert empty.exit_code == 1 and "No staged records to link" in empty.output and "Traceback" not in empty.output
    assert not (tmp_path / "out").exists()

    _ingest(runner, database_url, tiny_city)
    staged = int(_frame(database_url, "SELECT COUNT(*) AS n FROM person_record")["n"][0])
    first = runner.invoke(_app(), ["link", "--database-url", database_url, "--out", str(tmp_path / "out")],
                          terminal_width=160)
    assert first.exit_code == 0, first.output
    links = _frame(database_url, "SELECT record_id, source, person_id FROM person_link ORDER BY record_id")
    assert len(links) == staged > 2000
    report = pd.read_csv(tmp_path / "out" / "report.csv")
    assert sorted(report["source"]) == ["anagrafe", "ts_emporio"]
    assert report["records_in"].sum() == staged
    # the printed table is the report: each source's records in, people out and duplicates merged
    for row in report.to_dict("records"):
        printed = [f"{int(row[k]):,}" for k in ("records_in", "people_out", "duplicates_merged")]
        assert re.search(rf"{row['source']}\W+" + r"\W+".join(printed), first.output), first.output
    assert "pairs in review" in first.output and f"{staged:,} staged records" in first.output
    assert not CODICE_FISCALE.search(first.output)
    assert not CODICE_FISCALE.search((tmp_path / "out" / "report.csv").read_text(encoding="utf-8"))
    assert not list((tmp_path / "out").glob("*.parquet"))  # no record-level file in the database mode

    again = runner.invoke(_app(), ["link", "--database-url", database_url])
    assert again.exit_code == 0, again.output
    relinked = _frame(database_url, "SELECT record_id, source, person_id FROM person_link ORDER BY record_id")
    assert relinked["person_id"].tolist() == links["person_id"].tolist()

    with connect(database_url) as db:
        assert stage_link(db, PipelineInput(tiny_city)).startswith("unchanged loads")


def test_link_settings_other_than_the_defaults_make_the_pipeline_relink() -> None:
    loads = ["a", "b"]
    assert link_fingerprint(loads) == link_fingerprint(loads, LinkSettings())
    tuned = LinkSettings(model=ModelSettings(upper_weight=7.0))
    assert link_fingerprint(loads, tuned) != link_fingerprint(loads)
    assert link_fingerprint(loads, tuned) == link_fingerprint(loads, LinkSettings(model=ModelSettings(7.0)))
    assert link_fingerprint(["a"]) != link_fingerprint(loads)


def test_wrong_mode_options_are_refused_before_anything_runs(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    records = tmp_path / "records.csv"
    records.write_text("record_id\n", encoding="utf-8")
    runner = CliRunner()
    no_out = runner.invoke(_app(), ["link", str(records)])
    assert no_out.exit_code == 1 and "--out is required with a RECORDS_FILE" in no_out.output
    with_url = runner.invoke(_app(), ["link", str(records), "--out", str(tmp_path / "o"), "--database-url", url])
    assert with_url.exit_code == 1 and "--database-url applies without a RECORDS_FILE" in with_url.output
    previous = runner.invoke(_app(), ["link", "--previous", str(tmp_path / "c.parquet"), "--database-url", url])
    assert previous.exit_code == 1 and "--previous applies to a RECORDS_FILE only" in previous.output
    bounds = runner.invoke(_app(), ["link", "--lower", "6", "--database-url", url])
    assert bounds.exit_code == 1 and "--lower must not exceed --upper" in bounds.output
    assert not (tmp_path / "o").exists() and not (tmp_path / "w.duckdb").exists()
