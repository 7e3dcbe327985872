"""AMPI, MPI and IVSM classes: the reference unit scores 100, a hand-worked example, polarity, constants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from welfare_district.errors import InputError
from welfare_district.indicators.composite import (
    FixedReference,
    UnitReference,
    ampi,
    ampi_from_values,
    ivsm_class,
    ivsm_classes,
    mpi,
    wide,
)

DATA = pd.DataFrame({"x1": [10.0, 20.0, 30.0], "x2": [5.0, 3.0, 1.0]}, index=["A", "B", "C"])
POLARITY = {"x1": 1, "x2": -1}


def test_worked_example_by_hand() -> None:
    # x1: Inf 10, Sup 30, D 10; Ref 15 -> Min 5, Max 25; r = 70 + 60 (x - 5) / 20 -> 85, 115, 145.
    # x2 (negative): Inf 1, Sup 5, D 2; Ref 3 -> Min 1, Max 5; r = 70 + 60 (5 - x) / 4 -> 70, 100, 130.
    # A: M = 77.5, S = 7.5 (population), cv = 7.5 / 77.5, index = 77.5 + 7.5 * 7.5 / 77.5 = 78.2258...
    result = ampi(DATA, POLARITY, FixedReference({"x1": 15.0, "x2": 3.0}))
    r = result.normalised
    assert r["x1"].tolist() == pytest.approx([85.0, 115.0, 145.0])
    assert r["x2"].tolist() == pytest.approx([70.0, 100.0, 130.0])
    scores = result.scores
    assert scores["mean"].tolist() == pytest.approx([77.5, 107.5, 137.5])
    assert scores["sd"].tolist() == pytest.approx([7.5, 7.5, 7.5])
    assert scores["index"].tolist() == pytest.approx([78.2258065, 108.0232558, 137.9090909])
    assert scores["class"].tolist() == ["low", "high", "high"]
    assert result.warnings == []


def test_the_reference_unit_scores_exactly_100() -> None:
    rng = np.random.default_rng(3)
    data = pd.DataFrame(rng.uniform(0, 20, size=(40, 7)), columns=[f"v{i}" for i in range(7)])
    data.index = [f"area{i}" for i in range(40)]
    polarity = {c: (1 if i % 3 else -1) for i, c in enumerate(data.columns)}
    result = ampi(data, polarity, UnitReference("area17"))
    assert result.normalised.loc[["area17"]].to_numpy() == pytest.approx(np.full((1, 7), 100.0), abs=1e-12)
    assert result.scores["index"].to_dict()["area17"] == pytest.approx(100.0, abs=1e-12)
    # The same with the reference given as fixed values, and with units over several periods.
    ref_row = data.loc[["area17"]].iloc[0]
    fixed = ampi(data, polarity, FixedReference({str(k): float(v) for k, v in ref_row.to_dict().items()}))
    assert fixed.scores["index"].to_dict()["area17"] == pytest.approx(100.0, abs=1e-12)
    periods = pd.concat({2019: data, 2025: data * 1.1}).swaplevel()
    series = ampi(periods, polarity, UnitReference(("area17", 2019)))
    assert series.scores["index"].to_dict()[("area17", 2019)] == pytest.approx(100.0, abs=1e-12)


def test_polarity_reversal_mirrors_around_100() -> None:
    ref = FixedReference({"x1": 15.0, "x2": 3.0})
    plus = ampi(DATA, {"x1": 1, "x2": 1}, ref).normalised
    minus = ampi(DATA, {"x1": -1, "x2": -1}, ref).normalised
    assert (plus + minus).to_numpy() == pytest.approx(np.full((3, 2), 200.0))
    # A negative-polarity indicator equals the positive one computed on -x with reference -Ref.
    negated = ampi(-DATA, {"x1": 1, "x2": 1}, FixedReference({"x1": -15.0, "x2": -3.0})).normalised
    assert negated.to_numpy() == pytest.approx(minus.to_numpy())


def test_a_constant_indicator_scores_100_with_a_warning() -> None:
    data = DATA.assign(x3=4.0)
    result = ampi(data, {**POLARITY, "x3": 1}, UnitReference("A"))
    assert result.normalised["x3"].tolist() == [100.0, 100.0, 100.0]
    assert any("x3" in w and "Sup = Inf" in w for w in result.warnings)
    assert np.isfinite(result.scores["index"]).all()
    flat = mpi(data, {**POLARITY, "x3": 1})
    assert flat.normalised["x3"].tolist() == [100.0, 100.0, 100.0] and flat.warnings


def test_mpi_standardises_to_mean_100_and_sd_10() -> None:
    result = mpi(DATA, POLARITY)
    z = result.normalised
    assert z.mean().tolist() == pytest.approx([100.0, 100.0])
    assert z.std(ddof=0).tolist() == pytest.approx([10.0, 10.0])
    # x1 of A: 100 + 10 (10 - 20) / sqrt(200 / 3)
    assert z["x1"].iloc[0] == pytest.approx(100 - 100 / np.sqrt(200 / 3))
    assert z["x2"].iloc[0] == pytest.approx(100 - 10 * 2 / np.sqrt(8 / 3))


def test_missing_components_and_bad_configuration() -> None:
    data = DATA.copy()
    data.loc["B", "x1"] = np.nan
    result = ampi(data, POLARITY, FixedReference({"x1": 15.0, "x2": 3.0}))
    assert np.isnan(result.scores["index"].to_dict()["B"]) and result.warnings
    with pytest.raises(InputError, match="polarity"):
        ampi(DATA, {"x1": 1}, UnitReference("A"))
    with pytest.raises(InputError, match="polarity"):
        ampi(DATA, {"x1": 1, "x2": 0}, UnitReference("A"))
    with pytest.raises(InputError, match="reference unit"):
        ampi(DATA, POLARITY, UnitReference("Z"))
    with pytest.raises(InputError, match="reference value"):
        ampi(DATA, POLARITY, FixedReference({"x1": 1.0}))


@pytest.mark.parametrize(("value", "label"), [
    (96.99, "low"), (97.0, "medium-low"), (97.99, "medium-low"), (98.0, "medium"), (98.12, "medium"),
    (99.0, "medium-high"), (103.0, "medium-high"), (103.01, "high"), (float("nan"), None), (None, None)])
def test_ivsm_classes(value: float | None, label: str | None) -> None:
    assert ivsm_class(value) == label


def test_wide_pivots_indicator_values() -> None:
    rows = pd.DataFrame({"indicator_id": ["a", "b", "a", "b", "a"], "level": ["zone"] * 4 + ["city"],
                         "area_id": ["Z1", "Z1", "Z2", "Z2", "C"], "year": [2024] * 5,
                         "value": [1.0, 2.0, 3.0, None, 9.0]})
    table = wide(rows, ["a", "b"], "zone")
    assert table.shape == (2, 2) and table.loc[("Z1", 2024), "b"] == 2.0
    assert ivsm_classes(pd.Series([100.0, None])).tolist() == ["medium-high", None]


def test_ampi_from_stored_values_with_the_city_as_reference() -> None:
    rows = []
    for area, level, a, b in (("Z1", "zone", 1.0, 4.0), ("Z2", "zone", 3.0, 2.0), ("C", "city", 2.0, 3.0)):
        rows += [{"indicator_id": "a", "level": level, "area_id": area, "year": 2024, "value": a},
                 {"indicator_id": "b", "level": level, "area_id": area, "year": 2024, "value": b}]
    values = pd.DataFrame(rows)
    result = ampi_from_values(values, ["a", "b"], "zone", {"a": 1, "b": 1}, UnitReference(("C", 2024)))
    # a: Inf 1, Sup 3, D 1, Ref 2 -> Min 1, Max 3: Z1 70, Z2 130; b: Ref 3, D 1: Z1 130, Z2 70.
    assert result.normalised.to_numpy().tolist() == [[70.0, 130.0], [130.0, 70.0]]
    assert list(result.scores.index) == [("Z1", 2024), ("Z2", 2024)]
    with pytest.raises(InputError, match="reference unit"):
        ampi_from_values(values, ["a", "b"], "zone", {"a": 1, "b": 1}, UnitReference(("X", 2024)))
