"""`welfare areas`: build the synthetic hierarchy, import real ISTAT boundaries, list what is stored."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from welfare_district.cli.common import DatabaseUrl, fail, open_database
from welfare_district.errors import InputError, WelfareError

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Area hierarchy (city > quartiere > zone > section) and house-number register.")



@app.command("build")
def build(seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic areas and civici.")] = 0,
          database_url: DatabaseUrl = None) -> None:
    """Generate the synthetic hierarchy and house numbers for SEED and replace the stored ones."""
    from welfare_district.geo.civici import build_synthetic_civici
    from welfare_district.geo.hierarchy import build_synthetic_hierarchy
    from welfare_district.geo.store import save_areas

    console = Console(soft_wrap=True)
    try:
        started = time.perf_counter()
        areaset = build_synthetic_hierarchy(seed)
        built_areas = time.perf_counter()
        civici = build_synthetic_civici(areaset, seed)
        built_civici = time.perf_counter()
        with open_database(database_url) as db:
            save_areas(db, areaset, civici)
        saved = time.perf_counter()
    except WelfareError as exc:
        fail(exc)
    counts = areaset.areas["level"].value_counts()
    console.print(f"Saved {counts.get('quartiere', 0)} quartieri, {counts.get('zone', 0)} zones, "
                  f"{counts.get('section', 0)} sections and {len(civici):,} civici (seed {seed}) in "
                  f"{saved - started:.1f}s (areas {built_areas - started:.1f}s, civici "
                  f"{built_civici - built_areas:.1f}s, save {saved - built_civici:.1f}s).")


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="Shapefile (.shp or .zip) or GeoJSON, in any declared CRS.")],
    level: Annotated[str, typer.Option("--level", help="Level the layer replaces: zone or section.")],
    code_field: Annotated[str, typer.Option("--code-field", help="Field with each area's code (unique).")],
    parent_field: Annotated[str, typer.Option(
        "--parent-field", help="Field with the parent's code (quartiere for zones, zone for sections).")],
    name_field: Annotated[str | None, typer.Option("--name-field", help="Field with a display name.")] = None,
    nest_tolerance: Annotated[float, typer.Option(
        "--nest-tolerance", help="Largest share of an area allowed outside its parent.")] = 0.01,
    database_url: DatabaseUrl = None,
) -> None:
    """Validate a real boundary layer and, only if every feature passes, replace that level."""
    from welfare_district.geo.boundary_import import IMPORTABLE, import_boundaries

    try:
        if level not in IMPORTABLE:
            raise InputError(f"--level must be one of {', '.join(IMPORTABLE)}, got {level!r}", field="level")
        with open_database(database_url) as db:
            result = import_boundaries(db, path, level, code_field, parent_field, name_field, nest_tolerance)
    except WelfareError as exc:
        fail(exc)
    Console(soft_wrap=True).print(
        f"Imported {result.areas} {level} areas as boundary version {result.boundary_version}; "
        f"{result.reattached} sections re-attached, {result.civici:,} civici updated.")


@app.command("list")
def list_(level: Annotated[str | None, typer.Option("--level", help="Show one level only.")] = None,
          database_url: DatabaseUrl = None) -> None:
    """Show the stored areas per level: count, residents, boundary versions."""
    from welfare_district.geo.areaset import check_level
    from welfare_district.geo.store import count_by_level

    try:
        if level is not None:
            check_level(level)
        with open_database(database_url) as db:
            counts = count_by_level(db)
    except WelfareError as exc:
        fail(exc)
    if level is not None:
        counts = counts[counts["level"] == level]
    console = Console(soft_wrap=True)
    if counts.empty:
        console.print("No areas stored. Run `welfare areas build` first.")
        return
    table = Table(title="Stored areas")
    for column, justify in (("level", "left"), ("areas", "right"), ("residents", "right"),
                            ("boundary version", "left"), ("synthetic", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in counts.to_dict("records"):
        table.add_row(str(row["level"]), f"{int(row['areas']):,}", f"{int(row['residents']):,}",
                      str(row["boundary_version"]), "yes" if row["synthetic"] else "no")
    console.print(table)
