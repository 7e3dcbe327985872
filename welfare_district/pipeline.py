"""The pipeline: stages run in order on one database, each a function with a one-line summary.

Stages, in data-flow order: areas (hierarchy and house numbers), ingest (every declared extract of the
dataset's ``extracts/`` folder), link (people and families across the staged records), geocode (every
staged address), warehouse (one snapshot per register year) and indicators (the stale years only).

Each stage is atomic on its own. Link, geocode and warehouse remember a fingerprint of their inputs in
``pipeline_stage_run`` (written after the stage's own transaction committed): a stage whose inputs are
unchanged is skipped, so a second run on unchanged data writes nothing. A crash between a stage and its
fingerprint only makes the next run redo that stage.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from welfare_district.engine import Database

if TYPE_CHECKING:
    from welfare_district.ingest.load import LoadResult
    from welfare_district.link.run import LinkSettings


@dataclass(frozen=True)
class PipelineInput:
    """What the stages read: a dataset folder written by `welfare synth` (or None), and a seed for areas."""

    dataset_dir: Path | None
    seed: int = 0
    # a regional dataset only (one extracts folder per comune): where each comune's database file goes
    # (default: beside a DuckDB database file, else WELFARE_VAR_DIR/comuni) and how many comuni run at once
    partition_dir: Path | None = None
    workers: int | None = None


@dataclass(frozen=True)
class StageResult:
    """One stage's outcome: a one-line summary for people and the seconds it took."""

    stage: str
    summary: str
    seconds: float


def stage_areas(db: Database, inputs: PipelineInput) -> str:
    """Store the area hierarchy and civici: those of the dataset folder, else the synthetic ones for the seed."""
    from welfare_district.geo.civici import build_synthetic_civici
    from welfare_district.geo.folder import read_area_folder
    from welfare_district.geo.hierarchy import build_synthetic_hierarchy
    from welfare_district.geo.store import save_areas

    if inputs.dataset_dir is not None:
        areaset, civici = read_area_folder(inputs.dataset_dir / "areas")
        origin = f"from {inputs.dataset_dir.name}/areas"
    else:
        areaset = build_synthetic_hierarchy(inputs.seed)
        civici = build_synthetic_civici(areaset, inputs.seed)
        origin = f"synthetic, seed {inputs.seed}"
    save_areas(db, areaset, civici)
    counts = areaset.areas["level"].value_counts()
    return (f"{counts.get('quartiere', 0)} quartieri, {counts.get('zone', 0)} zones, "
            f"{counts.get('section', 0)} sections, {len(civici):,} house numbers ({origin})")


def stage_ingest(db: Database, inputs: PipelineInput) -> str:
    """Load every declared file of the dataset's extracts folder (one transaction per file; loaded files skip)."""
    from welfare_district.ingest.runner import ingest_folder

    if inputs.dataset_dir is None or not (inputs.dataset_dir / "extracts").is_dir():
        return "no extracts folder: nothing to ingest"
    return ingest_summary(ingest_folder(db, inputs.dataset_dir / "extracts"))


def ingest_summary(results: list[LoadResult]) -> str:
    """One line on a folder's loads: files, rows loaded and quarantined, files already loaded."""
    unchanged = sum(1 for r in results if r.status == "unchanged")
    rows = sum(r.rows_loaded for r in results if r.status != "unchanged")
    quarantined = sum(r.rows_quarantined for r in results if r.status != "unchanged")
    return (f"{len(results)} files: {len(results) - unchanged} loaded ({rows:,} rows, {quarantined:,} "
            f"quarantined), {unchanged} already loaded")


def stage_link(db: Database, inputs: PipelineInput) -> str:
    """Link the staged person records into people and families; skipped when the loads are unchanged."""
    from welfare_district.link.staging import current_load_ids, link_staging

    loads = current_load_ids(db)
    if not loads:
        return "no staged records: nothing to link"
    fingerprint = link_fingerprint(loads)
    if last_fingerprint(db, "link") == fingerprint:
        return "unchanged loads: person and family ids kept"
    result = link_staging(db)
    _remember(db, "link", fingerprint)
    clusters = result.clusters
    return (f"{len(clusters):,} records -> {clusters['person_id'].nunique():,} people, "
            f"{clusters['family_id'].nunique():,} families, {len(result.review):,} pairs in review")


def stage_geocode(db: Database, inputs: PipelineInput) -> str:
    """Geocode every staged address against the house numbers; skipped when loads and civici are unchanged."""
    from welfare_district.link.staging import current_load_ids
    from welfare_district.warehouse.geocoding import geocode_staging

    loads = current_load_ids(db)
    if not loads:
        return "no staged records: nothing to geocode"
    fingerprint = geocode_fingerprint(db, loads)
    if last_fingerprint(db, "geocode") == fingerprint:
        return "unchanged loads and house numbers: stored geocodes kept"
    results = geocode_staging(db)
    _remember(db, "geocode", fingerprint)
    with_text = results["reason"] != "empty"
    matched = int((results["match_kind"] != "unmatched").sum())
    return (f"{len(results):,} records, {int(with_text.sum()):,} with an address, {matched:,} placed "
            f"({matched / max(int(with_text.sum()), 1):.2%})")


def link_fingerprint(loads: list[str], settings: LinkSettings | None = None) -> str:
    """The link stage's fingerprint of these loads; settings other than the defaults are part of it, so a
    pipeline run (default settings) redoes a linkage made with other settings."""
    from welfare_district.link.run import LinkSettings

    if settings is None or settings == LinkSettings():
        return digest("link-1", *loads)
    return digest("link-1", *loads, repr(settings))


def geocode_fingerprint(db: Database, loads: list[str]) -> str:
    """The geocode stage's fingerprint: these loads and the stored house numbers."""
    from welfare_district.geo.store import read_register

    # the comune of each civico is part of its key, so it is part of the fingerprint
    civici = read_register(db)
    civici_hash = str(int(pd.util.hash_pandas_object(civici, index=False).sum()))
    return digest("geocode-2", civici_hash, *loads)


def remember_stage(db: Database, stage: str, fingerprint: str) -> None:
    """Record that ``stage`` completed on inputs with ``fingerprint`` (a later run with equal inputs skips it);
    call it only after the stage's own transaction committed."""
    stage_run_table().metadata.create_all(db.engine, checkfirst=True)
    _remember(db, stage, fingerprint)


def stage_warehouse(db: Database, inputs: PipelineInput) -> str:
    """Build one warehouse snapshot per register year; skipped when linkage and geocodes are unchanged."""
    from welfare_district.warehouse.build import BUILD_VERSION, build_warehouse

    if last_fingerprint(db, "link") is None:
        return "nothing linked: no snapshots built"
    fingerprint = digest(BUILD_VERSION, last_fingerprint(db, "link") or "", last_fingerprint(db, "geocode") or "")
    if last_fingerprint(db, "warehouse") == fingerprint:
        return "unchanged inputs: snapshots kept"
    report = build_warehouse(db)
    _remember(db, "warehouse", fingerprint)
    years = report.years
    span = f"{years[0]}-{years[-1]}" if years else "none"
    return (f"{len(years)} snapshots ({span}): {report.rows.get('wh_person', 0):,} person-years, "
            f"{report.rows.get('wh_family', 0):,} family-years, {sum(report.unplaced_families.values()):,} "
            f"family-years unplaced")


def stage_indicators(db: Database, inputs: PipelineInput) -> str:
    """Compute every indicator of the library for the snapshot years whose stored values are stale."""
    from welfare_district.indicators.library import default_library
    from welfare_district.indicators.store import compute_and_store
    from welfare_district.model.warehouse import ensure_warehouse_tables

    ensure_warehouse_tables(db.engine)
    with db.engine.connect() as conn:
        if conn.execute(sa.text("SELECT COUNT(*) FROM wh_snapshot")).scalar_one() == 0:
            return "no snapshots: nothing to compute"
    stored = compute_and_store(db, list(default_library().values()))
    if not stored.years:
        return "every year up to date"
    return f"{stored.rows:,} values for {len(stored.years)} years"


def stage_directory(db: Database, inputs: PipelineInput) -> str:
    """Import the dataset's service catalogue as HSDS and build the family profiles for matching; skipped when
    there is no catalogue, or when the catalogue files and the warehouse are unchanged."""
    from welfare_district.directory.catalogo import FILES, has_catalogue
    from welfare_district.directory.profile import build_family_profiles
    from welfare_district.directory.transfer import import_catalogue

    folder = None if inputs.dataset_dir is None else inputs.dataset_dir / "extracts" / "catalogo"
    if folder is None or not has_catalogue(folder):
        return "no service catalogue in the dataset: nothing to import"
    files = [hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in sorted(FILES)]
    fingerprint = digest("directory-1", last_fingerprint(db, "warehouse") or "", *files)
    if last_fingerprint(db, "directory") == fingerprint:
        return "unchanged catalogue and warehouse: directory kept"
    loaded = import_catalogue(db, folder, "catalogo")
    families = build_family_profiles(db)
    _remember(db, "directory", fingerprint)
    return (f"{loaded.rows.get('service', 0)} services of {loaded.rows.get('organization', 0)} organisations "
            f"({loaded.status}), {families:,} family profiles for matching")


def stage_impact(db: Database, inputs: PipelineInput) -> str:
    """Import the dataset's register of actions (``extracts/impatto``); skipped without reports, or when the
    report files and the linkage are unchanged."""
    from welfare_district.impact.stage import run_impact_stage

    folder = None if inputs.dataset_dir is None else inputs.dataset_dir / "extracts" / "impatto"
    return run_impact_stage(db, folder, last_fingerprint, _remember, digest)


@lru_cache(maxsize=1)
def stage_run_table() -> sa.Table:
    """``pipeline_stage_run``: the inputs' fingerprint of each stage's last completed run."""
    return sa.Table(
        "pipeline_stage_run", sa.MetaData(),
        sa.Column("stage", sa.String(32), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
    )


def digest(*parts: str) -> str:
    """A stage's fingerprint of its inputs: equal parts, in the same order, give the same text."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def last_fingerprint(db: Database, stage: str) -> str | None:
    """The fingerprint ``stage`` last completed with (None when it never did, or was forgotten)."""
    table = stage_run_table()
    table.metadata.create_all(db.engine, checkfirst=True)
    with db.engine.connect() as conn:
        value = conn.execute(sa.select(table.c.fingerprint).where(table.c.stage == stage)).scalar_one_or_none()
    return None if value is None else str(value)


def _remember(db: Database, stage: str, fingerprint: str) -> None:
    table = stage_run_table()
    with db.engine.begin() as conn:
        conn.execute(sa.delete(table).where(table.c.stage == stage))
        conn.execute(sa.insert(table).values(stage=stage, fingerprint=fingerprint, finished_at=datetime.now(UTC)))


def forget_fingerprints(db: Database) -> None:
    """Make the next run redo every fingerprinted stage (e.g. after editing staged data by hand)."""
    table = stage_run_table()
    table.metadata.create_all(db.engine, checkfirst=True)
    with db.engine.begin() as conn:
        conn.execute(sa.delete(table))


Stage = Callable[[Database, PipelineInput], str]
STAGES: tuple[tuple[str, Stage], ...] = (
    ("areas", stage_areas), ("ingest", stage_ingest), ("link", stage_link), ("geocode", stage_geocode),
    ("warehouse", stage_warehouse), ("indicators", stage_indicators), ("directory", stage_directory),
    ("impact", stage_impact),
)


REGIONAL_DONE = frozenset({"ingest", "link", "geocode", "warehouse"})  # what run_region does per comune


def run_pipeline(db: Database, inputs: PipelineInput,
                 on_stage: Callable[[str], None] | None = None) -> list[StageResult]:
    """Run every stage in order; the first failing stage raises and later stages do not run.

    Each stage is atomic on its own (it commits all of its writes or none). A regional dataset (extracts in
    one folder per comune, see regional.py) runs ingest, link, geocode and warehouse per comune and merges.
    """
    from welfare_district.regional import regional_plan, run_region

    results = []
    stages = list(STAGES)
    while stages:
        name, stage = stages.pop(0)
        if on_stage is not None:
            on_stage(name)
        started = time.perf_counter()
        summary = stage(db, inputs)
        results.append(StageResult(name, summary, time.perf_counter() - started))
        plan = regional_plan(db, inputs) if name == "areas" else None
        if plan:
            # a region: each comune's ingest, link, geocode and warehouse in its own file, then one merge
            results += run_region(db, inputs, plan, on_stage)
            stages = [s for s in stages if s[0] not in REGIONAL_DONE]
    return results
