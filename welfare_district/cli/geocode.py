"""`welfare geocode`: geocode one address column of an extract file against the stored house numbers."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from welfare_district.cli.common import fail
from welfare_district.errors import InputError, WelfareError


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
    path: Annotated[Path, typer.Argument(help="Extract file: CSV (any separator) or Excel workbook.")],
    column: Annotated[str, typer.Option("--column", help="Column with the address, or the street when "
                                                          "--number-column is given.")],
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
    """Geocode an address column against the stored civici and print match rates by kind and reason."""
    from welfare_district.engine import connect
    from welfare_district.errors import NotFoundError
    from welfare_district.geo.geocode import geocode_frame, match_summary, store_geocodes
    from welfare_district.geo.store import read_register

    try:
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
