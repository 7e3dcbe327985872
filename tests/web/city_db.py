"""A small synthetic Padova with a real warehouse and computed indicators, for the web tests.

``generate_city`` writes a 3% synthetic city with snapshots 2023-2025 (seconds); ``fill_city_db`` stores its
areas, its truth warehouse and every indicator of the library into an open database, on either engine.
The conftest builds one such database per engine for the whole session; tests read it and never write.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from welfare_district.engine import Database
from welfare_district.geo.folder import read_area_folder
from welfare_district.geo.store import save_areas
from welfare_district.indicators.library import default_library
from welfare_district.indicators.store import compute_and_store
from welfare_district.synth.generate import generate
from welfare_district.synth.truth_warehouse import build_truth_warehouse

CITY_YEARS = (2023, 2025)
CITY_SEED = 5
CITY_FRACTION = 0.03


@dataclass(frozen=True)
class CityInfo:
    """What a filled city database holds: its snapshot years and the rows stored per table."""

    years: list[int]
    indicator_rows: int
    warehouse_rows: dict[str, int]


def generate_city(out: Path) -> Path:
    """Write the small synthetic Padova (truth and areas, no extracts) into ``out``; returns ``out``."""
    generate(out, years=CITY_YEARS, seed=CITY_SEED, fraction=CITY_FRACTION, extracts=False)
    return out


def fill_city_db(db: Database, city: Path) -> CityInfo:
    """Store the city's areas, its truth warehouse and every library indicator for every snapshot year."""
    areaset, _ = read_area_folder(city / "areas")
    # The house-number register is not read by the web layer: leaving it out saves time on PostgreSQL.
    save_areas(db, areaset)
    warehouse = build_truth_warehouse(city, db)
    stored = compute_and_store(db, list(default_library().values()))
    return CityInfo(years=stored.years, indicator_rows=stored.rows, warehouse_rows=warehouse)
