"""What every `welfare` command shares: the --database-url option, opening the database, failing cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from welfare_district.engine import Database, connect
from welfare_district.errors import WelfareError

DatabaseUrl = Annotated[str | None, typer.Option(
    "--database-url", help="Database URL (default: the WELFARE_DATABASE_URL setting).")]


def report(exc: WelfareError) -> None:
    """Print the error as one red line on stderr; a WelfareError's message is written for the user."""
    Console(stderr=True, soft_wrap=True).print(f"[red]Error: {escape(str(exc))}[/red]")


def fail(exc: WelfareError) -> NoReturn:
    """Inside a command: report the error and exit with status 1."""
    report(exc)
    raise typer.Exit(1)


def database_url(url: str | None) -> str:
    """The given URL, or the WELFARE_DATABASE_URL setting."""
    if url is not None:
        return url
    from welfare_district.settings import get_settings

    return get_settings().database_url


@contextmanager
def open_database(url: str | None) -> Iterator[Database]:
    """The database at ``url`` (or the setting), closed when the block ends."""
    db = connect(database_url(url))
    try:
        yield db
    finally:
        db.close()
