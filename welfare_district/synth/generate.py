"""Entry point of the generator: ``generate(out_dir, scale=..., years=..., seed=...)``.

Writes ``truth/`` (the schema tables), ``areas/`` (the hierarchy and house numbers actually used),
``extracts/`` when the extracts package is installed, and ``manifest.json``. Everything goes to a temporary
folder next to ``out_dir`` that is renamed at the end, so a failure leaves no half-written output.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from welfare_district import __version__
from welfare_district.errors import InputError, WelfareError
from welfare_district.synth.chunk import ChunkSpec, simulate_chunk
from welfare_district.synth.identity import CodeRegistry, unique_codes
from welfare_district.synth.impact_demo import plan_and_apply, write_reports
from welfare_district.synth.writer import (
    TruthWriter,
    district_areas,
    district_civici,
    write_areas,
    write_manifest,
)

# Bumped whenever the same seed would give different files, so cached datasets are rebuilt.
GENERATOR_VERSION = "synth-4"
# scale -> number of chunks; the region is the city repeated as virtual districts V01..V24 (~4.9 million)
SCALES: dict[str, int] = {"padova": 1, "veneto": 24}
YEAR_RANGE = (2012, 2035)
# virtual districts are laid out on a grid so their maps do not overlap (degrees)
GRID_COLUMNS, GRID_DX, GRID_DY = 6, 0.22, -0.14

ProgressFn = Callable[[str, int, int], None]  # (label, steps done, total steps)

_WORKER: dict[str, Any] = {}  # per worker process: the geography, set by the initializer


@dataclass(frozen=True)
class SynthResult:
    """What a run produced: the output folder and its manifest."""

    out_dir: Path
    manifest: dict[str, Any]


def check_arguments(scale: str, years: tuple[int, int], seed: int, fraction: float) -> None:
    """Raise InputError with a clear message for any argument the generator cannot honour."""
    if scale not in SCALES:
        raise InputError(f"unknown scale {scale!r}: expected one of {', '.join(SCALES)}")
    first, last = years
    if first > last:
        raise InputError(f"year range {first}-{last} is inverted: the first year must not exceed the last")
    if first < YEAR_RANGE[0] or last > YEAR_RANGE[1]:
        raise InputError(f"years must lie within {YEAR_RANGE[0]}-{YEAR_RANGE[1]}, got {first}-{last}")
    if seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed}")
    if not 0.0 < fraction <= 1.0:
        raise InputError(f"fraction must be in (0, 1], got {fraction}")


def check_districts(scale: str, districts: int | None) -> None:
    """Raise InputError unless ``districts`` is None or a count of districts the (multi-chunk) scale has."""
    if districts is None:
        return
    n = SCALES.get(scale, 1)
    if n == 1:
        raise InputError(f"scale {scale!r} is a single city: a number of districts applies to a region only")
    if not 1 <= districts <= n:
        raise InputError(f"districts must be between 1 and {n} for scale {scale!r}, got {districts}")


def chunk_specs(scale: str, years: tuple[int, int], seed: int, fraction: float) -> list[ChunkSpec]:
    """The chunks of a run: the city itself, or the virtual districts V01..Vnn."""
    n = SCALES[scale]
    if n == 1:
        return [ChunkSpec(index=0, prefix="", seed=seed, years=years, fraction=fraction)]
    return [
        ChunkSpec(index=k, prefix=f"V{k:02d}-", seed=seed, years=years, fraction=fraction)
        for k in range(1, n + 1)
    ]


def _shift(spec: ChunkSpec) -> tuple[float, float]:
    if spec.index == 0:
        return (0.0, 0.0)
    k = spec.index - 1
    return (GRID_DX * (k % GRID_COLUMNS), GRID_DY * (k // GRID_COLUMNS))


def _init_worker(areas: pd.DataFrame, civici: pd.DataFrame) -> None:
    _WORKER["areas"], _WORKER["civici"] = areas, civici


def _run_in_worker(spec: ChunkSpec) -> tuple[dict[str, pa.Table], np.ndarray]:
    _, geo, tables = simulate_chunk(spec, _WORKER["areas"], _WORKER["civici"])
    return tables, geo.target


def _chunks(
    specs: list[ChunkSpec],
    areas: pd.DataFrame,
    civici: pd.DataFrame,
    workers: int,
    step: Callable[[int], None],
) -> Iterator[tuple[dict[str, pa.Table], np.ndarray]]:
    """Chunk results in order; in parallel processes when there are several chunks and workers."""
    if workers <= 1 or len(specs) == 1:
        for spec in specs:
            _, geo, tables = simulate_chunk(spec, areas, civici, progress=step)
            yield tables, geo.target
        return
    n_years = specs[0].years[1] - specs[0].years[0] + 1
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(areas, civici)) as pool:
        for result in pool.map(_run_in_worker, specs):
            step(n_years)
            yield result


def _temp_dir(out_dir: Path) -> Path:
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = parent / f".{out_dir.name}.tmp-{os.getpid()}"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
    except OSError as exc:
        raise InputError(f"cannot write to output folder {out_dir}: {exc.strerror or exc}") from exc
    return tmp


def check_output(out_dir: Path, overwrite: bool) -> None:
    """Raise InputError when ``out_dir`` is a file, or a non-empty folder and ``overwrite`` is off."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"output path {out_dir} exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not overwrite:
        raise InputError(f"output folder {out_dir} is not empty (overwrite it with --overwrite)")


def _run_extracts(
    root: Path, seed: int, years: tuple[int, int], workers: int, district_done: Callable[[], None] | None
) -> dict[str, int]:
    """Call the extracts stage if its package is installed; skip only when that package is absent.

    ``district_done`` is given for a region only: its districts are then written by up to ``workers``
    processes, and it is called after each."""
    try:
        from welfare_district.synth.extracts import write_extracts
    except ModuleNotFoundError as exc:
        if exc.name == "welfare_district.synth.extracts":
            return {}
        raise
    more: dict[str, Any] = {} if district_done is None else {"workers": workers, "progress": district_done}
    counts = write_extracts(truth_dir=root / "truth", out_dir=root / "extracts", seed=seed, years=years, **more)
    return {str(k): int(v) for k, v in dict(counts or {}).items()}


def generate(
    out_dir: Path | str,
    *,
    scale: str = "padova",
    years: tuple[int, int] = (2019, 2025),
    seed: int = 0,
    fraction: float = 1.0,
    overwrite: bool = False,
    extracts: bool = True,
    workers: int | None = None,
    max_chunks: int | None = None,
    progress: ProgressFn | None = None,
) -> SynthResult:
    """Generate the synthetic population into ``out_dir``; same arguments, byte-identical files.

    Guarantees: on success ``out_dir`` holds truth/, areas/, manifest.json (and extracts/ when available);
    on any failure ``out_dir`` is untouched and no temporary folder is left. Bad arguments raise InputError.
    ``fraction`` (0-1] scales every section's residents down (for tests); ``workers`` defaults to the
    number of cores, at most 2, and only matters for multi-chunk scales; ``max_chunks`` keeps only the
    first chunks (districts) of a multi-chunk scale, and is an InputError for a single-chunk one. A
    multi-chunk scale writes its extracts per district, ``extracts/<city area id>/`` (see
    ``welfare_district.synth.extracts.districts``).
    """
    from welfare_district.geo.civici import build_synthetic_civici
    from welfare_district.geo.hierarchy import build_synthetic_hierarchy

    out_dir = Path(out_dir)
    years = (int(years[0]), int(years[1]))
    check_arguments(scale, years, seed, fraction)
    check_districts(scale, max_chunks)
    check_output(out_dir, overwrite)
    specs = chunk_specs(scale, years, seed, fraction)[: max_chunks or None]
    n_years = years[1] - years[0] + 1
    regional = specs[0].index > 0
    # a region's extracts report each district as it is written (minutes at full scale)
    total = len(specs) * n_years + 3 + (len(specs) if regional and extracts else 0)
    done = 0

    def step(n: int, label: str = "simulating") -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(label, done, total)

    tmp = _temp_dir(out_dir)
    try:
        step(0, "building areas")
        areaset = build_synthetic_hierarchy(seed)
        areas = areaset.areas
        civici = build_synthetic_civici(areaset, seed)
        sections = areas[areas["level"] == "section"].sort_values("area_id")["area_id"].to_numpy(object)
        writer = TruthWriter(tmp / "truth")
        registry = CodeRegistry()
        area_parts, civici_parts = [], []
        n_workers = max(1, min(2, os.cpu_count() or 1)) if workers is None else max(1, workers)
        for spec, (tables, targets) in zip(
            specs, _chunks(specs, areas, civici, n_workers, step), strict=True
        ):
            persons = tables["persons"]
            codes = unique_codes(
                np.asarray(persons.column("codice_fiscale").to_pylist(), dtype=object), registry
            )
            tables["persons"] = persons.set_column(
                persons.schema.get_field_index("codice_fiscale"),
                "codice_fiscale",
                pa.array(codes, type=pa.string()),
            )
            writer.write(tables)
            del tables
            shift = _shift(spec)
            target_by_id = pd.Series(targets, index=spec.prefix + sections)
            area_parts.append(
                district_areas(areas, spec.prefix, shift, target_by_id, synthetic_all=spec.index > 0)
            )
            civici_parts.append(district_civici(civici, spec.prefix, shift, spec.offset))
        rows = writer.close()
        step(1, "writing areas")
        write_areas(tmp / "areas", area_parts, civici_parts)
        step(1, "writing extracts")
        # the demo register of actions changes the truth (its simulated effect) before any extract reads it
        impact_plan = plan_and_apply(tmp / "truth", seed, years) if [s.index for s in specs] == [0] else None
        district_done = (lambda: step(1, "writing extracts")) if regional else None
        extract_rows = _run_extracts(tmp, seed, years, n_workers, district_done) if extracts else {}
        if extracts and impact_plan is not None:
            extract_rows.update(write_reports(tmp, impact_plan, tmp / "truth"))
        info = {
            "generator": "welfare_district.synth",
            "generator_version": GENERATOR_VERSION,
            "package_version": __version__,
            "scale": scale,
            "fraction": fraction,
            "seed": seed,
            "years": list(years),
            "chunks": len(specs),
            "row_counts": {**{f"truth/{k}.parquet": v for k, v in rows.items()}, **extract_rows},
        }
        manifest = write_manifest(tmp, info)
        step(1, "done")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.rename(out_dir)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError) and not isinstance(exc, WelfareError):
            raise InputError(f"cannot write the output to {out_dir}: {exc.strerror or exc}") from exc
        raise
    return SynthResult(out_dir=out_dir, manifest=manifest)
