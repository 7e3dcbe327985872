"""Indicator frames over a small area hierarchy, with totals that add up exactly as the real ones do."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from welfare_district.indicators.intervals import wilson


def hierarchy(shape: Sequence[Sequence[int]]) -> dict[str, str | None]:
    """area id -> parent id: ``shape[q][z]`` is the number of sections of zone z of quartiere q."""
    parents: dict[str, str | None] = {"C": None}
    for q, zones in enumerate(shape):
        parents[f"Q{q}"] = "C"
        for z, sections in enumerate(zones):
            parents[f"Q{q}Z{z}"] = f"Q{q}"
            for s in range(sections):
                parents[f"Q{q}Z{z}S{s}"] = f"Q{q}Z{z}"
    return parents


def level_of(area_id: str) -> str:
    """The level of an id made by ``hierarchy``."""
    if area_id == "C":
        return "city"
    return "section" if "S" in area_id else "zone" if "Z" in area_id else "quartiere"


def frame(parents: dict[str, str | None], sections: dict[str, tuple[int, int]], *,
          indicator: str = "ivsm_large_families", year: int = 2023, multiplier: float = 100.0,
          unplaced: tuple[int, int] = (0, 0)) -> pd.DataFrame:
    """indicator_value rows of every level: section counts as given, every total their exact sum; the city
    also counts ``unplaced`` (residents without a section), like the real pipeline."""
    totals: dict[str, list[float]] = {a: [0.0, 0.0] for a in parents}
    for area, (num, den) in sections.items():
        node: str | None = area
        while node is not None:
            totals[node][0] += num
            totals[node][1] += den
            node = parents[node]
    totals["C"][0] += unplaced[0]
    totals["C"][1] += unplaced[1]
    rows = []
    for area in sorted(totals):
        num, den = totals[area]
        value = num / den * multiplier if den else None
        low, high = wilson(pd.Series([num]).to_numpy(), pd.Series([max(den, 1.0)]).to_numpy())
        rows.append({"indicator_id": indicator, "level": level_of(area), "area_id": area, "year": year,
                     "numerator": num, "denominator": den, "value": value,
                     "ci_low": float(low[0]) * multiplier if den else None,
                     "ci_high": float(high[0]) * multiplier if den else None,
                     "unstable": den < 20, "null_reason": None if den else "zero denominator",
                     "definition_version": "test", "boundary_version": "test"})
    return pd.DataFrame(rows)

