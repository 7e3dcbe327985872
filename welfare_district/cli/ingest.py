"""`welfare ingest` and `welfare quality`: load one source file, and show the stored data-quality reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from welfare_district.cli.common import DatabaseUrl, fail, open_database
from welfare_district.errors import WelfareError


def quality_table(quality: pd.DataFrame, title: str) -> Table:
    """A Rich table of failures by field and reason, with example data row numbers."""
    table = Table(title=title)
    for name, justify in (("field", "left"), ("reason", "left"), ("severity", "left"), ("count", "right"),
                          ("example rows", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in quality.itertuples(index=False):
        colour = "red" if row.severity == "error" else "yellow"
        table.add_row(escape(str(row.field)), str(row.reason_code), f"[{colour}]{row.severity}[/{colour}]",
                      f"{row.failures:,}", str(row.example_rows))
    return table


def ingest(
    source: Annotated[str, typer.Argument(help="Source name, as declared in the catalogue (e.g. anagrafe).")],
    path: Annotated[str, typer.Argument(help="The file to load (for an sql source: the database URL).")],
    strict: Annotated[bool, typer.Option("--strict", help="Refuse the whole file if any row has an error.")]
    = False,
    database_url: DatabaseUrl = None,
    catalogue: Annotated[Path | None, typer.Option(
        "--catalogue", help="Extra folder of source declarations (*.toml).")] = None,
) -> None:
    """Validate and load one source file in a single transaction; print its data-quality report."""
    from welfare_district.ingest.load import LoadRejectedError, load_file
    from welfare_district.sources.catalogue import load_catalogue

    console = Console(soft_wrap=True)
    try:
        sources = load_catalogue(*([catalogue] if catalogue else []))
        if source not in sources:
            raise WelfareError(f"unknown source {source!r}; declared: {', '.join(sorted(sources))}")
        with open_database(database_url) as db:
            result = load_file(db, sources[source], path, strict=strict)
    except LoadRejectedError as exc:
        console.print(quality_table(exc.result.quality, f"{exc.result.file_name}: strict load refused"))
        fail(exc)
    except WelfareError as exc:
        fail(exc)
    if result.status == "unchanged":
        console.print(f"{result.file_name}: already loaded as {result.load_id} (same content); nothing changed.")
        return
    console.print(quality_table(result.quality, f"{result.file_name} ({source}): data quality"))
    console.print(f"Load {result.load_id}: {result.rows_read:,} rows read, {result.rows_loaded:,} loaded "
                  f"({result.rows_flagged:,} with warnings), {result.rows_quarantined:,} quarantined.")


def quality(
    load_id: Annotated[str | None, typer.Option("--load-id", help="Show only this load.")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Show the loads stored in the database and their data-quality reports."""
    from welfare_district.ingest.report import loads_frame, quality_frame

    console = Console(soft_wrap=True)
    try:
        with open_database(database_url) as db:
            loads = loads_frame(db, load_id)
            reports = quality_frame(db, load_id)
    except WelfareError as exc:
        fail(exc)
    if loads.empty:
        console.print("No loads stored." if load_id is None else f"No load {escape(load_id)}.")
        if load_id is not None:
            raise typer.Exit(1)
        return
    summary = Table(title="Loads")
    for name in ("load id", "source", "file", "started (UTC)", "read", "loaded", "flagged", "quarantined"):
        summary.add_column(name, justify="right" if name in ("read", "loaded", "flagged", "quarantined")
                           else "left")
    for row in loads.itertuples(index=False):
        summary.add_row(str(row.load_id), str(row.source), escape(str(row.file_name)),
                        str(row.started_at)[:19], f"{row.rows_read:,}",
                        f"{row.rows_loaded:,}", f"{row.rows_flagged:,}", f"{row.rows_quarantined:,}")
    console.print(summary)
    for lid, group in reports.groupby("load_id", sort=False):
        first = group.iloc[0]
        console.print(quality_table(group, f"{first['file_name']} ({first['source']}, load {lid})"))
