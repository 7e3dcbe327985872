"""Coordinate reference systems used by the geography code, and GeoJSON conversion.

Geometry work (areas, buffers, Voronoi) happens in metres in EPSG:32632 (WGS 84 / UTM 32N, the CRS
of ISTAT's Padova layers); everything stored or shipped is EPSG:4326 longitude/latitude.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

WORK_CRS = "EPSG:32632"
STORE_CRS = "EPSG:4326"
# 1e-6 degrees is about 0.1 m at Padova's latitude: finer than any boundary we handle.
STORE_GRID = 1e-6


@lru_cache(maxsize=16)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def reproject(geom: BaseGeometry, src: str, dst: str) -> BaseGeometry:
    """Return ``geom`` with every vertex transformed from ``src`` to ``dst`` (x = lon/easting)."""
    tr = _transformer(src, dst)

    def _fn(coords: np.ndarray) -> np.ndarray:
        x, y = tr.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, _fn)


def to_work(geom: BaseGeometry) -> BaseGeometry:
    """EPSG:4326 -> EPSG:32632 (metres)."""
    return reproject(geom, STORE_CRS, WORK_CRS)


def to_store(geom: BaseGeometry) -> BaseGeometry:
    """EPSG:32632 -> EPSG:4326, snapped to a 1e-6 degree grid; the result is a valid geometry."""
    return shapely.set_precision(reproject(geom, WORK_CRS, STORE_CRS), STORE_GRID)


def points_to_store(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Transform EPSG:32632 point coordinates to (lon, lat) arrays."""
    lon, lat = _transformer(WORK_CRS, STORE_CRS).transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def points_to_work(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Transform (lon, lat) arrays to EPSG:32632 (x, y) arrays in metres."""
    x, y = _transformer(STORE_CRS, WORK_CRS).transform(lon, lat)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def geometry_to_geojson(geom: BaseGeometry) -> dict[str, Any]:
    """A GeoJSON geometry dict for ``geom`` as it is stored (no reprojection, no rounding beyond GEOS')."""
    result: dict[str, Any] = json.loads(shapely.to_geojson(geom))
    return result


def geometry_from_geojson(data: dict[str, Any] | str) -> BaseGeometry:
    """Parse a GeoJSON geometry (dict or text) into a shapely geometry."""
    text = data if isinstance(data, str) else json.dumps(data)
    return shapely.from_geojson(text)
