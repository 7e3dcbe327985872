"""`welfare link`: link person records into people and families.

Without RECORDS_FILE it links the records `welfare ingest` staged in the database (results stored, person
ids kept, the link stage's fingerprint remembered so `welfare pipeline` does not redo it); with RECORDS_FILE
it links that file and writes clusters, review queue and report to --out.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from welfare_district.cli.common import DatabaseUrl, fail, open_database
from welfare_district.errors import InputError, NotFoundError, WelfareError

if TYPE_CHECKING:
    from welfare_district.link.run import LinkResult, LinkSettings


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
    records_file: Annotated[Path | None, typer.Argument(
        help="Person records (.parquet or .csv) in the linkage contract; omitted: the records staged in the "
             "database by `welfare ingest`.")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Folder for clusters, review queue and report (required with RECORDS_FILE); without "
                      "it, only report.csv is written there.")] = None,
    previous: Annotated[
        Path | None, typer.Option("--previous", help="clusters.parquet of an earlier run: keep its person ids "
                                                    "(RECORDS_FILE only: the database keeps its own).")
    ] = None,
    register_source: Annotated[
        str, typer.Option("--register-source", help="Source name of the population register.")
    ] = "anagrafe",
    upper: Annotated[float, typer.Option("--upper", help="Match weight at or above which records link.")] = 5.0,
    lower: Annotated[float, typer.Option("--lower", help="Match weight from which pairs go to review.")] = 0.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the model's random sampling.")] = 20231231,
    database_url: DatabaseUrl = None,
) -> None:
    """Link the person records staged in the database, or those of RECORDS_FILE (then written to --out)."""
    from welfare_district.link.model import ModelSettings
    from welfare_district.link.run import LinkSettings

    try:
        if lower > upper:
            raise InputError("--lower must not exceed --upper")
        settings = LinkSettings(register_source=register_source,
                                model=ModelSettings(upper_weight=upper, lower_weight=lower, seed=seed))
        if records_file is None:
            if previous is not None:
                raise InputError("--previous applies to a RECORDS_FILE only: the database keeps its person ids")
            _link_database(settings, out, database_url)
        else:
            if out is None:
                raise InputError("--out is required with a RECORDS_FILE: the folder for clusters, review "
                                 "queue and report")
            if database_url is not None:
                raise InputError("--database-url applies without a RECORDS_FILE only: a file is linked on its "
                                 "own")
            _link_file(records_file, out, previous, settings)
    except WelfareError as exc:
        fail(exc)


def _link_file(records_file: Path, out: Path, previous: Path | None, settings: LinkSettings) -> None:
    from welfare_district.link.run import link_records

    records = read_records(records_file)
    earlier = read_previous(previous) if previous is not None else None
    started = time.perf_counter()
    result = link_records(records, settings, earlier)
    _make_folder(out)  # only now: refused records leave no folder behind
    result.clusters.to_parquet(out / "clusters.parquet", index=False)
    result.review.to_parquet(out / "review.parquet", index=False)
    result.report.to_csv(out / "report.csv", index=False)
    people = result.clusters["person_id"].nunique()
    Console(soft_wrap=True).print(
        f"Linked {len(result.clusters):,} records into {people:,} people in {time.perf_counter() - started:.1f} s; "
        f"{len(result.review):,} pairs to review; wrote {escape(str(out))}"
    )


def _link_database(settings: LinkSettings, out: Path | None, url: str | None) -> None:
    from welfare_district.link.staging import current_load_ids, link_staging
    from welfare_district.pipeline import link_fingerprint, remember_stage
    from welfare_district.regional import refuse_regional

    with open_database(url) as db:
        loads = current_load_ids(db)
        if not loads:
            raise NotFoundError("No staged records to link: load extracts with `welfare ingest` first")
        refuse_regional(db, "linkage")
        if out is not None:
            _make_folder(out)  # before linking: a bad --out must not leave a linkage without its report
        started = time.perf_counter()
        result = link_staging(db, settings)
        # the same fingerprint the pipeline's link stage writes, so `welfare pipeline` keeps this linkage
        remember_stage(db, "link", link_fingerprint(loads, settings))
        seconds = time.perf_counter() - started
    if out is not None:
        result.report.to_csv(out / "report.csv", index=False)  # counts per source only
    console = Console(soft_wrap=True)
    console.print(report_table(result, seconds))
    clusters = result.clusters
    console.print(
        f"{len(clusters):,} staged records -> {clusters['person_id'].nunique():,} people, "
        f"{clusters['family_id'].nunique():,} families; {len(result.review):,} pairs in review; "
        f"{seconds:.1f} s" + (f"; wrote {escape(str(out / 'report.csv'))}" if out is not None else "")
    )


def _make_folder(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the --out folder ({type(exc).__name__})", path=str(out)) from None


def report_table(result: LinkResult, seconds: float) -> Table:
    """The redundancy report as a table: per source the records in, distinct people out, duplicates merged,
    records linked to the register and records in review (counts only)."""
    table = Table(title=f"Linkage of the staged records ({seconds:.1f} s)")
    columns = {"source": "source", "records_in": "records in", "people_out": "people out",
               "duplicates_merged": "duplicates merged", "linked_to_register": "linked to register",
               "in_review": "in review"}
    table.add_column("source", no_wrap=True, min_width=15)
    for title in list(columns.values())[1:]:
        table.add_column(title, justify="right")
    for row in result.report.to_dict("records"):
        table.add_row(escape(str(row["source"])), *(f"{int(row[k]):,}" for k in list(columns)[1:]))
    return table
