"""`welfare privacy`: the pseudonym keys in use, and protected exports of indicator tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from welfare_district.cli.common import DatabaseUrl, fail, open_database
from welfare_district.errors import InputError, WelfareError

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Pseudonym keys and disclosure-controlled exports (see docs/privacy.md).")


@app.command("keys")
def keys() -> None:
    """Where the pseudonym keys come from, their versions and the current one (never the keys)."""
    from welfare_district.privacy.pseudonym import load_keyring
    from welfare_district.settings import get_settings

    try:
        settings = get_settings()
        keyring = load_keyring(settings)
    except WelfareError as exc:
        fail(exc)
    source = ("WELFARE_PSEUDONYM_KEY" if settings.pseudonym_key is not None
              else str(settings.pseudonym_key_file) if settings.pseudonym_key_file is not None
              else "built-in demo key")
    typer.echo(f"source: {source}\nversions: {', '.join(keyring.keys)}\ncurrent: {keyring.current}\n"
               f"demo: {'yes' if keyring.demo else 'no'}")


@app.command("export")
def export(indicator: Annotated[str, typer.Option("--indicator", help="Indicator id (`welfare indicators list`).")],
           year: Annotated[int, typer.Option("--year", help="Snapshot year.")],
           out: Annotated[Path, typer.Option("--out", help="CSV file to write (must not exist).")],
           level: Annotated[str | None, typer.Option(
               "--level", help="Only this level: city, quartiere, zone or section.")] = None,
           database_url: DatabaseUrl = None) -> None:
    """Write the disclosure-controlled table of one indicator and year, as partners and the public get it;
    the export is recorded in the audit log."""
    from welfare_district.audit.log import AuditEvent, record
    from welfare_district.privacy.disclosure import DisclosurePolicy, rounding_key
    from welfare_district.privacy.export import protected_table
    from welfare_district.privacy.pseudonym import Pseudonymiser, load_keyring
    from welfare_district.settings import get_settings

    try:
        if out.exists():
            raise InputError(f"{out} already exists; choose another file", field="out")
        if level is not None and level not in ("city", "quartiere", "zone", "section"):
            raise InputError("--level must be city, quartiere, zone or section", field="level")
        settings = get_settings()
        keyring = load_keyring(settings)
        policy = DisclosurePolicy.from_settings(settings)
        with open_database(database_url) as db:
            table = protected_table(db, indicator, year, policy, rounding_key(keyring), level)
            table.to_csv(out, index=False)
            try:
                with db.engine.begin() as conn:
                    record(conn, AuditEvent("system:cli", "export.protected", "indicator_table",
                                            f"{indicator}:{year}:{level or 'all'}", "publication"),
                           Pseudonymiser(keyring))
            except BaseException:
                out.unlink(missing_ok=True)  # an export that is not in the audit log does not exist
                raise
    except WelfareError as exc:
        fail(exc)
    typer.echo(f"Wrote {len(table):,} rows to {out} ({int(table['suppressed'].sum()):,} suppressed, "
               f"counts rounded to base {policy.rounding_base}).")
