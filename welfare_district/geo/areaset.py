"""The area hierarchy as one table: city > quartiere > zone > section, each row with its boundary version.

``AreaSet`` is what the generator builds, what the boundary import edits and what the store saves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from welfare_district.errors import InputError, NotFoundError
from welfare_district.geo.crs import geometry_to_geojson

LEVELS: tuple[str, ...] = ("city", "quartiere", "zone", "section")
COLUMNS: list[str] = ["area_id", "level", "code", "name", "parent_id", "synthetic", "boundary_version",
                      "target_residents", "geometry"]


@dataclass(frozen=True)
class BoundaryVersionInfo:
    """Where one boundary version comes from, and the CRS it was delivered in."""

    source: str
    crs_note: str


@dataclass
class AreaSet:
    """All areas of the hierarchy.

    ``areas`` has the columns of COLUMNS, one row per area, geometries in EPSG:4326; ``versions`` describes
    every boundary_version used in ``areas``.
    """

    areas: pd.DataFrame
    versions: dict[str, BoundaryVersionInfo] = field(default_factory=dict)

    def level(self, name: str) -> pd.DataFrame:
        """The rows of one level (a copy, original order); unknown level -> InputError."""
        check_level(name)
        return self.areas[self.areas["level"] == name].reset_index(drop=True)

    def children(self, area_id: str) -> pd.DataFrame:
        """The direct children of ``area_id`` (empty for a section)."""
        return self.areas[self.areas["parent_id"] == area_id].reset_index(drop=True)

    def get(self, area_id: str) -> pd.Series:
        """One area's row; NotFoundError when the id does not exist."""
        rows = self.areas[self.areas["area_id"] == area_id]
        if rows.empty:
            raise NotFoundError(f"Area {area_id!r} does not exist")
        return rows.iloc[0]

    def to_geojson(self, level: str) -> dict[str, Any]:
        """A GeoJSON FeatureCollection (EPSG:4326) of one level; properties are every column but geometry."""
        return frame_to_feature_collection(self.level(level))

    def validate(self) -> None:
        """Raise InputError unless ids are unique, levels known, and every parent exists one level up."""
        validate_frame(self.areas)


def check_level(name: str) -> None:
    """Raise InputError for a level name that is not one of LEVELS."""
    if name not in LEVELS:
        raise InputError(f"unknown area level {name!r}: expected one of {', '.join(LEVELS)}", field="level")


def frame_to_feature_collection(frame: pd.DataFrame, geometries: list[Any] | None = None) -> dict[str, Any]:
    """Turn rows with COLUMNS into a FeatureCollection; ``geometries`` overrides the geometry column."""
    geoms = list(frame["geometry"]) if geometries is None else geometries
    features = []
    for row, geom in zip(frame.drop(columns=["geometry"]).to_dict("records"), geoms, strict=True):
        props = {k: _plain(v) for k, v in row.items()}
        features.append({"type": "Feature", "id": props["area_id"], "properties": props,
                         "geometry": geom if isinstance(geom, dict) else geometry_to_geojson(geom)})
    return {"type": "FeatureCollection", "features": features}


def _plain(value: Any) -> Any:
    # numpy scalars are not JSON-serialisable; NaN/None parents become null.
    if isinstance(value, np.generic):
        return value.item()
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value


def validate_frame(areas: pd.DataFrame) -> None:
    """Check the structural invariants of an areas table (ids unique, parents one level up)."""
    missing = [c for c in COLUMNS if c not in areas.columns]
    if missing:
        raise InputError(f"areas table lacks columns {missing}")
    problems: list[str] = []
    dup = areas["area_id"][areas["area_id"].duplicated()].unique().tolist()
    if dup:
        problems.append(f"duplicate area_id {dup[:5]}")
    bad_levels = sorted(set(areas["level"]) - set(LEVELS))
    if bad_levels:
        problems.append(f"unknown levels {bad_levels}")
    level_of = dict(zip(areas["area_id"], areas["level"], strict=True))
    for area_id, level, parent in zip(areas["area_id"], areas["level"], areas["parent_id"], strict=True):
        if level == "city":
            continue
        expected = LEVELS[LEVELS.index(level) - 1] if level in LEVELS else None
        if level_of.get(parent) != expected:
            problems.append(f"area {area_id} ({level}) has parent {parent!r}, which is not a {expected}")
            if len(problems) > 20:
                break
    if problems:
        raise InputError("invalid area hierarchy: " + "; ".join(problems))
