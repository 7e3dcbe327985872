"""Yearly dynamics: deaths, births, migration, moves and family events are plausible."""

from __future__ import annotations

import numpy as np
import pandas as pd

from welfare_district.synth.calibration import resident_frame
from welfare_district.synth.targets import target


def _years(t: dict[str, pd.DataFrame]) -> list[int]:
    return sorted(int(y) for y in t["family_year"]["year"].unique())


def test_population_changes_little_each_year(synth_small: dict[str, pd.DataFrame]) -> None:
    sizes = synth_small["person_year"].groupby("year").size()
    change = sizes.pct_change().dropna().abs()
    assert (change < 0.03).all()


def test_deaths_are_mostly_old(synth_small: dict[str, pd.DataFrame]) -> None:
    p = synth_small["persons"]
    dead = p[p["death_date"].notna()]
    age = pd.to_datetime(dead["death_date"]).dt.year - pd.to_datetime(dead["birth_date"]).dt.year
    assert len(dead) > 500
    assert (age >= 65).mean() > 0.8
    assert age.median() >= 80


def test_births_to_women_of_fertile_age(synth_small: dict[str, pd.DataFrame]) -> None:
    years = _years(synth_small)
    p = synth_small["persons"]
    born = p[(pd.to_datetime(p["birth_date"]).dt.year > years[0]) & p["arrival_date"].isna()]
    assert len(born) > 300
    ok = 0
    for y in years[1:]:
        res = resident_frame(synth_small, y)
        babies = res[res["person_id"].isin(born["person_id"]) & (res["age"] == 0)]
        women = res[(res["sex"] == "F") & res["relation"].isin(["head", "spouse", "partner"])]
        mother_age = women.groupby("family_id")["age"].max()
        m = mother_age.reindex(babies["family_id"])
        assert m.notna().all()
        assert ((m >= 15) & (m <= 50)).all()
        ok += len(babies)
    assert ok == len(born)


def test_persons_leave_and_arrive(synth_small: dict[str, pd.DataFrame]) -> None:
    p = synth_small["persons"]
    py = synth_small["person_year"]
    residents = py.groupby("year").size()
    arrivals = pd.to_datetime(p["arrival_date"]).dt.year.value_counts()
    departures = pd.to_datetime(p["departure_date"]).dt.year.value_counts()
    for y in _years(synth_small)[1:]:
        assert 0.015 < arrivals.get(y, 0) / residents[y] < 0.06
        assert 0.015 < departures.get(y, 0) / residents[y] < 0.06
    # nobody appears in a snapshot after death or departure, nor before arrival
    last = py.groupby("person_id")["year"].max()
    per = p.set_index("person_id")
    death = pd.to_datetime(per["death_date"]).dt.year
    departure = pd.to_datetime(per["departure_date"]).dt.year
    gone = pd.concat([death, departure], axis=1).min(axis=1).dropna()
    assert (last.reindex(gone.index) < gone).all()


def test_families_move_and_persist(synth_small: dict[str, pd.DataFrame]) -> None:
    fy = synth_small["family_year"]
    years = _years(synth_small)
    a = fy[fy["year"] == years[2]].set_index("family_id")["dwelling_id"]
    b = fy[fy["year"] == years[3]].set_index("family_id")["dwelling_id"]
    both = a.index.intersection(b.index)
    moved = (a[both] != b[both]).mean()
    assert 0.02 < moved < 0.08
    assert len(both) / len(a) > 0.9


def test_family_events_happen(synth_small: dict[str, pd.DataFrame]) -> None:
    fy = synth_small["family_year"]
    years = _years(synth_small)
    first = fy[fy["year"] == years[0]]
    later = fy[fy["year"] == years[-1]]
    new = later[~later["family_id"].isin(first["family_id"])]
    assert len(new) > 0.08 * len(later)
    # single-parent families are created by separations in families that were couples
    type_by_year = fy.pivot_table(index="family_id", columns="year", values="family_type", aggfunc="first")
    became_sp = (
        (type_by_year[years[1]] == "couple_with_children") & (type_by_year[years[-1]] == "single_parent")
    ).sum()
    assert became_sp > 0


def test_education_and_labour_transitions(synth_small: dict[str, pd.DataFrame]) -> None:
    py = synth_small["person_year"].merge(synth_small["persons"][["person_id", "birth_date"]], on="person_id")
    py["age"] = py["year"] - pd.to_datetime(py["birth_date"]).dt.year
    order = {
        e: i
        for i, e in enumerate(
            ["none_illiterate", "none_literate", "primary", "lower_secondary", "upper_secondary", "tertiary"]
        )
    }
    py["edu"] = py["education"].map(order)
    edu = py.dropna(subset=["edu"]).sort_values(["person_id", "year"])
    step = edu.groupby("person_id")["edu"].diff().dropna()
    assert (step >= 0).all()  # education never goes down
    assert py.loc[py["age"] < 6, "education"].isna().all()
    assert py.loc[py["age"] < 15, "labour_status"].isna().all()
    lab = py.dropna(subset=["labour_status"]).sort_values(["person_id", "year"])
    prev = lab.groupby("person_id")["labour_status"].shift()
    retired_then = (prev == "retired") & (lab["labour_status"] != "retired")
    assert retired_then.mean() < 0.002
    students = lab[lab["labour_status"] == "student"]
    assert students["age"].max() <= 31
    retired = lab[lab["labour_status"] == "retired"]
    assert retired["age"].min() >= 50
    old = lab[lab["age"] >= 70]
    assert (old["labour_status"] == "retired").mean() > 0.8


def test_allowances_mostly_elderly(synth_small: dict[str, pd.DataFrame]) -> None:
    res = resident_frame(synth_small, _years(synth_small)[-1])
    care = res[res["care_allowance"]]
    assert (care["age"] >= 65).mean() > 0.7
    assert res["care_allowance"].mean() < 0.05
    dis = res[res["disability_allowance"]]
    assert dis["age"].between(18, 66).all()


def test_isee_and_cases(synth_small: dict[str, pd.DataFrame]) -> None:
    isee = synth_small["isee"]
    fy = synth_small["family_year"]
    per_year = isee.groupby("year").size() / fy.groupby("year").size()
    assert per_year.between(0.15, 0.35).all()
    assert (isee["isee_eur"] >= 0).all() and (isee["isee_eur"] == 0).any()
    assert isee["isee_eur"].median() < isee["isee_eur"].mean()  # right-skewed
    assert (pd.to_datetime(isee["submitted"]).dt.year == isee["year"]).all()
    keys = set(zip(fy["year"], fy["family_id"], strict=True))
    assert all(k in keys for k in zip(isee["year"], isee["family_id"], strict=True))
    # renewals: most declaring families declare again the next year
    d = set(zip(isee["year"], isee["family_id"], strict=True))
    again = np.mean([(y + 1, f) in d for y, f in d if y < isee["year"].max()])
    assert again > 0.6
    cases = synth_small["cases"]
    assert len(cases) > 0
    closed = cases["closed"].dropna()
    assert (pd.to_datetime(closed) >= pd.to_datetime(cases.loc[closed.index, "opened"])).all()
    assert cases["person_id"].isin(synth_small["persons"]["person_id"]).all()


def test_open_cases_share_is_level_on_every_snapshot(synth_small: dict[str, pd.DataFrame]) -> None:
    goal = target("cases_open_families")
    cases, fy = synth_small["cases"], synth_small["family_year"]
    opened, closed = pd.to_datetime(cases["opened"]), pd.to_datetime(cases["closed"])
    for y in _years(synth_small):
        day = pd.Timestamp(y, 12, 31)
        open_now = cases[(opened <= day) & (closed.isna() | (closed > day))]
        families = int((fy["year"] == y).sum())
        share = 100 * open_now["family_id"].nunique() / families
        assert abs(share - goal.value) <= goal.tolerance, (y, share)
    # open cases have no closing date; closed ones lasted months to years
    assert closed.isna().sum() > 0.5 * goal.value / 100 * int((fy["year"] == _years(synth_small)[-1]).sum())
    years_open = (closed - opened).dt.days.dropna() / 365.25
    assert 0.75 <= years_open.median() <= 3.0
    assert (years_open > 3).mean() > 0.1
    # a family has at most one case open at a time
    for fam, group in cases.sort_values("opened").groupby("family_id"):
        starts = pd.to_datetime(group["opened"]).to_numpy()[1:]
        ends = pd.to_datetime(group["closed"]).to_numpy()[:-1]
        assert (ends <= starts).all(), fam
