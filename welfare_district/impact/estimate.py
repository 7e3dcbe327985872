"""The two comparisons, as plain numerical functions on small frames (tested on hand-made panels).

Area level: difference in differences. The treated areas' mean change of the outcome between the baseline
and the follow-up snapshot, minus the comparison areas' mean change. Its interval is a bootstrap over areas
(percentile, 95 %): comparison areas are resampled with replacement, and the treated areas' own noise is
drawn from the comparison areas' deviations around their mean change (one treated area has no spread of its
own to resample). This assumes treated and comparison areas are equally noisy; it says nothing about areas
that differ in ways the baseline indicators do not show.

Person level: exact matching on strata (e.g. age band x quartiere, all in the target group on the
baseline). Each treated unit is compared with the mean outcome of the not-reached units of its stratum;
the estimate is the mean of those differences over treated units with at least one comparison unit. Its
interval is normal (95 %), with the variance spelled out in matched_difference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

CONFIDENCE = 0.95
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A difference with its interval and everything a reader needs to judge it."""

    estimate: float | None
    low: float | None
    high: float | None
    n_treated: int
    n_comparison: int
    method: str
    comparison: str
    note: str = ""

    @property
    def covers_zero(self) -> bool | None:
        """Whether the interval includes 0 (None when there is no interval)."""
        if self.low is None or self.high is None:
            return None
        return self.low <= 0.0 <= self.high


def nearest_areas(baseline: pd.DataFrame, treated: list[str], candidates: list[str], k: int) -> list[str]:
    """The ``k`` nearest candidates of each treated area on standardised baseline values, pooled, sorted.

    ``baseline``: one row per area (index area_id), one numeric column per indicator. Columns are
    standardised (z-scores) over treated and candidate areas together; a column constant over them is dropped;
    missing values count as the column mean. Distances are Euclidean.
    """
    rows = baseline.loc[[a for a in [*treated, *candidates] if a in baseline.index]]
    values = rows.astype(float)
    spread = values.std(ddof=0)
    values = values.loc[:, spread > 0]
    z = ((values - values.mean()) / values.std(ddof=0)).fillna(0.0)
    pool = [c for c in candidates if c in z.index]
    chosen: set[str] = set()
    for area in treated:
        if area not in z.index or not pool:
            continue
        dist = np.sqrt(((z.loc[pool] - z.loc[area]) ** 2).sum(axis=1))
        chosen.update(dist.sort_values(kind="mergesort").index[:k])
    return sorted(chosen)


def did(changes: pd.Series, treated: list[str], comparison: list[str], *, seed: int = 0,
        reps: int = 2000) -> Estimate:
    """Difference in differences of per-area changes (follow-up minus baseline), with a bootstrap interval.

    Guarantees: the same inputs and seed give the same interval; no interval with fewer than 2 comparison
    areas or no treated area with a known change.
    """
    t = changes.reindex(treated).dropna().to_numpy(float)
    c = changes.reindex(comparison).dropna().to_numpy(float)
    method = ("difference in differences of area values (follow-up minus baseline); 95% percentile bootstrap "
              f"over areas ({reps} draws), treated-area noise borrowed from the comparison areas")
    comp = f"{len(c)} comparison areas"
    if len(t) == 0 or len(c) < 2:
        return Estimate(None, None, None, len(t), len(c), method, comp, "too few areas for an estimate")
    estimate = float(t.mean() - c.mean())
    rng = np.random.default_rng(seed)
    deviations = c - c.mean()
    noise_t = rng.choice(deviations, size=(reps, len(t)), replace=True).mean(axis=1)
    noise_c = rng.choice(c, size=(reps, len(c)), replace=True).mean(axis=1) - c.mean()
    draws = estimate + noise_t - noise_c
    low, high = np.quantile(draws, [(1 - CONFIDENCE) / 2, (1 + CONFIDENCE) / 2])
    return Estimate(estimate, float(low), float(high), len(t), len(c), method, comp)


def matched_difference(treated: pd.DataFrame, pool: pd.DataFrame) -> Estimate:
    """Mean over treated units of (outcome - mean outcome of the pool in the same stratum), normal interval.

    Both frames have ``stratum`` and ``outcome`` (0/1 or numeric). Treated units whose stratum has no pool
    unit are left out (counted in ``note``). Variance: s_t^2 / n_t + sum over strata of (n_ts / n_t)^2 *
    s_c^2 / n_cs, where s_c^2 is the pool's variance around its stratum means (pooled over strata, so small
    strata do not look certain) and s_t^2 the larger of the treated units' own variance and s_c^2: what the
    reached units would have done without the project varies at least as much as similar units do.
    With a ``cluster`` column (the unit's zone) each term is multiplied by the design effect
    1 + (m - 1) * rho, m the mean units per cluster, rho the pool's intra-cluster correlation of residuals:
    people of one neighbourhood share circumstances, and a project reaches a few neighbourhoods.
    """
    method = ("exact matching on strata, mean difference over reached units; 95% normal interval, variance "
              "of the reached units at least that of the not-reached units within strata, times a design "
              "effect for units clustered in areas")
    pool_means = pool.groupby("stratum")["outcome"].mean()
    kept = treated[treated["stratum"].isin(pool_means.index)]
    dropped = len(treated) - len(kept)
    used_pool = pool[pool["stratum"].isin(kept["stratum"])]
    comp = f"{len(used_pool)} not-reached units in {kept['stratum'].nunique()} strata"
    note = f"{dropped} reached units without a comparison unit left out" if dropped else ""
    if kept.empty:
        return Estimate(None, None, None, 0, len(used_pool), method, comp, note or "nobody to compare")
    diffs = kept["outcome"].to_numpy(float) - kept["stratum"].map(pool_means).to_numpy(float)
    estimate = float(diffs.mean())
    resid = pool["outcome"].to_numpy(float) - pool["stratum"].map(pool_means).to_numpy(float)
    s2_c = float((resid ** 2).sum() / max(len(pool) - len(pool_means), 1))
    s2_t = max(float(kept["outcome"].var(ddof=1)) if len(kept) > 1 else 0.0, s2_c)
    n_t = len(kept)
    share = kept.groupby("stratum").size() / n_t
    n_c = used_pool.groupby("stratum").size().reindex(share.index)
    rho = icc(resid, pool["cluster"].to_numpy()) if "cluster" in pool else 0.0
    deff_t = design_effect(kept["cluster"].to_numpy(), rho) if "cluster" in kept else 1.0
    deff_c = design_effect(used_pool["cluster"].to_numpy(), rho) if "cluster" in used_pool else 1.0
    variance = deff_t * s2_t / n_t + deff_c * float((share ** 2 / n_c).sum()) * s2_c
    half = Z95 * float(np.sqrt(variance))
    return Estimate(estimate, estimate - half, estimate + half, n_t, len(used_pool), method, comp, note)


def icc(resid: np.ndarray, cluster: np.ndarray) -> float:
    """One-way ANOVA intra-cluster correlation of ``resid`` (0 when it cannot be estimated or is negative)."""
    frame = pd.DataFrame({"r": resid, "c": cluster}).dropna()
    groups = frame.groupby("c")["r"]
    k, n = groups.ngroups, len(frame)
    if k < 2 or n <= k:
        return 0.0
    sizes = groups.size().to_numpy(float)
    grand = frame["r"].mean()
    msb = float((sizes * (groups.mean().to_numpy() - grand) ** 2).sum() / (k - 1))
    msw = float(((frame["r"] - groups.transform("mean")) ** 2).sum() / (n - k))
    m0 = (n - float((sizes ** 2).sum()) / n) / (k - 1)
    denom = msb + (m0 - 1) * msw
    return max(0.0, (msb - msw) / denom) if denom > 0 else 0.0


def design_effect(cluster: np.ndarray, rho: float) -> float:
    """Kish's 1 + (m - 1) * rho for units spread over ``cluster`` values (m: mean units per cluster)."""
    labels = pd.Series(cluster).fillna("?")
    m = len(labels) / max(labels.nunique(), 1)
    return 1.0 + max(m - 1.0, 0.0) * rho
