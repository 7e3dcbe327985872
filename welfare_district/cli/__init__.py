"""The `welfare` command line: one sub-command per pipeline stage, plus `demo`, `pipeline` and `serve`."""

from __future__ import annotations

import typer

from welfare_district import __version__


def build_app() -> typer.Typer:
    """Assemble the CLI from the per-stage command modules."""
    from welfare_district.cli import areas, audit, demo, geocode, indicators, ingest, link, privacy, serve, synth, users

    app = typer.Typer(no_args_is_help=True, add_completion=False,
                      help="Welfare District: integrated welfare data and vulnerability indicators.")
    # data-flow order, as `welfare --help` lists them
    app.command("synth")(synth.synth)
    app.add_typer(areas.app, name="areas")
    app.command("ingest")(ingest.ingest)
    app.command("quality")(ingest.quality)
    app.command("link")(link.link)
    app.command("geocode")(geocode.geocode)
    app.add_typer(indicators.app, name="indicators")
    app.command("serve")(serve.serve)
    app.command("pipeline")(demo.pipeline)
    app.command("demo")(demo.demo)
    app.add_typer(users.app, name="users")
    app.add_typer(audit.app, name="audit")
    app.add_typer(privacy.app, name="privacy")
    from welfare_district.cli import directory as directory_cli
    app.add_typer(directory_cli.app, name="directory")
    from welfare_district.cli import impact as impact_cli
    app.add_typer(impact_cli.app, name="impact")
    from welfare_district.cli import db as db_cli
    app.add_typer(db_cli.app, name="db")

    @app.command()
    def version() -> None:
        """Print the installed version."""
        typer.echo(__version__)

    return app


def main() -> None:
    """Entry point of the `welfare` script; a WelfareError that no command caught still ends in one line."""
    from welfare_district.cli.common import report
    from welfare_district.errors import WelfareError

    try:
        build_app()()
    except WelfareError as exc:
        report(exc)
        raise SystemExit(1) from None
