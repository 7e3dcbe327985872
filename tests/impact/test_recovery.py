"""The target on synthetic data: the person-level estimate finds the simulated effect where there was one,
and nothing where there was none.

A synthetic Padova at 20 % (the demo's effect is large, see docs/impact.md: at 5 % a project reaches only a
handful of families in hardship and no interval is informative). The truth warehouse is used, with the
partner lists linked to it by code and names: this tests the estimator, not the integration pipeline.
The counterfactual is known here (ground_truth/impact_effects.csv: share still in hardship with the effect
minus without it, for the same families), so each interval is checked against the true value.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.impact.helpers import pseudonymiser
from welfare_district.engine import Database, connect
from welfare_district.impact.importer import import_reports, report_files
from welfare_district.impact.linkage import PersonIndex
from welfare_district.impact.outcomes import area_impact, person_impact
from welfare_district.indicators.library import IVSM_COMPONENTS, default_library
from welfare_district.indicators.store import compute_and_store
from welfare_district.pipeline import PipelineInput, stage_areas
from welfare_district.synth.truth_warehouse import build_truth_warehouse

MIN_FAMILIES = 5  # below this a project's interval says little; such projects are reported, not tested


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    from welfare_district.synth.generate import generate

    root = tmp_path_factory.mktemp("impact")
    dataset = root / "synth"
    generate(dataset, fraction=0.2, seed=1)
    url = f"duckdb:///{root / 'impact.duckdb'}"
    with connect(url) as db:
        stage_areas(db, PipelineInput(dataset))
        build_truth_warehouse(dataset, db)
        lib = default_library()
        compute_and_store(db, [lib[i] for i in IVSM_COMPONENTS])
        persons = pq.read_table(dataset / "truth" / "persons.parquet").to_pandas()
        results = import_reports(db, report_files(dataset / "extracts" / "impatto"),
                                 index=PersonIndex.from_frame(persons), pseudonymiser=pseudonymiser())
        assert all(r.status == "loaded" for r in results), [r.problems for r in results if len(r.problems)]
    return dataset, url


def _estimates(db: Database, truth: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for t in truth.itertuples(index=False):
        e = person_impact(db, t.project_id)
        assert e["method_code"] == "regression_adjusted", e
        assert e["estimate"] is None or e["params"]["covariates"] >= 8, e
        rows.append({"project_id": t.project_id, "effect": bool(t.simulated_effect), "true": t.true_person_effect,
                     "families": t.families_followed, "n": e["n_treated"], "estimate": e["estimate"],
                     "low": e["low"], "high": e["high"]})
    return pd.DataFrame(rows)


def test_person_level_intervals_hold_the_true_effect(city: tuple[Path, str]) -> None:
    dataset, url = city
    truth = pd.read_csv(dataset / "ground_truth" / "impact_effects.csv")
    assert truth["simulated_effect"].any() and (~truth["simulated_effect"]).any()
    with connect(url) as db:
        est = _estimates(db, truth)
    tested = est[(est["families"] >= MIN_FAMILIES) & est["estimate"].notna()]
    assert len(tested) >= 8, est
    # every estimate says how many families it compared, and those are the families the truth followed
    assert (tested["n"] == tested["families"]).all(), tested
    held = (tested["low"] <= tested["true"]) & (tested["true"] <= tested["high"])
    # Tolerance from nominal coverage. Misses of n = 10 independent 95 % intervals are Binomial(10, 0.05):
    # P(0) = 0.95^10 = 0.599, P(1) = 10 * 0.05 * 0.95^9 = 0.315, P(2) = 45 * 0.05^2 * 0.95^8 = 0.075, so
    # P(> 2) = 0.011: with honest intervals this fails about once in 90 seeds. Measured over seeds 1-10
    # (benchmarks/bench_impact_recovery.py) coverage is 0.96; this seed has two misses, both projects with an
    # effect whose interval stops just short of it (so "all hold" cannot be asserted for it).
    assert int((~held).sum()) <= 2, tested.assign(held=held)
    no_effect = tested[~tested["effect"]]
    # a false finding among the ~6 projects without an effect: Binomial(6, 0.05), P(> 1) = 0.033
    assert int((no_effect["low"] > 0).sum() + (no_effect["high"] < 0).sum()) <= 1, no_effect
    # pooled over the projects with an effect, the estimate is clearly below zero
    effect = tested[tested["effect"]]
    assert (effect["estimate"] * effect["n"]).sum() / effect["n"].sum() < -0.2, effect


def test_area_level_estimates_state_their_comparison(city: tuple[Path, str]) -> None:
    _, url = city
    with connect(url) as db:
        a = area_impact(db, "P01")
    assert a["estimate"] is not None and a["low"] < a["estimate"] < a["high"]
    assert a["comparison_areas"] and not set(a["comparison_areas"]) & set(a["target_areas"])
    assert "regression to the mean" in a["method"] and a["area_level"] == "zone" and a["method_code"] == "did_rtm"
    assert "not prove" in a["wording_en"]
