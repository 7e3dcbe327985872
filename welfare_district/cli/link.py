"""`welfare link`: link a file of person records into people and families, writing clusters, review and report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape

from welfare_district.errors import InputError, WelfareError


def read_records(path: Path) -> pd.DataFrame:
    """Person records from a Parquet or CSV file (CSV: UTF-8, comma, ISO birth dates); InputError otherwise."""
    if not path.is_file():
        raise InputError("records file not found", path=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        if suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"unreadable records file ({type(exc).__name__})", path=str(path)) from None
    raise InputError("records file must be .parquet or .csv", path=str(path))


def read_previous(path: Path) -> pd.Series:
    """The record_id -> person_id mapping of an earlier run's clusters.parquet."""
    if not path.is_file():
        raise InputError("previous clusters file not found", path=str(path))
    frame = pd.read_parquet(path, columns=["record_id", "person_id"])
    return pd.Series(frame["person_id"].to_numpy(), index=frame["record_id"].to_numpy())


def link(
    records_file: Annotated[Path, typer.Argument(help="Person records (.parquet or .csv) in the linkage contract.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for clusters, review queue and report.")],
    previous: Annotated[
        Path | None, typer.Option("--previous", help="clusters.parquet of an earlier run: keep its person ids.")
    ] = None,
    register_source: Annotated[
        str, typer.Option("--register-source", help="Source name of the population register.")
    ] = "anagrafe",
    upper: Annotated[float, typer.Option("--upper", help="Match weight at or above which records link.")] = 5.0,
    lower: Annotated[float, typer.Option("--lower", help="Match weight from which pairs go to review.")] = 0.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the model's random sampling.")] = 20231231,
) -> None:
    """Link the person records in RECORDS_FILE and write clusters.parquet, review.parquet and report.csv to OUT."""
    from welfare_district.link.model import ModelSettings
    from welfare_district.link.run import LinkSettings, link_records

    console = Console(soft_wrap=True)
    try:
        if lower > upper:
            raise InputError("--lower must not exceed --upper")
        records = read_records(records_file)
        earlier = read_previous(previous) if previous is not None else None
        started = time.perf_counter()
        settings = LinkSettings(register_source=register_source,
                                model=ModelSettings(upper_weight=upper, lower_weight=lower, seed=seed))
        result = link_records(records, settings, earlier)
        out.mkdir(parents=True, exist_ok=True)
        result.clusters.to_parquet(out / "clusters.parquet", index=False)
        result.review.to_parquet(out / "review.parquet", index=False)
        result.report.to_csv(out / "report.csv", index=False)
    except WelfareError as exc:
        Console(stderr=True, soft_wrap=True).print(f"[red]Error: {escape(str(exc))}[/red]")
        raise typer.Exit(1) from None
    people = result.clusters["person_id"].nunique()
    console.print(
        f"Linked {len(result.clusters):,} records into {people:,} people in {time.perf_counter() - started:.1f} s; "
        f"{len(result.review):,} pairs to review; wrote {escape(str(out))}"
    )
