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
              complement: np.ndarray, suppressed: np.ndarray, rank: np.ndarray | None = None) -> np.ndarray:
    """Positions to suppress in addition to ``suppressed`` (a boolean array, not modified).

    Guarantees for every equation, on return: its unknowns are 0 or >= 2, and if its total is published the
    unknowns' sum is not sensitive. Cells with a zero denominator are never chosen to hide another (they hide
    nothing), unless nothing else is left. Ties are broken by ``rank`` (default: position), and equations are
    processed in the order given, so the result depends only on the inputs.
    """
    # plain Python numbers: this loop does scalar arithmetic, where numpy scalars are ten times slower
    order = (np.arange(len(num)) if rank is None else rank).tolist()
    cells = _Cells(num.tolist(), den.tolist(), threshold.tolist(), complement.tolist(), suppressed.tolist(), order)
    residuals = _residuals(equations, num, den, threshold, complement)
    member_of: dict[int, list[int]] = {}
    for index, eq in enumerate(equations):
        for pos in (eq.total, *eq.parts):
            member_of.setdefault(pos, []).append(index)
    # only an equation with a hidden term can need more: the others are safe as they are
    start = {i for i, r in enumerate(residuals) if r[2]}
    for pos, hid in enumerate(cells.hidden):
        if hid:
            start.update(member_of.get(pos, ()))
    queue = deque(sorted(start))  # equation order
    queued = [False] * len(equations)
    for index in queue:
        queued[index] = True
    added = np.zeros(len(cells.hidden), dtype=bool)
    while queue:
        index = queue.popleft()
        queued[index] = False
        pick = cells.needs(equations[index], residuals[index])
        if pick is None:
            continue
        cells.hidden[pick] = True
        added[pick] = True
        for other in (index, *member_of.get(pick, ())):
            if not queued[other]:
                queue.append(other)
                queued[other] = True
    return added


def _residuals(equations: list[Equation], num: np.ndarray, den: np.ndarray, threshold: np.ndarray,
               complement: np.ndarray) -> list[tuple[float, float, bool]]:
    """Per equation: total - sum(parts) of numerator and denominator, and whether that gap is itself a
    sensitive count (then it is one more unknown)."""
    if not equations:
        return []
    totals = np.array([eq.total for eq in equations], dtype=np.int64)
    sizes = np.array([len(eq.parts) for eq in equations], dtype=np.int64)
    parts = np.fromiter((p for eq in equations for p in eq.parts), dtype=np.int64, count=int(sizes.sum()))
    owner = np.repeat(np.arange(len(equations)), sizes)
    res_n = num[totals] - np.bincount(owner, weights=num[parts], minlength=len(equations))
    res_d = den[totals] - np.bincount(owner, weights=den[parts], minlength=len(equations))
    with_den = np.array([eq.with_denominator for eq in equations], dtype=bool)
    res_d = np.where(with_den, res_d, 0.0)
    t = threshold[totals]
    comp = complement[totals] & with_den
    secret = (((res_n > 0) & (res_n < t)) | ((res_d > 0) & (res_d < t))
              | (comp & (res_d - res_n > 0) & (res_d - res_n < t)))
    return list(zip(res_n.tolist(), res_d.tolist(), secret.tolist(), strict=True))


@dataclass
class _Cells:
    num: list[float]
    den: list[float]
    threshold: list[int]
    complement: list[bool]
    hidden: list[bool]
    rank: list[int]

    def needs(self, eq: Equation, residual: tuple[float, float, bool]) -> int | None:
        """The position to suppress next for this equation, or None when it is safe."""
        hidden = self.hidden
        res_n, res_d, residual_hidden = residual
        unknown = [p for p in eq.parts if hidden[p]]
        count = len(unknown) + int(hidden[eq.total]) + int(residual_hidden)
        if count == 0:
            return None
        if count >= 2:
            if hidden[eq.total]:
                return None
            # the total is published, so the unknowns' sum is published too, in effect
            t = self.threshold[eq.total]
            sum_n = sum(self.num[p] for p in unknown) + (res_n if residual_hidden else 0.0)
            if not eq.with_denominator:
                if not 0 < sum_n < t:
                    return None
            else:
                sum_d = sum(self.den[p] for p in unknown) + (res_d if residual_hidden else 0.0)
                if not sensitive(sum_n, sum_d, t, self.complement[eq.total]):
                    return None
        return self.smallest_published(eq)

    def smallest_published(self, eq: Equation) -> int | None:
        open_parts = [p for p in eq.parts if not self.hidden[p]]
        useful = [p for p in open_parts if self.den[p] > 0] or open_parts
        if useful:
            # "next smallest": the least informative cell to give up; position breaks ties deterministically
            return min(useful, key=lambda p: (self.den[p], self.num[p], self.rank[p]))
        return None if self.hidden[eq.total] else eq.total
