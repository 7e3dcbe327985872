"""Do the impact estimates recover the simulated effects? Coverage of the intervals over several synthetic cities.

For each seed, builds (or reuses from --cache) a synthetic Padova at --fraction with its demo register of
actions, the truth warehouse, the IVSM indicators and the imported partner reports (linked to the truth by
code and names, as in tests/impact/test_recovery.py), then compares every family project's estimates with
the true effect the generator recorded (ground_truth/impact_effects.csv: with the effect minus without it,
on the same families or areas).

Person level, two estimators of the same comparison:
- before: the previous method (exact matching on the zone; a reached family whose zone has no unreached one
  matched on age band x tercile of the zone's need; normal interval with a design effect);
- after: impact.outcomes.person_impact (regression adjustment on baseline register covariates).
Area level, on the same target and comparison areas:
- before: the uncorrected difference in differences with its bootstrap interval (estimate.did);
- after: impact.outcomes.area_impact (corrected for regression to the mean, estimate.did_rtm).

Prints one row per project and seed, then the coverage of each estimator for projects with and without a
simulated effect, with the range of misses nominal 95 % intervals would give (Binomial(n, 0.05)).
Only projects with at least --min-families families followed are counted (as in the test).

Run: python benchmarks/bench_impact_recovery.py [--seeds 1-10] [--fraction 0.2] [--cache var/bench-impact-recovery]
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import statistics
import time
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd


def _seeds(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        out.extend(range(int(low), int(high or low) + 1))
    return out


def _city(cache: Path, seed: int, fraction: float) -> tuple[Path, str, float]:
    """The seed's dataset and database URL, built unless a finished one is cached; seconds spent building."""
    import pyarrow.parquet as pq

    from welfare_district.engine import connect
    from welfare_district.impact.importer import import_reports, report_files
    from welfare_district.impact.linkage import PersonIndex
    from welfare_district.indicators.library import IVSM_COMPONENTS, default_library
    from welfare_district.indicators.store import compute_and_store
    from welfare_district.pipeline import PipelineInput, stage_areas
    from welfare_district.privacy.pseudonym import Keyring, Pseudonymiser
    from welfare_district.synth.generate import generate
    from welfare_district.synth.truth_warehouse import build_truth_warehouse

    root = cache / f"seed{seed}-f{fraction:g}"
    dataset, database, ready = root / "synth", root / "impact.duckdb", root / "ready"
    url = f"duckdb:///{database}"
    if ready.exists():
        return dataset, url, 0.0
    started = time.perf_counter()
    root.mkdir(parents=True, exist_ok=True)
    database.unlink(missing_ok=True)
    generate(dataset, fraction=fraction, seed=seed)
    with connect(url) as db:
        stage_areas(db, PipelineInput(dataset))
        build_truth_warehouse(dataset, db)
        lib = default_library()
        compute_and_store(db, [lib[i] for i in IVSM_COMPONENTS])
        persons = pq.read_table(dataset / "truth" / "persons.parquet").to_pandas()
        results = import_reports(db, report_files(dataset / "extracts" / "impatto"),
                                 index=PersonIndex.from_frame(persons),
                                 pseudonymiser=Pseudonymiser(Keyring({"bench": b"r" * 32}, "bench")))
        if any(r.status != "loaded" for r in results):
            raise SystemExit(f"seed {seed}: a report file did not load")
    ready.touch()
    return dataset, url, time.perf_counter() - started


def _before(db: Any, project_id: str, reg: Any, placed: pd.DataFrame) -> tuple[float | None, float, float]:
    """The previous person-level estimator: zone-matched mean difference, normal interval with design effect."""
    from welfare_district.impact.estimate import Z95, design_effect, icc
    from welfare_district.impact.groups import group_status, target_group

    project = reg.projects.set_index("project_id").loc[project_id]
    group = target_group(str(reg.calls.set_index("call_id").loc[project["call_id"], "target_group"]))
    base, follow = int(project["starts_on"].year) - 1, int(project["ends_on"].year) + 1
    key = "family_id" if group.unit == "family" else "person_id"
    mine = set(placed.loc[placed["project_id"] == project_id, key].dropna().astype("int64"))
    anyone = set(placed[key].dropna().astype("int64"))
    status = group_status(db, group, [base, follow])
    now = status[status["snapshot_year"] == base]
    before = now[now["in_group"]].drop_duplicates("unit_id")
    after = status[status["snapshot_year"] == follow].drop_duplicates("unit_id").set_index("unit_id")["in_group"]
    before = before[before["unit_id"].isin(after.index)]
    rate = now.dropna(subset=["zone_id"]).groupby("zone_id")["in_group"].mean()
    need = pd.Series(pd.qcut(rate.rank(method="first"), 3, labels=False), index=rate.index)
    coarse = ((before["age"].fillna(-10) // 10).astype(int).astype(str) + "|"
              + need.reindex(before["zone_id"]).fillna(-1).astype(int).astype(str).to_numpy())
    frame = pd.DataFrame({"unit_id": before["unit_id"].to_numpy(), "stratum": ("z|" + before["zone_id"].fillna(
        "?")).to_numpy(), "coarse": coarse.to_numpy(), "outcome": before["unit_id"].map(after).astype(
        float).to_numpy(), "cluster": before["zone_id"].fillna("?").to_numpy()})
    treated = frame[frame["unit_id"].isin(mine)].copy()
    pool = frame[~frame["unit_id"].isin(anyone)].copy()
    lone = ~treated["stratum"].isin(set(pool["stratum"]))
    treated.loc[lone, "stratum"] = treated.loc[lone, "coarse"]
    pool = pd.concat([pool, pool.assign(stratum=pool["coarse"])], ignore_index=True)
    means = pool.groupby("stratum")["outcome"].mean()
    kept = treated[treated["stratum"].isin(means.index)]
    if kept.empty:
        return None, math.nan, math.nan
    used = pool[pool["stratum"].isin(kept["stratum"])]
    estimate = float((kept["outcome"] - kept["stratum"].map(means)).mean())
    resid = (pool["outcome"] - pool["stratum"].map(means)).to_numpy(float)
    s2_c = float((resid ** 2).sum() / max(len(pool) - len(means), 1))
    s2_t = max(float(kept["outcome"].var(ddof=1)) if len(kept) > 1 else 0.0, s2_c)
    share = kept.groupby("stratum").size() / len(kept)
    n_c = used.groupby("stratum").size().reindex(share.index)
    rho = icc(resid, pool["cluster"].to_numpy())
    variance = (design_effect(kept["cluster"].to_numpy(), rho) * s2_t / len(kept)
                + design_effect(used["cluster"].to_numpy(), rho) * float((share ** 2 / n_c).sum()) * s2_c)
    half = Z95 * math.sqrt(variance)
    return estimate, estimate - half, estimate + half


def _area_before(db: Any, area: dict[str, Any]) -> tuple[float | None, float, float]:
    """The previous area-level estimator on the same areas: uncorrected difference in differences, bootstrap."""
    from welfare_district.impact.estimate import did
    from welfare_district.indicators.store import read_values

    base, follow = area["years"]
    values = read_values(db, indicator_ids=[area["outcome"]], years=[base, follow])
    values = values[values["level"] == area["area_level"]].pivot_table(index="area_id", columns="year",
                                                                        values="value")
    est = did(values[follow] - values[base], area["target_areas"], area["comparison_areas"])
    return est.estimate, math.nan if est.low is None else est.low, math.nan if est.high is None else est.high


def _held(low: float | None, high: float | None, true: float) -> bool:
    return low is not None and high is not None and low <= true <= high


class _Truth(NamedTuple):
    """One project of ground_truth/impact_effects.csv, as the generator recorded it."""

    project_id: str
    simulated_effect: bool
    families_followed: int
    true_person_effect: float
    true_area_effect: float


def _read_truth(path: Path) -> list[_Truth]:
    """The rows of impact_effects.csv, one typed tuple per project, in file order."""
    truth = pd.read_csv(path)
    return [_Truth(*row) for row in zip(
        truth["project_id"].astype(str).tolist(), truth["simulated_effect"].astype(bool).tolist(),
        truth["families_followed"].astype(int).tolist(), truth["true_person_effect"].astype(float).tolist(),
        truth["true_area_effect"].astype(float).tolist(), strict=True)]


def _measure(dataset: Path, url: str, seed: int) -> tuple[list[dict[str, Any]], list[float]]:
    from welfare_district.engine import connect
    from welfare_district.impact.monitoring import placed_beneficiaries, read_register
    from welfare_district.impact.outcomes import area_impact, person_impact

    truth = _read_truth(dataset / "ground_truth" / "impact_effects.csv")
    rows, times = [], []
    with connect(url) as db:
        reg = read_register(db)
        placed = placed_beneficiaries(db, reg)
        for t in truth:
            old = _before(db, t.project_id, reg, placed)
            started = time.perf_counter()
            new = person_impact(db, t.project_id, reg=reg, placed=placed)
            times.append(time.perf_counter() - started)
            area = area_impact(db, t.project_id, reg=reg)
            plain = _area_before(db, area) if area.get("comparison_areas") else (None, math.nan, math.nan)
            rows.append({
                "seed": seed, "project": t.project_id, "effect": bool(t.simulated_effect),
                "families": int(t.families_followed), "true": float(t.true_person_effect),
                "before": old[0], "before_low": old[1], "before_high": old[2],
                "before_held": _held(old[1], old[2], t.true_person_effect) if old[0] is not None else None,
                "after": new["estimate"], "after_low": new["low"], "after_high": new["high"],
                "after_held": _held(new["low"], new["high"], t.true_person_effect)
                if new["estimate"] is not None else None,
                "true_area": float(t.true_area_effect), "did": plain[0], "did_low": plain[1],
                "did_high": plain[2], "did_held": _held(plain[1], plain[2], t.true_area_effect)
                if plain[0] is not None else None,
                "rtm": area["estimate"], "rtm_low": area["low"], "rtm_high": area["high"],
                "rtm_held": _held(area["low"], area["high"], t.true_area_effect)
                if area["estimate"] is not None else None})
    return rows, times


def _nominal_range(n: int, level: float = 0.95) -> tuple[int, int]:
    """The central 95 % range of the number of misses of n independent intervals of the given level."""
    p = 1 - level
    cdf, low, high = 0.0, None, n
    for k in range(n + 1):
        cdf += math.comb(n, k) * p ** k * (1 - p) ** (n - k)
        if low is None and cdf >= 0.025:
            low = k
        if cdf >= 0.975:
            high = k
            break
    return int(low or 0), high


def _fmt(value: Any, low: Any = None, high: Any = None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"{'-':>22}"
    return f"{value:+.3f} [{low:+.3f};{high:+.3f}]"


def main() -> None:
    """Build or reuse the cities, measure, print the per-project table and the coverage summary."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="1-10")
    parser.add_argument("--fraction", type=float, default=0.2)
    parser.add_argument("--cache", type=Path, default=Path("var") / "bench-impact-recovery")
    parser.add_argument("--min-families", type=int, default=5)
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    builds, times = [], []
    for seed in _seeds(args.seeds):
        dataset, url, built = _city(args.cache, seed, args.fraction)
        builds.append(built)
        seed_rows, seed_times = _measure(dataset, url, seed)
        rows += seed_rows
        times += seed_times
    d = pd.DataFrame(rows)
    print(f"{'seed':>4} {'proj':5} {'eff':3} {'fam':>3} {'true':>7} {'before (zone matching)':>25} "
          f"{'':2} {'after (regression adj.)':>25} {'':2} {'true area':>9} {'area before (DiD)':>24} {'':2} "
          f"{'area after (DiD, RTM)':>24}")
    for r in d.itertuples(index=False):
        print(f"{r.seed:4d} {r.project:5} {'yes' if r.effect else 'no':3} {r.families:3d} {r.true:+7.3f} "
              f"{_fmt(r.before, r.before_low, r.before_high):>25} {'ok' if r.before_held else '--':2} "
              f"{_fmt(r.after, r.after_low, r.after_high):>25} {'ok' if r.after_held else '--':2} "
              f"{r.true_area:+9.2f} {_fmt(r.did, r.did_low, r.did_high):>24} {'ok' if r.did_held else '--':2} "
              f"{_fmt(r.rtm, r.rtm_low, r.rtm_high):>24} {'ok' if r.rtm_held else '--':2}")
    tested = d[(d["families"] >= args.min_families) & d["after"].notna() & d["before"].notna()]
    area = d[d["did"].notna() & d["rtm"].notna()]
    print(f"\ncoverage of 95 % intervals (person level: projects with >= {args.min_families} families followed)")
    print(f"{'estimator':34} {'effect':>6} {'n':>4} {'held':>5} {'coverage':>8} {'nominal misses':>15} "
          f"{'mean error':>10} {'mean width':>10}")
    for name, frame, col, true in (("person, before (zone matching)", tested, "before", "true"),
                                   ("person, after (regression adj.)", tested, "after", "true"),
                                   ("area, before (DiD, bootstrap)", area, "did", "true_area"),
                                   ("area, after (DiD corrected, RTM)", area, "rtm", "true_area")):
        for effect in (True, False):
            part = frame[frame["effect"] == effect]
            n, held = len(part), int(part[f"{col}_held"].astype(bool).sum())
            low, high = _nominal_range(n)
            width = (part[f"{col}_high"] - part[f"{col}_low"]).mean()
            print(f"{name:34} {'yes' if effect else 'no':>6} {n:4d} {held:5d} {held / max(n, 1):8.3f} "
                  f"{f'{low}-{high}':>15} {float((part[col] - part[true]).mean()):+10.3f} {width:10.3f}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    built_times = [b for b in builds if b > 0]
    print(f"\nseeds: {args.seeds} at fraction {args.fraction}; cities built: {len(built_times)}"
          + (f" (median {statistics.median(built_times):.1f} s each)" if built_times else " (all cached)")
          + f"; person-level estimate: median {statistics.median(times):.3f} s over {len(times)} projects")
    print(f"cores: {os.cpu_count()}; load average: {os.getloadavg()[0]:.2f}; "
          f"peak resident memory: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
