"""The whole stage on a small synthetic city: quality, determinism, stable ids, review queue, no personal data."""

from __future__ import annotations

import pandas as pd
import pytest

from welfare_district.ingest.codice_fiscale import is_valid
from welfare_district.link.evaluate import pairwise_scores
from welfare_district.link.model import ModelSettings
from welfare_district.link.report import REPORT_COLUMNS
from welfare_district.link.run import LinkResult, LinkSettings, link_records

pytestmark = pytest.mark.slow


def _predicted(result: LinkResult) -> pd.Series:
    return pd.Series(result.clusters["person_id"].to_numpy(), index=result.clusters["record_id"].to_numpy())


def test_quality_on_a_small_city(small_result: LinkResult, small_records: pd.DataFrame,
                                 small_truth: pd.Series) -> None:
    overall = pairwise_scores(_predicted(small_result), small_truth)
    assert overall.precision >= 0.995 and overall.recall >= 0.99, overall
    no_cf = small_records["source"].str.startswith("ts_") & ~small_records["codice_fiscale"].map(
        lambda c: isinstance(c, str) and is_valid(c))
    hard = pairwise_scores(_predicted(small_result), small_truth,
                           pd.Series(no_cf.to_numpy(), index=small_records["record_id"].to_numpy()))
    assert hard.f1 >= 0.95, hard


def test_one_row_per_record_and_codes_hold(small_result: LinkResult, small_records: pd.DataFrame) -> None:
    clusters = small_result.clusters
    assert list(clusters["record_id"]) == list(small_records["record_id"])
    trusted = clusters["cf_status"] == "trusted"
    assert (clusters.loc[trusted, "link_method"] == "codice_fiscale").all()
    # register families exist for every register record
    register = clusters["source"] == "anagrafe"
    assert clusters.loc[register, "family_id"].notna().all()


@pytest.fixture(scope="module")
def subset_result(subset_records: pd.DataFrame) -> LinkResult:
    """The subset linked with the default settings."""
    return link_records(subset_records)


def test_same_input_same_output(subset_records: pd.DataFrame, subset_result: LinkResult) -> None:
    first = subset_result
    second = link_records(subset_records.sample(frac=1.0, random_state=3))
    by_id = second.clusters.set_index("record_id").loc[first.clusters["record_id"]].reset_index()
    pd.testing.assert_frame_equal(first.clusters, by_id[first.clusters.columns], check_dtype=False)
    pd.testing.assert_frame_equal(first.review, second.review, check_dtype=False)
    assert first.pairs_compared == second.pairs_compared


def test_person_ids_stable_on_relink(subset_records: pd.DataFrame, subset_result: LinkResult) -> None:
    first = subset_result
    previous = pd.Series(first.clusters["person_id"].to_numpy(), index=first.clusters["record_id"].to_numpy())
    # the register file is dropped: the anchors change, the earlier ids are kept through the mapping
    rest = subset_records.loc[subset_records["source"] != "anagrafe"].reset_index(drop=True)
    without_mapping = link_records(rest)
    with_mapping = link_records(rest, previous=previous)
    kept = with_mapping.clusters.set_index("record_id")["person_id"]
    assert (kept == previous.reindex(kept.index)).mean() > 0.99
    changed = without_mapping.clusters.set_index("record_id")["person_id"]
    assert (changed != previous.reindex(changed.index)).any()


def test_review_queue_between_thresholds(small_result: LinkResult) -> None:
    review = small_result.review
    assert len(review) > 0
    settings = ModelSettings()
    middle = review.loc[review["reason"] == "between thresholds", "match_weight"]
    assert ((middle >= settings.lower_weight) & (middle < settings.upper_weight)).all()
    known = set(small_result.clusters["record_id"])
    assert set(review["record_id_l"]) <= known and set(review["record_id_r"]) <= known
    person = small_result.clusters.set_index("record_id")["person_id"]
    assert (person.loc[review["record_id_l"]].to_numpy() != person.loc[review["record_id_r"]].to_numpy()).all()


def test_thresholds_move_pairs_between_link_and_review(subset_records: pd.DataFrame,
                                                       subset_result: LinkResult) -> None:
    strict = link_records(subset_records, LinkSettings(model=ModelSettings(upper_weight=1e9, lower_weight=0.0)))
    assert (strict.clusters.loc[strict.clusters["cf_status"] != "trusted", "link_method"] != "model").all()
    assert len(strict.review) > len(subset_result.review)


def test_no_code_or_name_in_outputs(small_result: LinkResult, small_records: pd.DataFrame) -> None:
    assert tuple(small_result.report.columns) == REPORT_COLUMNS
    personal = set(small_records["codice_fiscale"].dropna()) | set(small_records["surname"].dropna())
    for frame in (small_result.report, small_result.review, small_result.clusters):
        for col in frame.columns:
            values = set(frame[col].astype(str))
            assert not values & personal, col


def test_report_counts_add_up(small_result: LinkResult) -> None:
    report = small_result.report.set_index("source")
    assert (report["records_in"] == report["people_out"] + report["duplicates_merged"]).all()
    assert (report["records_in"] == report[["cf_trusted", "cf_missing", "cf_invalid", "cf_contradicts",
                                                      "cf_ambiguous"]]
            .sum(axis=1)).all()
    register = report.loc[["anagrafe"]]
    assert (register["linked_to_register"] == register["records_in"]).all()
    assert report["records_in"].sum() == len(small_result.clusters)
