"""Protected tables are computed once per table version and equal the direct computation."""

from __future__ import annotations

import pandas as pd

from tests.privacy.frames import frame, hierarchy
from welfare_district.privacy.cache import ProtectedTables
from welfare_district.privacy.disclosure import DisclosurePolicy, protect

KEY = b"c" * 32


def test_a_table_is_protected_once_per_version() -> None:
    parents = hierarchy([[3, 2]])
    sections = dict(zip([a for a in parents if "S" in a], [(1, 40), (5, 50), (7, 60), (0, 30), (9, 80)],
                        strict=True))
    rows = frame(parents, sections).assign(computed_at=pd.Timestamp("2026-01-01", tz="UTC"))
    tables = ProtectedTables(DisclosurePolicy(), KEY, max_tables=2)
    first = tables.protect(rows, parents)
    assert first.equals(protect(rows, parents, DisclosurePolicy(), KEY))
    assert tables.protect(rows.copy(), parents) is first and tables.hits == 1
    recomputed = rows.assign(numerator=rows["numerator"] + 5, computed_at=pd.Timestamp("2026-02-01", tz="UTC"))
    second = tables.protect(recomputed, parents)
    assert second is not first and tables.misses == 2
    assert not second["numerator"].equals(first["numerator"])
    other_hierarchy = dict(parents)  # same content, another object: same version
    assert tables.protect(rows, other_hierarchy) is first
    for month in (3, 4):  # two newer tables: the least recently used one goes
        tables.protect(rows.assign(computed_at=pd.Timestamp(f"2026-0{month}-01", tz="UTC")), parents)
    assert tables.protect(rows, parents) is not first  # evicted: only two tables are kept
    assert tables.protect(rows.drop(columns="computed_at"), parents).equals(first.drop(columns="computed_at"))
