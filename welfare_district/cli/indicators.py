"""`welfare indicators`: list and show the definitions, compute them into `indicator_value`, write the docs."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table

from welfare_district.cli.common import DatabaseUrl, fail, open_database
from welfare_district.errors import InputError, WelfareError

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Indicator definitions and their values per area level and year.")



def parse_year_list(text: str) -> list[int]:
    """``"2019-2025"``, ``"2024"`` or ``"2019,2021-2022"`` as a sorted list of years; InputError otherwise."""
    from welfare_district.cli.synth import parse_years

    years: set[int] = set()
    for part in text.split(","):
        first, last = parse_years(part)
        if last < first:
            raise InputError(f"years must go forward, got {part.strip()!r}")
        years.update(range(first, last + 1))
    return sorted(years)


@app.command("list")
def list_() -> None:
    """List every indicator: id, name, unit, kind, ISTAT code and version."""
    from welfare_district.indicators.library import default_library

    table = Table("name", "unit", "kind", "ISTAT", "version")
    # Ids are what users type: never wrapped or cut, other columns give way.
    table.columns.insert(0, Column("id", no_wrap=True))
    for ind in default_library().values():
        table.add_row(ind.id, ind.name_en, ind.unit, ind.kind, ind.istat_code or "-", ind.version)
    Console(soft_wrap=True).print(table)


@app.command("show")
def show(indicator_id: Annotated[str, typer.Argument(help="Indicator id (see `welfare indicators list`).")]) -> None:
    """Show one indicator's full definition."""
    from welfare_district.indicators.filters import describe_count
    from welfare_district.indicators.library import get_indicator

    try:
        ind = get_indicator(indicator_id)
    except WelfareError as exc:
        fail(exc)
    table = Table("field", "value", show_header=False)
    for field, value in (("id", ind.id), ("name (it)", ind.name_it), ("name (en)", ind.name_en),
                         ("description", ind.description_en), ("unit", ind.unit),
                         ("numerator", describe_count(ind.numerator)),
                         ("denominator", describe_count(ind.denominator)),
                         ("multiplier", f"{ind.multiplier:,}"), ("kind", ind.kind), ("polarity", str(ind.polarity)),
                         ("ISTAT code", ind.istat_code or "-"), ("aligned with", ind.alignment),
                         ("variant", ind.variant), ("version", ind.version)):
        table.add_row(field, escape(value))
    Console(soft_wrap=True).print(table)


@app.command("compute")
def compute(
    years: Annotated[str | None, typer.Option(
        "--years", help="Years to compute, e.g. 2019-2025 or 2024 (default: only years whose values are stale).")]
    = None,
    level: Annotated[list[str] | None, typer.Option(
        "--level", help="Area level to compute (repeatable; default: every level in the area table).")] = None,
    indicator: Annotated[list[str] | None, typer.Option(
        "--indicator", help="Indicator id (repeatable; default: all).")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Compute indicators from the warehouse snapshots and store them in indicator_value, year by year."""
    from welfare_district.indicators.library import default_library, get_indicator
    from welfare_district.indicators.store import compute_and_store, read_values

    console = Console(soft_wrap=True)
    try:
        chosen_years = parse_year_list(years) if years is not None else None
        lib = default_library()
        chosen = [get_indicator(i, lib) for i in indicator] if indicator else list(lib.values())
        with open_database(database_url) as db:
            result = compute_and_store(db, chosen, chosen_years, level or None)
            if not result.years:
                console.print("Every year is up to date: nothing to compute.")
                return
            shown_level = "city" if not level or "city" in level else level[0]
            values = read_values(db, indicator_ids=[i.id for i in chosen], level=shown_level, years=result.years)
    except WelfareError as exc:
        fail(exc)
    console.print(f"Stored {result.rows:,} values for {', '.join(map(str, result.years))}.")
    table = Table("area", *[str(y) for y in result.years], title=f"Values at level {shown_level}")
    table.columns.insert(0, Column("indicator", no_wrap=True))
    shown = values[values["area_id"] == values["area_id"].min()]
    for ind in chosen:
        rows = shown[shown["indicator_id"] == ind.id].set_index("year")["value"].to_dict()
        cells = ["-" if rows.get(y) is None or rows[y] != rows[y] else f"{rows[y]:.2f}" for y in result.years]
        table.add_row(ind.id, str(shown["area_id"].min()), *cells)
    console.print(table)


@app.command("docs")
def docs() -> None:
    """Regenerate docs/indicators.md from the indicator library."""
    from welfare_district.indicators.docs import write_docs

    path = write_docs()
    Console(soft_wrap=True).print(f"Wrote {path}")
