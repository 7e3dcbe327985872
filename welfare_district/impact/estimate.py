"""The two comparisons, as plain numerical functions on small frames (tested on hand-made panels).

Area level: difference in differences. The treated areas' mean change of the outcome between the baseline
and the follow-up snapshot, minus the comparison areas' mean change, corrected for regression to the mean
when an earlier period is stored (did_rtm); otherwise (did) its interval is a bootstrap over areas
(percentile, 95 %): comparison areas are resampled with replacement, and the treated areas' own noise is
drawn from the comparison areas' deviations around their mean change (one treated area has no spread of its
own to resample). This assumes treated and comparison areas are equally noisy; it says nothing about areas
that differ in ways the baseline indicators do not show.

Person level: regression adjustment. A linear model of the outcome on baseline covariates, fitted on the
units no project reached, predicts what each reached unit would have done without the project; the
estimate is the mean gap between what the reached units did and that prediction. Its interval is normal
(95 %), with the variance spelled out in adjusted_difference.

Every estimate carries its wording twice: English sentences (``method``, ``comparison``, ``note``, kept for
the API and the command line) and stable codes with numeric parameters (``method_code``,
``comparison_code``, ``note_code``, ``params``) that a page resolves in its own language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

CONFIDENCE = 0.95
Z95 = 1.959963984540054
# a fitted model keeps at least this many pool units beyond its terms (fewer covariates otherwise)
MIN_RESIDUAL_DF = 10
METHOD_DID = ("difference in differences of area values (follow-up minus baseline); 95% percentile bootstrap "
              "over areas ({reps} draws), treated-area noise borrowed from the comparison areas")
METHOD_RTM = ("difference in differences of area values (follow-up minus baseline), corrected for regression to the "
              "mean by the slope of change on starting level over the {history} areas of an earlier period; 95% "
              "normal interval")
COMPARISON_AREAS = "{areas} comparison areas"
# fewest areas an earlier period must have to fit the regression-to-the-mean slope and the variance model
MIN_HISTORY_AREAS = 8
METHOD_ADJUSTED = ("regression adjustment: outcome of the reached units minus the outcome predicted for them by a "
                   "linear model of the not-reached units on {covariates} baseline covariates; 95% normal interval, "
                   "robust variance times a design effect for units clustered in areas")
COMPARISON_UNITS = "{units} not-reached units in the group on the baseline"
# English text of each note code (pages use the words_impact key impact_note_<code>)
NOTES = {"too_few_areas": "too few areas for an estimate",
         "snapshot_missing": "baseline or follow-up snapshot missing",
         "no_area_values": "no stored indicator values for the target areas",
         "nobody_to_compare": "nobody to compare",
         "not_published": "fewer reached units than the disclosure threshold: not published"}


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
    method_code: str = ""
    comparison_code: str = ""
    note_code: str = ""
    params: dict[str, int] = field(default_factory=dict)

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
    params = {"reps": reps, "areas": len(c)}
    method, comp = METHOD_DID.format(**params), COMPARISON_AREAS.format(**params)
    if len(t) == 0 or len(c) < 2:
        return Estimate(None, None, None, len(t), len(c), method, comp, NOTES["too_few_areas"], "did_bootstrap",
                        "areas", "too_few_areas", params)
    estimate = float(t.mean() - c.mean())
    rng = np.random.default_rng(seed)
    deviations = c - c.mean()
    noise_t = rng.choice(deviations, size=(reps, len(t)), replace=True).mean(axis=1)
    noise_c = rng.choice(c, size=(reps, len(c)), replace=True).mean(axis=1) - c.mean()
    draws = estimate + noise_t - noise_c
    low, high = np.quantile(draws, [(1 - CONFIDENCE) / 2, (1 + CONFIDENCE) / 2])
    return Estimate(estimate, float(low), float(high), len(t), len(c), method, comp, "", "did_bootstrap", "areas",
                    "", params)


def did_rtm(changes: pd.Series, levels: pd.Series, treated: list[str], comparison: list[str],
            history: pd.DataFrame) -> Estimate:
    """Difference in differences corrected for regression to the mean, with a normal interval.

    ``changes``: per area, follow-up minus baseline; ``levels``: per area, the baseline value; ``history``:
    one row per area with ``level`` (value at the start) and ``change`` over an earlier period of the same
    length, before the baseline and without projects for the group. Areas far from the mean drift back
    towards it, and projects choose the neediest areas: the slope b of change on starting level, fitted on
    the history, says how much. Estimate: mean change of the treated areas minus that of the comparison areas
    minus b times the gap between their baseline levels. Variance: sum over both sides of the mean of
    sigma^2(level) over their areas divided by their number, plus gap^2 Var(b), where sigma^2(level) is the
    history's squared residual modelled as linear in the level (needier areas' rates move more).
    Guarantees: no estimate with no treated area, fewer than 2 comparison areas or fewer than
    MIN_HISTORY_AREAS areas in the history.
    """
    t = changes.reindex(treated).dropna()
    c = changes.reindex(comparison).dropna()
    hist = history[["level", "change"]].dropna().astype(float)
    params = {"areas": len(c), "history": len(hist)}
    method, comp = METHOD_RTM.format(**params), COMPARISON_AREAS.format(**params)
    lt, lc = levels.reindex(t.index), levels.reindex(c.index)
    if len(t) == 0 or len(c) < 2 or len(hist) < MIN_HISTORY_AREAS or lt.isna().any() or lc.isna().any():
        return Estimate(None, None, None, len(t), len(c), method, comp, NOTES["too_few_areas"], "did_rtm",
                        "areas", "too_few_areas", params)
    x = np.column_stack([np.ones(len(hist)), hist["level"].to_numpy()])
    y = hist["change"].to_numpy()
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    resid = y - x @ beta
    spread = np.linalg.lstsq(x, resid ** 2, rcond=None)[0]
    # a variance model may dip below zero at extreme levels: never less than a tenth of the mean
    floor = 0.1 * float((resid ** 2).mean())

    def sigma2(level: pd.Series) -> float:
        return float(np.maximum(spread[0] + spread[1] * level.to_numpy(float), floor).mean())

    gap = float(lt.mean() - lc.mean())
    var_b = float(resid @ resid) / max(len(hist) - 2, 1) * float(np.linalg.pinv(x.T @ x)[1, 1])
    estimate = float(t.mean() - c.mean() - beta[1] * gap)
    half = Z95 * float(np.sqrt(sigma2(lt) / len(t) + sigma2(lc) / len(c) + gap ** 2 * var_b))
    return Estimate(estimate, estimate - half, estimate + half, len(t), len(c), method, comp, "", "did_rtm",
                    "areas", "", params)


def adjusted_difference(treated: pd.DataFrame, pool: pd.DataFrame, covariates: list[str]) -> Estimate:
    """Mean over treated units of (outcome - outcome predicted for them from the pool), normal interval.

    Both frames have ``outcome`` (0/1 or numeric) and the ``covariates`` columns (numbers, no missing value);
    an optional ``cluster`` column (the unit's zone) brings in the design effect. A linear model of the
    outcome on the covariates is fitted on the pool (units not reached) and predicts what each treated unit
    would have done without the project; the estimate is the mean gap. Covariates constant over the pool are
    dropped, and the last ones of the list too when the pool has fewer than MIN_RESIDUAL_DF units beyond the
    model's terms (so the list is ordered by importance). Guarantees: no estimate without a treated unit or
    with fewer than 2 pool units; the same inputs give the same result.

    Variance: s_t^2 / n_t + xbar' V xbar, where xbar is the treated units' mean covariate row, V the
    heteroskedasticity-robust (HC1) covariance of the fitted coefficients, and s_t^2 the pool's residual
    variance (for a 0/1 outcome at least the treated units' mean predicted p(1 - p)): what the reached units
    would have done without the project is known only through the pool. Each term is multiplied by Kish's
    design effect 1 + (m - 1) * rho, rho the intra-zone correlation of the pool's residuals: people of one
    neighbourhood share circumstances, and a project reaches a few neighbourhoods.
    """
    n_t, n_c = len(treated), len(pool)
    used = [c for c in covariates if c in pool and c in treated and n_c and float(pool[c].astype(float).std(
        ddof=0)) > 0]
    used = used[: max(0, n_c - MIN_RESIDUAL_DF - 1)]
    if n_t == 0 or n_c < 2:
        params = {"covariates": len(used), "units": n_c}
        return Estimate(None, None, None, n_t, n_c, METHOD_ADJUSTED.format(**params),
                        COMPARISON_UNITS.format(**params), NOTES["nobody_to_compare"], "regression_adjusted",
                        "units", "nobody_to_compare", params)
    x_c = np.column_stack([np.ones(n_c), pool[used].to_numpy(float)]) if used else np.ones((n_c, 1))
    x_t = np.column_stack([np.ones(n_t), treated[used].to_numpy(float)]) if used else np.ones((n_t, 1))
    y_c = pool["outcome"].to_numpy(float)
    beta = np.linalg.lstsq(x_c, y_c, rcond=None)[0]
    resid = y_c - x_c @ beta
    dof = max(n_c - x_c.shape[1], 1)
    s2_c = float(resid @ resid) / dof
    predicted = x_t @ beta
    estimate = float((treated["outcome"].to_numpy(float) - predicted).mean())
    s2_t = s2_c
    if set(np.unique(y_c)) <= {0.0, 1.0}:
        p = np.clip(predicted, 0.0, 1.0)
        s2_t = max(s2_c, float((p * (1 - p)).mean()))
    bread = np.linalg.pinv(x_c.T @ x_c)
    cov = bread @ ((x_c * resid[:, None] ** 2).T @ x_c) @ bread * n_c / dof
    xbar = x_t.mean(axis=0)
    rho = icc(resid, pool["cluster"].to_numpy()) if "cluster" in pool else 0.0
    deff_t = design_effect(treated["cluster"].to_numpy(), rho) if "cluster" in treated else 1.0
    deff_c = design_effect(pool["cluster"].to_numpy(), rho) if "cluster" in pool else 1.0
    variance = deff_t * s2_t / n_t + deff_c * float(xbar @ cov @ xbar)
    half = Z95 * float(np.sqrt(max(variance, 0.0)))
    params = {"covariates": len(used), "units": n_c}
    return Estimate(estimate, estimate - half, estimate + half, n_t, n_c, METHOD_ADJUSTED.format(**params),
                    COMPARISON_UNITS.format(**params), "", "regression_adjusted", "units", "", params)


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
