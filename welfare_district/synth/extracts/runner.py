"""write_extracts: from the generator's truth to the files each source system would hand over."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from welfare_district.errors import InputError
from welfare_district.synth.extracts import (
    anagrafe,
    ater,
    catalogo,
    inps,
    isee,
    lavoro,
    scuole,
    servizi_sociali,
    tari,
    terzo_settore_liste,
)
from welfare_district.synth.extracts.context import Context
from welfare_district.synth.extracts.output import GroundTruth
from welfare_district.synth.extracts.truth import Truth

WRITERS: tuple[Callable[[Context], None], ...] = (
    anagrafe.write,
    inps.write,
    isee.write,
    tari.write,
    ater.write,
    lavoro.write,
    scuole.write,
    servizi_sociali.write,
    terzo_settore_liste.write,
    catalogo.write,
)


def write_extracts(
    truth_dir: Path,
    out_dir: Path,
    seed: int,
    years: tuple[int, int],
    workers: int = 1,
    progress: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Write every source extract under ``out_dir`` and the ground truth under ``out_dir/../ground_truth``.

    Guarantees: the same truth, seed and years give byte-identical files; every data row of every person-level
    extract appears exactly once in ``ground_truth/records.csv``, its ``file`` relative to ``out_dir``. Returns
    data rows written per file, keyed by the path relative to ``out_dir``'s parent (e.g.
    ``extracts/anagrafe_2024.csv``). A truth of virtual districts (a region) gets one folder per district,
    ``out_dir/<city area id>/`` (see ``districts``), written by up to ``workers`` processes; the catalogue
    stays once in ``out_dir/catalogo/``; ``progress`` is called after each district.
    """
    from welfare_district.synth.extracts.districts import districts_of, write_districts

    truth = Truth(Path(truth_dir))
    lo, hi = years
    in_range = [y for y in truth.years if lo <= y <= hi]
    if not in_range:
        raise InputError(f"no snapshot year of the truth falls in {lo}-{hi}", path=str(truth_dir))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    districts = districts_of(Path(truth_dir))
    if districts:
        counts = write_districts(Path(truth_dir), out_dir, districts, seed, in_range, workers, progress)
        return dict(sorted(counts.items()))
    gt = GroundTruth(out_dir.parent / "ground_truth")
    ctx = Context(truth=truth, seed=seed, years=in_range, out_dir=out_dir, gt=gt)
    try:
        for writer in WRITERS:
            writer(ctx)
    finally:
        summary_rows = gt.close()
    ctx.counts["ground_truth/records.csv"] = gt.rows
    ctx.counts["ground_truth/error_rates.csv"] = summary_rows
    return dict(sorted(ctx.counts.items()))
