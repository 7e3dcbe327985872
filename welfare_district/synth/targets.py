"""Calibration targets of the synthetic city: the real figures it must reproduce, in one place.

Each target names its source; ``tolerance`` is the absolute distance (in the target's unit) accepted by
the tests and reported by ``welfare_district.synth.calibration``. IVSM components are percentages as in
docs INDICATORS.md (Province of Padova 2011 unless stated). They are checked on the calibration snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass

CALIBRATION_YEAR = 2022  # the 31 Dec 2022 snapshot = ISTAT's 1 Jan 2023 population
PYRAMID_SOURCE_YEAR = 2023  # reference.load_population(2023)
PADOVA_RESIDENTS = 206_496  # 1 Jan 2023


@dataclass(frozen=True)
class Target:
    """A figure the synthetic city should show, with the accepted distance and where it comes from."""

    name: str
    value: float
    tolerance: float
    unit: str
    source: str


TARGETS: tuple[Target, ...] = (
    # IVSM elementary indicators
    Target("low_education_25_64", 2.0, 1.0, "% residents 25-64", "plausible range 1-3% for Padova"),
    Target("large_families_6plus", 1.7, 0.5, "% families", "Province of Padova 2011, V5"),
    Target("single_parent_young", 0.35, 0.2, "% families", "plausible range 0.2-0.5%"),
    Target("single_parent_adult", 6.5, 1.5, "% families", "plausible range 5-8%"),
    Target("care_hardship", 2.7, 0.6, "% families", "Province of Padova 2011, V9"),
    Target("severe_overcrowding", 0.6, 0.3, "% residents", "Province of Padova 2011, V7"),
    Target("young_outside_labour_education", 6.7, 1.5, "% residents 15-29", "Province of Padova 2011, V8"),
    Target("economic_hardship", 1.0, 0.4, "% families", "Province of Padova 2011, V6"),
    # structure of the city
    Target("residents", PADOVA_RESIDENTS, 0.01 * PADOVA_RESIDENTS, "persons", "ISTAT 1 Jan 2023"),
    Target("families", 97_000, 3_000, "families", "census 2011 94.8k; ~94-100k today"),
    Target("mean_family_size", 2.13, 0.08, "persons", "206.5k residents / ~97k families"),
    Target("foreign_share", 16.5, 1.0, "% residents", "Padova foreign citizens ~16-17%"),
    Target("one_person_families", 40.0, 4.0, "% families", "Padova census 2021 ~40%"),
    Target("tenure_owned", 65.0, 4.0, "% families", "Veneto cities ~65%"),
    Target("tenure_rented", 28.0, 4.0, "% families", "Veneto cities ~28%"),
    Target("tenure_public_housing", 6.0, 1.5, "% families", "ATER + municipal stock 5-7%"),
    Target("isee_families", 25.0, 5.0, "% families declaring", "about 20-30% of families"),
    Target("cases_open_families", 3.0, 1.0, "% families with an open case", "about 2-4% of families"),
    Target("total_fertility", 1.2, 0.15, "children per woman", "Padova ~1.2"),
)

# pyramid tolerances (at the calibration snapshot, full scale)
PYRAMID_BAND_TOLERANCE = 0.10  # each 5-year band (0-4 ... 95-99, 100+) per sex: relative error
PYRAMID_TOTAL_TOLERANCE = 0.01  # total residents: relative error
QUARTIERE_SHARE_TOLERANCE = 1.0  # percentage points
HOTSPOT_RATIO = 2.0  # some zones at least this many times the city rate


def target(name: str) -> Target:
    """The target called ``name``; KeyError if there is none."""
    for t in TARGETS:
        if t.name == name:
            return t
    raise KeyError(name)
