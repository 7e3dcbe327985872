"""Family relations are consistent in every snapshot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from welfare_district.synth.calibration import resident_frame


@pytest.fixture(scope="module")
def residents(synth_small: dict[str, pd.DataFrame]) -> pd.DataFrame:
    years = sorted(synth_small["family_year"]["year"].unique())
    return pd.concat([resident_frame(synth_small, int(y)) for y in years], ignore_index=True)


def test_one_head_per_family(residents: pd.DataFrame, synth_small: dict[str, pd.DataFrame]) -> None:
    heads = residents[residents["relation"] == "head"].groupby(["year", "family_id"]).size()
    fams = synth_small["family_year"].set_index(["year", "family_id"])
    assert (heads == 1).all()
    assert heads.index.equals(fams.index.sort_values()) or set(heads.index) == set(fams.index)
    head_ids = residents[residents["relation"] == "head"].set_index(["year", "family_id"])["person_id"]
    assert (fams["head_person_id"] == head_ids.reindex(fams.index)).all()


def test_family_size_and_dwelling_match_members(residents: pd.DataFrame, synth_small: dict[str, pd.DataFrame]) -> None:
    fams = synth_small["family_year"].set_index(["year", "family_id"])
    size = residents.groupby(["year", "family_id"]).size()
    assert (fams["size"] == size.reindex(fams.index)).all()
    dwelling = residents.groupby(["year", "family_id"])["dwelling_id"].agg(["min", "max"])
    assert (dwelling["min"] == dwelling["max"]).all()
    assert (fams["dwelling_id"] == dwelling["min"].reindex(fams.index)).all()


def test_every_row_points_to_existing_family_dwelling_and_person(
    residents: pd.DataFrame, synth_small: dict[str, pd.DataFrame]
) -> None:
    fams = synth_small["family_year"]
    keys = set(zip(fams["year"], fams["family_id"], strict=True))
    assert all(k in keys for k in zip(residents["year"], residents["family_id"], strict=True))
    assert residents["surface_m2"].notna().all()  # joined dwelling exists
    assert residents["birth_date"].notna().all()  # joined person exists
    # one dwelling holds at most one family in a year
    assert not fams.duplicated(["year", "dwelling_id"]).any()


def test_children_younger_than_parents(residents: pd.DataFrame) -> None:
    kids = residents[residents["relation"] == "child"]
    key = pd.MultiIndex.from_frame(kids[["year", "family_id"]])
    for roles in (["head"], ["spouse", "partner"]):
        parents = residents[residents["relation"].isin(roles)].set_index(["year", "family_id"])["age"]
        gap = parents.reindex(key).to_numpy() - kids["age"].to_numpy()
        gap = gap[~np.isnan(gap)]
        assert len(gap) > 1000
        assert (gap > 0).all()
        assert (gap >= 14).mean() > 0.995


def test_family_types_follow_relations(residents: pd.DataFrame, synth_small: dict[str, pd.DataFrame]) -> None:
    fams = synth_small["family_year"].set_index(["year", "family_id"])
    rel = {key: set(group) for key, group in residents.groupby(["year", "family_id"])["relation"]}
    ftype = fams["family_type"]
    one = ftype == "one_person"
    assert (fams.loc[one, "size"] == 1).all()
    sp = ftype[ftype == "single_parent"].index
    assert all(rel[k] == {"head", "child"} for k in sp[:2000])
    cwc = ftype[ftype == "couple_with_children"].index
    assert all(rel[k] in ({"head", "spouse", "child"}, {"head", "partner", "child"}) for k in cwc[:2000])


def test_family_sizes_are_plausible(synth_small: dict[str, pd.DataFrame]) -> None:
    fy = synth_small["family_year"]
    assert fy["size"].max() <= 16
    assert 1.9 <= fy["size"].mean() <= 2.3
    assert (fy["size"] >= 6).mean() < 0.03


def test_no_minor_heads_and_ids_stable(residents: pd.DataFrame) -> None:
    assert (residents.loc[residents["relation"] == "head", "age"] >= 18).all()
    # a person keeps one birth date and sex in every year: attributes come from persons, ids are for life
    per_person = residents.groupby("person_id")[["sex", "birth_date"]].nunique()
    assert (per_person == 1).all().all()
