"""Attacks on the protected tables: differencing and rebuilding suppressed cells from sums."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.privacy.frames import frame, hierarchy
from welfare_district.privacy.disclosure import DisclosurePolicy, protect
from welfare_district.privacy.suppression import sensitive

EXACT = DisclosurePolicy(rounding_base=1)
KEY = b"a" * 32


def rebuild(published: pd.DataFrame, parents: dict[str, str | None], residual: dict[str, tuple[float, float]],
            hidden_gaps: frozenset[str] = frozenset()) -> dict[str, tuple[float, float]]:
    """What an attacker recovers exactly: repeatedly solve every area equation with one unknown term.

    ``residual`` gives the parent-minus-children gaps the attacker knows (published elsewhere); the gaps of
    ``hidden_gaps`` are one more unknown term of their equation.
    """
    known = {str(r.area_id): (float(r.numerator), float(r.denominator))
             for r in published.itertuples() if r.numerator is not None}
    children: dict[str, list[str]] = {}
    for area, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(area)
    progress = True
    while progress:
        progress = False
        for parent, kids in children.items():
            gap = residual.get(parent, (0.0, 0.0))
            unknown = [a for a in [parent, *kids] if a not in known]
            if len(unknown) + (parent in hidden_gaps) != 1:
                continue
            (target,) = unknown
            if target == parent:
                known[parent] = (sum(known[k][0] for k in kids) + gap[0], sum(known[k][1] for k in kids) + gap[1])
            else:
                rest = [k for k in kids if k != target]
                known[target] = (known[parent][0] - sum(known[k][0] for k in rest) - gap[0],
                                 known[parent][1] - sum(known[k][1] for k in rest) - gap[1])
            progress = True
    return known


def test_nested_areas_differing_by_one_person_do_not_reveal_them() -> None:
    # a zone of two sections: 1 resident in one, 200 in the other; zone minus big section = the one person
    for shape_counts in ([(1, 1), (30, 200)], [(0, 1), (30, 200)], [(1, 2), (30, 200)], [(2, 2), (30, 200)]):
        parents = hierarchy([[2]])
        sections = dict(zip(["Q0Z0S0", "Q0Z0S1"], shape_counts, strict=True))
        out = protect(frame(parents, sections), parents, EXACT, KEY)
        recovered = rebuild(out, parents, {})
        assert "Q0Z0S0" not in recovered, shape_counts


def test_sums_of_sub_areas_never_rebuild_a_suppressed_cell() -> None:
    rng = np.random.default_rng(11)
    for trial in range(60):
        shape = [[int(rng.integers(1, 5)) for _ in range(int(rng.integers(1, 4)))] for _ in range(3)]
        parents = hierarchy(shape)
        sections = {a: (int(n), int(n + rng.integers(0, 60))) for a in parents if "S" in a
                    for n in [rng.choice([0, 1, 2, 3, 5, 12, 40])]}
        unplaced = (int(rng.integers(0, 3)), int(rng.integers(0, 4)))
        unplaced = (min(unplaced), max(unplaced))
        truth = frame(parents, sections, unplaced=unplaced)
        out = protect(truth, parents, EXACT, KEY)
        gap = {"C": (float(unplaced[0]), float(unplaced[1]))}
        # the strongest attacker: knows the unplaced too, unless that is the secret being kept
        secret = sensitive(*gap["C"], 3, True)
        recovered = rebuild(out, parents, {} if secret else gap, frozenset({"C"}) if secret else frozenset())
        expected = {str(r.area_id): (r.numerator, r.denominator) for r in truth.itertuples()}
        assert all(expected[a] == v for a, v in recovered.items())  # the attacker's algebra is right
        hidden = set(out.loc[out["suppressed"], "area_id"])
        assert not hidden & set(recovered), (trial, sorted(hidden & set(recovered)))


def test_two_figures_differing_by_one_person_leave_the_person_unknown() -> None:
    """Filters A (a population) and B (the same plus one person) are both published, rounded: whatever the
    pair of published counts, 'the extra person is counted' and 'is not' stay both possible."""
    cases = [(count, extra) for count in range(20, 45) for extra in (0, 1)]
    parents: dict[str, str | None] = {f"A{i}": None for i in range(len(cases))}
    seen: dict[int, set[float]] = {0: set(), 1: set()}
    for key in range(30):
        parts = []
        for i, (count, extra) in enumerate(cases):
            one: dict[str, str | None] = {"C": None}
            parts.append(frame(one, {}, indicator="share_75plus", unplaced=(count, 500)).assign(area_id=f"A{i}"))
            parts.append(frame(one, {}, indicator="foreign_citizens", unplaced=(count + extra, 501))
                         .assign(area_id=f"A{i}"))
        out = protect(pd.concat(parts, ignore_index=True), parents, DisclosurePolicy(), bytes([key]) * 32)
        wide = out.pivot(index="area_id", columns="indicator_id", values="numerator").astype(float)
        for i, (_, extra) in enumerate(cases):
            seen[extra].add(wide.loc[f"A{i}", "foreign_citizens"] - wide.loc[f"A{i}", "share_75plus"])
    # the shape of a pair (equal, or apart by one base) must not tell whether the person was counted
    assert seen[0] == seen[1] == {-5.0, 0.0, 5.0}


def test_repeated_denominators_are_rounded_alike() -> None:
    """Every indicator over 'all residents' shows the same rounded count: no average can undo the rounding."""
    parents = {"C": None}
    ids = ["share_75plus", "share_85plus", "foreign_citizens", "disability_allowance"]
    rows = pd.concat([frame(parents, {}, indicator=i, unplaced=(40, 1003)) for i in ids], ignore_index=True)
    out = protect(rows, parents, DisclosurePolicy(special_indicators=frozenset()), KEY)
    assert out["denominator"].nunique() == 1
