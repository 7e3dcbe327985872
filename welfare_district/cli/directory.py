"""`welfare directory`: import and export the service catalogue (HSDS 3.0), list it, match a family or a profile."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from welfare_district.cli.common import DatabaseUrl, fail, open_database
from welfare_district.errors import InputError, WelfareError

if TYPE_CHECKING:
    from welfare_district.directory.eligibility import Profile
    from welfare_district.engine import Database

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="The service directory: HSDS import/export, listing, matching at the desk.")
FAMILY_DOMAIN = "family"

FormatOption = Annotated[str | None, typer.Option(
    "--format", help="hsds-json (one .json file), hsds-csv (a datapackage folder) or catalogo (the municipal "
                     "extract folder); guessed from the path when omitted.")]


def _console() -> Console:
    # piped output keeps whole cells instead of folding them to 80 columns
    return Console(soft_wrap=True, width=None if sys.stdout.isatty() else 240)


@app.command("import")
def import_(path: Annotated[Path, typer.Argument(help="File or folder to import.")], fmt: FormatOption = None,
            database_url: DatabaseUrl = None) -> None:
    """Validate the whole catalogue, then replace the published one in one transaction (nothing on error)."""
    from welfare_district.directory.hsds_validate import HsdsImportError
    from welfare_district.directory.transfer import FORMATS, import_catalogue

    try:
        if fmt is not None and fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}", field="format")
        with open_database(database_url) as db:
            result = import_catalogue(db, path, fmt)
    except HsdsImportError as exc:
        err = Console(stderr=True, soft_wrap=True)
        err.print(f"[red]Import refused, nothing loaded: {len(exc.issues)} problem(s)[/red]")
        for issue in exc.issues:
            err.print(f"  {issue}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    except WelfareError as exc:
        fail(exc)
    rows = ", ".join(f"{n} {t}" for t, n in result.rows.items() if n)
    typer.echo(f"Catalogue {result.status} (version {result.version}): {rows}")


@app.command("export")
def export(path: Annotated[Path, typer.Argument(help="Target .json file or datapackage folder.")],
           fmt: Annotated[str, typer.Option("--format", help="hsds-json or hsds-csv.")] = "hsds-json",
           database_url: DatabaseUrl = None) -> None:
    """Write the published catalogue as HSDS JSON (nested service objects) or as a CSV datapackage."""
    from welfare_district.directory.transfer import export_catalogue

    try:
        if fmt not in ("hsds-json", "hsds-csv"):
            raise InputError("export writes --format hsds-json or hsds-csv", field="format")
        with open_database(database_url) as db:
            written = export_catalogue(db, path, fmt)  # type: ignore[arg-type]
    except WelfareError as exc:
        fail(exc)
    typer.echo(f"Wrote {len(written)} file(s) to {path}")


@app.command("list")
def list_(taxonomy: Annotated[str | None, typer.Option("--taxonomy", help="Need code, e.g. housing.")] = None,
          query: Annotated[str | None, typer.Option("--query", help="Words to find in name or description.")] = None,
          area: Annotated[str | None, typer.Option("--area", help="Area id (quartiere, zone...).")] = None,
          as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
          database_url: DatabaseUrl = None) -> None:
    """The published services (id, name, organisation, needs, status), optionally filtered."""
    from welfare_district.directory.index import get_index
    from welfare_district.directory.search import find_services

    try:
        with open_database(database_url) as db:
            index = get_index(db)
            found = find_services(index, taxonomy_term=taxonomy, query=query, area_id=area)
    except WelfareError as exc:
        fail(exc)
    if as_json:
        for s in found:
            typer.echo(json.dumps({"id": s.id, "name": s.name, "organization_id": s.organization_id,
                                   "needs": sorted(s.needs), "status": s.status}, ensure_ascii=False))
        return
    table = Table("id", "service", "organisation", "needs", "status")
    for s in found:
        table.add_row(s.id, s.name, str(index.organizations[s.organization_id]["name"]), ", ".join(sorted(s.needs)),
                      s.status)
    _console().print(table if found else "No service matches (is the catalogue imported?).")


@app.command("match")
def match(family: Annotated[str | None, typer.Option(
              "--family", help="Family id or its pseudonym (domain 'family') in the latest snapshot.")] = None,
          profile: Annotated[str | None, typer.Option(
              "--profile", help='A desk profile as JSON, e.g. {"ages": [82], "needs": ["elderly_care"]}.')] = None,
          limit: Annotated[int, typer.Option("--limit", help="How many services.")] = 10,
          as_json: Annotated[bool, typer.Option("--json", help="Print the matches as JSON.")] = False,
          database_url: DatabaseUrl = None) -> None:
    """Eligible services ranked by needs met and distance, with every rule's outcome (family reads are audited)."""
    from pydantic import ValidationError

    from welfare_district.directory.eligibility import Profile
    from welfare_district.directory.index import get_index
    from welfare_district.directory.matching import match_services

    try:
        if (family is None) == (profile is None):
            raise InputError("give exactly one of --family or --profile", field="family")
        with open_database(database_url) as db:
            if profile is not None:
                try:
                    desk = Profile.model_validate_json(profile)
                except ValidationError as exc:
                    first = exc.errors()[0]
                    where = ".".join(str(p) for p in first.get("loc", ()))
                    raise InputError(f"invalid profile at {where or 'top level'}: {first.get('msg')}",
                                     field="profile") from None
                flags: tuple[str, ...] = ()
            else:
                desk, flags = _family_profile(db, str(family))
            matches = match_services(get_index(db), desk, limit=limit)
    except WelfareError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps({"needs": desk.needs, "flags": list(flags), "matches": [m.as_dict() for m in matches]},
                              ensure_ascii=False))
        return
    typer.echo(f"Needs: {', '.join(desk.needs) or '-'}" + (f"; hardship flags: {', '.join(flags)}" if flags else ""))
    table = Table("service", "name", "needs met", "km", "rules")
    for m in matches:
        rules = "; ".join(f"{o.status}: {o.rule} ({o.reason})" for o in m.outcomes) or "open to everyone"
        table.add_row(m.service_id, m.name, ", ".join(m.needs_matched) or "-",
                      "-" if m.distance_km is None else f"{m.distance_km:.2f}", rules)
    _console().print(table if matches else "No eligible service.")


def _family_profile(db: Database, reference: str) -> tuple[Profile, tuple[str, ...]]:
    from welfare_district.audit.log import AuditEvent, record
    from welfare_district.directory.profile import family_profile, resolve_family
    from welfare_district.privacy.pseudonym import Pseudonymiser, load_keyring
    from welfare_district.settings import get_settings

    pseudonymiser = Pseudonymiser(load_keyring(get_settings()))
    family_id = resolve_family(db, reference, lambda fid: pseudonymiser.every_version(fid, FAMILY_DOMAIN))
    found = family_profile(db, family_id)
    with db.engine.begin() as conn:  # reading a family's profile is a personal-data access
        record(conn, AuditEvent("system:cli", "directory.match", "family", str(family_id), "case_management"),
               pseudonymiser)
    return found.profile, found.flags
