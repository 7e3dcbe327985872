"""Deterministic synthetic area hierarchy for Padova: real city and quartieri, generated zones and sections.

Real zones ("unità urbane") and census sections are not available offline, so each quartiere is split into
zones of 2,000-5,000 residents and each zone into census sections of about 150 residents, by seeded
Voronoi tessellation in EPSG:32632. Residents per quartiere follow the 2011 census (POPRES) scaled to the
1 January 2023 total. Synthetic rows are flagged ``synthetic=True`` and carry ``synthetic-v1-seed<N>``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from welfare_district.geo.areaset import COLUMNS, AreaSet, BoundaryVersionInfo
from welfare_district.geo.crs import to_store, to_work
from welfare_district.geo.reference import PADOVA_ISTAT, load_comune_boundary, load_population, load_quartieri
from welfare_district.geo.tessellate import tessellate

CITY_VERSION = "istat-2023"
QUARTIERE_VERSION = "istat-asc-2011"
GENERATOR_VERSION = "synthetic-v1"
POPULATION_YEAR = 2023
ZONE_MEAN, ZONE_MIN, ZONE_MAX = 3_450, 2_000, 5_000
SECTION_MEAN, SECTION_MIN, SECTION_MAX = 155, 40, 400
# Level numbers keep the random streams of zones and sections independent of each other.
_ZONE_STREAM, _SECTION_STREAM = 1, 2


def synthetic_version(seed: int) -> str:
    """The boundary_version of synthetic zones and sections generated with ``seed``."""
    return f"{GENERATOR_VERSION}-seed{seed}"


def apportion(total: int, weights: Sequence[float] | np.ndarray) -> np.ndarray:
    """Integers proportional to ``weights`` that sum exactly to ``total`` (largest-remainder method)."""
    w = np.asarray(weights, dtype=float)
    if len(w) == 0:
        return np.zeros(0, dtype=np.int64)
    if w.sum() <= 0:
        w = np.ones_like(w)
    exact = total * w / w.sum()
    base = np.floor(exact).astype(np.int64)
    rest = int(total - base.sum())
    # Stable sort so ties are broken by position, which keeps the result deterministic.
    order = np.argsort(-(exact - base), kind="stable")
    base[order[:rest]] += 1
    return base


def split_residents(total: int, n: int, rng: np.random.Generator, spread: float, lo: int,
                    hi: int) -> np.ndarray:
    """``n`` integers summing to ``total``, varying by about ``spread``, within [lo, hi] when possible."""
    if n == 1:
        return np.array([total], dtype=np.int64)
    shape = 1.0 / spread**2
    for _ in range(100):
        values = apportion(total, rng.gamma(shape, 1.0, n))
        if values.min() >= lo and values.max() <= hi:
            return values
    return apportion(total, np.ones(n))  # an equal split always exists when lo <= total/n <= hi


def _row(area_id: str, level: str, code: str, name: str, parent: str | None, synthetic: bool,
         version: str, residents: int, geometry: BaseGeometry) -> dict[str, object]:
    values = [area_id, level, code, name, parent, synthetic, version, int(residents), geometry]
    return dict(zip(COLUMNS, values, strict=True))


def build_synthetic_hierarchy(seed: int = 0) -> AreaSet:
    """City, the six real quartieri, about 60 synthetic zones and about 1,300 synthetic census sections.

    Guarantees, for a given ``seed`` the output is identical on every run and machine (same numpy/GEOS):
    ids follow "028060" / "Q1" / "Q1Z01" / "Q1Z01S001"; zones hold 2,000-5,000 residents and sections
    40-400 (about 150); each level's target_residents sum to its parent's and to the 2023 total; children
    tessellate their parent (no gaps or overlaps beyond the 1e-6 degree storage grid).
    """
    version = synthetic_version(seed)
    total = int(load_population(POPULATION_YEAR)["tot"].sum())
    quartieri = load_quartieri()
    q_residents = apportion(total, [q.popres for q in quartieri])
    rows = [_row(PADOVA_ISTAT, "city", PADOVA_ISTAT, "Padova", None, False, CITY_VERSION, total,
                 load_comune_boundary())]
    for q, q_res in zip(quartieri, q_residents, strict=True):
        q_id = f"Q{q.code}"
        rows.append(_row(q_id, "quartiere", str(q.code), q.name, PADOVA_ISTAT, False, QUARTIERE_VERSION,
                         int(q_res), q.geometry))
        rng = np.random.default_rng([seed, _ZONE_STREAM, q.code])
        n_zones = max(1, round(q_res / ZONE_MEAN))
        zone_res = split_residents(int(q_res), n_zones, rng, 0.2, ZONE_MIN, ZONE_MAX)
        zones = tessellate(to_work(q.geometry), n_zones, rng)
        for zi, (zone_geom, z_res) in enumerate(zip(zones, zone_res, strict=True), start=1):
            z_id = f"{q_id}Z{zi:02d}"
            z_name = f"{q.name} - zona {zi}"
            rows.append(_row(z_id, "zone", z_id, z_name, q_id, True, version, int(z_res),
                             to_store(zone_geom)))
            rows.extend(_sections(z_id, z_name, zone_geom, int(z_res), seed, version, q.code * 100 + zi))
    areas = pd.DataFrame(rows, columns=COLUMNS)
    areas["synthetic"] = areas["synthetic"].astype(bool)
    areas["target_residents"] = areas["target_residents"].astype("int64")
    versions = {
        CITY_VERSION: BoundaryVersionInfo("ISTAT administrative limits June 2023 via openpolis geojson-italy "
                                          "(welfare_district/data/comune_padova.geojson)", "EPSG:4326"),
        QUARTIERE_VERSION: BoundaryVersionInfo("ISTAT Aree Sub-Comunali 2011 (welfare_district/data/"
                                               "quartieri.geojson)", "EPSG:4326, from EPSG:32632"),
        version: BoundaryVersionInfo(f"synthetic: seeded Voronoi tessellation, seed {seed} "
                                     "(welfare_district.geo.hierarchy)", "EPSG:4326, built in EPSG:32632"),
    }
    return AreaSet(areas, versions)


def _sections(zone_id: str, zone_name: str, zone_geom: BaseGeometry, residents: int, seed: int,
              version: str, stream: int) -> list[dict[str, object]]:
    rng = np.random.default_rng([seed, _SECTION_STREAM, stream])
    n = max(1, round(residents / SECTION_MEAN))
    res = split_residents(residents, n, rng, 0.35, SECTION_MIN, SECTION_MAX)
    cells = tessellate(zone_geom, n, rng)
    return [_row(f"{zone_id}S{si:03d}", "section", f"{zone_id}S{si:03d}", f"{zone_name} - sezione {si}",
                 zone_id, True, version, int(r), to_store(cell))
            for si, (cell, r) in enumerate(zip(cells, res, strict=True), start=1)]
