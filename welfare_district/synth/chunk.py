"""One population chunk (the city, or one virtual district of the region) from start to last snapshot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from welfare_district.geo.reference import load_population
from welfare_district.synth import economics
from welfare_district.synth.demography import back_project, target_by_age
from welfare_district.synth.dynamics import YearPlan, simulate_year
from welfare_district.synth.geography import Geography, build_geography
from welfare_district.synth.names import build_name_book
from welfare_district.synth.population import build_initial_state
from welfare_district.synth.rng import stream
from welfare_district.synth.snapshot import take_snapshot
from welfare_district.synth.state import State
from welfare_district.synth.tables import build_tables
from welfare_district.synth.targets import CALIBRATION_YEAR, PYRAMID_SOURCE_YEAR

BIRTH_TREND = 0.97  # births keep falling after the calibration year (Padova, 2023-2025)
NET_MIGRATION_AFTER = 0.005  # net immigration per resident and year after the calibration year
ID_STRIDE = 1_000_000_000  # id offset between chunks: ids stay unique and readable


@dataclass(frozen=True)
class ChunkSpec:
    """What a chunk is: its index (0 = the city itself), id prefix, seed, output years and scale."""

    index: int
    prefix: str
    seed: int
    years: tuple[int, int]
    fraction: float = 1.0

    @property
    def offset(self) -> int:
        """Added to every local id of the chunk."""
        return self.index * ID_STRIDE

    @property
    def name(self) -> str:
        """Stable name of the chunk in random-stream keys."""
        return f"chunk{self.index}"


def _plans(
    target: np.ndarray,
    births_back: np.ndarray,
    sim_start: int,
    last: int,
    rng: np.random.Generator,
    residents: float,
) -> list[YearPlan]:
    plans = []
    for y in range(sim_start + 1, last + 1):
        if y <= CALIBRATION_YEAR:
            expected = float(births_back[y - sim_start - 1].sum())
            net = 0.0
        else:
            expected = float(target[0].sum()) * BIRTH_TREND ** (y - CALIBRATION_YEAR)
            net = NET_MIGRATION_AFTER * residents
        n = int(np.floor(expected) + (rng.random() < expected - np.floor(expected)))
        plans.append(YearPlan(year=y, births=n, net_migration=round(net)))
    return plans


def simulate_chunk(
    spec: ChunkSpec, areas: pd.DataFrame, civici: pd.DataFrame, progress: Callable[[int], None] | None = None
) -> tuple[State, Geography, dict[str, pa.Table]]:
    """Run the chunk through every year; returns the final state, its geography and the truth tables."""
    first, last = spec.years
    geo = build_geography(areas, civici, spec.seed, spec.fraction, spec.prefix, civico_offset=spec.offset)
    book = build_name_book()
    full = target_by_age(load_population(PYRAMID_SOURCE_YEAR), 1.0)
    target = full * (geo.target.sum() / full.sum())
    sim_start = min(first, CALIBRATION_YEAR)
    start_counts, births_back = back_project(target, CALIBRATION_YEAR - sim_start)
    plans = _plans(
        target, births_back, sim_start, last, stream(spec.seed, spec.name, "plans"), float(target.sum())
    )
    state = build_initial_state(geo, book, start_counts, sim_start, spec.seed, spec.name)
    for y in range(sim_start, last + 1):
        if y > sim_start:
            simulate_year(state, geo, book, plans[y - sim_start - 1], spec.seed, spec.name)
        snap = take_snapshot(state, y, spec.seed, spec.name)
        rng = stream(spec.seed, spec.name, "economics", y)
        economics.isee_declarations(state, snap, y, rng, first_year=(y == sim_start))
        # cases start at the first written year: years before it only build the population, and a case
        # drawn then could name a person or family that no written snapshot holds
        if y >= first:
            economics.cases_in_year(state, snap, y, rng, backlog=(y == first))
        if progress is not None:
            progress(1)
    tables = build_tables(state, geo, book, spec.years, spec.offset)
    return state, geo, tables
