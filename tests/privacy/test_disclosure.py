"""Disclosure control: thresholds, secondary suppression, rounding, flags, errors and determinism."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from tests.privacy.frames import frame, hierarchy
from welfare_district.errors import InputError
from welfare_district.privacy.disclosure import (
    PRIMARY,
    ROUNDED,
    SECONDARY,
    DisclosurePolicy,
    library_themes,
    protect,
    protected_view,
)

KEY = b"k" * 32
EXACT = DisclosurePolicy(rounding_base=1)


def _sections(parents: dict[str, str | None], counts: list[tuple[int, int]]) -> dict[str, tuple[int, int]]:
    return dict(zip([a for a in parents if "S" in a], counts, strict=True))


def _by_area(out: pd.DataFrame) -> dict[str, pd.Series]:
    return {str(r["area_id"]): r for _, r in out.iterrows()}


def test_a_small_count_is_suppressed_with_its_smallest_sibling() -> None:
    parents = hierarchy([[3]])
    rows = frame(parents, _sections(parents, [(1, 40), (6, 50), (8, 90)]))
    out = _by_area(protect(rows, parents, EXACT, KEY))
    assert out["Q0Z0S0"]["protection"] == PRIMARY
    assert out["Q0Z0S1"]["protection"] == SECONDARY  # the next smallest, not the largest
    assert out["Q0Z0S2"]["numerator"] == 8 and not out["Q0Z0S2"]["suppressed"]
    for area in ("Q0Z0S0", "Q0Z0S1"):
        row = out[area]
        assert row["numerator"] is None and row["value"] is None and row["ci_low"] is None
        assert row["null_reason"] == "suppressed"
    assert out["Q0Z0"]["numerator"] == 15  # the total stays: 15 - 8 = 7 is two cells' sum, not one


def test_the_complement_and_the_denominator_are_thresholds_too() -> None:
    parents = hierarchy([[4]])
    rows = frame(parents, _sections(parents, [(39, 40), (0, 2), (20, 60), (30, 70)]))
    out = _by_area(protect(rows, parents, EXACT, KEY))
    assert out["Q0Z0S0"]["protection"] == PRIMARY  # 39 of 40: the one without is disclosed
    assert out["Q0Z0S1"]["protection"] == PRIMARY  # two residents
    assert out["Q0Z0S2"]["protection"] == "exact"


def test_special_categories_use_the_higher_threshold() -> None:
    parents = hierarchy([[3]])
    counts = _sections(parents, [(7, 400), (50, 500), (60, 600)])
    policy = DisclosurePolicy(rounding_base=1, themes=library_themes())
    ordinary = _by_area(protect(frame(parents, counts, indicator="one_person_families"), parents, policy, KEY))
    special = _by_area(protect(frame(parents, counts, indicator="open_cases", multiplier=1000), parents,
                               policy, KEY))
    assert not ordinary["Q0Z0S0"]["suppressed"]
    assert special["Q0Z0S0"]["protection"] == PRIMARY and special["Q0Z0S0"]["protection_threshold"] == 10
    assert DisclosurePolicy(themes={"x_rate": "care"}).threshold_for("x_rate") == 10


def test_unplaced_residents_count_as_a_hidden_cell_of_the_city() -> None:
    parents = hierarchy([[1], [1]])
    rows = frame(parents, _sections(parents, [(30, 300), (40, 400)]), unplaced=(1, 2))
    out = _by_area(protect(rows, parents, EXACT, KEY))
    # city - quartieri would give the two unplaced residents: one quartiere goes, and with it its chain
    assert out["C"]["numerator"] == 71
    assert out["Q0"]["protection"] == SECONDARY
    assert out["Q0Z0"]["suppressed"] and out["Q0Z0S0"]["suppressed"]
    assert not out["Q1"]["suppressed"]


def test_indicator_sums_are_protected_like_area_sums() -> None:
    parents = hierarchy([[1]])
    one = _sections(parents, [(1, 300)])
    parts = [frame(parents, one, indicator="ivsm_single_parent_young"),
             frame(parents, _sections(parents, [(40, 300)]), indicator="ivsm_single_parent_adult"),
             frame(parents, _sections(parents, [(41, 300)]), indicator="ivsm_single_parent")]
    out = protect(pd.concat(parts, ignore_index=True), parents, EXACT, KEY)
    section = out[out["area_id"] == "Q0Z0S0"].set_index("indicator_id")
    assert section.loc["ivsm_single_parent_young", "protection"] == PRIMARY
    assert section.loc["ivsm_single_parent_adult", "suppressed"] or section.loc["ivsm_single_parent", "suppressed"]


def test_rounding_gives_multiples_of_the_base_and_consistent_values() -> None:
    parents = hierarchy([[5, 4], [6]])
    rng = np.random.default_rng(3)
    counts = [(int(rng.integers(5, 60)), int(rng.integers(80, 300))) for _ in range(15)]
    out = protect(frame(parents, _sections(parents, counts)), parents, DisclosurePolicy(), KEY)
    shown = out[~out["suppressed"]]
    assert (shown["protection"] == ROUNDED).all()
    nums, dens = shown["numerator"].astype(float), shown["denominator"].astype(float)
    assert ((nums % 5) == 0).all() and ((dens % 5) == 0).all() and (nums <= dens).all()
    assert np.allclose(shown["value"].astype(float), nums / dens * 100)
    assert (shown["ci_low"].astype(float) <= shown["value"].astype(float)).all()


def test_rounding_is_unbiased_and_keyed() -> None:
    parents = hierarchy([[200]])
    counts = _sections(parents, [(12, 1000)] * 200)
    out = protect(frame(parents, counts), parents, DisclosurePolicy(), KEY)
    sections = out[out["level"] == "section"]["numerator"].astype(float)
    assert set(sections) == {10.0, 15.0}
    assert 0.25 < (sections == 15).mean() < 0.55  # 12 rounds up with probability 2/5
    other = protect(frame(parents, counts), parents, DisclosurePolicy(), b"o" * 32)
    assert not other["numerator"].equals(out["numerator"])


def test_same_input_gives_byte_identical_output_in_any_row_order() -> None:
    parents = hierarchy([[3, 2], [4]])
    rows = frame(parents, _sections(parents, [(1, 40), (5, 50), (7, 60), (0, 30), (9, 80), (4, 33),
                                              (6, 70), (2, 90), (11, 100)]), unplaced=(1, 3))

    def csv(f: pd.DataFrame) -> bytes:
        buffer = io.StringIO()
        f.to_csv(buffer, index=False)
        return buffer.getvalue().encode()

    first = protect(rows, parents, DisclosurePolicy(), KEY)
    assert csv(first) == csv(protect(rows.copy(), parents, DisclosurePolicy(), KEY))
    shuffled = rows.sample(frac=1.0, random_state=4)
    again = protect(shuffled, parents, DisclosurePolicy(), KEY).loc[rows.index]
    assert csv(first) == csv(again)
    assert protect(first, parents, DisclosurePolicy(), KEY).equals(first)


def test_bad_input_is_refused_and_left_unchanged() -> None:
    parents = hierarchy([[2]])
    rows = frame(parents, _sections(parents, [(5, 50), (6, 60)]))
    before = rows.copy()
    for broken, message in ((rows.drop(columns="ci_low"), "lack"),
                            (pd.concat([rows, rows.iloc[:1]]), "repeat"),
                            (rows.assign(numerator=-1.0), ">= 0"),
                            (rows.assign(numerator=None), "numerator")):
        with pytest.raises(InputError, match=message):
            protect(broken, parents, DisclosurePolicy(), KEY)
    with pytest.raises(InputError, match="whole counts"):
        protect(rows.assign(numerator=rows["numerator"] + 0.5), parents, DisclosurePolicy(), KEY)
    mixed = protect(rows, parents, DisclosurePolicy(), KEY)
    mixed.loc[0, "protection"] = None
    with pytest.raises(InputError, match="already protected"):
        protect(mixed, parents, DisclosurePolicy(), KEY)
    with pytest.raises(InputError, match="SISTAN"):
        DisclosurePolicy(threshold=2)
    assert rows.equals(before)


def test_protected_view_filters_after_protecting_every_level() -> None:
    parents = hierarchy([[2, 2]])
    rows = frame(parents, _sections(parents, [(1, 40), (20, 200), (30, 300), (40, 400)]))
    areas = pd.DataFrame({"area_id": list(parents), "parent_id": list(parents.values())})
    view = protected_view(rows, areas, EXACT, KEY, level="section")
    assert set(view["level"]) == {"section"} and int(view["suppressed"].sum()) == 2
    empty = protect(rows.iloc[:0], parents, EXACT, KEY)
    assert empty.empty and "protection" in empty.columns


def test_partial_tables_are_refused_because_they_cannot_see_their_relations() -> None:
    parents = hierarchy([[2, 2]])
    rows = frame(parents, _sections(parents, [(1, 40), (20, 200), (30, 300), (40, 400)]))
    with pytest.raises(InputError, match="every level"):
        protect(rows[rows["level"] == "section"], parents, EXACT, KEY)
    with pytest.raises(InputError, match="not in the area hierarchy"):
        protect(rows.assign(area_id=rows["area_id"].replace("C", "X")), parents, EXACT, KEY)
    alone = frame(parents, _sections(parents, [(1, 40), (20, 200), (30, 300), (40, 400)]),
                  indicator="ivsm_single_parent_young")
    with pytest.raises(InputError, match="together with"):
        protect(alone, parents, EXACT, KEY)


def test_a_slice_protected_alone_matches_the_whole_table() -> None:
    parents = hierarchy([[3, 2], [4]])
    counts = _sections(parents, [(1, 40), (5, 50), (7, 60), (0, 30), (9, 80), (4, 33), (6, 70), (2, 90), (11, 99)])
    whole = pd.concat([frame(parents, counts, indicator=i) for i in ("ivsm_large_families", "foreign_citizens")],
                      ignore_index=True)
    both = protect(whole, parents, DisclosurePolicy(), KEY)
    alone = protect(whole[whole["indicator_id"] == "foreign_citizens"], parents, DisclosurePolicy(), KEY)
    assert both[both["indicator_id"] == "foreign_citizens"].equals(alone)


def test_the_policy_follows_the_settings_and_the_rounding_key_survives_rotation() -> None:
    from welfare_district.privacy.disclosure import rounding_key
    from welfare_district.privacy.pseudonym import Keyring
    from welfare_district.settings import Settings

    settings = Settings(_env_file=None, disclosure_threshold=5, disclosure_special_threshold=12,  # type: ignore[call-arg]
                        disclosure_rounding_base=10)
    policy = DisclosurePolicy.from_settings(settings)
    assert (policy.threshold, policy.special_threshold, policy.rounding_base) == (5, 12, 10)
    assert policy.threshold_for("open_cases") == 12 and policy.threshold_for("ivsm_care_hardship") == 5
    before = rounding_key(Keyring({"k1": b"a" * 40}, "k1"))
    assert rounding_key(Keyring({"k1": b"a" * 40, "k2": b"b" * 40}, "k2")) == before
    assert rounding_key(Keyring({"k2": b"b" * 40}, "k2")) != before
