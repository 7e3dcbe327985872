"""Register education and condition follow the truth up to their recorded staleness; INPS lists the allowances."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from welfare_district.synth.extracts.anagrafe import CONDITION_REGISTER, EDUCATION_REGISTER
from welfare_district.synth.extracts.config import ERROR_RATES
from welfare_district.synth.extracts.inps import BENEFITS

from .conftest import YEARS, Run
from .helpers import read_extract

_ATTRS = (
    ("education", "TITOLO_STUDIO", "education", EDUCATION_REGISTER, 6),
    ("condition", "CONDIZIONE_PROFESSIONALE", "labour_status", CONDITION_REGISTER, 15),
)


def _register(run: Run, year: int) -> pd.DataFrame:
    """The register of ``year`` with its ground-truth rows and the person's truth of every year."""
    df, _ = read_extract(run.extracts, f"anagrafe_{year}.csv")
    rec = run.records()
    rec = rec[rec["file"] == f"anagrafe_{year}.csv"].sort_values("row").reset_index(drop=True)
    py = pd.read_parquet(run.truth / "person_year.parquet")
    now = py[py["year"] == year].set_index("person_id").loc[rec["person_id"]].reset_index()
    df = df.assign(person_id=rec["person_id"], errors=rec["errors"])
    for _, _, truth_col, wording, _ in _ATTRS:
        df[f"true_{truth_col}"] = now[truth_col].map(wording).fillna("").to_numpy()
    return df


def _earlier_values(run: Run, year: int, truth_col: str, wording: dict[str, str]) -> pd.Series:
    """Per person, the set of register words of the values held in snapshots before ``year``."""
    py = pd.read_parquet(run.truth / "person_year.parquet", columns=["year", "person_id", truth_col])
    py = py[(py["year"] < year) & py[truth_col].notna()]
    return py.assign(word=py[truth_col].map(wording)).groupby("person_id")["word"].agg(set)


def test_register_has_the_declared_columns_in_register_wording(run: Run) -> None:
    for year in (YEARS[0], YEARS[1]):
        df = _register(run, year)
        birth = pd.read_parquet(run.truth / "persons.parquet").set_index("person_id")["birth_date"]
        age = year - pd.to_datetime(birth.loc[df["person_id"]]).dt.year.to_numpy()
        for kind, column, _, wording, min_age in _ATTRS:
            assert set(df[column]) <= {*wording.values(), ""}, column
            assert (df.loc[age < min_age - 1, column] == "").all(), (year, column)
            assert set(wording.values()) <= set(df[column]), (year, column)
            missing = df["errors"].str.contains(f"{kind}_missing")
            assert (df.loc[missing, column] == "").all()


def test_declared_values_match_the_truth_up_to_the_recorded_errors(run: Run) -> None:
    year = YEARS[1]
    df = _register(run, year)
    for kind, column, truth_col, wording, _ in _ATTRS:
        stale = df["errors"].str.contains(f"{kind}_stale")
        missing = df["errors"].str.contains(f"{kind}_missing")
        clean = ~stale & ~missing
        assert (df.loc[clean, column] == df.loc[clean, f"true_{truth_col}"]).all(), column
        assert stale.sum() > 0 and missing.sum() > 0, kind
        earlier = _earlier_values(run, year, truth_col, dict(wording))
        for pid, shown, true in zip(
            df.loc[stale, "person_id"], df.loc[stale, column], df.loc[stale, f"true_{truth_col}"], strict=True
        ):
            assert shown != true and shown in earlier[pid], (kind, pid, shown, true)


def test_staleness_rate_is_within_tolerance_once_changes_are_seen(run: Run) -> None:
    df = _register(run, YEARS[1])
    n = len(df)
    for kind in ("education", "condition"):
        for error in (f"{kind}_stale", f"{kind}_missing"):
            rate = ERROR_RATES["anagrafe"][error]
            hit = int(df["errors"].str.contains(error).sum())
            sd = math.sqrt(n * rate * (1 - rate))
            # missing takes precedence over stale: the stale share loses at most the missing rate of itself
            low = n * rate * (1 - ERROR_RATES["anagrafe"][f"{kind}_missing"]) if error.endswith("stale") else n * rate
            assert low - 4 * sd - 2 <= hit <= n * rate + 4 * sd + 2, (error, hit, n * rate)


def test_inps_rows_match_the_truth_allowances(run: Run) -> None:
    rec = run.records()
    py = pd.read_parquet(run.truth / "person_year.parquet")
    persons = pd.read_parquet(run.truth / "persons.parquet").set_index("person_id")
    for year in range(YEARS[0], YEARS[1] + 1):
        name = f"inps_prestazioni_{year}.csv"
        df, _ = read_extract(run.extracts, name)
        r = rec[rec["file"] == name].sort_values("row").reset_index(drop=True)
        assert len(df) == len(r) > 0
        assert (df["NUMERO_PRESTAZIONE"].to_numpy() == r["record_key"].to_numpy()).all()
        assert df["NUMERO_PRESTAZIONE"].is_unique
        got = set(zip(r["person_id"], df["TIPO_PRESTAZIONE"], strict=True))
        snap = py[py["year"] == year]
        want = {
            (pid, label)
            for flag, label in BENEFITS
            for pid in snap.loc[snap[flag].fillna(False).astype(bool), "person_id"]
        }
        assert got == want, year
        assert df["DATA_DECORRENZA"].str.fullmatch(r"\d\d/\d\d/\d{4}").all()
        start = pd.to_datetime(df["DATA_DECORRENZA"], format="%d/%m/%Y")
        birth = pd.to_datetime(persons.loc[r["person_id"], "birth_date"]).to_numpy()
        assert (start.to_numpy() >= birth).all() and (start.dt.year <= year).all()
        clean = (r["errors"] == "").to_numpy()
        true_sur = persons.loc[r["person_id"], "surname"].str.upper().to_numpy()
        assert (df["COGNOME"].to_numpy()[clean] == true_sur[clean]).all()
    # a benefit keeps its number and start date from one year to the next
    a, _ = read_extract(run.extracts, f"inps_prestazioni_{YEARS[1] - 1}.csv")
    b, _ = read_extract(run.extracts, f"inps_prestazioni_{YEARS[1]}.csv")
    both = a.merge(b, on="NUMERO_PRESTAZIONE", suffixes=("_a", "_b"))
    assert len(both) > 0
    assert (both["DATA_DECORRENZA_a"] == both["DATA_DECORRENZA_b"]).all()
    assert np.array_equal(both["TIPO_PRESTAZIONE_a"].to_numpy(), both["TIPO_PRESTAZIONE_b"].to_numpy())
