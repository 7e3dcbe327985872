"""The indicator read layer (welfare_district.web.indicator_reads) against what indicator_value holds."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from welfare_district.engine import Database
from welfare_district.errors import InputError, NotFoundError
from welfare_district.geo.areaset import AreaSet
from welfare_district.geo.store import save_areas
from welfare_district.indicators.store import indicator_value_table, read_values, save_values
from welfare_district.web import indicator_reads as reads
from welfare_district.web.read_cache import ReadCache, data_stamp

IVSM = "ivsm_care_hardship"


def _stored(db: Database, indicator: str, level: str, year: int) -> pd.DataFrame:
    return read_values(db, indicator_ids=[indicator], level=level, years=[year]).set_index("area_id")


def test_years_and_unknown_arguments(city_db: Database) -> None:
    assert reads.available_years(city_db) == [2023, 2024, 2025]
    with pytest.raises(NotFoundError, match="'no_such'"):
        reads.get_indicator("no_such")
    with pytest.raises(NotFoundError, match="2019"):
        reads.level_values(city_db, IVSM, "zone", 2019)
    with pytest.raises(InputError, match="'province'"):
        reads.level_values(city_db, IVSM, "province", 2025)
    with pytest.raises(NotFoundError, match="'Q9'"):
        reads.area_value(city_db, IVSM, "Q9", 2025)


@pytest.mark.parametrize("use_cache", [False, True])
def test_level_values_equal_the_stored_rows(city_db: Database, use_cache: bool) -> None:
    cache = ReadCache() if use_cache else None
    values = reads.level_values(city_db, IVSM, "zone", 2024, cache=cache)
    stored = _stored(city_db, IVSM, "zone", 2024)
    assert [v.area_id for v in values] == sorted(v.area_id for v in values)
    assert {v.area_id for v in values} >= set(stored.index)
    for v in values:
        row = stored.loc[v.area_id]
        assert v.level == "zone" and v.parent_id == v.area_id[:2]
        assert v.numerator == row["numerator"] and v.denominator == row["denominator"]
        assert v.value == pytest.approx(row["value"], nan_ok=True) or (v.value is None and pd.isna(row["value"]))
        assert v.definition_version == row["definition_version"]
    one = reads.area_value(city_db, IVSM, values[3].area_id, 2024, cache=cache)
    assert one == values[3]


def test_series_profile_and_ranking(city_db: Database) -> None:
    cache = ReadCache()
    got = reads.series(city_db, IVSM, ["Q2", "028060"], cache=cache)
    assert list(got) == ["Q2", "028060"]
    assert [y for y, _ in got["Q2"]] == [2023, 2024, 2025]
    assert got["Q2"][1][1] == reads.area_value(city_db, IVSM, "Q2", 2024)

    section = reads.level_values(city_db, IVSM, "section", 2025, cache=cache)[0]
    prof = reads.profile(city_db, section.area_id, 2025, cache=cache)
    assert [a.level for a in prof.ancestors] == ["city", "quartiere", "zone"]
    assert len(prof.entries) == len(reads.indicators())
    entry = next(e for e in prof.entries if e.indicator.id == IVSM)
    assert entry.value == section
    assert entry.parent is not None and entry.parent.area_id == section.parent_id
    assert entry.city == reads.area_value(city_db, IVSM, "028060", 2025)
    assert entry.series[-1] == (2025, section)

    ranked = reads.ranking(city_db, IVSM, "zone", 2025, cache=cache)
    numbers = [r.value.value for r in ranked if r.value.value is not None]
    assert numbers == sorted(numbers, reverse=True)
    assert ranked[0].rank == 1
    assert all(r.rank is None for r in ranked[len(numbers):])
    ascending = reads.ranking(city_db, IVSM, "zone", 2025, descending=False, cache=cache)
    assert [r.value.value for r in ascending if r.value.value is not None] == sorted(numbers)


def test_rank_values_ties_share_a_rank_and_nulls_come_last() -> None:
    def v(area: str, value: float | None) -> reads.AreaValue:
        return reads.AreaValue(area, area, area, "zone", None, None, None, value, None, None, False, None)

    ranked = reads.rank_values([v("a", 1.0), v("b", None), v("c", 3.0), v("d", 1.0), v("e", 3.0)])
    assert [(r.rank, r.value.area_id) for r in ranked] == [(1, "c"), (1, "e"), (3, "a"), (3, "d"), (None, "b")]


def test_composite_city_in_base_year_is_100(city_db: Database) -> None:
    city = reads.composite(city_db, "city", 2023)
    assert len(city) == 1 and city[0].value == pytest.approx(100.0)
    assert all(c.normalised == pytest.approx(100.0) for c in city[0].components)
    zones = reads.composite(city_db, "zone", 2025)
    assert len(zones) == len(reads.area_index(city_db).by_level["zone"])
    scored = [z for z in zones if z.value is not None]
    assert scored and all(z.ivsm_class is not None and len(z.components) == 7 for z in scored)
    assert all(math.isfinite(z.value) for z in scored)  # type: ignore[arg-type]
    mpi = reads.composite(city_db, "zone", 2025, "mpi")
    assert [z.area_id for z in mpi] == [z.area_id for z in zones]
    with pytest.raises(InputError, match="'xyz'"):
        reads.composite(city_db, "zone", 2025, "xyz")  # type: ignore[arg-type]


def test_cache_is_dropped_when_the_figures_change(db: Database, areaset: AreaSet) -> None:
    empty = data_stamp(db)
    assert reads.available_years(db) == []
    save_areas(db, areaset)
    with_areas = data_stamp(db)
    assert with_areas != empty
    now = datetime.now(UTC)
    save_values(db, pd.DataFrame([{
        "indicator_id": IVSM, "level": "quartiere", "area_id": q, "year": 2025, "numerator": 1.0,
        "denominator": 10.0, "value": 10.0, "ci_low": None, "ci_high": None, "unstable": True, "null_reason": None,
        "definition_version": "v", "boundary_version": "b", "snapshot_built_at": now, "computed_at": now}
        for q in ("Q1", "Q2")]))
    assert data_stamp(db) not in (empty, with_areas)
    cache = ReadCache(stamp_max_age=0.0)
    before = reads.area_value(db, IVSM, "Q1", 2025, cache=cache)
    assert reads.area_value(db, IVSM, "Q3", 2025, cache=cache).null_reason == reads.NOT_COMPUTED
    t = indicator_value_table()
    with db.engine.begin() as conn:
        conn.execute(sa.update(t).where(t.c.indicator_id == IVSM, t.c.area_id == "Q1", t.c.year == 2025)
                     .values(value=12.5, computed_at=sa.func.now()))
    after = reads.area_value(db, IVSM, "Q1", 2025, cache=cache)
    assert before.value == 10.0 and after.value == 12.5
    # A cache that re-reads the stamp only every minute keeps serving what it built.
    slow = ReadCache(stamp_max_age=60.0)
    kept = reads.area_value(db, IVSM, "Q1", 2025, cache=slow)
    with db.engine.begin() as conn:
        conn.execute(sa.update(t).where(t.c.area_id == "Q1").values(value=1.0, computed_at=sa.func.now()))
    assert reads.area_value(db, IVSM, "Q1", 2025, cache=slow) == kept
    slow.clear()
    assert reads.area_value(db, IVSM, "Q1", 2025, cache=slow).value == 1.0
