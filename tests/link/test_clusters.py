"""Clustering rules, stable ids and pairwise scores on tiny hand-made inputs."""

from __future__ import annotations

import pandas as pd

from welfare_district.link.clusters import cluster_nodes, family_ids, person_ids, stable_id
from welfare_district.link.evaluate import pairwise_scores
from welfare_district.link.model import name_key, street_key


def _pairs(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unique_id_l", "unique_id_r", "match_weight"])


def test_two_codes_are_never_joined() -> None:
    pairs = _pairs([("o1", "e1", 20.0), ("o1", "e2", 15.0), ("o2", "e2", 12.0), ("o3", "o2", 11.0)])
    roots, rejected = cluster_nodes(["e1", "e2", "o1", "o2", "o3"], {"e1", "e2"}, pairs, 10.0)
    assert roots["o1"] == roots["e1"] and roots["o2"] == roots["e2"] == roots["o3"]
    assert roots["e1"] != roots["e2"]
    assert list(rejected["unique_id_r"]) == ["e2"]


def test_weak_pairs_do_not_link() -> None:
    roots, rejected = cluster_nodes(["a", "b"], set(), _pairs([("a", "b", 5.0)]), 10.0)
    assert roots["a"] != roots["b"] and rejected.empty


def test_person_ids_from_anchor_and_previous_mapping() -> None:
    records = pd.DataFrame({"record_id": ["reg:1", "reg:2", "x:1", "x:2"], "source": ["reg", "reg", "x", "x"]})
    cluster = pd.Series(["c1", "c1", "c1", "c2"])
    ids = person_ids(records, cluster, "reg")
    assert ids[0] == ids[2] == stable_id("P", "reg:1") and ids[3] == stable_id("P", "x:2")
    previous = pd.Series({"reg:2": "P-old", "x:1": "P-old", "x:2": "P-other"})
    kept = person_ids(records, cluster, "reg", previous)
    assert list(kept) == ["P-old", "P-old", "P-old", "P-other"]


def test_families_follow_the_register() -> None:
    records = pd.DataFrame({
        "record_id": ["reg:a", "reg:b", "isee:1", "ts:1"], "source": ["reg", "reg", "isee", "ts"],
        "family_key": ["F1", "F2", "DSU-9", None],
    })
    person = pd.Series(["p1", "p1", "p1", "p2"])
    fam = family_ids(records, person, "reg")
    assert fam[0] == stable_id("F", "reg:F1") and fam[1] == fam[2] == stable_id("F", "reg:F2")
    assert fam[3] is None


def test_pairwise_scores() -> None:
    truth = pd.Series({"a": "1", "b": "1", "c": "1", "d": "2"})
    predicted = pd.Series({"a": "x", "b": "x", "c": "y", "d": "y"})
    scores = pairwise_scores(predicted, truth)
    assert (scores.true_pairs, scores.predicted_pairs, scores.correct_pairs) == (3, 2, 1)
    assert scores.precision == 0.5 and abs(scores.recall - 1 / 3) < 1e-12
    only_d = pairwise_scores(predicted, truth, pd.Series({"a": False, "b": False, "c": False, "d": True}))
    assert (only_d.true_pairs, only_d.predicted_pairs, only_d.correct_pairs) == (0, 1, 0)


def test_keys_agree_across_styles() -> None:
    assert name_key("D'Angelo") == name_key("DANGELO") == "DANGELO"
    assert name_key("Nicolò") == "NICOLO"
    assert street_key("V. G. Garibaldi, 3/b int. 2 - Padova") == ("GARIBALDI", "3")
    assert street_key("VIA GIUSEPPE GARIBALDI 3B")[1] == "3"
    assert street_key("via Roma n.12A, 35100 Padova (PD)") == ("ROMA", "12")
