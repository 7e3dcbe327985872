"""Secondary suppression: no published total may rebuild a suppressed cell.

Every additive relation between published cells is an equation ``total = part_1 + ... + part_k + residual``:
an area and its children (a quartiere and its zones, the city and its quartieri, where the residual is the
residents without a placed address), or an indicator whose numerator is the sum of others' (single-parent
families = young + adult parents). An attacker who knows all but one term of an equation knows that term.
So in every equation the *unknowns* (suppressed cells, plus the residual when the residual itself is a
sensitive count) must number 0 or at least 2, and when the total is published the sum of the unknowns must
itself be a publishable count. Otherwise the smallest published part (then the total) is suppressed too,
and the check runs again on every equation that cell belongs to, until nothing changes.

Pure functions over positions in numpy arrays; the order of processing is fixed, so results are deterministic.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Equation:
    """``total = sum(parts) + residual`` over the cells at these positions; ``with_denominator`` when the
    denominators add up too (area hierarchies), not only the numerators (indicator sums)."""

    total: int
    parts: tuple[int, ...]
    with_denominator: bool


def sensitive(num: float, den: float, threshold: int, complement: bool) -> bool:
    """True when publishing this count pair would reveal fewer than ``threshold`` units.

    A numerator or denominator strictly between 0 and the threshold is sensitive; with ``complement`` (a
    proportion) so is a small difference ``den - num``: "all but one" discloses the one as much as "one".
    Zero is not sensitive: an empty cell describes nobody.
    """
    if 0 < num < threshold or 0 < den < threshold:
        return True
    return complement and 0 < den - num < threshold


def secondary(equations: list[Equation], num: np.ndarray, den: np.ndarray, threshold: np.ndarray,
              complement: np.ndarray, suppressed: np.ndarray) -> np.ndarray:
    """Positions to suppress in addition to ``suppressed`` (a boolean array, not modified).

    Guarantees for every equation, on return: its unknowns are 0 or >= 2, and if its total is published the
    unknowns' sum is not sensitive. Cells with a zero denominator are never chosen to hide another (they hide
    nothing), unless nothing else is left.
    """
    hidden = suppressed.copy()
    added = np.zeros(len(hidden), dtype=bool)
    member_of: dict[int, list[int]] = {}
    for index, eq in enumerate(equations):
        for pos in (eq.total, *eq.parts):
            member_of.setdefault(pos, []).append(index)
    queue = deque(range(len(equations)))
    queued = [True] * len(equations)
    while queue:
        index = queue.popleft()
        queued[index] = False
        eq = equations[index]
        pick = _needs(eq, num, den, threshold, complement, hidden)
        if pick is None:
            continue
        hidden[pick] = True
        added[pick] = True
        queue.append(index)
        queued[index] = True
        for other in member_of.get(pick, ()):
            if not queued[other]:
                queue.append(other)
                queued[other] = True
    return added


def _needs(eq: Equation, num: np.ndarray, den: np.ndarray, threshold: np.ndarray, complement: np.ndarray,
           hidden: np.ndarray) -> int | None:
    """The position to suppress next for this equation, or None when it is safe."""
    parts = list(eq.parts)
    t = int(threshold[eq.total])
    comp = bool(complement[eq.total])
    res_n = float(num[eq.total]) - float(sum(num[p] for p in parts))
    res_d = float(den[eq.total]) - float(sum(den[p] for p in parts)) if eq.with_denominator else 0.0
    residual_hidden = sensitive(res_n, res_d, t, comp) if eq.with_denominator else 0 < res_n < t
    unknown = [p for p in parts if hidden[p]]
    count = len(unknown) + int(hidden[eq.total]) + int(residual_hidden)
    if count == 0:
        return None
    if count >= 2:
        if hidden[eq.total]:
            return None
        # the total is published, so the unknowns' sum is published too, in effect
        sum_n = float(sum(num[p] for p in unknown)) + (res_n if residual_hidden else 0.0)
        sum_d = float(sum(den[p] for p in unknown)) + (res_d if residual_hidden else 0.0)
        if not sensitive(sum_n, sum_d, t, comp) if eq.with_denominator else not 0 < sum_n < t:
            return None
    return _smallest_published(parts, num, den, hidden, eq.total)


def _smallest_published(parts: list[int], num: np.ndarray, den: np.ndarray, hidden: np.ndarray,
                        total: int) -> int | None:
    open_parts = [p for p in parts if not hidden[p]]
    useful = [p for p in open_parts if den[p] > 0 and num[p] >= 0] or open_parts
    if useful:
        # "next smallest": the least informative cell to give up; position breaks ties deterministically
        return min(useful, key=lambda p: (float(den[p]), float(num[p]), p))
    return None if hidden[total] else total
