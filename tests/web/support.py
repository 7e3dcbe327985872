"""Shared helpers of the web tests: the geography store to seed with, and a client factory.

Until welfare_district.geo.store is available, a minimal stand-in with the same functions is registered
under that name, storing areas in one SQL table, so the web layer runs unchanged on both engines.
"""

from __future__ import annotations

import importlib
import json
import sys
import types
from dataclasses import dataclass
from typing import Any

import shapely
import sqlalchemy as sa

from welfare_district.engine import Database

_TABLE = "web_fixture_areas"
_TEXT_COLUMNS = ("area_id", "level", "code", "name", "parent_id", "synthetic", "boundary_version")


@dataclass(frozen=True)
class _AreaRecord:
    area_id: str
    level: str
    code: str
    name: str
    parent_id: str | None
    synthetic: bool
    boundary_version: str
    target_residents: int | None
    geometry: dict[str, Any]


def _save_areas(db: Database, areaset: Any, civici: Any = None) -> None:
    rows = [
        {**{k: r[k] for k in _TEXT_COLUMNS},
         "target_residents": int(r["target_residents"]), "geometry": shapely.to_geojson(r["geometry"])}
        for r in areaset.areas.to_dict("records")
    ]
    for row in rows:
        row["parent_id"] = row["parent_id"] if isinstance(row["parent_id"], str) else None
        row["synthetic"] = bool(row["synthetic"])
    with db.engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE IF NOT EXISTS {_TABLE} (area_id TEXT PRIMARY KEY, "
                             "level TEXT, code TEXT, name TEXT, parent_id TEXT, synthetic BOOLEAN, "
                             "boundary_version TEXT, target_residents BIGINT, geometry TEXT)"))
        conn.execute(sa.text(f"INSERT INTO {_TABLE} VALUES (:area_id, :level, :code, :name, :parent_id, "
                             ":synthetic, :boundary_version, :target_residents, :geometry)"), rows)


def _read_areas(db: Database, level: str) -> list[_AreaRecord]:
    if not sa.inspect(db.engine).has_table(_TABLE):
        return []
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT * FROM {_TABLE} WHERE level = :level ORDER BY area_id"),
                            {"level": level}).mappings().all()
    return [_AreaRecord(**{**row, "geometry": json.loads(row["geometry"])}) for row in rows]


def _read_areas_geojson(db: Database, level: str, simplify_tolerance: float | None = None) -> dict[str, Any]:
    features = []
    for rec in _read_areas(db, level):
        geom = shapely.geometry.shape(rec.geometry)
        if simplify_tolerance:
            geom = geom.simplify(simplify_tolerance, preserve_topology=True)
        props = {k: v for k, v in rec.__dict__.items() if k != "geometry"}
        features.append({"type": "Feature", "id": rec.area_id, "properties": props,
                         "geometry": json.loads(shapely.to_geojson(geom))})
    return {"type": "FeatureCollection", "features": features}


def geo_store() -> types.ModuleType:
    """welfare_district.geo.store, or the stand-in registered under its name when it does not exist yet."""
    try:
        return importlib.import_module("welfare_district.geo.store")
    except ModuleNotFoundError:
        module = types.ModuleType("welfare_district.geo.store")
        module.save_areas = _save_areas  # type: ignore[attr-defined]
        module.read_areas = _read_areas  # type: ignore[attr-defined]
        module.read_areas_geojson = _read_areas_geojson  # type: ignore[attr-defined]
        sys.modules["welfare_district.geo.store"] = module
        return module
