"""Tables of the area hierarchy: boundary versions, areas (geometry as GeoJSON text) and house numbers.

PostGIS is not assumed, so geometry is GeoJSON text in EPSG:4326 plus a bounding box for cheap spatial
filtering. There are no foreign keys: the hierarchy is replaced as a whole and validated in Python before
it is written (welfare_district.geo.store), which keeps bulk loads fast on both engines.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa


@dataclass(frozen=True)
class AreaTables:
    """The MetaData holding the three area tables, and the tables themselves."""

    metadata: sa.MetaData
    boundary_version: sa.Table
    area: sa.Table
    civico: sa.Table


@lru_cache(maxsize=1)
def area_tables() -> AreaTables:
    """The area tables (built once, on first use). ``metadata.create_all(engine)`` is idempotent."""
    md = sa.MetaData()
    boundary_version = sa.Table(
        "boundary_version", md,
        # One version may cover several levels (synthetic zones and sections share one), hence the pair.
        sa.Column("version", sa.String(200), primary_key=True),
        sa.Column("level", sa.String(16), primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("synthetic", sa.Boolean, nullable=False),
        sa.Column("crs_note", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    area = sa.Table(
        "area", md,
        sa.Column("area_id", sa.String(64), primary_key=True),
        sa.Column("level", sa.String(16), nullable=False, index=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("parent_id", sa.String(64), nullable=True, index=True),
        sa.Column("boundary_version", sa.String(200), nullable=False),
        sa.Column("synthetic", sa.Boolean, nullable=False),
        sa.Column("target_residents", sa.BigInteger, nullable=False),
        sa.Column("geometry_geojson", sa.Text, nullable=False),
        sa.Column("bbox_minx", sa.Double, nullable=False),
        sa.Column("bbox_miny", sa.Double, nullable=False),
        sa.Column("bbox_maxx", sa.Double, nullable=False),
        sa.Column("bbox_maxy", sa.Double, nullable=False),
    )
    civico = sa.Table(
        "civico", md,
        sa.Column("civico_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("street_code", sa.String(16), nullable=False),
        sa.Column("street_type", sa.String(64), nullable=False),
        sa.Column("street_name", sa.String(200), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("suffix", sa.String(16), nullable=True),
        sa.Column("lon", sa.Double, nullable=False),
        sa.Column("lat", sa.Double, nullable=False),
        sa.Column("section_id", sa.String(64), nullable=False, index=True),
        sa.Column("zone_id", sa.String(64), nullable=False),
        sa.Column("quartiere_id", sa.String(64), nullable=False),
    )
    return AreaTables(md, boundary_version, area, civico)
