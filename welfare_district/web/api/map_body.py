"""The serialised map of one indicator: a GeoJSON FeatureCollection of a level with the figure per area.

Built once per (indicator, level, year) and data stamp and kept in the read cache as bytes, plain and
gzip-compressed, with its ETag: a cache hit answers without touching the database or re-encoding anything.
Geometries are simplified as the areas resource does (DISPLAY_TOLERANCE) and rounded to 6 decimals
(about 0.1 m), which is invisible on a map and keeps the section layer small.
Exact and protected maps are different bodies with different ETags (the mode is part of both the cache key
and the ETag), so one is never answered, nor confirmed by a 304, in place of the other.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from welfare_district.engine import Database
from welfare_district.web import indicator_reads as reads
from welfare_district.web.api.common import etag_for, provenance, value_fields
from welfare_district.web.areas import DISPLAY_TOLERANCE, AreaLevel
from welfare_district.web.read_cache import ReadCache

if TYPE_CHECKING:
    from welfare_district.privacy.cache import ProtectedTables

COORDINATE_DECIMALS = 6


@dataclass(frozen=True)
class MapBody:
    """A ready map answer: its ETag, the JSON bytes and the same bytes gzip-compressed."""

    etag: str
    raw: bytes
    gz: bytes

    @property
    def nbytes(self) -> int:
        """Memory held by the two bodies (the read cache's size budget counts it)."""
        return len(self.raw) + len(self.gz)


def _round(coords: Any) -> Any:
    if isinstance(coords, float | int):
        return round(float(coords), COORDINATE_DECIMALS)
    return [_round(c) for c in coords]


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def level_geometries(db: Database, level: str) -> dict[str, bytes]:
    """Per area id of ``level``: its display geometry as GeoJSON bytes (simplified, rounded)."""
    from welfare_district.geo.store import read_areas_geojson

    collection = read_areas_geojson(db, level, simplify_tolerance=DISPLAY_TOLERANCE[AreaLevel(level)])
    out = {}
    for feature in collection["features"]:
        geometry = feature["geometry"]
        out[str(feature["id"])] = _dumps({"type": geometry["type"],
                                          "coordinates": _round(geometry["coordinates"])})
    return out


def map_key(mode: str, indicator: str, level: str, year: int) -> tuple[str, ...]:
    """The read-cache key of a map body."""
    return ("map", mode, indicator, level, str(year))


def build_map(db: Database, cache: ReadCache | None, stamp: str, indicator: str, level: str, year: int,
              extra: dict[str, Any] | None = None, *, protection: ProtectedTables | None = None) -> MapBody:
    """The map of ``indicator`` at ``level`` in ``year``, serialised; ``extra`` adds top-level members.

    Guarantees: one feature per area of the level in area order (value null where nothing is stored);
    properties area_id, code, name, level, parent_id, value, numerator, denominator, ci_low, ci_high,
    unstable, null_reason and the protection fields; top-level members indicator, level, year, provenance
    and figures ('exact' or 'protected'). With ``protection`` every figure is the protected one.
    """
    values = reads.level_values(db, indicator, level, year, cache=cache, protection=protection)
    mode = reads.mode_of(protection)
    geoms = level_geometries(db, level) if cache is None else cache.get(
        db, ("map_geometries", level), lambda: level_geometries(db, level))
    head = {"type": "FeatureCollection", "indicator": indicator, "level": level, "year": year, "figures": mode,
            "provenance": provenance(values).model_dump(mode="json"), **(extra or {})}
    parts = [_dumps(head)[:-1], b',"features":[']
    for i, v in enumerate(values):
        props = {"area_id": v.area_id, "code": v.code, "name": v.name, "level": v.level,
                 "parent_id": v.parent_id, **value_fields(v)}
        if i:
            parts.append(b",")
        parts += [b'{"type":"Feature","id":', _dumps(v.area_id), b',"properties":', _dumps(props),
                  b',"geometry":', geoms.get(v.area_id, b"null"), b"}"]
    parts.append(b"]}")
    raw = b"".join(parts)
    return MapBody(etag_for(stamp, "map", mode, indicator, level, year, *sorted((extra or {}).items())), raw,
                   gzip.compress(raw, compresslevel=6, mtime=0))
