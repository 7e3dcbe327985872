"""`welfare serve`: run the web dashboard and REST API with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from welfare_district.engine import redact


def serve(
    host: Annotated[str | None, typer.Option(
        help="Address to listen on [default: WELFARE_HOST or 127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [default: WELFARE_PORT or 8000].",
                                             min=1, max=65535)] = None,
    database_url: Annotated[str | None, typer.Option(
        help="Database URL [default: WELFARE_DATABASE_URL or duckdb:///var/welfare.duckdb].")] = None,
) -> None:
    """Serve the dashboard and the API until interrupted; options override the WELFARE_* settings.

    Guarantees: the app is built by create_app from these settings when the command runs (never at
    import), and the address to open is printed before the server starts listening.
    """
    import uvicorn

    from welfare_district.settings import get_settings
    from welfare_district.web.app import create_app
    from welfare_district.web.i18n import translate

    overrides = {k: v for k, v in {"host": host, "port": port, "database_url": database_url}.items()
                 if v is not None}
    settings = get_settings(**overrides)
    app = create_app(settings)
    # A wildcard address is not something a browser can open; loopback is, on the same machine.
    shown_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    url = f"http://{shown_host}:{settings.port}/"
    typer.echo(translate(settings.language, "serve_banner", url=url))
    typer.echo(f"Database: {redact(settings.database_url)}")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", server_header=False)
