"""Import a real zone or census-section layer (shapefile, zipped shapefile or GeoJSON, any CRS).

The layer is read and checked completely before the database is touched; every problem found (invalid
polygon, missing CRS, duplicate or unknown codes, polygons that do not nest in their parent, overlaps, a
layer that does not cover the parent level) is reported together, and then nothing is written. On
success the imported level replaces the stored one in a single transaction, and the levels below are
re-attached (see docs/areas.md):

- zones imported: every existing section is attached to the imported zone that holds most of its area;
- sections imported: target residents move from the old sections to the new ones in proportion to the
  overlapping area, and each civico is attached to the new section that contains its point.
Parent totals are then recomputed, so residents still sum up the hierarchy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from welfare_district.engine import Database
from welfare_district.errors import InputError
from welfare_district.geo.areaset import COLUMNS, LEVELS, AreaSet, BoundaryVersionInfo
from welfare_district.geo.crs import STORE_CRS, STORE_GRID, WORK_CRS, points_to_work, reproject, to_work
from welfare_district.geo.hierarchy import apportion
from welfare_district.geo.store import read_areaset, read_civici, save_areas

IMPORTABLE = ("zone", "section")
DEFAULT_NEST_TOLERANCE = 0.01
MIN_COVERAGE_GAP = 0.05
MAX_LISTED = 25
# Padova's surroundings in lon/lat: anything outside means the layer's CRS is wrong or undeclared.
_LONLAT_WINDOW = (11.5, 45.2, 12.2, 45.6)
_DEFAULT_NAME = {"zone": "Zona", "section": "Sezione"}


class BoundaryImportError(InputError):
    """A layer failed validation; ``problems`` lists every failure (feature number, code, reason)."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.problems = problems
        shown = "; ".join(problems[:MAX_LISTED])
        more = f"; ... and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
        super().__init__(f"{len(problems)} problem(s), nothing imported: {shown}{more}", path=path)


@dataclass(frozen=True)
class Layer:
    """A validated-to-read layer: one entry per feature, geometries in the file's CRS."""

    path: Path
    crs: str
    codes: list[str]
    parents: list[str]
    names: list[str | None]
    geometries: list[BaseGeometry | None]
    version: str


@dataclass(frozen=True)
class ImportResult:
    """What an import changed: ``reattached`` counts the sections (zone import) or old sections (section
    import) whose residents and civici were attached to the imported areas."""

    level: str
    boundary_version: str
    areas: int
    reattached: int
    civici: int


def _text(value: Any) -> str:
    # Codes arrive as text, integers or floats (DBF numeric fields); 12.0 and "12" are the same code.
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    files = [path]
    if path.suffix.lower() == ".shp":  # a shapefile is the .shp plus its sidecars
        files = sorted(p for p in path.parent.iterdir() if p.stem == path.stem)
    for f in files:
        digest.update(f.name.lower().encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()[:12]


def read_layer(path: Path | str, code_field: str, parent_field: str, name_field: str | None = None) -> Layer:
    """Read a polygon layer with pyogrio; raise InputError for an unreadable file or missing fields/CRS."""
    from pyogrio.errors import DataSourceError
    from pyogrio.raw import read

    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", path=str(path))
    try:
        meta, _fids, wkb, values = read(path)
    except (DataSourceError, RuntimeError, ValueError) as exc:
        raise InputError(f"cannot read as a GIS layer: {exc}", path=str(path)) from exc
    fields = [str(f) for f in meta["fields"]]
    wanted = [f for f in (code_field, parent_field, name_field) if f]
    missing = [f for f in wanted if f not in fields]
    problems = [f"field '{f}' not found (fields: {', '.join(fields)})" for f in missing]
    if not meta.get("crs"):
        problems.append("the layer declares no coordinate reference system (add a .prj or a crs member)")
    if problems:
        raise BoundaryImportError(str(path), problems)
    col = {f: list(v) for f, v in zip(fields, values, strict=True)}
    geoms = [None if g is None else shapely.from_wkb(g) for g in wkb]
    return Layer(path, str(meta["crs"]), [_text(v) for v in col[code_field]],
                 [_text(v) for v in col[parent_field]],
                 [_text(v) or None for v in col[name_field]] if name_field else [None] * len(geoms),
                 geoms, f"{path.stem}-{_content_hash(path)}")


def _parent_lookup(parents: pd.DataFrame) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for area_id, code in zip(parents["area_id"], parents["code"], strict=True):
        for key in (str(area_id), str(code), str(int(code)) if str(code).isdigit() else None):
            if key:
                lookup.setdefault(key, str(area_id))
    return lookup


def validate_layer(layer: Layer, current: AreaSet, level: str,
                   tolerance: float = DEFAULT_NEST_TOLERANCE) -> tuple[list[str], list[BaseGeometry]]:
    """Check every feature against the stored hierarchy; return (parent area_id, EPSG:32632 geometry).

    Raises BoundaryImportError listing all problems at once.
    """
    if level not in IMPORTABLE:
        raise InputError(f"level must be one of {', '.join(IMPORTABLE)}, got {level!r}", field="level")
    parent_level = LEVELS[LEVELS.index(level) - 1]
    parents = current.level(parent_level)
    lookup = _parent_lookup(parents)
    parent_geom = {a: to_work(g) for a, g in zip(parents["area_id"], parents["geometry"], strict=True)}
    other_ids = set(current.areas.loc[current.areas["level"] != level, "area_id"])
    problems: list[str] = []
    seen: dict[str, int] = {}
    work: list[BaseGeometry] = []
    parent_ids: list[str] = []
    n = len(layer.codes)
    if n == 0:
        raise BoundaryImportError(str(layer.path), ["the layer has no features"])
    for i, (code, parent, geom) in enumerate(zip(layer.codes, layer.parents, layer.geometries, strict=True)):
        where = f"feature {i + 1} (code {code!r})"
        before = len(problems)
        if not code:
            problems.append(f"feature {i + 1}: empty code")
        elif code in seen:
            problems.append(f"{where}: duplicate code, already used by feature {seen[code]}")
        else:
            seen[code] = i + 1
            if code in other_ids:
                problems.append(f"{where}: code equals the id of an existing area of another level")
        pid = lookup.get(parent)
        if pid is None:
            known = sorted(lookup)
            listed = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
            problems.append(f"{where}: parent code {parent!r} matches no {parent_level} (known: {listed})")
        if geom is None or geom.is_empty:
            problems.append(f"{where}: empty geometry")
        elif not isinstance(geom, Polygon | MultiPolygon):
            problems.append(f"{where}: geometry is a {geom.geom_type}, expected a polygon")
        elif not geom.is_valid:
            problems.append(f"{where}: invalid polygon ({shapely.is_valid_reason(geom)})")
        projected = None
        if len(problems) == before and geom is not None:
            lon_lat = reproject(geom, layer.crs, STORE_CRS).bounds
            w = _LONLAT_WINDOW
            if not (w[0] <= lon_lat[0] and lon_lat[2] <= w[2] and w[1] <= lon_lat[1] and lon_lat[3] <= w[3]):
                problems.append(f"{where}: lies outside the Padova area once read as {layer.crs} "
                                "(is the declared CRS right?)")
            else:
                projected = reproject(geom, layer.crs, WORK_CRS)
            if projected is not None and pid is not None:
                outside = projected.difference(parent_geom[pid]).area / max(projected.area, 1e-9)
                if outside > tolerance:
                    problems.append(f"{where}: {outside:.1%} of its area lies outside parent {pid} "
                                    f"(tolerance {tolerance:.1%})")
        work.append(projected if projected is not None else Polygon())
        parent_ids.append(pid or "")
    problems.extend(_overlaps(work, layer.codes, tolerance))
    if not problems:
        # A level is replaced whole: a partial layer would silently drop the areas it leaves out.
        parents_union = shapely.union_all(list(parent_geom.values()))
        covered = shapely.union_all(work).intersection(parents_union).area / parents_union.area
        if covered < 1 - MIN_COVERAGE_GAP:
            problems.append(f"the layer covers only {covered:.1%} of the {parent_level} areas; "
                            f"import the whole {level} level")
    if problems:
        raise BoundaryImportError(str(layer.path), problems)
    return parent_ids, work


def _overlaps(work: list[BaseGeometry], codes: list[str], tolerance: float) -> list[str]:
    arr = np.asarray(work, dtype=object)
    left, right = shapely.STRtree(arr).query(arr, predicate="intersects")
    out = []
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        if a < b:
            shared = work[a].intersection(work[b]).area
            if shared > tolerance * min(work[a].area, work[b].area):
                out.append(f"features {a + 1} (code {codes[a]!r}) and {b + 1} (code {codes[b]!r}) overlap "
                           f"by {shared:,.0f} m²")
    return out


def apply_layer(layer: Layer, current: AreaSet, civici: pd.DataFrame | None, level: str,
                tolerance: float = DEFAULT_NEST_TOLERANCE) -> tuple[AreaSet, pd.DataFrame | None, int]:
    """The hierarchy (and civici) after importing ``layer`` as ``level``; pure, nothing is stored.

    Returns (new AreaSet, new civici or None, number of lower-level rows re-attached).
    """
    parent_ids, work = validate_layer(layer, current, level, tolerance)
    old = current.areas
    new_rows = pd.DataFrame({
        "area_id": layer.codes, "level": level, "code": layer.codes,
        "name": [nm or f"{_DEFAULT_NAME[level]} {c}" for nm, c in zip(layer.names, layer.codes, strict=True)],
        "parent_id": parent_ids, "synthetic": False, "boundary_version": layer.version,
        "target_residents": 0,
        "geometry": [shapely.set_precision(reproject(g, WORK_CRS, STORE_CRS), STORE_GRID) for g in work],
    })
    if level == "zone":
        sections = old[old["level"] == "section"].copy()
        best = _best_match([to_work(g) for g in sections["geometry"]], work)
        sections["parent_id"] = [layer.codes[j] for j in best]
        moved = int((sections["parent_id"] != old.loc[sections.index, "parent_id"]).sum())
        areas = pd.concat([old[old["level"].isin(["city", "quartiere"])], new_rows, sections])
    else:
        old_sections = old[old["level"] == "section"]
        new_rows["target_residents"] = _transfer_residents(old_sections, work)
        areas = pd.concat([old[old["level"].isin(["city", "quartiere", "zone"])], new_rows])
        moved = len(old_sections)
    areas = _resum(areas.reset_index(drop=True)[COLUMNS])
    versions = dict(current.versions)
    crs_name = CRS.from_user_input(layer.crs).name
    versions[layer.version] = BoundaryVersionInfo(f"imported from {layer.path.name} as {level}",
                                                  f"EPSG:4326, from {crs_name}")
    result = AreaSet(areas, {v: versions[v] for v in areas["boundary_version"].unique() if v in versions})
    result.validate()
    new_civici = None if civici is None else _reattach_civici(civici, result, level, work, layer.codes)
    return result, new_civici, moved


def _overlap_matrix(items: list[BaseGeometry], targets: list[BaseGeometry]) -> tuple[np.ndarray, ...]:
    """(item index, target index, shared area) for every intersecting pair, found through an STRtree."""
    a = np.asarray(items, dtype=object)
    b = np.asarray(targets, dtype=object)
    i, j = shapely.STRtree(b).query(a, predicate="intersects")
    return i, j, shapely.area(shapely.intersection(a[i], b[j]))


def _nearest(items: list[BaseGeometry], targets: list[BaseGeometry]) -> np.ndarray:
    tree = shapely.STRtree(np.asarray(targets, dtype=object))
    src, dst = tree.query_nearest(np.asarray(items, dtype=object), all_matches=False)
    out = np.zeros(len(items), dtype=np.int64)
    out[src] = dst
    return out


def _best_match(items: list[BaseGeometry], targets: list[BaseGeometry]) -> np.ndarray:
    """For each item the target sharing most of its area (the nearest one when none overlaps)."""
    best = _nearest(items, targets)
    top = np.zeros(len(items))
    i, j, area = _overlap_matrix(items, targets)
    for a, b, s in zip(i.tolist(), j.tolist(), area.tolist(), strict=True):
        if s > top[a]:
            top[a], best[a] = s, b
    return best


def _transfer_residents(old_sections: pd.DataFrame, work: list[BaseGeometry]) -> np.ndarray:
    """Spread each old section's residents over the new sections it overlaps, by area; keep the total."""
    old = [to_work(g) for g in old_sections["geometry"]]
    residents = old_sections["target_residents"].to_numpy(dtype=float)
    i, j, area = _overlap_matrix(old, work)
    covered = np.bincount(i, weights=area, minlength=len(old))
    amounts = np.bincount(j, weights=residents[i] * area / np.where(covered[i] > 0, covered[i], 1.0),
                          minlength=len(work))
    # Old sections that touch no new section hand their residents to the nearest one.
    lost = np.flatnonzero(covered <= 0)
    if len(lost):
        amounts += np.bincount(_nearest([old[k] for k in lost], work), weights=residents[lost],
                               minlength=len(work))
    return apportion(int(residents.sum()), amounts)


def _resum(areas: pd.DataFrame) -> pd.DataFrame:
    """Recompute zone, quartiere and city targets bottom-up so each parent equals the sum of its children."""
    areas = areas.copy()
    for child, parent in (("section", "zone"), ("zone", "quartiere"), ("quartiere", "city")):
        kids = areas[areas["level"] == child]
        if kids.empty:
            continue
        sums = kids.groupby("parent_id")["target_residents"].sum()
        mask = areas["level"] == parent
        areas.loc[mask, "target_residents"] = areas.loc[mask, "area_id"].map(sums).fillna(0).astype("int64")
    areas["target_residents"] = areas["target_residents"].astype("int64")
    areas["synthetic"] = areas["synthetic"].astype(bool)
    return areas


def _reattach_civici(civici: pd.DataFrame, areas: AreaSet, level: str, work: list[BaseGeometry],
                     codes: list[str]) -> pd.DataFrame:
    out = civici.copy()
    if level == "section":
        x, y = points_to_work(out["lon"].to_numpy(), out["lat"].to_numpy())
        # Nearest is containment for points inside; a point in a gap goes to the closest section.
        best = _nearest(list(shapely.points(x, y)), work)
        out["section_id"] = [codes[k] for k in best]
    parent = dict(zip(areas.areas["area_id"], areas.areas["parent_id"], strict=True))
    out["zone_id"] = out["section_id"].map(parent)
    out["quartiere_id"] = out["zone_id"].map(parent)
    return out


def import_boundaries(db: Database, path: Path | str, level: str, code_field: str, parent_field: str,
                      name_field: str | None = None,
                      tolerance: float = DEFAULT_NEST_TOLERANCE) -> ImportResult:
    """Validate ``path`` against the stored hierarchy and, only if every feature passes, replace ``level``.

    Guarantees: on any error (BoundaryImportError lists all problems) the database is unchanged; on
    success areas and civici are replaced in one transaction with the layer's boundary_version
    ("<file stem>-<sha256 prefix>"), synthetic=False.
    """
    layer = read_layer(path, code_field, parent_field, name_field)
    current = read_areaset(db)
    stored_civici = read_civici(db)
    civici = None if stored_civici.empty else stored_civici
    new_set, new_civici, moved = apply_layer(layer, current, civici, level, tolerance)
    save_areas(db, new_set, new_civici)
    return ImportResult(level, layer.version, len(layer.codes), moved,
                        0 if new_civici is None else len(new_civici))
