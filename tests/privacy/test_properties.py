"""Property tests of the disclosure invariants on random hierarchies and counts."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.privacy.frames import frame, hierarchy
from welfare_district.privacy.disclosure import DisclosurePolicy, protect
from welfare_district.privacy.suppression import sensitive

KEY = b"p" * 32
shapes = st.lists(st.lists(st.integers(1, 4), min_size=1, max_size=3), min_size=1, max_size=3)
count = st.one_of(st.integers(0, 4), st.integers(5, 80))


@st.composite
def tables(draw: st.DrawFn) -> tuple[dict[str, str | None], pd.DataFrame, tuple[int, int]]:
    parents = hierarchy(draw(shapes))
    sections = {}
    for area in parents:
        if "S" in area:
            num = draw(count)
            sections[area] = (num, num + draw(count))
    unplaced_num = draw(st.integers(0, 3))
    unplaced = (unplaced_num, unplaced_num + draw(st.integers(0, 3)))
    return parents, frame(parents, sections, unplaced=unplaced), unplaced


policies = st.builds(DisclosurePolicy, threshold=st.integers(3, 6), special_threshold=st.just(10),
                     rounding_base=st.sampled_from([1, 3, 5]))
common = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@common
@given(tables(), policies)
def test_no_published_cell_is_below_the_threshold(table: tuple, policy: DisclosurePolicy) -> None:  # type: ignore[type-arg]
    parents, rows, _ = table
    out = protect(rows, parents, policy, KEY)
    shown = out[~out["suppressed"]]
    for num, den in zip(shown["numerator"].astype(float), shown["denominator"].astype(float), strict=True):
        assert not sensitive(num, den, policy.threshold, True), (num, den)
    assert out.loc[out["suppressed"], ["numerator", "denominator", "value"]].isna().all().all()


@common
@given(tables(), policies)
def test_every_group_hides_zero_or_at_least_two_terms(table: tuple, policy: DisclosurePolicy) -> None:  # type: ignore[type-arg]
    parents, rows, unplaced = table
    out = protect(rows, parents, policy, KEY)
    hidden = set(out.loc[out["suppressed"], "area_id"])
    truth = {r.area_id: (r.numerator, r.denominator) for r in rows.itertuples()}
    children: dict[str, list[str]] = {}
    for area, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(area)
    for parent, kids in children.items():
        gap = unplaced if parent == "C" else (0, 0)
        secret = sensitive(*gap, policy.threshold, True)
        unknowns = len(hidden & {parent, *kids}) + int(secret)
        assert unknowns == 0 or unknowns >= 2, (parent, sorted(hidden))
        if unknowns and parent not in hidden:
            # what the published total gives away is the hidden terms' sum: itself publishable
            num = sum(truth[k][0] for k in kids if k in hidden) + (gap[0] if secret else 0)
            den = sum(truth[k][1] for k in kids if k in hidden) + (gap[1] if secret else 0)
            assert not sensitive(num, den, policy.threshold, True)


@common
@given(tables(), policies)
def test_protection_is_idempotent_and_deterministic(table: tuple, policy: DisclosurePolicy) -> None:  # type: ignore[type-arg]
    parents, rows, _ = table
    once = protect(rows, parents, policy, KEY)
    assert protect(once, parents, policy, KEY).equals(once)
    assert protect(rows.copy(), parents, policy, KEY).equals(once)
    assert list(once["area_id"]) == list(rows["area_id"])
