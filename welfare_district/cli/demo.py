"""`welfare demo` and `welfare pipeline`: build the synthetic Padova, run every stage, serve the dashboard."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from welfare_district.errors import WelfareError

DatabaseUrl = Annotated[str | None, typer.Option(
    "--database-url", help="Database URL [default: WELFARE_DATABASE_URL].")]


def _fail(exc: WelfareError) -> typer.Exit:
    Console(stderr=True, soft_wrap=True).print(f"[red]Error: {escape(str(exc))}[/red]")
    return typer.Exit(1)


def _dataset_matches(folder: Path, seed: int, years: tuple[int, int]) -> bool:
    """True when ``folder`` already holds a complete Padova dataset built with this seed and years."""
    from welfare_district.synth.generate import GENERATOR_VERSION

    try:
        manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (manifest.get("generator_version") == GENERATOR_VERSION and manifest.get("scale") == "padova"
            and manifest.get("fraction") == 1.0 and manifest.get("seed") == seed
            and manifest.get("years") == list(years))


def _run_stages(database_url: str, dataset_dir: Path | None, seed: int, comuni_dir: Path | None = None,
                workers: int | None = None) -> None:
    from welfare_district.engine import connect, redact
    from welfare_district.pipeline import PipelineInput, run_pipeline

    console = Console(soft_wrap=True)
    with connect(database_url) as db, console.status("pipeline") as status:
        results = run_pipeline(db, PipelineInput(dataset_dir, seed, comuni_dir, workers),
                               on_stage=lambda name: status.update(f"stage: {name}"))
    table = Table(title=f"Pipeline on {redact(database_url)}")
    for col in ("stage", "result", "seconds"):
        table.add_column(col)
    for r in results:
        table.add_row(r.stage, r.summary, f"{r.seconds:.1f}")
    console.print(table)


def pipeline(
    dataset: Annotated[Path | None, typer.Option(
        "--dataset", help="Folder written by `welfare synth`; without it, synthetic areas for --seed.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic areas when no dataset is given.")] = 0,
    database_url: DatabaseUrl = None,
    comuni_dir: Annotated[Path | None, typer.Option(
        "--comuni-dir", help="Regional dataset: folder of each comune's database file "
        "(default: beside the database file).")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="Regional dataset: comuni processed at once (default: cores, at most 2).")] = None,
) -> None:
    """Run every pipeline stage in order on the database (each stage all-or-nothing); a regional dataset
    (one extracts folder per comune) runs comune by comune and merges."""
    from welfare_district.settings import get_settings

    try:
        _run_stages(database_url or get_settings().database_url, dataset, seed, comuni_dir, workers)
    except WelfareError as exc:
        raise _fail(exc) from None


def demo(
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the dashboard at the end.")] = True,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Regenerate the synthetic data even if present.")]
    = False,
) -> None:
    """Build the synthetic Padova (once per seed), run the pipeline on it, and serve the dashboard.

    Uses WELFARE_SEED, WELFARE_YEARS, WELFARE_VAR_DIR and WELFARE_DATABASE_URL; runs in demo mode.
    """
    from welfare_district.cli import serve as serve_cmd
    from welfare_district.cli import synth as synth_cmd
    from welfare_district.settings import get_settings

    # Stages read their settings themselves (e.g. the impact stage's pseudonym key): the whole demo process
    # runs in demo mode, not only this function's own Settings.
    os.environ["WELFARE_DEMO"] = "true"
    try:
        settings = get_settings(demo=True)
        years = synth_cmd.parse_years(settings.years)
        dataset = settings.synth_dir
        console = Console(soft_wrap=True)
        if rebuild or not _dataset_matches(dataset, settings.seed, years):
            console.print(f"Building the synthetic Padova (seed {settings.seed}, {settings.years}) in {dataset}")
            synth_cmd.synth(out=dataset, scale="padova", years=settings.years, seed=settings.seed,
                            overwrite=True, extracts=True, fraction=1.0, workers=None)
        else:
            console.print(f"Synthetic Padova already built in {dataset} (seed {settings.seed}); reusing it")
        _run_stages(settings.database_url, dataset, settings.seed)
        _print_demo_accounts(settings)
    except WelfareError as exc:
        raise _fail(exc) from None
    if serve:
        os.environ["WELFARE_DEMO"] = "true"  # the server reads its settings again: keep demo mode
        serve_cmd.serve(host=settings.host, port=settings.port, database_url=settings.database_url)


def _print_demo_accounts(settings: Any) -> None:
    """Create the demo accounts (one per role) with fresh passwords and print them with the address."""
    from welfare_district.access.demo_users import create_demo_users
    from welfare_district.engine import connect
    from welfare_district.privacy.pseudonym import Pseudonymiser, load_keyring

    with connect(settings.database_url) as db:
        accounts = create_demo_users(db.engine, Pseudonymiser(load_keyring(settings)), demo=settings.demo)
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host  # an address to open
    table = Table(title=f"Demo accounts (sign in at http://{host}:{settings.port}/login)")
    for col in ("username", "role", "password", "scope"):
        table.add_column(col)
    for a in accounts:
        table.add_row(a.username, a.role, a.password, a.scope)
    Console(soft_wrap=True).print(table)
