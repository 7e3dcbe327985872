"""Save and read the area hierarchy and the house-number register, on DuckDB and PostgreSQL alike."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
import sqlalchemy as sa

from welfare_district.engine import Database, bulk_insert
from welfare_district.errors import InputError, NotFoundError
from welfare_district.geo.areaset import COLUMNS, AreaSet, BoundaryVersionInfo, check_level
from welfare_district.geo.civici import CIVICI_COLUMNS
from welfare_district.model.areas import area_tables


def _area_schema() -> pa.Schema:
    return pa.schema([
        ("area_id", pa.string()), ("level", pa.string()), ("code", pa.string()), ("name", pa.string()),
        ("parent_id", pa.string()), ("boundary_version", pa.string()), ("synthetic", pa.bool_()),
        ("target_residents", pa.int64()), ("geometry_geojson", pa.string()),
        ("bbox_minx", pa.float64()), ("bbox_miny", pa.float64()),
        ("bbox_maxx", pa.float64()), ("bbox_maxy", pa.float64()),
    ])


def _civico_schema() -> pa.Schema:
    return pa.schema([
        ("civico_id", pa.int64()), ("street_code", pa.string()), ("street_type", pa.string()),
        ("street_name", pa.string()), ("number", pa.int32()), ("suffix", pa.string()), ("lon", pa.float64()),
        ("lat", pa.float64()), ("section_id", pa.string()), ("zone_id", pa.string()),
        ("quartiere_id", pa.string()),
    ])


@dataclass(frozen=True)
class AreaRecord:
    """One stored area; ``geometry`` is a GeoJSON geometry dict in EPSG:4326."""

    area_id: str
    level: str
    code: str
    name: str
    parent_id: str | None
    synthetic: bool
    boundary_version: str
    target_residents: int
    geometry: dict[str, Any]


def ensure_tables(db: Database) -> None:
    """Create the area tables if they do not exist (safe to call any number of times)."""
    area_tables().metadata.create_all(db.engine, checkfirst=True)


def validate_civici(civici: pd.DataFrame, areas: pd.DataFrame) -> None:
    """Raise InputError unless civici have the register's columns, unique keys and consistent area ids."""
    missing = [c for c in CIVICI_COLUMNS if c not in civici.columns]
    if missing:
        raise InputError(f"civici lack columns {missing}", field=missing[0])
    problems = []
    dup_ids = civici["civico_id"][civici["civico_id"].duplicated()]
    if not dup_ids.empty:
        problems.append(f"duplicate civico_id {dup_ids.iloc[0]}")
    parent = dict(zip(areas["area_id"], areas["parent_id"], strict=True))
    # the same street code and number may exist in several comuni: an address is unique within its comune
    comune = civici["quartiere_id"].map(parent).astype(object).where(lambda c: c.notna(), "")
    key = pd.concat([comune.rename("comune"), civici[["street_code", "number", "suffix"]]], axis=1).astype(str)
    if key.duplicated().any():
        row = civici[key.duplicated()].iloc[0]
        where = comune[key.duplicated()].iloc[0]
        problems.append(f"duplicate address {row['street_code']} {row['number']}{row['suffix'] or ''}"
                        f" in comune {where}")
    sections = set(areas.loc[areas["level"] == "section", "area_id"])
    unknown = sorted(set(civici["section_id"]) - sections)
    if unknown:
        problems.append(f"section_id not in the areas: {unknown[:5]}")
    else:
        zone = civici["section_id"].map(parent)
        bad = civici[(zone != civici["zone_id"]) | (zone.map(parent) != civici["quartiere_id"])]
        if not bad.empty:
            problems.append(f"civico {bad['civico_id'].iloc[0]}: zone/quartiere differ from its section's")
    if problems:
        raise InputError("invalid civici: " + "; ".join(problems))


def save_areas(db: Database, areaset: AreaSet, civici: pd.DataFrame | None = None) -> None:
    """Replace every stored area (and the whole civico register) in one transaction.

    Guarantees: the input is validated first; on any error nothing is changed. ``civici=None`` leaves the
    register empty, because stored civici point at sections that are being replaced. Boundary versions are
    kept as history: new (version, level) pairs are added, existing ones keep their created_at.
    """
    areaset.validate()
    if civici is not None:
        validate_civici(civici, areaset.areas)
    area_data = _areas_to_arrow(areaset.areas)
    civ_data = None if civici is None else pa.Table.from_pandas(
        civici[CIVICI_COLUMNS].astype({"number": "int32"}), schema=_civico_schema(), preserve_index=False)
    versions = _version_rows(areaset)
    ensure_tables(db)
    t = area_tables()
    with db.engine.begin() as conn:
        known = {(r.version, r.level) for r in conn.execute(sa.select(t.boundary_version.c.version,
                                                                      t.boundary_version.c.level))}
        fresh = [v for v in versions if (v["version"], v["level"]) not in known]
        if fresh:
            conn.execute(sa.insert(t.boundary_version), fresh)
        conn.execute(sa.delete(t.civico))
        conn.execute(sa.delete(t.area))
        bulk_insert(conn, db.dialect, t.area.name, area_data)
        if civ_data is not None:
            bulk_insert(conn, db.dialect, t.civico.name, civ_data)


def _areas_to_arrow(areas: pd.DataFrame) -> pa.Table:
    geoms = np.asarray(areas["geometry"].tolist(), dtype=object)
    bounds = shapely.bounds(geoms)
    return pa.table({
        "area_id": areas["area_id"].astype(str).tolist(),
        "level": areas["level"].astype(str).tolist(),
        "code": areas["code"].astype(str).tolist(),
        "name": areas["name"].astype(str).tolist(),
        "parent_id": [None if p is None or p != p else str(p) for p in areas["parent_id"]],
        "boundary_version": areas["boundary_version"].astype(str).tolist(),
        "synthetic": areas["synthetic"].astype(bool).tolist(),
        "target_residents": areas["target_residents"].astype("int64").tolist(),
        "geometry_geojson": shapely.to_geojson(geoms).tolist(),
        "bbox_minx": bounds[:, 0], "bbox_miny": bounds[:, 1],
        "bbox_maxx": bounds[:, 2], "bbox_maxy": bounds[:, 3],
    }, schema=_area_schema())


def _version_rows(areaset: AreaSet) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    pairs = (areaset.areas[["boundary_version", "level", "synthetic"]]
             .drop_duplicates(["boundary_version", "level"]))
    rows = []
    for version, level, synthetic in pairs.itertuples(index=False):
        info = areaset.versions.get(version, BoundaryVersionInfo("unknown", "EPSG:4326"))
        rows.append({"version": version, "level": level, "source": info.source, "synthetic": bool(synthetic),
                     "crs_note": info.crs_note, "created_at": now})
    return rows


def _select_areas(db: Database, level: str | None) -> list[sa.Row[Any]]:
    ensure_tables(db)
    a = area_tables().area
    query = sa.select(*[a.c[c] for c in ("area_id", "level", "code", "name", "parent_id", "synthetic",
                                         "boundary_version", "target_residents", "geometry_geojson")])
    if level is not None:
        check_level(level)
        query = query.where(a.c.level == level)
    with db.engine.connect() as conn:
        return list(conn.execute(query.order_by(a.c.area_id)))


def read_areas(db: Database, level: str) -> list[AreaRecord]:
    """The stored areas of one level ordered by area_id; empty list when none are stored."""
    return [AreaRecord(r.area_id, r.level, r.code, r.name, r.parent_id, bool(r.synthetic), r.boundary_version,
                       int(r.target_residents), json.loads(r.geometry_geojson))
            for r in _select_areas(db, level)]


def read_areas_geojson(db: Database, level: str, simplify_tolerance: float | None = None) -> dict[str, Any]:
    """A FeatureCollection of one level for maps (EPSG:4326, feature id = area_id).

    ``simplify_tolerance`` is in degrees (0.0001 is about 8-11 m in Padova); each polygon is simplified on
    its own with topology preserved, so neighbours may show hairline gaps at high tolerances.
    """
    rows = _select_areas(db, level)
    texts = [r.geometry_geojson for r in rows]
    if simplify_tolerance:
        geoms = shapely.simplify(shapely.from_geojson(texts), simplify_tolerance, preserve_topology=True)
        texts = shapely.to_geojson(geoms).tolist()
    features = [{"type": "Feature", "id": r.area_id, "geometry": json.loads(text),
                 "properties": {"area_id": r.area_id, "level": r.level, "code": r.code, "name": r.name,
                                "parent_id": r.parent_id, "synthetic": bool(r.synthetic),
                                "boundary_version": r.boundary_version,
                                "target_residents": int(r.target_residents)}}
                for r, text in zip(rows, texts, strict=True)]
    return {"type": "FeatureCollection", "features": features}


def read_areaset(db: Database) -> AreaSet:
    """Every stored area as an AreaSet (shapely geometries) with its boundary-version descriptions.

    Raises NotFoundError when no areas are stored.
    """
    rows = _select_areas(db, None)
    if not rows:
        raise NotFoundError("No areas are stored in this database: run `welfare areas build` first")
    frame = pd.DataFrame([r._asdict() for r in rows])
    frame["geometry"] = list(shapely.from_geojson(frame.pop("geometry_geojson").tolist()))
    frame["synthetic"] = frame["synthetic"].astype(bool)
    frame["target_residents"] = frame["target_residents"].astype("int64")
    frame = _hierarchy_order(frame[COLUMNS])
    bv = area_tables().boundary_version
    with db.engine.connect() as conn:
        versions = {r.version: BoundaryVersionInfo(r.source, r.crs_note)
                    for r in conn.execute(sa.select(bv.c.version, bv.c.source, bv.c.crs_note))}
    return AreaSet(frame, {v: versions[v] for v in frame["boundary_version"].unique() if v in versions})


def _hierarchy_order(frame: pd.DataFrame) -> pd.DataFrame:
    rank = frame["level"].map({"city": 0, "quartiere": 1, "zone": 2, "section": 3})
    ordered = frame.assign(_rank=rank).sort_values(["_rank", "area_id"])
    return ordered.drop(columns="_rank").reset_index(drop=True)


def read_civici(db: Database) -> pd.DataFrame:
    """The house-number register ordered by civico_id, columns CIVICI_COLUMNS (empty frame when none)."""
    ensure_tables(db)
    # Arrow through Ibis: about 40x faster than fetching 26k rows through SQLAlchemy on DuckDB.
    table = db.ibis.table(area_tables().civico.name)
    frame = table.select(*CIVICI_COLUMNS).order_by("civico_id").to_pyarrow().to_pandas()
    frame = frame.astype({"civico_id": "int64", "number": "int64", "lon": "float64", "lat": "float64"})
    frame["suffix"] = frame["suffix"].astype(object).where(frame["suffix"].notna(), None)
    return frame


def count_by_level(db: Database) -> pd.DataFrame:
    """Per level: areas, residents (sum of target_residents), synthetic flag and boundary versions."""
    ensure_tables(db)
    a = area_tables().area
    query = (sa.select(a.c.level, a.c.boundary_version, a.c.synthetic, sa.func.count().label("areas"),
                       sa.func.sum(a.c.target_residents).label("residents"))
             .group_by(a.c.level, a.c.boundary_version, a.c.synthetic))
    with db.engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).fetchall(),
                             columns=["level", "boundary_version", "synthetic", "areas", "residents"])
    order = {lv: i for i, lv in enumerate(("city", "quartiere", "zone", "section"))}
    return frame.sort_values("level", key=lambda s: s.map(order)).reset_index(drop=True)


def read_register(db: Database) -> pd.DataFrame:
    """The house-number register (``read_civici``) with the comune of every civico (COMUNE_COLUMNS of
    ``geo.comune``), so geocoding keeps each record within its own comune."""
    from welfare_district.geo.comune import attach_comune

    civici = read_civici(db)
    a = area_tables().area
    query = (sa.select(a.c.area_id, a.c.level, a.c.code, a.c.name, a.c.parent_id)
             .where(a.c.level.in_(("city", "quartiere"))))
    with db.engine.connect() as conn:
        areas = pd.DataFrame(conn.execute(query).fetchall(), columns=["area_id", "level", "code", "name",
                                                                      "parent_id"])
    return attach_comune(civici, areas)
