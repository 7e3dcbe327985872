"""`welfare audit`: verify the hash chain of the audit log and list its newest rows (for administrators)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from welfare_district.cli.common import DatabaseUrl, fail, open_database
from welfare_district.errors import InputError, WelfareError

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="The audit log: verify its integrity, list its rows.")


def parse_expect(text: str) -> tuple[int, str]:
    """'SEQ:HASH' -> (seq, hash); InputError when malformed."""
    seq, sep, digest = text.partition(":")
    if not sep or not seq.isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise InputError("--expect takes SEQ:HASH as printed by an earlier `welfare audit verify`", field="expect")
    return int(seq), digest


@app.command("verify")
def verify_(expect: Annotated[str | None, typer.Option(
                "--expect", help="SEQ:HASH of a row recorded earlier outside the database: detects truncation.")]
            = None,
            as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
            database_url: DatabaseUrl = None) -> None:
    """Check every row's hash and link; exit 1 naming the first edited, deleted or reordered row."""
    from welfare_district.audit.log import verify
    from welfare_district.privacy.pseudonym import load_keyring
    from welfare_district.settings import get_settings

    try:
        wanted = None if expect is None else parse_expect(expect)
        keyring = load_keyring(get_settings())
        with open_database(database_url) as db, db.engine.connect() as conn:
            result = verify(conn, keyring, expect=wanted)
    except WelfareError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps(result.as_dict()))
    elif result.ok:
        typer.echo(f"Audit log intact: {result.rows} rows. Keep this head outside the database and pass it as "
                   f"--expect next time: {result.head_seq}:{result.head_hash}")
    else:
        Console(stderr=True, soft_wrap=True).print(f"[red]Audit log damaged: {result.problem}[/red]")
    if not result.ok:
        raise typer.Exit(1)


@app.command("list")
def list_(limit: Annotated[int, typer.Option("--limit", help="How many rows, newest first.")] = 50,
          action: Annotated[str | None, typer.Option("--action", help="Only this action, e.g. users.add.")] = None,
          actor: Annotated[str | None, typer.Option("--actor", help="Only this actor, e.g. user:u0123...")] = None,
          database_url: DatabaseUrl = None) -> None:
    """The newest rows: when, who (account id), action, object type and pseudonym, purpose, outcome."""
    from welfare_district.audit.log import list_events

    try:
        with open_database(database_url) as db, db.engine.connect() as conn:
            rows = list_events(conn, limit=limit, action=action, actor=actor)
    except WelfareError as exc:
        fail(exc)
    table = Table("seq", "when (UTC)", "actor", "action", "object", "pseudonym", "purpose", "outcome")
    for r in rows:
        table.add_row(str(r["seq"]), r["occurred_at"][:19], r["actor"], r["action"], r["object_type"],
                      r["object_ref"] or "-", r["purpose"], r["outcome"])
    # piped output (files, scripts) keeps whole cells instead of folding them to 80 columns
    console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 240)
    console.print(table if rows else "The audit log is empty.")
