"""`welfare db`: compare the database's tables with this version's, and upgrade them in place."""

from __future__ import annotations

import typer

from welfare_district.cli.common import DatabaseUrl, fail, open_database
from welfare_district.errors import WelfareError

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="The database's tables: check them against this version, upgrade them in place.")


@app.command("check")
def check(database_url: DatabaseUrl = None) -> None:
    """List the columns this version declares that the database's existing tables lack, and the tables it no
    longer uses; exit 1 if any."""
    from welfare_district.schema import differences

    try:
        with open_database(database_url) as db:
            found = differences(db)
    except WelfareError as exc:
        fail(exc)
    if not found:
        typer.echo("The database's tables match this version.")
        return
    for d in found:
        typer.echo(d.describe())
    raise typer.Exit(1)


@app.command("upgrade")
def upgrade_(database_url: DatabaseUrl = None) -> None:
    """Add the missing columns and drop the retired tables in one transaction (nothing changes if any column
    cannot be added)."""
    from welfare_district.schema import upgrade

    try:
        with open_database(database_url) as db:
            added = upgrade(db)
    except WelfareError as exc:
        fail(exc)
    if not added:
        typer.echo("Nothing to upgrade: the database's tables match this version.")
    for d in added:
        typer.echo(f"dropped table {d.table}, no longer used" if d.fix == "drop"
                   else f"added column {d.column} to table {d.table}")
