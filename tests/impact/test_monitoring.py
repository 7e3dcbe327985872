"""Monitoring on a hand-made city: distinct reach across projects, coverage, overlap, spending, timeline."""

from __future__ import annotations

from pathlib import Path

from tests.impact.helpers import beneficiary, build_city, register
from welfare_district.engine import Database
from welfare_district.impact.monitoring import call_reach, coverage, overlap, project_reach, reach_by_area

STRANGER = {"codice_progetto": "P1", "cognome": "Ignoto", "nome": "Tale", "data_nascita": "1990-01-01",
            "codice_fiscale": "", "data_presa_in_carico": "2022-06-01"}


def _setup(db: Database, tmp: Path) -> None:
    build_city(db)
    rows = [beneficiary("P1", 1), beneficiary("P1", 3), beneficiary("P1", 1, reached="2022-07-01"), STRANGER,
            beneficiary("P2", 1), beneficiary("P2", 8), {**STRANGER, "codice_progetto": "P2"}]
    results = register(tmp, db, rows)
    assert all(r.status == "loaded" for r in results), [r.problems for r in results]


def test_people_reached_by_two_projects_count_once_per_call(db: Database, tmp_path: Path) -> None:
    _setup(db, tmp_path)
    reach = project_reach(db).set_index("project_id")
    # P1: persons 1 (twice), 3 and the unlinked stranger; P2: persons 1, 8 and the same stranger
    assert reach.loc["P1", ["people", "families", "unlinked"]].tolist() == [3, 2, 1]
    assert reach.loc["P2", ["people", "families", "unlinked"]].tolist() == [3, 2, 1]
    assert reach.loc["P1", "eur_per_person"] == 20000 / 3
    calls = call_reach(db).set_index("call_id")
    assert calls.loc["B1", ["projects", "people", "families"]].tolist() == [2, 4, 3]
    assert calls.loc["B2", ["projects", "people"]].tolist() == [0, 0]
    pairs = overlap(db)
    assert pairs.to_dict("records") == [{"project_id_a": "P1", "project_id_b": "P2", "people": 2}]


def test_coverage_counts_eligible_families_of_the_target_areas_by_the_indicator(db: Database,
                                                                                 tmp_path: Path) -> None:
    _setup(db, tmp_path)
    cov = coverage(db).set_index("project_id")
    # families in economic hardship on 31/12/2021: 10 and 20 (zone Q1Z01), 50 (Q1Z02); 30 works, 40 is retired
    assert cov.loc["P1", ["unit", "baseline_year", "eligible", "reached_eligible"]].tolist() == [
        "family", 2021, 2, 2]
    assert cov.loc["P2", ["eligible", "reached_eligible"]].tolist() == [3, 2]
    assert abs(cov.loc["P2", "coverage"] - 2 / 3) < 1e-12
    by_zone = reach_by_area(db, "P2")
    assert by_zone.to_dict("records") == [{"project_id": "P2", "area_id": "Q1Z01", "people": 1},
                                          {"project_id": "P2", "area_id": "Q1Z02", "people": 1},
                                          {"project_id": "P2", "area_id": "unplaced", "people": 1}]


def test_estimates_carry_codes_a_page_words_in_italian_and_protect_the_pool_size(db: Database,
                                                                                  tmp_path: Path) -> None:
    from welfare_district.impact.views import project_estimates
    from welfare_district.privacy.disclosure import DisclosurePolicy
    from welfare_district.web.i18n import translate

    _setup(db, tmp_path)
    policy = DisclosurePolicy(threshold=3, special_threshold=10, rounding_base=5)
    exact = project_estimates(db, "P1", policy, exact=True)
    public = project_estimates(db, "P1", policy, exact=False)
    assert exact["person"]["method_code"] == "regression_adjusted"
    assert exact["area"]["method_code"] in ("did_rtm", "did_bootstrap")
    for estimates in (exact, public):
        for e in (estimates["area"], estimates["person"]):
            for kind in ("method", "comparison", "note"):
                code = e[f"{kind}_code"]
                if not code:
                    continue
                italian = translate("it", f"impact_{kind}_{code}", **e["params"])
                assert italian != translate("en", f"impact_{kind}_{code}", **e["params"]) and "{" not in italian
    # a handful of families in the group: the public sees no pool size, in words or in parameters
    assert exact["person"]["n_comparison"] < 10
    assert public["person"]["n_comparison"] is None and public["person"]["comparison_code"] == "units_protected"
    assert public["person"]["params"]["units"] == 0 and str(exact["person"]["n_comparison"]) not in \
        public["person"]["comparison"]


def test_baseline_covariates_are_read_from_the_baseline_and_earlier_snapshots(db: Database, tmp_path: Path) -> None:
    from welfare_district.impact.covariates import baseline_covariates
    from welfare_district.impact.groups import target_group

    build_city(db)
    group = target_group("economic_hardship_families")
    # 2022: families 10, 20 (Q1Z01) and 50 (Q1Z02) in hardship; 2021 stored, 2020 not: no prev2
    cov = baseline_covariates(db, group, 2022)
    assert sorted(cov.index) == [10, 20, 50] and "prev2" not in cov.columns and cov.notna().all().all()
    assert cov["prev1"].tolist() == [1.0, 1.0, 1.0]
    assert cov.loc[[10, 20, 50], "adults_unemployed"].tolist() == [1.0, 1.0, 0.0]
    assert cov.loc[[10, 20, 50], "adults_idle"].tolist() == [1.0, 1.0, 1.0]
    # zone need: Q1Z01 has families 10 and 20, both in hardship; Q1Z02 has 30, 40, 50, one in hardship
    assert cov.loc[10, "zone_rate"] == 1.0 and abs(cov.loc[50, "zone_rate"] - 1 / 3) < 1e-12
    assert cov.loc[10, "age"] == 42.0
    # 2021 is the first snapshot: neither prev1 nor prev2
    assert not {"prev1", "prev2"} & set(baseline_covariates(db, group, 2021).columns)
