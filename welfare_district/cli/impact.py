"""`welfare impact`: import the register of actions (calls, projects, partner reports) and print monitoring."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from welfare_district.cli.common import DatabaseUrl, fail, open_database
from welfare_district.errors import InputError, WelfareError
from welfare_district.impact.spec import rows_of

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Calls, projects, activities and beneficiaries: import, reach, coverage, impact.")


def _console() -> Console:
    return Console(soft_wrap=True, width=None if sys.stdout.isatty() else 240)


@app.command("import")
def import_(path: Annotated[Path, typer.Argument(help="A report file (.csv/.xlsx) or a folder of them.")],
            database_url: DatabaseUrl = None) -> None:
    """Validate each file whole, then load it in one transaction; a file with any problem loads nothing."""
    from welfare_district.impact.importer import import_reports, report_files

    try:
        if not path.exists():
            raise InputError("no such file or folder", path=str(path))
        files = report_files(path) if path.is_dir() else [path]
        if not files:
            raise InputError("no report file (bandi, progetti, attivita, beneficiari .csv/.xlsx)", path=str(path))
        with open_database(database_url) as db:
            results = import_reports(db, files)
    except WelfareError as exc:
        fail(exc)
    err = Console(stderr=True, soft_wrap=True)
    for r in results:
        typer.echo(f"{r.file_name}: {r.status}" + (f" ({r.rows} rows)" if r.status == "loaded" else ""))
        for p in rows_of(r.problems):
            err.print(f"  {p.file_name} row {p.row_number} field {p.field or '-'}: {p.reason}", markup=False,
                      highlight=False)
    if any(r.status == "rejected" for r in results):
        raise typer.Exit(1)


@app.command("report")
def report(project: Annotated[str | None, typer.Option("--project", help="One project's impact estimates.")] = None,
           database_url: DatabaseUrl = None) -> None:
    """Reach, coverage and spending per project (exact counts: for the municipality's own use)."""
    from welfare_district.impact.monitoring import coverage, project_reach, read_register
    from welfare_district.impact.outcomes import project_impact

    try:
        with open_database(database_url) as db:
            reg = read_register(db)
            if project is not None and project not in set(reg.projects["project_id"]):
                raise InputError(f"unknown project {project!r}", field="project")
            reach = project_reach(db, reg).merge(coverage(db, reg), on="project_id", how="left")
            if project is not None:
                reach = reach[reach["project_id"] == project]
                estimates = project_impact(db, project)
    except WelfareError as exc:
        fail(exc)
    table = Table("project", "call", "people", "families", "unlinked", "eligible", "coverage", "EUR/person")
    for r in rows_of(reach):
        table.add_row(r.project_id, r.call_id, str(r.people), str(r.families), str(r.unlinked), str(r.eligible),
                      "-" if r.coverage is None or r.coverage != r.coverage else f"{r.coverage:.1%}",
                      "-" if r.eur_per_person != r.eur_per_person else f"{r.eur_per_person:,.0f}")
    console = _console()
    console.print(table)
    if project is None:
        return
    for level in ("area", "person"):
        e = estimates[level]
        value = "no estimate" if e["estimate"] is None else \
            f"{e['estimate']:+.3f} (95% interval {e['low']:+.3f} to {e['high']:+.3f})"
        console.print(f"{level}: {e['outcome']}: {value}", markup=False, highlight=False)
        console.print(f"  method: {e['method']}", markup=False, highlight=False)
        console.print(f"  comparison: {e['comparison']}; treated: {e['n_treated']}"
                      + (f"; {e['note']}" if e["note"] else ""), markup=False, highlight=False)
    console.print(estimates["person"].get("wording_en", ""), markup=False, highlight=False)
