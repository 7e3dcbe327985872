"""Time the synthetic hierarchy, the civici register, saving/reading them and a section import.

Usage: python benchmarks/bench_areas.py [--seed N] [--database-url URL] [--repeat R]
Prints a table of the best of R runs per step (DuckDB in a temporary file by default).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from welfare_district.engine import connect
from welfare_district.geo.boundary_import import import_boundaries
from welfare_district.geo.civici import build_synthetic_civici
from welfare_district.geo.crs import geometry_to_geojson, to_work
from welfare_district.geo.hierarchy import build_synthetic_hierarchy
from welfare_district.geo.store import read_areas_geojson, read_areaset, read_civici, save_areas


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    """Run every step and print seconds per step."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"duckdb:///{Path(tmp) / 'bench.duckdb'}"
        rows: list[tuple[str, float, str]] = []
        t, areas = _best(lambda: build_synthetic_hierarchy(args.seed), args.repeat)
        rows.append(("build_synthetic_hierarchy", t, f"{len(areas.areas)} areas"))
        t, civici = _best(lambda: build_synthetic_civici(areas, args.seed), args.repeat)
        rows.append(("build_synthetic_civici", t, f"{len(civici)} civici"))
        with connect(url) as db:
            t, _ = _best(lambda: save_areas(db, areas, civici), args.repeat)
            rows.append(("save_areas (areas + civici)", t, db.dialect.name))
            t, _ = _best(lambda: read_areaset(db), args.repeat)
            rows.append(("read_areaset", t, ""))
            t, _ = _best(lambda: read_civici(db), args.repeat)
            rows.append(("read_civici", t, ""))
            t, _ = _best(lambda: read_areas_geojson(db, "section", 0.0001), args.repeat)
            rows.append(("read_areas_geojson(section, simplified)", t, ""))
            sections = areas.level("section")
            layer = Path(tmp) / "sezioni.geojson"
            layer.write_text(json.dumps({
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32632"}},
                "features": [{"type": "Feature", "properties": {"SEZ": str(i + 1), "ZONA": z},
                              "geometry": geometry_to_geojson(to_work(g))}
                             for i, (z, g) in enumerate(zip(sections["parent_id"], sections["geometry"],
                                                            strict=True))]}))
            t, _ = _best(lambda: import_boundaries(db, layer, "section", "SEZ", "ZONA"), 1)
            rows.append(("import_boundaries(section, EPSG:32632 GeoJSON)", t, f"{len(sections)} features"))
    width = max(len(r[0]) for r in rows)
    for name, seconds, note in rows:
        print(f"{name:<{width}}  {seconds:7.3f}s  {note}")


if __name__ == "__main__":
    main()
