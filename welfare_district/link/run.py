"""The linkage stage end to end: codice fiscale rules, then the model for the rest, then people and families."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from welfare_district.link.clusters import (
    Factorized,
    cluster_codes,
    cluster_nodes,
    entity_nodes,
    family_ids,
    person_ids,
)
from welfare_district.link.deterministic import CF_TRUSTED, cf_keys_coded, check_records
from welfare_district.link.model import ModelSettings, model_frame, score_pairs
from welfare_district.link.report import redundancy_report

METHOD_CF = "codice_fiscale"
METHOD_MODEL = "model"
METHOD_NONE = "unlinked"


@dataclass(frozen=True)
class LinkSettings:
    """What the stage needs besides the records: the register's source name and the model settings."""

    register_source: str = "anagrafe"
    model: ModelSettings = field(default_factory=ModelSettings)
    use_cf_rules: bool = True  # False: every record goes to the model (for comparison only)


@dataclass
class LinkResult:
    """Outcome of a linkage run; no codice fiscale or name in any of its tables."""

    clusters: pd.DataFrame  # record_id, source, person_id, family_id, link_method, cf_status
    review: pd.DataFrame  # record_id_l, record_id_r, match_weight, reason
    report: pd.DataFrame  # per source, see report.redundancy_report
    pairs_compared: int
    seconds: dict[str, float]


def link_records(
    records: pd.DataFrame, settings: LinkSettings | None = None, previous: pd.Series | None = None
) -> LinkResult:
    """Link person records (the contract's columns) into people and families.

    Guarantees: one row per input record in ``clusters``; records with the same trusted code share a person;
    two different trusted codes never share a person; the same records and settings give identical output;
    ``previous`` (record_id -> person_id of an earlier run) keeps earlier person ids (see clusters.py).
    Raises InputError on records that break the contract.
    """
    settings = settings or LinkSettings()
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    checked = check_records(records)
    input_order = checked["record_id"]
    # the model's sampling follows row order: sorting makes the result independent of how rows arrive
    presorted = input_order.is_monotonic_increasing
    recs = checked if presorted else checked.sort_values("record_id", kind="mergesort").reset_index(drop=True)
    keys, coded = cf_keys_coded(recs, settings.register_source)
    recs = recs.join(keys)
    key_codes: Factorized | None = coded
    if not settings.use_cf_rules:
        recs["cf_key"] = None
        key_codes = None  # entity_nodes factorizes the emptied keys itself
    seconds["codice_fiscale_rules"] = time.perf_counter() - start

    start = time.perf_counter()
    nodes, node_of_record = entity_nodes(recs, settings.register_source, factorized=key_codes)
    frame = model_frame(nodes)
    orphans = int((frame["is_entity"] == 0).sum())
    if orphans and len(frame) > 1:
        scored = score_pairs(frame, settings.model, orphan_only=settings.use_cf_rules)
        pairs, compared = scored.pairs, scored.pairs_compared
    else:
        pairs = pd.DataFrame({"unique_id_l": [], "unique_id_r": [], "match_weight": []})
        compared = 0
    seconds["model"] = time.perf_counter() - start

    start = time.perf_counter()
    entity_ids = set(frame.loc[frame["is_entity"] == 1, "unique_id"])
    roots, rejected = cluster_nodes(frame["unique_id"], entity_ids, pairs, settings.model.upper_weight)
    # clusters and people as integer codes: hashing 2 million text labels again at every step cost seconds
    codes, labels = cluster_codes(frame["unique_id"], roots, node_of_record)
    cluster = pd.Series(np.asarray(labels, dtype=object)[codes], index=recs.index, dtype="object")
    person = person_ids(recs, cluster, settings.register_source, previous, factorized=(codes, labels))
    people = _person_codes(person, codes, len(labels))
    family = family_ids(recs, person, settings.register_source, factorized=people)
    records_in_cluster = np.bincount(codes[codes >= 0], minlength=len(labels))
    nodes_per_root = Counter(roots.values())
    nodes_in_cluster = np.array([nodes_per_root[label] for label in labels] + [0], dtype=np.int64)
    by_cf = recs["cf_key"].notna().to_numpy(dtype=bool)
    # picked from an object array: rows share the two texts instead of each getting a copy
    method = np.array([METHOD_NONE, METHOD_CF], dtype=object)[by_cf.astype(np.intp)]
    sizes = np.append(records_in_cluster, 0)
    method[~by_cf & (nodes_in_cluster[codes] > 1) & (sizes[codes] > 1)] = METHOD_MODEL
    clusters = pd.DataFrame({
        "record_id": recs["record_id"], "source": recs["source"], "person_id": person, "family_id": family,
        "link_method": pd.Series(method, index=recs.index, dtype="object"), "cf_status": recs["cf_status"],
    })
    if not presorted:
        clusters = clusters.set_index("record_id").loc[input_order].reset_index()
    review = _review_queue(pairs, rejected, roots, settings.model)
    seconds["clusters"] = time.perf_counter() - start
    report = redundancy_report(clusters, review, settings.register_source,
                               person_codes=people[0] if presorted else None)
    return LinkResult(clusters=clusters, review=review, report=report, pairs_compared=compared, seconds=seconds)


def _person_codes(person: pd.Series, cluster: np.ndarray, clusters: int) -> Factorized:
    """``pd.factorize(person)`` but for the order of the codes, from the records' cluster codes: a cluster has
    one person id, so the ids are hashed once per cluster, not once per record."""
    one_row = np.zeros(clusters, dtype=np.int64)
    one_row[cluster] = np.arange(len(cluster))  # a row of each cluster (the last one)
    per_cluster, people = pd.factorize(person.to_numpy(dtype=object)[one_row])
    return per_cluster[cluster], people


def _review_queue(pairs: pd.DataFrame, rejected: pd.DataFrame, roots: dict[str, str],
                  model: ModelSettings) -> pd.DataFrame:
    """Pairs between the thresholds left in different people, and strong pairs refused for joining two codes."""
    middle = pairs.loc[(pairs["match_weight"] >= model.lower_weight) & (pairs["match_weight"] < model.upper_weight)]
    # looked up pair by pair: Series.map(roots) would first turn the dict of every node into a Series
    apart = np.array([roots[left] != roots[right] for left, right in
                      zip(middle["unique_id_l"].tolist(), middle["unique_id_r"].tolist(), strict=True)], dtype=bool)
    middle = middle.loc[apart].assign(reason="between thresholds")
    conflict = rejected.assign(reason="would join two different codes")
    review = pd.concat([middle, conflict], ignore_index=True)
    review = review.rename(columns={"unique_id_l": "record_id_l", "unique_id_r": "record_id_r"})
    review = review[["record_id_l", "record_id_r", "match_weight", "reason"]]
    return review.sort_values(["match_weight", "record_id_l", "record_id_r"], ascending=[False, True, True],
                              kind="mergesort").reset_index(drop=True)


def cf_trusted_share(result: LinkResult) -> float:
    """Share of records linked by a trusted codice fiscale (0 when there are none)."""
    total = len(result.clusters)
    return float((result.clusters["cf_status"] == CF_TRUSTED).sum()) / total if total else 0.0
