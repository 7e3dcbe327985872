"""Whole-year protection: one read and one protection pass per year give the cells of one pass per indicator."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.privacy.frames import frame, hierarchy
from welfare_district.engine import Database
from welfare_district.indicators.store import save_values
from welfare_district.privacy.cache import ProtectedTables
from welfare_district.privacy.disclosure import DisclosurePolicy
from welfare_district.web import indicator_reads as reads
from welfare_district.web.protected_reads import (
    INCOMPLETE,
    area_parents,
    protect_indicator_year,
    protect_whole_year,
    protect_year,
    protected_rows,
)
from welfare_district.web.read_cache import ReadCache

KEY = b"k" * 32


def test_whole_year_equals_one_pass_per_indicator_on_the_city(city_db: Database) -> None:
    parents = area_parents(city_db)
    labels: set[str] = set()
    for year in reads.available_years(city_db):
        whole = protect_whole_year(city_db, year, ProtectedTables(DisclosurePolicy(), KEY), parents)
        assert sorted(whole) == sorted(i.id for i in reads.indicators())
        for indicator_id, rows in whole.items():
            alone = protect_indicator_year(city_db, indicator_id, year, ProtectedTables(DisclosurePolicy(), KEY),
                                           parents)
            assert rows == alone, (indicator_id, year)
            labels |= {r.protection for level in rows.values() for r in level.values()}
    # the comparison covers every kind of cell, secondary suppression included
    assert {"rounded", "suppressed: primary", "suppressed: secondary"} <= labels


def test_protect_year_fills_the_cache_with_the_same_rows(city_db: Database) -> None:
    parents = area_parents(city_db)
    year = reads.latest_year(city_db)
    cache, tables = ReadCache(), ProtectedTables(DisclosurePolicy(), KEY)
    ids = ["structural_dependency", "ivsm_single_parent"]
    protect_year(city_db, ids, year, tables, parents, cache)
    stamp = cache.stamp(city_db)
    for indicator_id in [*ids, "youth_dependency", "ivsm_single_parent_young"]:  # summed with them: kept too
        kept = cache.peek(("protected_rows", indicator_id, year), stamp)
        assert kept == protect_indicator_year(city_db, indicator_id, year, tables, parents)
        assert protected_rows(city_db, indicator_id, year, tables, parents, cache) is kept
    assert cache.peek(("protected_rows", "ivsm_large_families", year), stamp) is None


def _stored(indicator: str, parents: dict[str, str | None], sections: dict[str, tuple[int, int]]) -> pd.DataFrame:
    rows = frame(parents, sections, indicator=indicator, year=2024)
    return rows.assign(snapshot_built_at=pd.Timestamp("2025-01-01", tz="UTC"),
                       computed_at=pd.Timestamp("2025-01-02", tz="UTC"))


@pytest.mark.parametrize("broken", ["ivsm_large_families", "elderly_alone"])
def test_an_incomplete_indicator_hides_only_its_own_cells(db: Database, broken: str) -> None:
    parents = hierarchy([[3, 2], [2, 2]])
    sections = [a for a in parents if "S" in a]
    counts = dict(zip(sections, [(1, 40), (5, 50), (7, 60), (0, 30), (9, 80), (12, 70), (6, 45), (8, 55), (30, 90)],
                      strict=True))
    good = "elderly_alone" if broken == "ivsm_large_families" else "ivsm_large_families"
    bad_rows = _stored(broken, parents, counts)
    save_values(db, pd.concat([_stored(good, parents, counts), bad_rows[bad_rows["area_id"] != sections[0]]],
                              ignore_index=True))
    tables = ProtectedTables(DisclosurePolicy(), KEY)
    whole = protect_whole_year(db, 2024, tables, parents)
    assert {r.protection for level in whole[broken].values() for r in level.values()} == {INCOMPLETE}
    assert whole[good] == protect_indicator_year(db, good, 2024, tables, parents)
    assert {r.protection for level in whole[good].values() for r in level.values()} != {INCOMPLETE}
