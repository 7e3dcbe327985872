"""`welfare ingest` and `welfare quality` end to end (the commands are mounted on a local Typer app)."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from tests.ingest.fixtures import DECLARATION, cases, write_csv
from welfare_district.cli.ingest import ingest, quality


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("ingest")(ingest)
    app.command("quality")(quality)
    return app


def test_ingest_prints_the_report_and_quality_reads_it_back(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    declarations = tmp_path / "decl"
    declarations.mkdir()
    (declarations / "prova.toml").write_text(DECLARATION, encoding="utf-8")
    rows = cases()
    path = write_csv(tmp_path / "prova_2024.csv", [r for r, _ in rows])
    runner = CliRunner()
    args = ["ingest", "prova", str(path), "--database-url", url, "--catalogue", str(declarations)]

    first = runner.invoke(_app(), args, terminal_width=200)
    assert first.exit_code == 0, first.output
    assert "date_impossible" in first.output and "9, 22" in first.output
    assert f"{len(rows)} rows read" in first.output and "quarantined" in first.output
    personal = {r["CF"] for r, _ in rows if r["CF"]} | {r["NOME"] for r, _ in rows}
    assert not [v for v in personal if v in first.output]

    again = runner.invoke(_app(), args, terminal_width=200)
    assert again.exit_code == 0 and "already loaded" in again.output and "nothing changed" in again.output

    shown = runner.invoke(_app(), ["quality", "--database-url", url], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert "prova_2024.csv" in shown.output and "cf_checksum" in shown.output

    missing = runner.invoke(_app(), ["quality", "--load-id", "nope", "--database-url", url])
    assert missing.exit_code == 1 and "No load nope" in missing.output


def test_strict_refusal_and_errors_are_one_clear_message(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    declarations = tmp_path / "decl"
    declarations.mkdir()
    (declarations / "prova.toml").write_text(DECLARATION, encoding="utf-8")
    path = write_csv(tmp_path / "prova_2024.csv", [r for r, _ in cases()])
    runner = CliRunner()
    refused = runner.invoke(_app(), ["ingest", "prova", str(path), "--strict", "--database-url", url,
                                     "--catalogue", str(declarations)], terminal_width=200)
    assert refused.exit_code == 1
    assert "strict load refused" in refused.output and "row 2" in refused.output and "field 'CF'" in refused.output
    assert "Traceback" not in refused.output
    shown = runner.invoke(_app(), ["quality", "--database-url", url])
    assert "No loads stored" in shown.output

    unknown = runner.invoke(_app(), ["ingest", "nessuna", str(path), "--database-url", url])
    assert unknown.exit_code == 1 and "unknown source 'nessuna'" in unknown.output
    empty = tmp_path / "vuoto.csv"
    empty.write_bytes(b"")
    bad = runner.invoke(_app(), ["ingest", "anagrafe", str(empty), "--database-url", url])
    assert bad.exit_code == 1 and "the file is empty" in bad.output
