"""The warehouse's lookups by key give what pandas' ``Series.map`` gives, in Arrow text and in Python objects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from welfare_district.geo.geocode import TEXT_DTYPE
from welfare_district.warehouse.inputs import positions_in, taken


@pytest.mark.parametrize("dtype", [TEXT_DTYPE, object])
def test_positions_in_finds_the_first_equal_key(dtype: object) -> None:
    keys = pd.Series(["a", "b", None, "a", "c"], dtype=dtype)
    values = pd.Series(["c", "a", None, "z", "b"], dtype=dtype)
    assert positions_in(values, keys).tolist() == [4, 0, 2, -1, 1]


@pytest.mark.parametrize("column", [pd.Series([10, 20, 30]), pd.Series(["x", None, "z"], dtype=TEXT_DTYPE),
                                    pd.Series([1.5, np.nan, 2.5]), pd.Series([1, None, 3], dtype="Int64")])
def test_taken_matches_series_map(column: pd.Series) -> None:
    keys = pd.Series(["k0", "k1", "k2"])
    values = pd.Series(["k2", "missing", "k0", "k1"], index=[7, 8, 9, 10])
    expected = values.map(pd.Series(column.to_numpy(), index=keys).astype(column.dtype))
    got = taken(column, positions_in(values, keys), values.index)
    pd.testing.assert_series_equal(got, expected, check_names=False)
