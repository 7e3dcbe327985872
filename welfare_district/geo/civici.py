"""Synthetic house-number register (civici) on Padova's real street names.

The ANNCSU register ships street names and codes but no house numbers or coordinates, so this module lays
every coded street over the synthetic census sections: a street is a walk through adjacent sections of one
zone (a few long roads cross into one or two neighbouring zones); its numbers run along the walk, odd and
even sides advancing separately, so that street code + number + suffix identifies exactly one section.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from welfare_district.errors import InputError
from welfare_district.geo.areaset import AreaSet
from welfare_district.geo.crs import points_to_store, to_work
from welfare_district.geo.hierarchy import apportion
from welfare_district.geo.reference import load_streets
from welfare_district.geo.tessellate import random_points_in

CIVICI_COLUMNS = ["civico_id", "street_code", "street_type", "street_name", "number", "suffix", "lon", "lat",
                  "section_id", "zone_id", "quartiere_id"]
# Short streets and squares span one section; bridges, flyovers and motorways carry a single number.
MINOR_TYPES = frozenset({"VICOLO", "PIAZZA", "PIAZZETTA", "PIAZZALE", "CORTE", "LARGO", "SLARGO", "GALLERIA",
                         "PASSAGGIO", "SELCIATO"})
INFRA_TYPES = frozenset({"PONTE", "CAVALCAVIA", "SOTTOPASSAGGIO", "AUTOSTRADA", "RACCORDO", "TANGENZIALE"})
_KIND_WEIGHT = {"major": 3.0, "minor": 1.0, "infra": 0.05}
RESIDENTS_PER_CIVICO = (6.0, 10.0)
MIN_CIVICI_PER_SECTION = 3
LONG_STREET_SHARE = 0.08
MAX_ZONES_PER_STREET = 3
SUFFIX_RATE = 0.05
NUMBER_GAP_RATE = 0.08
INSET_M = 3.0  # keep points this far inside their section so storage rounding never pushes them out
SIDE_OFFSET_M = 4.0


@dataclass
class _Street:
    code: str
    dug: str
    duf: str
    kind: str
    zone: str
    length: int
    long: bool
    path: list[int] = field(default_factory=list)


def build_synthetic_civici(areas: AreaSet, seed: int = 0) -> pd.DataFrame:
    """One row per synthetic house number, columns CIVICI_COLUMNS, deterministic for (areas, seed).

    Guarantees: every ANNCSU street with a Codice_comunale has at least one civico; (street_code, number,
    suffix) is unique; each point (EPSG:4326) lies inside its section; every section has at least
    max(3, len(streets through it)) civici and about one per 6-10 target residents.
    """
    sections = areas.level("section")
    if sections.empty:
        raise InputError("cannot build civici: the area set has no census sections", field="level")
    parent = dict(zip(areas.areas["area_id"], areas.areas["parent_id"], strict=True))
    geoms = [to_work(g) for g in sections["geometry"]]
    zone_of = sections["parent_id"].astype(str).to_numpy()
    rng = np.random.default_rng([seed, 3])
    per_civico = rng.uniform(*RESIDENTS_PER_CIVICO, len(sections))
    quota = np.maximum(MIN_CIVICI_PER_SECTION,
                       np.round(sections["target_residents"].to_numpy() / per_civico)).astype(np.int64)
    adj = _adjacency(geoms)
    streets = _plan_streets(zone_of, quota, adj, rng)
    counts = _distribute(streets, quota, rng)
    numbered = _number(streets, counts, rng)
    x, y = _place(numbered, geoms, rng)
    lon, lat = points_to_store(x, y)
    sec_idx = np.array([r[1] for r in numbered], dtype=np.int64)
    lon, lat = _ensure_inside(sections["geometry"].tolist(), sec_idx, lon, lat)
    section_ids = sections["area_id"].to_numpy()[sec_idx]
    zone_ids = zone_of[sec_idx]
    frame = pd.DataFrame({
        "street_code": [streets[r[0]].code for r in numbered],
        "street_type": [streets[r[0]].dug for r in numbered],
        "street_name": [streets[r[0]].duf for r in numbered],
        "number": np.array([r[2] for r in numbered], dtype=np.int64),
        "suffix": pd.Series([r[3] for r in numbered], dtype="object"),
        "lon": lon, "lat": lat,
        "section_id": section_ids, "zone_id": zone_ids,
        "quartiere_id": [parent[z] for z in zone_ids],
    })
    frame = frame.sort_values(["street_code", "number", "suffix"], na_position="first", kind="stable")
    frame.insert(0, "civico_id", np.arange(1, len(frame) + 1, dtype=np.int64))
    return frame.reset_index(drop=True)[CIVICI_COLUMNS]


def _adjacency(geoms: list[BaseGeometry]) -> list[list[int]]:
    """Sections whose borders come within 0.5 m of each other (shared edges survive storage rounding)."""
    arr = np.asarray(geoms, dtype=object)
    left, right = shapely.STRtree(arr).query(arr, predicate="dwithin", distance=0.5)
    adj: list[list[int]] = [[] for _ in geoms]
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        if a != b:
            adj[a].append(b)
    return [sorted(n) for n in adj]


def _kind(dug: str) -> str:
    return "infra" if dug in INFRA_TYPES else "minor" if dug in MINOR_TYPES else "major"


def _plan_streets(zone_of: np.ndarray, quota: np.ndarray, adj: list[list[int]],
                  rng: np.random.Generator) -> list[_Street]:
    """Give each coded street a home zone (more streets where more civici are needed) and a walk."""
    register = load_streets()
    register = register[register["street_code"].notna()].reset_index(drop=True)
    zones = sorted(set(zone_of.tolist()))
    members = {z: np.flatnonzero(zone_of == z).tolist() for z in zones}
    per_zone = apportion(len(register), [quota[members[z]].sum() for z in zones])
    order = rng.permutation(len(register)).tolist()
    streets: list[_Street] = []
    for z, k in zip(zones, per_zone, strict=True):
        batch: list[_Street] = []
        for i in order[:k]:
            row = register.iloc[i]
            kind = _kind(row["dug"])
            long = kind == "major" and rng.random() < LONG_STREET_SHARE
            length = int(rng.integers(5, 9)) if long else int(rng.integers(1, 5)) if kind == "major" else 1
            batch.append(_Street(row["street_code"], row["dug"], row["duf"], kind, z, length, long))
        order = order[k:]
        _walk_zone(batch, members[z], zone_of, adj, rng)
        streets.extend(batch)
    return streets


def _walk_zone(batch: list[_Street], members: list[int], zone_of: np.ndarray, adj: list[list[int]],
               rng: np.random.Generator) -> None:
    """Lay the zone's streets as walks over adjacent sections until every section of the zone is visited."""
    covered: set[int] = set()
    for street in sorted(batch, key=lambda s: -s.length):
        fresh = [m for m in members if m not in covered]
        pool = fresh or members
        path = [pool[int(rng.integers(len(pool)))]]
        seen = {zone_of[path[0]]}
        while len(path) < street.length:
            cand = [n for n in adj[path[-1]] if n not in path and
                    (zone_of[n] in seen or (street.long and len(seen) < MAX_ZONES_PER_STREET))]
            if not street.long:
                cand = [n for n in cand if zone_of[n] == street.zone]
            if not cand:
                break
            fresh_cand = [n for n in cand if n not in covered]
            choice = fresh_cand or cand
            nxt = choice[int(rng.integers(len(choice)))]
            path.append(nxt)
            seen.add(zone_of[nxt])
        street.path = path
        covered.update(path)
    for sec in members:
        if sec in covered:
            continue
        # Extend the street that ends next to the uncovered section; else any street passing beside it.
        near = set(adj[sec])
        ends = [s for s in batch if s.path[-1] in near and s.kind == "major"]
        touching = [s for s in batch if near.intersection(s.path)]
        host = min(ends or touching or batch, key=lambda s: len(s.path))
        host.path.append(sec)
        covered.add(sec)


def _distribute(streets: list[_Street], quota: np.ndarray,
                rng: np.random.Generator) -> dict[tuple[int, int], int]:
    """Civici per (street, step): each visit gets one, the rest of the section's quota goes by street kind."""
    visits: list[list[tuple[int, int]]] = [[] for _ in quota]
    for si, street in enumerate(streets):
        for step, sec in enumerate(street.path):
            visits[sec].append((si, step))
    counts: dict[tuple[int, int], int] = {}
    for sec, vis in enumerate(visits):
        if not vis:
            continue
        extra = max(int(quota[sec]), len(vis)) - len(vis)
        w = np.array([_KIND_WEIGHT[streets[si].kind] for si, _ in vis])
        share = rng.multinomial(extra, w / w.sum())
        for v, n in zip(vis, share.tolist(), strict=True):
            counts[v] = 1 + n
    return counts


def _number(streets: list[_Street], counts: dict[tuple[int, int], int],
            rng: np.random.Generator) -> list[tuple[int, int, int, str | None, int, int]]:
    """(street, section, number, suffix, side, step) per civico; odd and even sides advance separately."""
    counters: dict[str, list[int]] = {}
    out: list[tuple[int, int, int, str | None, int, int]] = []
    for si, street in enumerate(streets):
        if street.code in counters:
            # ANNCSU gives one code to two streets: continue on a fresh hundred so numbers stay unique.
            top = math.ceil(max(counters[street.code]) / 100) * 100
            counters[street.code] = [top + 1, top + 2]
        nxt = counters.setdefault(street.code, [1, 2])
        for step, sec in enumerate(street.path):
            n = counts[(si, step)]
            n_suffix = min(int(rng.binomial(n - 1, SUFFIX_RATE)) if n > 1 else 0, n // 2)
            base = n - n_suffix
            odd = (base + int(rng.integers(2))) // 2
            numbers: list[tuple[int, int]] = []
            for side, how_many in ((0, odd), (1, base - odd)):
                for _ in range(how_many):
                    if rng.random() < NUMBER_GAP_RATE:
                        nxt[side] += 2
                    numbers.append((nxt[side], side))
                    nxt[side] += 2
            for num, side in numbers:
                out.append((si, sec, num, None, side, step))
            for k in rng.choice(len(numbers), size=n_suffix, replace=False).tolist():
                num, side = numbers[k]
                suffix = str(rng.choice(["A", "B", "bis"], p=[0.6, 0.2, 0.2]))
                out.append((si, sec, num, suffix, side, step))
    return out


def _place(numbered: list[tuple[int, int, int, str | None, int, int]], geoms: list[BaseGeometry],
           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """EPSG:32632 points: each (street, section) stretch is a segment in the section, odd left, even right."""
    x = np.zeros(len(numbered))
    y = np.zeros(len(numbered))
    groups: dict[tuple[int, int], list[int]] = {}
    for i, (si, _sec, _num, _suf, _side, step) in enumerate(numbered):
        groups.setdefault((si, step), []).append(i)
    insets: dict[int, BaseGeometry] = {}
    for idx in groups.values():
        sec = numbered[idx[0]][1]
        if sec not in insets:
            inner = geoms[sec].buffer(-INSET_M)
            insets[sec] = inner if not inner.is_empty else geoms[sec]
        area = insets[sec]
        p, q = random_points_in(area, 2, rng)
        nums = np.array([numbered[i][2] for i in idx], dtype=float)
        t = 0.1 + 0.8 * (nums - nums.min()) / max(nums.max() - nums.min(), 1.0)
        d = q - p
        normal = np.array([-d[1], d[0]]) / max(float(np.hypot(*d)), 1e-9)
        side = np.array([1.0 if numbered[i][4] == 0 else -1.0 for i in idx])
        px = p[0] + t * d[0] + side * SIDE_OFFSET_M * normal[0]
        py = p[1] + t * d[1] + side * SIDE_OFFSET_M * normal[1]
        bad = ~shapely.contains_xy(area, px, py)
        if bad.any():  # a concave section: the segment left it, so those numbers get random inner points
            fix = random_points_in(area, int(bad.sum()), rng)
            px[bad], py[bad] = fix[:, 0], fix[:, 1]
        x[idx], y[idx] = px, py
    return x, y


def _ensure_inside(section_geoms: list[BaseGeometry], sec_idx: np.ndarray, lon: np.ndarray,
                   lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Last guard in EPSG:4326: any point not inside its stored section moves to the section's inner point."""
    lon, lat = lon.copy(), lat.copy()
    for sec in np.unique(sec_idx).tolist():
        idx = np.flatnonzero(sec_idx == sec)
        geom = section_geoms[sec]
        bad = idx[~shapely.contains_xy(geom, lon[idx], lat[idx])]
        if len(bad):
            rep = geom.representative_point()
            lon[bad], lat[bad] = rep.x, rep.y
    return lon, lat
