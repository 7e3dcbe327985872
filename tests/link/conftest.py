"""Fixtures of the linkage tests: one small synthetic city (5% of Padova) linked once per session."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.link.synthetic import load_records, load_truth
from welfare_district.link.run import LinkResult, link_records
from welfare_district.synth.generate import generate

SUBSET_SOURCES = {"servizi_sociali", "ts_emporio", "ts_ascolto", "ts_migranti", "ts_anziani", "ater"}


@pytest.fixture(scope="session")
def small_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 5% Padova with its extracts and ground truth."""
    out = tmp_path_factory.mktemp("link") / "city"
    generate(out, fraction=0.05, seed=1)
    return out


@pytest.fixture(scope="session")
def small_records(small_city: Path) -> pd.DataFrame:
    """Every person-level record of the small city in the linkage contract."""
    return load_records(small_city / "extracts")


@pytest.fixture(scope="session")
def small_truth(small_city: Path) -> pd.Series:
    """record_id -> true person of the small city."""
    return load_truth(small_city / "ground_truth")


@pytest.fixture(scope="session")
def small_result(small_records: pd.DataFrame) -> LinkResult:
    """The small city linked with the default settings."""
    return link_records(small_records)


@pytest.fixture(scope="session")
def subset_records(small_records: pd.DataFrame) -> pd.DataFrame:
    """The last register year with the smaller sources: quick enough to link several times."""
    last = small_records["record_id"].str.startswith("anagrafe:anagrafe_2025.csv:")
    return small_records.loc[last | small_records["source"].isin(SUBSET_SOURCES)].reset_index(drop=True)
