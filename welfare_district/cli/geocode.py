"""`welfare geocode`: geocode addresses against the stored house numbers.

Without PATH it geocodes every address `welfare ingest` staged in the database (results stored per source,
the geocode stage's fingerprint remembered so `welfare pipeline` does not redo it); with PATH it geocodes one
address column of that extract file.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from welfare_district.cli.common import fail, open_database
from welfare_district.errors import InputError, NotFoundError, WelfareError


def read_table(path: Path, sep: str | None, encoding: str, header_row: int, sheet: str | None) -> pd.DataFrame:
    """An extract file (CSV or Excel) as text columns; raises InputError when it is missing or unreadable."""
    if not path.is_file():
        raise InputError("file not found", path=str(path))
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            return pd.read_excel(path, sheet_name=sheet or 0, header=header_row - 1, dtype=object)
        # sep=None lets pandas sniff ';' or ',' from the header line
        return pd.read_csv(path, sep=sep, engine="python" if sep is None else "c", encoding=encoding, dtype=str,
                           keep_default_na=False, skiprows=header_row - 1)
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        # the reader's message may quote a line of the file, so only its type is shown
        raise InputError(f"cannot read the file ({type(exc).__name__}); check --sep, --encoding and "
                         f"--header-row", path=str(path)) from exc


def geocode(
    path: Annotated[Path | None, typer.Argument(help="Extract file: CSV (any separator) or Excel workbook; "
                                                     "omitted: every address staged by `welfare ingest`.")]
    = None,
    column: Annotated[str | None, typer.Option("--column", help="Column with the address, or the street when "
                                                                 "--number-column is given (required with "
                                                                 "PATH).")] = None,
    number_column: Annotated[str | None, typer.Option("--number-column", help="Column with the house number.")]
    = None,
    suffix_column: Annotated[str | None, typer.Option("--suffix-column", help="Column with the number's suffix "
                                                                             "(esponente).")] = None,
    comune_column: Annotated[str | None, typer.Option("--comune-column", help="Column with the comune (ISTAT code "
                                                                             "or name); needed when the register "
                                                                             "holds several comuni.")] = None,
    id_column: Annotated[str | None, typer.Option("--id-column", help="Column with the record id (default: the "
                                                                     "1-based data row).")] = None,
    sep: Annotated[str | None, typer.Option("--sep", help="CSV separator (default: detected).")] = None,
    encoding: Annotated[str, typer.Option("--encoding", help="CSV encoding.")] = "utf-8-sig",
    header_row: Annotated[int, typer.Option("--header-row", min=1, help="1-based row of the column header.")]
    = 1,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Worksheet name (default: the first).")] = None,
    store: Annotated[str | None, typer.Option("--store", help="Also keep the results in the geocode_result "
                                                             "table under this source name.")] = None,
    database_url: Annotated[str | None, typer.Option(
        "--database-url", help="Database URL (default: the WELFARE_DATABASE_URL setting).")] = None,
) -> None:
    """Geocode every staged address (no PATH), or an address column of PATH, against the stored civici, and
    print match rates and the reasons of the unmatched."""
    from welfare_district.engine import connect
    from welfare_district.geo.geocode import geocode_frame, match_summary, store_geocodes
    from welfare_district.geo.store import read_register

    if path is None:
        file_only = {"--column": column, "--number-column": number_column, "--suffix-column": suffix_column,
                     "--comune-column": comune_column, "--id-column": id_column, "--sep": sep,
                     "--sheet": sheet, "--store": store}
        given = [name for name, value in file_only.items() if value is not None]
        if given:
            fail(InputError(f"only with a PATH: {', '.join(given)} (without one, the staged addresses are "
                            f"read from the database)"))
        _geocode_database(database_url)
        return
    try:
        if column is None:
            raise InputError("--column is required with a PATH: the column with the address (or the street)")
        frame = read_table(path, sep, encoding, header_row, sheet)
        for col in (column, number_column, suffix_column, id_column, comune_column):
            if col is not None and col not in frame.columns:
                found = ", ".join(map(str, frame.columns))
                hint = " (is the header on another row? see --header-row)" if "Unnamed" in found else ""
                raise InputError(f"column {col!r} not found; the file has: {found}{hint}", path=str(path),
                                 field=col)
        frame.index = pd.RangeIndex(1, len(frame) + 1)
        if database_url is None:
            from welfare_district.settings import get_settings

            database_url = get_settings().database_url
        with connect(database_url) as db:
            civici = read_register(db)
            if civici.empty:
                raise NotFoundError("No house numbers are stored: run `welfare areas build` or "
                                    "`welfare pipeline` first")
            started = time.perf_counter()
            results = geocode_frame(frame, civici, id_column=id_column, text_column=column,
                                    number_column=number_column, suffix_column=suffix_column,
                                    comune_column=comune_column)
            seconds = time.perf_counter() - started
            if store:
                store_geocodes(db, store, results)
    except WelfareError as exc:
        fail(exc)
    summary = match_summary(results)
    table = Table(title=f"Geocoding {path.name}: {len(results):,} records in {seconds:.2f}s")
    table.add_column("outcome")
    table.add_column("records", justify="right")
    table.add_column("%", justify="right")
    for rec in summary.to_dict("records"):
        table.add_row(str(rec["outcome"]), f"{int(rec['records']):,}", f"{100 * float(rec['share']):.1f}")
    matched = int((results["match_kind"] != "unmatched").sum())
    table.add_row("[bold]matched[/bold]", f"{matched:,}", f"{100 * matched / max(len(results), 1):.1f}")
    console = Console(soft_wrap=True)
    console.print(table)
    if store:
        console.print(f"Stored {len(results):,} results as source {store!r} in geocode_result.")


def _geocode_database(url: str | None) -> None:
    from welfare_district.link.staging import current_load_ids
    from welfare_district.pipeline import geocode_fingerprint, remember_stage
    from welfare_district.regional import refuse_regional
    from welfare_district.warehouse.geocoding import geocode_staging

    try:
        with open_database(url) as db:
            loads = current_load_ids(db)
            if not loads:
                raise NotFoundError("No staged records to geocode: load extracts with `welfare ingest` first")
            refuse_regional(db, "geocoding")
            fingerprint = geocode_fingerprint(db, loads)
            started = time.perf_counter()
            results = geocode_staging(db)
            # the fingerprint the pipeline's geocode stage writes, so `welfare pipeline` keeps these geocodes
            remember_stage(db, "geocode", fingerprint)
            seconds = time.perf_counter() - started
    except WelfareError as exc:
        fail(exc)
    console = Console(soft_wrap=True)
    for table in staged_tables(results, seconds):
        console.print(table)


def staged_tables(results: pd.DataFrame, seconds: float) -> list[Table]:
    """Per source: records, with an address, placed and match rate (placed / with an address); then the
    unmatched addresses by source and reason. Counts only, never an address."""
    frame = pd.DataFrame({"source": results["source"].astype(str),
                          "with_text": (results["reason"] != "empty").to_numpy(),
                          "placed": (results["match_kind"] != "unmatched").to_numpy()})
    rates = Table(title=f"Geocoding of the staged addresses: {len(results):,} records in {seconds:.1f} s")
    rates.add_column("source", no_wrap=True, min_width=15)
    for title in ("records", "with an address", "placed", "match rate %"):
        rates.add_column(title, justify="right")
    per_source = frame.groupby("source", sort=True).agg(records=("placed", "size"), with_text=("with_text", "sum"),
                                                        placed=("placed", "sum"))
    rows = [(escape(str(source)), row) for source, row in per_source.iterrows()]
    for label, row in [*rows, ("[bold]all[/bold]", per_source.sum())]:
        with_text = int(row["with_text"])
        rate = f"{100 * int(row['placed']) / with_text:.2f}" if with_text else "-"  # no address: no rate
        rates.add_row(label, f"{int(row['records']):,}", f"{with_text:,}", f"{int(row['placed']):,}", rate)
    # rows without an address are the difference of the first two columns: not repeated as a reason
    unmatched = results[(results["match_kind"] == "unmatched") & (results["reason"] != "empty")]
    reasons = Table(title="Unmatched addresses by reason")
    reasons.add_column("source", no_wrap=True, min_width=15)
    reasons.add_column("reason", no_wrap=True)
    reasons.add_column("records", justify="right")
    counts = unmatched.groupby(["source", "reason"], sort=True).size().reset_index(name="records")
    for rec in counts.to_dict("records"):
        reasons.add_row(escape(str(rec["source"])), str(rec["reason"]), f"{int(rec['records']):,}")
    return [rates, reasons]
