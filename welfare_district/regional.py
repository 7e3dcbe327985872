"""Regional runs: a dataset whose extracts come one folder per comune is processed comune by comune.

A region (an ambito, a province, the synthetic Veneto) receives each comune's extracts in a folder named
after the comune as the stored areas know it (its city-level area id, ISTAT code or name, e.g.
``extracts/V01-028060/``). Each comune runs ingest, link, geocode and warehouse in a DuckDB file of its own
(``<partition dir>/<folder>.duckdb``) holding only its own areas and house numbers, so:

- memory is bounded by the largest comune, not by the region;
- comuni run in parallel worker processes (each file has one writer);
- a source without a comune column is geocoded within its folder's comune;
- a second run finds each comune's stages unchanged and skips them (their fingerprints live in its file).

The merge stage then replaces what the regional database holds of the comuni (their staged records, links,
geocodes and snapshots) with the union of the comune files, in one transaction, and the indicator, directory
and impact stages run on the region as for a city. Ids stay unique across comuni because each one derives
from the file's path under ``extracts/`` (which starts with the comune's folder) or from the comune's own
codes. People registered in two comuni (who moved) are joined after the merge by their register's
trusted codice fiscale (regional_link.py); other records are linked within their comune only.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from welfare_district.engine import Database, connect
from welfare_district.errors import InputError, WelfareError
from welfare_district.geo.areaset import AreaSet

if TYPE_CHECKING:
    from welfare_district.geo.comune import ComuneLookup
    from welfare_district.pipeline import PipelineInput, StageResult
    from welfare_district.regional_merge import MergeReport


@dataclass(frozen=True)
class Partition:
    """One comune's folder of extracts and the DuckDB file its stages write."""

    folder: str  # the folder's name under extracts/
    comune_id: str  # the stored city-level area it names
    database: Path
    size_bytes: int  # of its extract files, to start the largest first


@dataclass(frozen=True)
class PartitionJob:
    """Everything a worker process needs (picklable): the partition, its areas and the extracts root."""

    partition: Partition
    extracts_dir: Path
    areas: AreaSet
    civici: pd.DataFrame


@dataclass(frozen=True)
class PartitionOutcome:
    """A comune's stage summaries and seconds, its inputs' fingerprint and its worker's peak memory."""

    folder: str
    stages: list[tuple[str, str, float]]
    fingerprint: str
    peak_mib: float


def comune_folders(db: Database, extracts_dir: Path) -> dict[str, str]:
    """``{folder name: comune id}`` for each subfolder of ``extracts_dir`` that names a stored comune.

    Other subfolders (a partner's lists, the service catalogue) are not comuni and are left to the city
    stages. An empty dict means the dataset is a city's.
    """
    if not extracts_dir.is_dir():
        return {}
    lookup = comune_lookup(db)
    if len(lookup.ids) < 2:
        return {}
    found: dict[str, str] = {}
    for sub in sorted(p for p in extracts_dir.iterdir() if p.is_dir()):
        comune, _ = lookup.resolve(sub.name)
        if comune:
            found[sub.name] = comune
    return found


def comune_lookup(db: Database) -> ComuneLookup:
    """Every way a folder or record may name one of the stored comuni (city-level areas)."""
    from welfare_district.geo.comune import ComuneLookup
    from welfare_district.geo.store import read_areas

    cities = read_areas(db, "city")
    return ComuneLookup(pd.DataFrame({"comune_id": [c.area_id for c in cities],
                                      "comune_code": [c.code for c in cities],
                                      "comune_name": [c.name for c in cities]}))


def refuse_regional(db: Database, action: str) -> None:
    """Raise InputError when the database holds a region's comuni (loads from comune folders): ``action``
    on all of them at once would hold the whole region in memory and be replaced by the next merge."""
    from welfare_district.link.staging import read_frame

    lookup = comune_lookup(db)
    if len(lookup.ids) < 2:
        return
    names = read_frame(db, "load_log", ["file_name"])["file_name"].astype(str)
    folders = {n.split("/", 1)[0] for n in names if "/" in n}
    if any(lookup.resolve(f)[0] for f in folders):
        raise InputError(f"this database holds a region's comuni: {action} runs comune by comune in "
                         "`welfare pipeline --dataset DIR` (see docs/pipeline.md)")


def plan_partitions(db: Database, extracts_dir: Path, partition_dir: Path) -> list[Partition]:
    """The comuni of a regional dataset, largest first (so that the last to finish is a small one).

    Raises InputError when two folders name the same comune, since both would fill one comune's file.
    """
    folders = comune_folders(db, extracts_dir)
    seen: dict[str, str] = {}
    for folder, comune in folders.items():
        if comune in seen:
            raise InputError(f"folders {seen[comune]!r} and {folder!r} both name comune {comune}: keep one",
                             path=str(extracts_dir))
        seen[comune] = folder
    parts = [Partition(folder, comune, partition_dir / f"{folder}.duckdb",
                       sum(p.stat().st_size for p in (extracts_dir / folder).rglob("*") if p.is_file()))
             for folder, comune in folders.items()]
    return sorted(parts, key=lambda p: (-p.size_bytes, p.folder))


def shared_person_files(extracts_dir: Path, folders: set[str]) -> list[str]:
    """Declared person-level files outside the comune folders (they would never be linked in a region)."""
    from welfare_district.ingest.runner import declared_files

    out = []
    for path, decl in declared_files(extracts_dir):
        name = path.relative_to(extracts_dir).as_posix()
        if name.split("/", 1)[0] not in folders and "person_record" in decl.targets:
            out.append(name)
    return out


def partition_jobs(db: Database, parts: list[Partition], extracts_dir: Path) -> list[PartitionJob]:
    """One job per comune with the comune's own areas (city, quartieri, zones, sections) and house numbers."""
    from welfare_district.geo.store import read_areaset, read_civici

    areaset = read_areaset(db)
    civici = read_civici(db)
    areas = areaset.areas
    jobs = []
    for part in parts:
        ids = {part.comune_id}
        for _ in range(3):  # city -> quartieri -> zones -> sections
            ids |= set(areas.loc[areas["parent_id"].isin(ids), "area_id"])
        own = areas[areas["area_id"].isin(ids)].reset_index(drop=True)
        versions = {v: areaset.versions[v] for v in own["boundary_version"].unique() if v in areaset.versions}
        jobs.append(PartitionJob(part, extracts_dir, AreaSet(own, versions),
                                 civici[civici["section_id"].isin(ids)].reset_index(drop=True)))
    return jobs


def run_partitions(jobs: list[PartitionJob], workers: int,
                   on_done: Callable[[PartitionOutcome], None] | None = None) -> list[PartitionOutcome]:
    """Run every comune's stages, ``workers`` comuni at a time; outcomes in the order of ``jobs``.

    Guarantees: each comune's stages are atomic on their own (a failing comune leaves the others done and
    its own file as its last completed stage left it); any failure raises after the running comuni end,
    naming the comune. ``workers`` <= 1 runs them in this process.
    """
    if workers <= 1 or len(jobs) <= 1:
        outcomes = []
        for job in jobs:
            outcome = _run_named(job)
            if on_done is not None:
                on_done(outcome)
            outcomes.append(outcome)
        return outcomes
    # a fresh interpreter per worker: forking a process that holds an open DuckDB file is unsafe
    context = multiprocessing.get_context("spawn")
    done: dict[str, PartitionOutcome] = {}
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
        futures = [pool.submit(_run_named, job) for job in jobs]
        try:
            for future in as_completed(futures):
                outcome = future.result()
                done[outcome.folder] = outcome
                if on_done is not None:
                    on_done(outcome)
        except BaseException:
            # the comuni not started yet are dropped; the running ones end before the error is raised
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return [done[job.partition.folder] for job in jobs]


def _run_named(job: PartitionJob) -> PartitionOutcome:
    try:
        return run_partition(job)
    except WelfareError as exc:
        raise InputError(f"comune folder {job.partition.folder}: {exc}") from None


def run_partition(job: PartitionJob) -> PartitionOutcome:
    """Areas, ingest, link, geocode and warehouse of one comune in its own DuckDB file."""
    from welfare_district.geo.store import save_areas
    from welfare_district.ingest.runner import ingest_folder
    from welfare_district.pipeline import (
        PipelineInput,
        digest,
        ingest_summary,
        last_fingerprint,
        remember_stage,
        stage_geocode,
        stage_link,
        stage_warehouse,
    )
    from welfare_district.regional_link import write_register_codes

    part = job.partition
    _reset_peak()
    stages: list[tuple[str, str, float]] = []
    inputs = PipelineInput(None)
    with connect(f"duckdb:///{part.database}") as db:
        _unordered(db)
        started = time.perf_counter()
        save_areas(db, job.areas, job.civici)
        results = ingest_folder(db, job.extracts_dir, under=part.folder)
        stages.append(("ingest", ingest_summary(results), time.perf_counter() - started))
        for name, stage in (("link", stage_link), ("geocode", stage_geocode), ("warehouse", stage_warehouse)):
            started = time.perf_counter()
            stages.append((name, stage(db, inputs), time.perf_counter() - started))
        linked = last_fingerprint(db, "link") or ""
        if last_fingerprint(db, "register_codes") != linked:
            write_register_codes(db)  # what the merge needs to join the people who moved between comuni
            remember_stage(db, "register_codes", linked)
        fingerprint = digest("partition-2", part.folder, linked,
                             *(last_fingerprint(db, s) or "" for s in ("geocode", "warehouse")))
    return PartitionOutcome(part.folder, stages, fingerprint, _peak_mib())


def _unordered(db: Database) -> None:
    """Let DuckDB insert and scan this comune's file in parallel without keeping the rows' order.

    The stages never depend on the order rows come back in (linkage sorts by record id, the warehouse by file
    and row), and keeping it costs about a tenth of a comune's CPU time.
    """
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SET GLOBAL preserve_insertion_order = false")


def _reset_peak() -> None:
    # a worker runs several comuni: Linux resets the high-water mark when "5" is written here
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_mib() -> float:
    """This comune's peak resident memory (since ``_reset_peak``), else the process's."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def default_workers() -> int:
    """Comuni run side by side: one per core, at most two (each needs about 3 GiB for a city of 200,000)."""
    return max(1, min(2, os.cpu_count() or 1))


def partition_dir(db: Database, inputs: PipelineInput) -> Path:
    """Where the comune files go: the input's choice, else ``<database file>.comuni/`` beside a DuckDB file,
    else ``WELFARE_VAR_DIR/comuni``."""
    from welfare_district.engine.dialect import parse_url
    from welfare_district.settings import get_settings

    if inputs.partition_dir is not None:
        return inputs.partition_dir
    dialect, target = parse_url(db.url)
    if dialect.is_duckdb and target != ":memory:":
        path = Path(target.split("?", 1)[0])
        return path.with_name(f"{path.stem}.comuni")
    return Path(get_settings().var_dir) / "comuni"


def regional_plan(db: Database, inputs: PipelineInput) -> list[Partition]:
    """The comuni of ``inputs``' dataset when it is a regional one (after the areas stage), else []."""
    if inputs.dataset_dir is None:
        return []
    return plan_partitions(db, inputs.dataset_dir / "extracts", partition_dir(db, inputs))


def run_region(db: Database, inputs: PipelineInput, parts: list[Partition],
               on_stage: Callable[[str], None] | None = None) -> list[StageResult]:
    """Ingest the files outside the comune folders, run every comune's stages, then merge (skipped when
    no comune changed). Raises InputError, before anything is written, when a person-level file lies
    outside the comune folders (its records could not be linked with any comune's)."""
    from welfare_district.ingest.runner import ingest_folder
    from welfare_district.pipeline import StageResult, digest, ingest_summary, last_fingerprint, remember_stage
    from welfare_district.regional_merge import merge_comuni, open_merge

    assert inputs.dataset_dir is not None
    extracts = inputs.dataset_dir / "extracts"
    folders = {p.folder for p in parts}
    shared = shared_person_files(extracts, folders)
    if shared:
        raise InputError(f"{len(shared)} person-level file(s) lie outside the comune folders (first: {shared[0]}); "
                         "in a regional dataset each comune's records go in the comune's folder", path=str(extracts))

    def stage(name: str) -> float:
        if on_stage is not None:
            on_stage(name)
        return time.perf_counter()

    results = []
    started = stage("ingest")
    loaded = ingest_folder(db, extracts, skip=folders)
    results.append(StageResult("ingest", f"outside the comune folders: {ingest_summary(loaded)}",
                               time.perf_counter() - started))
    started = stage("comuni")
    workers = inputs.workers or default_workers()
    jobs = partition_jobs(db, parts, extracts)
    lookup = comune_lookup(db)

    def is_comune(name: str) -> bool:
        return bool(lookup.resolve(name)[0])

    def comuni_done(outcomes: list[PartitionOutcome], began: float) -> None:
        for outcome in outcomes:
            line = "; ".join(f"{name} {seconds:.1f} s: {summary}" for name, summary, seconds in outcome.stages)
            results.append(StageResult(f"comune {outcome.folder}", f"{line}; peak {outcome.peak_mib:,.0f} MiB",
                                       sum(s for _, _, s in outcome.stages)))
        results.append(StageResult("comuni", f"{len(parts)} comuni, {min(workers, len(parts))} at a time",
                                   time.perf_counter() - began))

    report: MergeReport | None = None
    if last_fingerprint(db, "merge") is None:
        # A first merge is certain to run, so each comune is copied as soon as its stages end, while the
        # others still run: the copy uses the CPU the workers leave idle and the wait for the last comune,
        # instead of starting after them. A failure anywhere rolls the whole merge back, as before.
        files = {p.folder: p.database for p in parts}
        with open_merge(db, is_comune) as merge:
            outcomes = run_partitions(jobs, workers, on_done=lambda outcome: merge.add(files[outcome.folder]))
            comuni_done(outcomes, started)
            started = stage("merge")
            report = merge.finish()
        early = f"copied as each comune ended; {len(outcomes)} comuni"
    else:
        outcomes = run_partitions(jobs, workers)
        comuni_done(outcomes, started)
        started = stage("merge")
        early = f"{len(outcomes)} comuni"
    fingerprint = digest("merge-1", *sorted(o.fingerprint for o in outcomes))
    if report is None and last_fingerprint(db, "merge") == fingerprint:
        summary = "unchanged comuni: merged rows kept"
    else:
        if report is None:
            report = merge_comuni(db, [p.database for p in parts], is_comune)
        for name in ("merge", "link", "geocode", "warehouse"):
            remember_stage(db, name, fingerprint)
        summary = _merge_summary(early, report)
    results.append(StageResult("merge", summary, time.perf_counter() - started))
    return results


def _merge_summary(comuni: str, report: MergeReport) -> str:
    if not report.years:
        return f"{comuni}: no snapshots"
    moved = report.movers
    apart = (f", {moved.codes_apart:,} codes in two registers in the same years left apart"
             if moved.codes_apart else "")
    return (f"{comuni}: {report.rows.get('person_link', 0):,} linked records, "
            f"{report.rows.get('wh_person', 0):,} person-years, years {report.years[0]}-{report.years[-1]}; "
            f"{moved.codes_joined:,} residents registered in two comuni joined{apart}")
