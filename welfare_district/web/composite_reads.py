"""The IVSM composite index per area, read from the stored components for display.

AMPI (default) normalises every year of the level together against a reference: the city's own component
values in a base year (WELFARE_COMPOSITE_BASE_YEAR, by default the earliest stored year), so the city in the
base year scores exactly 100 and a value compares across areas and years of this city only. MPI, kept for
comparison, standardises the level's areas within the asked year (mean 100, no reference).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, cast

import pandas as pd

from welfare_district.engine import Database
from welfare_district.errors import InputError, NotFoundError
from welfare_district.indicators.composite import CompositeResult, UnitReference, ampi_from_values, mpi, wide
from welfare_district.indicators.library import IVSM_COMPONENTS
from welfare_district.web import indicator_reads as reads
from welfare_district.web.read_cache import ReadCache, cached

METHODS = ("ampi", "mpi")


@dataclass(frozen=True)
class CompositeComponent:
    """One IVSM component at an area: the stored value and its normalised score (100 = reference)."""

    indicator_id: str
    value: float | None
    normalised: float | None


@dataclass(frozen=True)
class CompositeValue:
    """The composite index of one area in one year, its IVSM class and its seven components."""

    area_id: str
    code: str
    name: str
    level: str
    parent_id: str | None
    value: float | None
    ivsm_class: str | None
    components: list[CompositeComponent]


def reference_year(db: Database, requested: int | None = None, *, cache: ReadCache | None = None) -> int:
    """The AMPI reference year: ``requested``, else the cache's configured year (WELFARE_COMPOSITE_BASE_YEAR),
    else the earliest stored year; NotFoundError naming the year (and the setting) when it is not stored."""
    if requested is not None:
        return reads.check_year(db, requested, cache=cache)
    configured = None if cache is None else cache.composite_base_year
    years = reads.available_years(db, cache=cache)
    if not years:
        raise NotFoundError("No indicator values are stored yet (run `welfare indicators compute`)")
    if configured is not None:
        if configured not in years:
            raise NotFoundError(f"WELFARE_COMPOSITE_BASE_YEAR={configured} has no stored indicator values; "
                                f"available years: {', '.join(map(str, years))}")
        return configured
    return years[0]


def _component_rows(db: Database, levels: list[str]) -> pd.DataFrame:
    # Tens of thousands of rows at section level: Arrow through Ibis beats building them from SQLAlchemy rows
    # (about 20x), and this runs once per level and data stamp.
    t = db.ibis.table("indicator_value")
    query = t.filter(t.indicator_id.isin(list(IVSM_COMPONENTS)), t.level.isin(levels))
    frame = query.select("indicator_id", "level", "area_id", "year", "value").to_pyarrow().to_pandas()
    return frame.astype({"year": "int64", "value": "float64"})


def _polarity() -> dict[str, int]:
    return {i: reads.get_indicator(i).polarity for i in IVSM_COMPONENTS}


def _compute(db: Database, level: str, year: int, method: str, base: int,
             cache: ReadCache | None) -> tuple[CompositeResult, pd.DataFrame]:
    if method == "ampi":
        cities = reads.area_index(db, cache=cache).by_level.get("city", [])
        if not cities:
            raise NotFoundError("No city area is stored: the composite needs the city as its reference")
        values = _component_rows(db, sorted({level, "city"}))
        reference = UnitReference((cities[0].area_id, base))
        try:
            result = ampi_from_values(values, list(IVSM_COMPONENTS), level, _polarity(), reference)
        except InputError as exc:
            raise NotFoundError(f"The composite reference (city, year {base}) has no stored components: "
                                f"{exc}") from None
        return result, wide(values, list(IVSM_COMPONENTS), level)
    values = _component_rows(db, [level])
    data = wide(values[values["year"] == year], list(IVSM_COMPONENTS), level)
    if data.empty:
        raise NotFoundError(f"No IVSM components are stored for level {level!r} in {year}")
    return mpi(data, _polarity()), data


def _opt(x: Any) -> float | None:
    if x is None:
        return None
    value = float(x)
    return value if math.isfinite(value) else None


def composite_values(db: Database, level: str, year: int, method: Literal["ampi", "mpi"] | str = "ampi", *,
                     base_year: int | None = None, cache: ReadCache | None = None) -> list[CompositeValue]:
    """The composite of every area of ``level`` in ``year`` in area order (value None when a component is missing).

    Guarantees: with AMPI the city in the base year scores 100 (at level city); unknown method -> InputError,
    unknown level -> InputError, year not stored -> NotFoundError.
    """
    if method not in METHODS:
        raise InputError(f"Unknown composite method {method!r}; known: {', '.join(METHODS)}")
    reads.check_level(level)
    reads.check_year(db, year, cache=cache)
    base = reference_year(db, base_year, cache=cache)

    def build() -> list[CompositeValue]:
        # AMPI normalises all years together: compute once per level and base, then pick the year.
        result, raw = cached(cache, db, ("composite_all", level, method, base, None if method == "ampi" else year),
                             lambda: _compute(db, level, year, method, base, cache))

        # Plain dicts of the year's rows: label lookups on the frames cost ~50 us each, too slow per section.
        def rows(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
            part = frame[frame.index.get_level_values(1) == year]
            areas = [str(unit[0]) for unit in part.index]
            return dict(zip(areas, cast(list[dict[str, Any]], part.to_dict("records")), strict=True))

        scores, normalised, values = rows(result.scores), rows(result.normalised), rows(raw)
        out = []
        for area in reads.area_index(db, cache=cache).by_level.get(level, []):
            score_row, norm, own = (scores.get(area.area_id), normalised.get(area.area_id),
                                    values.get(area.area_id, {}))
            score = None if score_row is None else _opt(score_row["index"])
            components = [CompositeComponent(c, _opt(own.get(c)), None if norm is None else _opt(norm.get(c)))
                          for c in IVSM_COMPONENTS]
            klass = None if score_row is None or score is None else str(score_row["class"])
            out.append(CompositeValue(area.area_id, area.code, area.name, area.level, area.parent_id, score,
                                      klass, components))
        return out

    return cached(cache, db, ("composite", level, year, method, base), build)


__all__ = ["METHODS", "CompositeComponent", "CompositeValue", "composite_values", "reference_year"]
