"""Fixtures of the generator tests: one small run (a tenth of Padova) shared by the whole session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from welfare_district.synth.calibration import read_truth
from welfare_district.synth.generate import generate

SMALL: dict[str, Any] = {
    "scale": "padova",
    "years": (2019, 2025),
    "seed": 11,
    "fraction": 0.1,
    "extracts": False,
}


@pytest.fixture(scope="session")
def synth_small_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Output folder of a 10% Padova run, 2019-2025, without extracts."""
    out = tmp_path_factory.mktemp("synth") / "small"
    generate(out, **SMALL)
    return out


@pytest.fixture(scope="session")
def synth_small(synth_small_dir: Path) -> dict[str, pd.DataFrame]:
    """The truth tables of the small run as DataFrames."""
    return read_truth(synth_small_dir / "truth")


REGION: dict[str, Any] = {
    "scale": "veneto",
    "years": (2020, 2021),
    "seed": 5,
    "fraction": 0.02,
    "max_chunks": 2,
}


@pytest.fixture(scope="session")
def region_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A region of two virtual districts at 2% with extracts, written by two processes."""
    out = tmp_path_factory.mktemp("region") / "veneto"
    generate(out, workers=2, **REGION)
    return out
