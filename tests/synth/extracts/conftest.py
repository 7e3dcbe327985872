"""One fake truth and one run of the extracts per test session (the run takes a few seconds)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from welfare_district.synth.extracts import write_extracts

from .fake_truth import build_fake_truth

SEED = 11
YEARS = (2018, 2024)


@dataclass(frozen=True)
class Run:
    """The output of one write_extracts call on the fake truth."""

    root: Path
    counts: dict[str, int]

    @property
    def extracts(self) -> Path:
        return self.root / "extracts"

    @property
    def truth(self) -> Path:
        return self.root / "truth"

    def records(self) -> pd.DataFrame:
        return pd.read_csv(
            self.root / "ground_truth" / "records.csv",
            dtype={"record_key": str, "errors": str},
            keep_default_na=False,
        )

    def rates(self) -> pd.DataFrame:
        return pd.read_csv(self.root / "ground_truth" / "error_rates.csv")


@pytest.fixture(scope="session")
def truth_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("city")
    build_fake_truth(root, n_families=1800, years=YEARS, seed=5)
    return root


@pytest.fixture(scope="session")
def run(truth_root: Path) -> Run:
    counts = write_extracts(truth_root / "truth", truth_root / "extracts", SEED, YEARS)
    return Run(truth_root, counts)
