"""The extracts of a region: one folder per virtual district, as each comune would hand over its own files.

A district's files are written from that district's truth only (``Truth`` with the district's id range), so
memory is bounded by one district and time grows linearly with their number. Districts are independent and
may be written by several processes; the ground truth of each is written to a part file and the parts are
joined in district order, so the same truth, seed and years give the same bytes whatever the process count.
"""

from __future__ import annotations

import multiprocessing
import pickle
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from pathlib import Path

import pandas as pd

from welfare_district.geo.reference import PADOVA_ISTAT
from welfare_district.synth.chunk import ID_STRIDE
from welfare_district.synth.extracts import catalogo
from welfare_district.synth.extracts.context import Context
from welfare_district.synth.extracts.output import GroundTruth
from welfare_district.synth.extracts.truth import Truth

_PREFIX = re.compile(r"^V(\d+)-")
PARTS = ".districts"  # under ground_truth/, removed once the parts are joined


@dataclass(frozen=True)
class District:
    """One virtual district: its number (ids are offset by number x ID_STRIDE) and its city area id."""

    number: int

    @property
    def city_id(self) -> str:
        """The district's city-level area id (``V01-028060``): the name of its extracts folder."""
        return f"V{self.number:02d}-{PADOVA_ISTAT}"

    @property
    def id_range(self) -> tuple[int, int]:
        """Truth ids of the district lie in [lo, hi)."""
        return self.number * ID_STRIDE, (self.number + 1) * ID_STRIDE


@dataclass(frozen=True)
class DistrictResult:
    """What one district's writers produced: row counts per file and its error tallies."""

    counts: dict[str, int]
    rows: int
    by_source: dict[str, dict[str, int]]
    eligible: dict[str, dict[str, float]]


def districts_of(truth_dir: Path) -> list[District]:
    """The virtual districts of the truth, in order; empty for a city of its own (no ``V..-`` areas)."""
    civici = Path(truth_dir).parent / "areas" / "civici.csv"
    if not civici.is_file():
        return []
    q = pd.read_csv(civici, usecols=["quartiere_id"], dtype=str, keep_default_na=False)["quartiere_id"]
    numbers = q.str.extract(_PREFIX, expand=False).dropna().astype(int).unique()
    return [District(int(n)) for n in sorted(numbers)]


def _write_district(
    truth_dir: Path, extracts: Path, district: District, seed: int, years: list[int]
) -> DistrictResult:
    """Every person-level source of one district into ``extracts/<city id>/``, its ground truth to a part."""
    from welfare_district.synth.extracts.runner import WRITERS

    part = extracts.parent / "ground_truth" / PARTS / district.city_id
    gt = GroundTruth(part)
    ctx = Context(
        truth=Truth(truth_dir, id_range=district.id_range),
        seed=seed,
        years=years,
        out_dir=extracts / district.city_id,
        gt=gt,
        extracts_root=extracts,
        district=district.number,
    )
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    try:
        for writer in WRITERS:
            if writer is not catalogo.write:  # the catalogue is the region's, written once
                writer(ctx)
    finally:
        gt.close()
    return DistrictResult(ctx.counts, gt.rows, gt.by_source, gt.eligible)


@dataclass(frozen=True)
class _Job:
    truth_dir: Path
    extracts: Path
    seed: int
    years: list[int]

    def __call__(self, district: District) -> DistrictResult:
        return _write_district(self.truth_dir, self.extracts, district, self.seed, self.years)


def _results(job: _Job, districts: list[District], workers: int) -> Iterator[DistrictResult]:
    """Each district's result, in district order; with several workers, each district in a fresh process."""
    if workers <= 1 or len(districts) == 1:
        yield from map(job, districts)
        return
    # a forked process per district (not a long-lived pool): the memory of one district goes back to the
    # system when it ends, whatever the allocators keep; forked, so callers need no __main__ guard
    fork = multiprocessing.get_context("fork")
    running: dict[int, BaseProcess] = {}
    finished: dict[int, DistrictResult] = {}
    todo = list(range(len(districts)))
    nxt = 0
    try:
        while todo or running:
            while todo and len(running) < workers:
                i = todo.pop(0)
                running[i] = fork.Process(target=_child, args=(job, districts[i]))
                running[i].start()
            wait([p.sentinel for p in running.values()])
            for i in [i for i, p in running.items() if not p.is_alive()]:
                running.pop(i).join()
                finished[i] = _collect(job, districts[i])
            while nxt in finished:
                yield finished.pop(nxt)
                nxt += 1
    finally:
        for p in running.values():
            p.terminate()
            p.join()


def _outcome(job: _Job, district: District) -> Path:
    return job.extracts.parent / "ground_truth" / PARTS / f"{district.city_id}.pickle"


def _child(job: _Job, district: District) -> None:
    try:
        outcome: tuple[str, object] = ("ok", job(district))
    except BaseException as exc:  # handed to the parent, which raises it
        outcome = ("error", exc)
    path = _outcome(job, district)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = pickle.dumps(outcome)
    except Exception:  # an exception that cannot be pickled still reaches the parent as its message
        data = pickle.dumps(("error", RuntimeError(str(outcome[1]))))
    path.write_bytes(data)


def _collect(job: _Job, district: District) -> DistrictResult:
    path = _outcome(job, district)
    if not path.is_file():
        raise RuntimeError(f"the process writing district {district.city_id} ended without a result")
    kind, value = pickle.loads(path.read_bytes())
    path.unlink()
    if kind == "error":
        assert isinstance(value, BaseException)
        raise value
    assert isinstance(value, DistrictResult)
    return value


def write_districts(
    truth_dir: Path,
    extracts: Path,
    districts: list[District],
    seed: int,
    years: list[int],
    workers: int = 1,
    progress: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Write ``extracts/<city id>/...`` per district, the catalogue once in ``extracts/catalogo/``, and one
    ``ground_truth/records.csv`` whose ``file`` is the path relative to ``extracts`` (``V01-028060/...``).

    Guarantees: district d's files come from d's truth only; same arguments give byte-identical files for any
    ``workers``; returns data rows per file keyed by the path relative to ``extracts``' parent. ``progress``
    is called after each district.
    """
    gt_dir = extracts.parent / "ground_truth"
    gt = GroundTruth(gt_dir)
    counts: dict[str, int] = {}
    try:
        for district, result in zip(
            districts, _results(_Job(truth_dir, extracts, seed, years), districts, workers), strict=True
        ):
            counts.update(result.counts)
            gt.append(gt_dir / PARTS / district.city_id / "records.csv", result.rows)
            gt.merge(result.by_source, result.eligible)
            if progress is not None:
                progress()
        region = Context(truth=Truth(truth_dir), seed=seed, years=years, out_dir=extracts, gt=gt)
        catalogo.write(region)
        counts.update(region.counts)
    finally:
        summary_rows = gt.close()
        shutil.rmtree(gt_dir / PARTS, ignore_errors=True)
    counts["ground_truth/records.csv"] = gt.rows
    counts["ground_truth/error_rates.csv"] = summary_rows
    return counts

