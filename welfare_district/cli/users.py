"""`welfare users`: create, disable, list accounts and grant territories or organisations.

Passwords are read from a hidden prompt (typed twice) or, with --password-stdin, from the first line of
standard input: never from a command-line argument, which would stay in the shell history and process list.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from welfare_district.cli.common import DatabaseUrl, fail, open_database
from welfare_district.errors import InputError, WelfareError

if TYPE_CHECKING:
    from welfare_district.privacy.pseudonym import Pseudonymiser

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Accounts, roles and grants (a new account reaches no data until granted).")

PasswordStdin = Annotated[bool, typer.Option(
    "--password-stdin", help="Read the password from the first line of standard input instead of a prompt.")]


def pseudonymiser() -> Pseudonymiser:
    """The Pseudonymiser of the configured keys (ConfigError without a usable key outside demo mode)."""
    from welfare_district.privacy.pseudonym import Pseudonymiser, load_keyring
    from welfare_district.settings import get_settings

    return Pseudonymiser(load_keyring(get_settings()))


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise InputError("no password on standard input", field="password")
        return line.rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@app.command("add")
def add(username: Annotated[str, typer.Argument(help="Login name: 3-64 lower-case letters, digits, . _ -")],
        role: Annotated[str, typer.Option(
            "--role", help="admin, data_steward, operator, analyst or partner.")],
        password_stdin: PasswordStdin = False, database_url: DatabaseUrl = None) -> None:
    """Create an account with a role and no data access; grant it territories with `welfare users grant`."""
    from welfare_district.access.users import add_user

    try:
        keys = pseudonymiser()
        password = _password(password_stdin)
        with open_database(database_url) as db:
            user_id = add_user(db.engine, username, password, role, keys)
    except WelfareError as exc:
        fail(exc)
    typer.echo(f"Created {username} ({role}, id {user_id}); it has no data access until granted.")


@app.command("disable")
def disable(username: Annotated[str, typer.Argument(help="The account to disable.")],
            database_url: DatabaseUrl = None) -> None:
    """Disable an account: it can no longer sign in or act; its history stays."""
    from welfare_district.access.users import disable_user

    try:
        keys = pseudonymiser()
        with open_database(database_url) as db:
            changed = disable_user(db.engine, username, keys)
    except WelfareError as exc:
        fail(exc)
    typer.echo(f"Disabled {username}." if changed else f"{username} was already disabled.")


@app.command("grant")
def grant_(username: Annotated[str, typer.Argument(help="The account receiving the grant.")],
           kind: Annotated[str, typer.Option(
               "--kind", help="city, quartiere or zone (an area id) or organisation (an organisation id).")],
           target: Annotated[str, typer.Option("--target", help="The area id or organisation id.")],
           database_url: DatabaseUrl = None) -> None:
    """Give an account access to a territory or an organisation's objects (checked against its role)."""
    from welfare_district.access.users import grant

    try:
        keys = pseudonymiser()
        with open_database(database_url) as db:
            changed = grant(db.engine, username, kind, target, keys)
    except WelfareError as exc:
        fail(exc)
    typer.echo(f"Granted {kind} {target} to {username}." if changed
               else f"{username} already had {kind} {target}.")


@app.command("list")
def list_(database_url: DatabaseUrl = None) -> None:
    """Every account: role, state and grants."""
    from welfare_district.access.users import list_users

    try:
        with open_database(database_url) as db:
            rows = list_users(db.engine)
    except WelfareError as exc:
        fail(exc)
    table = Table("username", "id", "role", "state", "grants", "created")
    for r in rows:
        table.add_row(r["username"], r["user_id"], r["role"], "disabled" if r["disabled"] else "active",
                      ", ".join(r["grants"]) or "-", str(r["created_at"])[:19])
    # piped output (files, scripts) keeps whole cells instead of folding them to 80 columns
    Console(soft_wrap=True, width=None if sys.stdout.isatty() else 240).print(table if rows else "No accounts.")
