"""Target groups of calls, defined by the indicator library: who is eligible, and who is in the group when.

A call names one target group. Its members in a year are the rows of the numerator of one library
indicator (the same filter the indicator engine counts), so coverage (reached / eligible) and the outcome of
the person-level comparison use exactly the published definitions. A group's unit is the family or the
person, as the indicator's numerator counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import ibis
import pandas as pd

from welfare_district.engine import Database
from welfare_district.errors import InputError
from welfare_district.indicators.compute import source_table, to_ibis
from welfare_district.indicators.library import get_indicator

Unit = Literal["family", "person"]


@dataclass(frozen=True)
class TargetGroup:
    """A call's target group: the library indicator whose numerator defines it, and its default ages."""

    code: str
    indicator_id: str
    unit: Unit
    min_age: int
    max_age: int
    label_it: str
    label_en: str


TARGET_GROUPS: dict[str, TargetGroup] = {
    g.code: g for g in (
        TargetGroup("economic_hardship_families", "ivsm_economic_hardship", "family", 0, 120,
                    "Famiglie in potenziale disagio economico", "Families in potential economic hardship"),
        TargetGroup("elderly_alone", "elderly_alone_65plus", "person", 65, 120,
                    "Anziani soli (65+)", "Elderly people living alone (65+)"),
        TargetGroup("young_outside", "ivsm_young_outside", "person", 15, 29,
                    "Giovani fuori da lavoro e formazione", "Young people outside work and education"),
    )
}
AREA_COLUMNS = ("section_id", "zone_id", "quartiere_id")


def target_group(code: str) -> TargetGroup:
    """The group with this code; InputError listing the known codes otherwise."""
    if code not in TARGET_GROUPS:
        raise InputError(f"unknown target group {code!r}; known: {', '.join(TARGET_GROUPS)}")
    return TARGET_GROUPS[code]


def group_status(db: Database, group: TargetGroup, years: list[int]) -> pd.DataFrame:
    """Every unit (family or person) resident in ``years`` with its areas and whether it is in the group.

    Columns: snapshot_year, unit_id (family_id or person_id), section_id, zone_id, quartiere_id, in_group
    (bool), and for persons ``age`` (for families, the head's age). One row per unit and year. Read once per
    warehouse version (impact.cache): callers must not modify the frame.
    """
    from welfare_district.impact.cache import cached, warehouse_token

    return cached(db, warehouse_token(db), ("group_status", group.code, tuple(sorted(years))),
                  lambda: _group_status(db, group, years))


def _group_status(db: Database, group: TargetGroup, years: list[int]) -> pd.DataFrame:
    if not years:
        return pd.DataFrame(columns=["snapshot_year", "unit_id", *AREA_COLUMNS, "in_group", "age"])
    count = get_indicator(group.indicator_id).numerator
    t = source_table(db, count.source, years)
    flag = ibis.literal(True) if count.where is None else to_ibis(count.where, t)
    key = "family_id" if count.source == "family" else "person_id"
    age = t.family_head_age if count.source == "family" else t.age
    frame = t.select(t.snapshot_year, unit_id=t[key], section_id=t.section_id, zone_id=t.zone_id,
                     quartiere_id=t.quartiere_id, in_group=flag.fill_null(False),
                     age=age).to_pyarrow().to_pandas()
    frame["in_group"] = frame["in_group"].astype(bool)
    return frame


def in_areas(frame: pd.DataFrame, areas: list[str]) -> pd.Series:
    """Rows of a frame with AREA_COLUMNS placed inside any of ``areas`` (section, zone or quartiere ids)."""
    wanted = set(areas)
    inside = pd.Series(False, index=frame.index)
    for column in AREA_COLUMNS:
        inside |= frame[column].isin(wanted)
    return inside
