"""Shared fixtures of the geography tests: one synthetic hierarchy and register per test session."""

from __future__ import annotations

import pandas as pd
import pytest

from welfare_district.geo.areaset import AreaSet
from welfare_district.geo.civici import build_synthetic_civici
from welfare_district.geo.hierarchy import build_synthetic_hierarchy


@pytest.fixture(scope="session")
def areaset() -> AreaSet:
    """The synthetic hierarchy for seed 0 (built once; tests must not modify it)."""
    return build_synthetic_hierarchy(seed=0)


@pytest.fixture(scope="session")
def civici(areaset: AreaSet) -> pd.DataFrame:
    """The synthetic civici for seed 0 over ``areaset`` (built once; tests must not modify it)."""
    return build_synthetic_civici(areaset, seed=0)
