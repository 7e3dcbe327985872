"""`welfare synth`: generate the synthetic city (truth tables, areas, extracts) into a folder."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from welfare_district.errors import InputError, WelfareError

_YEARS = re.compile(r"^\s*(\d{4})\s*(?:[-:]\s*(\d{4}))?\s*$")


def parse_years(text: str) -> tuple[int, int]:
    """``"2019-2025"`` (or a single ``"2022"``) as a (first, last) pair; InputError otherwise."""
    m = _YEARS.match(text)
    if not m:
        raise InputError(f"years must look like 2019-2025, got {text!r}")
    first = int(m.group(1))
    return first, int(m.group(2) or first)


def synth(
    out: Annotated[Path, typer.Option("--out", help="Output folder (created; must be empty or absent).")],
    scale: Annotated[
        str, typer.Option("--scale", help="padova (~206k residents) or veneto (~4.9M).")
    ] = "padova",
    years: Annotated[
        str, typer.Option("--years", help="Snapshot years, 31 December each: FIRST-LAST.")
    ] = "2019-2025",
    seed: Annotated[int, typer.Option("--seed", help="Master seed: same seed, same bytes.")] = 0,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace a non-empty output folder.")
    ] = False,
    extracts: Annotated[
        bool, typer.Option("--extracts/--no-extracts", help="Also write the source extracts.")
    ] = True,
    fraction: Annotated[
        float, typer.Option("--fraction", hidden=True, help="Scale residents down (tests).")
    ] = 1.0,
    workers: Annotated[
        int | None, typer.Option("--workers", hidden=True, help="Processes for regional runs.")
    ] = None,
    districts: Annotated[
        int | None,
        typer.Option("--districts", help="Regional scales only: keep the first K virtual districts."),
    ] = None,
) -> None:
    """Generate the synthetic population and its yearly snapshots into OUT."""
    from welfare_district.synth.generate import check_arguments, check_districts, check_output, generate

    console = Console(soft_wrap=True)
    try:
        year_range = parse_years(years)
        check_arguments(scale, year_range, seed, fraction)
        check_districts(scale, districts)
        check_output(out, overwrite)
        started = time.perf_counter()
        with Progress(
            TextColumn("{task.description:<18}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        ) as bar:
            task = bar.add_task("starting", total=1)

            def report(label: str, done: int, total: int) -> None:
                bar.update(task, description=label, completed=done, total=total)

            result = generate(
                out,
                scale=scale,
                years=year_range,
                seed=seed,
                fraction=fraction,
                overwrite=overwrite,
                extracts=extracts,
                workers=workers,
                max_chunks=districts,
                progress=report,
            )
    except WelfareError as exc:
        # one line, no traceback: the message of a WelfareError is written for the user
        Console(stderr=True, soft_wrap=True).print(f"[red]Error: {escape(str(exc))}[/red]")
        raise typer.Exit(1) from None
    counts = result.manifest["row_counts"]
    console.print(
        f"Wrote {escape(str(result.out_dir))} in {time.perf_counter() - started:.1f} s: "
        f"{counts.get('truth/persons.parquet', 0):,} persons, "
        f"{counts.get('truth/person_year.parquet', 0):,} person-years, "
        f"{len(result.manifest['files'])} files"
    )
