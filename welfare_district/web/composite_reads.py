"""The IVSM composite index per area, read from the stored components for display.

AMPI (default) normalises every year of the level together against a reference: the city's own component
values in a base year (WELFARE_COMPOSITE_BASE_YEAR, by default the earliest stored year), so the city in the
base year scores exactly 100 and a value compares across areas and years of this city only. MPI, kept for
comparison, standardises the level's areas within the asked year (mean 100, no reference).

Partners and the public get the composite of the *protected* components (``protection=``): each component is
the disclosure-controlled figure (counts rounded, value recomputed), and an area with any suppressed component
has no composite (suppressed, protection 'suppressed: component'), since the index and the other components
would otherwise narrow the hidden one down. Suppressed components are left out of the normalisation, like
missing ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

import pandas as pd

from welfare_district.engine import Database
from welfare_district.errors import InputError, NotFoundError
from welfare_district.indicators.composite import CompositeResult, UnitReference, ampi_from_values, mpi, wide
from welfare_district.indicators.library import IVSM_COMPONENTS
from welfare_district.web import indicator_reads as reads
from welfare_district.web.read_cache import ReadCache, cached

if TYPE_CHECKING:
    from welfare_district.privacy.cache import ProtectedTables

METHODS = ("ampi", "mpi")
SUPPRESSED_COMPONENT = "suppressed: component"
PROTECTED_COMPONENTS = "protected components"


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
    # None for the exact figures; 'computed from protected components' or SUPPRESSED_COMPONENT otherwise
    suppressed: bool = False
    protection: str | None = None


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


def _protected_component_rows(db: Database, levels: list[str], protection: ProtectedTables,
                              cache: ReadCache | None) -> tuple[pd.DataFrame, set[tuple[str, int]]]:
    # The protected value of every component, level and year (NaN where suppressed), and the suppressed
    # (area, year) pairs.
    records: list[tuple[str, str, str, int, float]] = []
    hidden: set[tuple[str, int]] = set()
    for year in reads.available_years(db, cache=cache):
        for ind in IVSM_COMPONENTS:
            table = reads.protected_level_rows(db, ind, year, protection, cache)
            for level in levels:
                for area_id, row in table.get(level, {}).items():
                    if row.suppressed:
                        hidden.add((area_id, year))
                    records.append((ind, level, area_id, year, math.nan if row.value is None else row.value))
    frame = pd.DataFrame(records, columns=["indicator_id", "level", "area_id", "year", "value"])
    return frame.astype({"year": "int64", "value": "float64"}), hidden


def _polarity() -> dict[str, int]:
    return {i: reads.get_indicator(i).polarity for i in IVSM_COMPONENTS}


def _compute(db: Database, level: str, year: int, method: str, base: int, cache: ReadCache | None,
             protection: ProtectedTables | None = None) -> tuple[CompositeResult, pd.DataFrame, set[tuple[str, int]]]:
    hidden: set[tuple[str, int]] = set()

    def rows(levels: list[str]) -> pd.DataFrame:
        nonlocal hidden
        if protection is None:
            return _component_rows(db, levels)
        frame, hidden = _protected_component_rows(db, levels, protection, cache)
        return frame

    if method == "ampi":
        cities = reads.area_index(db, cache=cache).by_level.get("city", [])
        if not cities:
            raise NotFoundError("No city area is stored: the composite needs the city as its reference")
        values = rows(sorted({level, "city"}))
        reference = UnitReference((cities[0].area_id, base))
        try:
            result = ampi_from_values(values, list(IVSM_COMPONENTS), level, _polarity(), reference)
        except InputError as exc:
            raise NotFoundError(f"The composite reference (city, year {base}) has no stored components: "
                                f"{exc}") from None
        return result, wide(values, list(IVSM_COMPONENTS), level), hidden
    values = rows([level])
    data = wide(values[values["year"] == year], list(IVSM_COMPONENTS), level)
    if data.empty:
        raise NotFoundError(f"No IVSM components are stored for level {level!r} in {year}")
    return mpi(data, _polarity()), data, hidden


def _opt(x: Any) -> float | None:
    if x is None:
        return None
    value = float(x)
    return value if math.isfinite(value) else None


def composite_values(db: Database, level: str, year: int, method: Literal["ampi", "mpi"] | str = "ampi", *,
                     base_year: int | None = None, cache: ReadCache | None = None,
                     protection: ProtectedTables | None = None) -> list[CompositeValue]:
    """The composite of every area of ``level`` in ``year`` in area order (value None when a component is missing).

    Guarantees: with AMPI the city in the base year scores 100 (at level city); unknown method -> InputError,
    unknown level -> InputError, year not stored -> NotFoundError; with ``protection`` the composite of the
    protected components, suppressed wherever a component is (see the module).
    """
    if method not in METHODS:
        raise InputError(f"Unknown composite method {method!r}; known: {', '.join(METHODS)}")
    reads.check_level(level)
    reads.check_year(db, year, cache=cache)
    base = reference_year(db, base_year, cache=cache)

    def build() -> list[CompositeValue]:
        # AMPI normalises all years together: compute once per level and base, then pick the year.
        mode = reads.mode_of(protection)
        result, raw, hidden = cached(
            cache, db, ("composite_all", mode, level, method, base, None if method == "ampi" else year),
            lambda: _compute(db, level, year, method, base, cache, protection))

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
            suppressed = (area.area_id, year) in hidden
            label = None if protection is None else SUPPRESSED_COMPONENT if suppressed else PROTECTED_COMPONENTS
            out.append(CompositeValue(area.area_id, area.code, area.name, area.level, area.parent_id,
                                      None if suppressed else score, None if suppressed else klass, components,
                                      suppressed, label))
        return out

    return cached(cache, db, ("composite", reads.mode_of(protection), level, year, method, base), build)


__all__ = ["METHODS", "PROTECTED_COMPONENTS", "SUPPRESSED_COMPONENT", "CompositeComponent", "CompositeValue",
           "composite_values", "reference_year"]
