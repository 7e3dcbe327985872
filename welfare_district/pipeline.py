"""The pipeline: stages run in order on one database, each a function with a typed result.

Today the stages are the area hierarchy and the house-number register; later stages (ingest, link, geocode,
warehouse, indicators) append themselves to ``STAGES`` in data-flow order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from welfare_district.engine import Database


@dataclass(frozen=True)
class PipelineInput:
    """What the stages read: a dataset folder written by `welfare synth` (or None), and a seed for areas."""

    dataset_dir: Path | None
    seed: int = 0


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


Stage = Callable[[Database, PipelineInput], str]
STAGES: tuple[tuple[str, Stage], ...] = (("areas", stage_areas),)


def run_pipeline(db: Database, inputs: PipelineInput,
                 on_stage: Callable[[str], None] | None = None) -> list[StageResult]:
    """Run every stage in order; the first failing stage raises and later stages do not run.

    Each stage is atomic on its own (it commits all of its writes or none).
    """
    results = []
    for name, stage in STAGES:
        if on_stage is not None:
            on_stage(name)
        started = time.perf_counter()
        summary = stage(db, inputs)
        results.append(StageResult(name, summary, time.perf_counter() - started))
    return results
