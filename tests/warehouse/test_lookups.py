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


def _people(loads: list[str | None], rows: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"load_id": pd.Series(loads, dtype=TEXT_DTYPE), "row_number": np.array(rows, dtype=np.int64),
                         "sex": ["F", "M", "F", "M"][: len(rows)]})


@pytest.mark.parametrize("members", [
    # the usual case: integer keys; one person without a membership, one membership of another load
    pd.DataFrame({"load_id": pd.Series(["L1", "L2", "L1", "L9"], dtype=TEXT_DTYPE),
                  "row_number": np.array([1, 1, 3, 2]), "family_code": ["f1", "f2", "f3", "f9"]}),
    # a row in two families (the merge repeats it): the merge itself
    pd.DataFrame({"load_id": pd.Series(["L1", "L1"], dtype=TEXT_DTYPE), "row_number": np.array([1, 1]),
                  "family_code": ["f1", "f1b"]}),
    # a null load id: the merge itself
    pd.DataFrame({"load_id": pd.Series([None, "L1"], dtype=TEXT_DTYPE), "row_number": np.array([2, 1]),
                  "family_code": ["f0", "f1"]}),
])
def test_members_attach_as_the_merge_does(members: pd.DataFrame) -> None:
    from welfare_district.warehouse.inputs import _with_members

    people = _people(["L1", "L2", "L1", "L3"], [1, 1, 2, 3])
    expected = people.merge(members, on=["load_id", "row_number"], how="left")
    pd.testing.assert_frame_equal(_with_members(people, members), expected)


def test_record_ids_join_arrow_text() -> None:
    from welfare_district.link.staging import record_ids

    frame = pd.DataFrame({"source": pd.array(["anagrafe", "isee", None], dtype=TEXT_DTYPE),
                          "file_name": pd.array(["V01/a.csv", "V01/b.csv", "V01/c.csv"], dtype=TEXT_DTYPE),
                          "row_number": [1, 22, 3]}, index=[5, 6, 7])
    got = record_ids(frame)
    assert got.tolist()[:2] == ["anagrafe:V01/a.csv:1", "isee:V01/b.csv:22"]
    assert got.isna().tolist() == [False, False, True] and got.index.tolist() == [5, 6, 7]
    assert got.dtype == TEXT_DTYPE
