"""Area reads shaped for display: the web layer's single door to the geography store.

The API and the pages both read areas through these functions, so the choice of simplification,
the residents figure shown and the "no areas yet" rule are decided once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shapely.geometry import shape

from welfare_district.engine import Database
from welfare_district.errors import NotFoundError


class AreaLevel(StrEnum):
    """The levels of the area hierarchy, coarsest first."""

    CITY = "city"
    QUARTIERE = "quartiere"
    ZONE = "zone"
    SECTION = "section"


# Degrees in EPSG:4326 (1e-4 is about 10 m at Padova's latitude): coarse levels are drawn small, so they
# can lose more detail; sections are shown close up and keep almost all of it.
DISPLAY_TOLERANCE: dict[AreaLevel, float] = {
    AreaLevel.CITY: 2e-4,
    AreaLevel.QUARTIERE: 1e-4,
    AreaLevel.ZONE: 5e-5,
    AreaLevel.SECTION: 1e-5,
}


@dataclass(frozen=True)
class AreaSummary:
    """One area as the web layer shows it; ``residents`` is the stored target (census-based estimate)."""

    area_id: str
    level: str
    code: str
    name: str
    parent_id: str | None
    synthetic: bool
    boundary_version: str
    residents: int | None


@dataclass(frozen=True)
class AreaDetail:
    """One area with where it sits (bounding box, an interior point) and its direct children's ids."""

    summary: AreaSummary
    bbox: tuple[float, float, float, float]
    interior_point: tuple[float, float]
    children: list[str]


def _summary(record: Any) -> AreaSummary:
    # Accepts an AreaRecord or the properties dict of a stored feature: both carry the same fields.
    get = record.get if isinstance(record, dict) else lambda name: getattr(record, name)
    residents, parent = get("target_residents"), get("parent_id")
    return AreaSummary(
        area_id=str(get("area_id")), level=str(get("level")), code=str(get("code")), name=str(get("name")),
        parent_id=None if parent is None else str(parent), synthetic=bool(get("synthetic")),
        boundary_version=str(get("boundary_version")),
        residents=None if residents is None else int(residents),
    )


def list_areas(db: Database, level: AreaLevel) -> list[AreaSummary]:
    """Every area of ``level`` in the store's order, without geometry."""
    from welfare_district.geo.store import read_areas

    return [_summary(r) for r in read_areas(db, level.value)]


def area_features(db: Database, level: AreaLevel) -> list[dict[str, Any]]:
    """GeoJSON features of ``level`` simplified for display, with the web layer's property set.

    Guarantees: each feature has ``id`` == properties.area_id, a Polygon or MultiPolygon geometry in
    EPSG:4326, and properties area_id, code, name, level, parent_id, synthetic, boundary_version, residents
    and residents_year (the register snapshot the count comes from; null for the census-based estimate).
    """
    from welfare_district.geo.store import read_areas_geojson
    from welfare_district.warehouse.read import residents_by_area

    collection = read_areas_geojson(db, level.value, simplify_tolerance=DISPLAY_TOLERANCE[level])
    # once the pipeline has built a snapshot, the register's count replaces the census-based estimate
    register = residents_by_area(db, level.value) if collection["features"] else None
    features = []
    for feature in collection["features"]:
        summary = _summary(feature["properties"])
        props = summary_properties(summary)
        props["residents_year"] = None
        if register is not None:
            props["residents"] = register.counts.get(summary.area_id, 0)
            props["residents_year"] = register.year
        features.append({"type": "Feature", "id": summary.area_id, "properties": props,
                         "geometry": feature["geometry"]})
    return features


def summary_properties(summary: AreaSummary) -> dict[str, Any]:
    """The JSON properties of an area as the API publishes them."""
    return {
        "area_id": summary.area_id, "code": summary.code, "name": summary.name, "level": summary.level,
        "parent_id": summary.parent_id, "synthetic": summary.synthetic,
        "boundary_version": summary.boundary_version, "residents": summary.residents,
    }


def find_area(db: Database, area_id: str) -> AreaDetail:
    """The area with ``area_id`` at any level; NotFoundError with the id when there is none."""
    from welfare_district.geo.store import read_areas

    levels = list(AreaLevel)
    for i, level in enumerate(levels):
        try:
            records = read_areas(db, level.value)
        except NotFoundError:
            records = []
        match = next((r for r in records if str(r.area_id) == area_id), None)
        if match is None:
            continue
        geom = shape(match.geometry)
        point = geom.representative_point()
        children: list[str] = []
        if i + 1 < len(levels):
            children = [str(r.area_id) for r in read_areas(db, levels[i + 1].value)
                        if str(r.parent_id) == area_id]
        minx, miny, maxx, maxy = (float(v) for v in geom.bounds)
        return AreaDetail(summary=_summary(match), bbox=(minx, miny, maxx, maxy),
                          interior_point=(float(point.x), float(point.y)), children=children)
    raise NotFoundError(f"Area {area_id!r} does not exist")


__all__ = [
    "DISPLAY_TOLERANCE",
    "AreaDetail",
    "AreaLevel",
    "AreaSummary",
    "area_features",
    "find_area",
    "list_areas",
]
