"""`welfare link RECORDS_FILE --out DIR`: outputs written, earlier ids kept, bad input refused cleanly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from welfare_district.cli.link import link

pytestmark = pytest.mark.slow


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(link)
    return app


def test_link_writes_clusters_review_and_report(subset_records: pd.DataFrame, tmp_path: Path) -> None:
    records = tmp_path / "records.parquet"
    subset_records.to_parquet(records, index=False)
    result = CliRunner().invoke(_app(), [str(records), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    clusters = pd.read_parquet(tmp_path / "out" / "clusters.parquet")
    assert len(clusters) == len(subset_records)
    assert (tmp_path / "out" / "review.parquet").is_file()
    report = pd.read_csv(tmp_path / "out" / "report.csv")
    assert report["records_in"].sum() == len(subset_records)

    again = CliRunner().invoke(_app(), [str(records), "--out", str(tmp_path / "again"),
                                        "--previous", str(tmp_path / "out" / "clusters.parquet")])
    assert again.exit_code == 0, again.output
    relinked = pd.read_parquet(tmp_path / "again" / "clusters.parquet")
    assert list(relinked["person_id"]) == list(clusters["person_id"])


def test_bad_records_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "records.csv"
    bad.write_text("record_id,source\na,s\n", encoding="utf-8")
    result = CliRunner().invoke(_app(), [str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "lack the columns" in result.output
    assert not (tmp_path / "out").exists()
