"""Split a polygon into n compact, gap-free, non-overlapping cells (seeded Voronoi + Lloyd relaxation).

All geometry here is in a projected CRS (metres); callers pass EPSG:32632 polygons.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

# Cells are merged on a 1 mm grid so pieces cut from the same Voronoi edge join without slivers.
MERGE_GRID = 0.001


def random_points_in(poly: BaseGeometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` uniform random points strictly inside ``poly``, an (n, 2) array; deterministic for ``rng``."""
    if n <= 0:
        return np.empty((0, 2))
    minx, miny, maxx, maxy = poly.bounds
    shapely.prepare(poly)
    out: list[np.ndarray] = []
    have = 0
    for _ in range(200):
        # Oversample by the bbox/area ratio so one or two rounds usually suffice.
        ratio = max(1.0, (maxx - minx) * (maxy - miny) / max(poly.area, 1e-9))
        m = int((n - have) * ratio * 1.3) + 8
        xs = rng.uniform(minx, maxx, m)
        ys = rng.uniform(miny, maxy, m)
        keep = shapely.contains_xy(poly, xs, ys)
        chunk = np.column_stack([xs[keep], ys[keep]])[: n - have]
        out.append(chunk)
        have += len(chunk)
        if have >= n:
            break
    pts = np.vstack(out) if out else np.empty((0, 2))
    if len(pts) < n:  # a degenerate sliver: fall back to its representative point
        rep = poly.representative_point()
        pts = np.vstack([pts, np.tile([rep.x, rep.y], (n - len(pts), 1))])
    return pts


def tessellate(parent: BaseGeometry, n: int, rng: np.random.Generator,
               iterations: int = 4) -> list[BaseGeometry]:
    """Cells covering ``parent`` exactly, one per seed, ordered north-west to south-east.

    Guarantees: len(result) == n; cells are valid, non-empty, pairwise non-overlapping and their union is
    ``parent`` (up to MERGE_GRID). Cells are single Polygons unless the parent itself is disconnected.
    """
    if n <= 1:
        return [parent]
    pts = random_points_in(parent, n, rng)
    shapely.prepare(parent)
    cells: list[BaseGeometry] = []
    for it in range(iterations + 1):
        cells = _voronoi_cells(pts, parent)
        if it == iterations:
            break
        # Lloyd step: move each seed to its cell's centroid, which evens out cell sizes.
        cent = shapely.centroid(np.asarray(cells, dtype=object))
        inside = shapely.contains(parent, cent)
        surf = shapely.point_on_surface(np.asarray(cells, dtype=object))
        new = np.where(inside, cent, surf)
        pts = shapely.get_coordinates(new)
        if len(np.unique(np.round(pts, 3), axis=0)) < n:  # coincident seeds would lose a cell
            pts = pts + rng.normal(0, 0.5, pts.shape)
    cells = _merge_fragments(cells)
    order = np.lexsort((np.array([c.centroid.x for c in cells]), -np.array([c.centroid.y for c in cells])))
    return [cells[i] for i in order]


def _voronoi_cells(pts: np.ndarray, parent: BaseGeometry) -> list[BaseGeometry]:
    seeds = shapely.multipoints(pts)
    extent = parent.envelope.buffer(max(parent.length, 1.0))
    vor = shapely.voronoi_polygons(seeds, extend_to=extent, ordered=True)
    parts = shapely.get_parts(vor)
    clipped = shapely.intersection(parts, parent)
    return [shapely.make_valid(c) if not c.is_valid else c for c in clipped]


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon) and p.area > 0]
    return sorted(parts, key=lambda p: -p.area)


def _merge_fragments(cells: list[BaseGeometry]) -> list[BaseGeometry]:
    """Give every detached piece of a clipped cell to the neighbour it shares the longest border with."""
    main: list[BaseGeometry] = []
    fragments: list[tuple[int, Polygon]] = []
    for i, cell in enumerate(cells):
        parts = _polygons(cell)
        main.append(parts[0] if parts else cell)
        fragments.extend((i, p) for p in parts[1:])
    for owner, frag in sorted(fragments, key=lambda f: -f[1].area):
        halo = frag.buffer(0.05)
        shared = shapely.length(shapely.intersection(shapely.boundary(np.asarray(main, dtype=object)), halo))
        shared[owner] = -1.0
        j = int(np.argmax(shared))
        target = j if shared[j] > 1.0 else owner
        main[target] = shapely.union(main[target], frag, grid_size=MERGE_GRID)
    return main
