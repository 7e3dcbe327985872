"""Fixtures of the indicator tests: one small synthetic Padova (2 years) shared by the session."""

from __future__ import annotations

from pathlib import Path

import pytest

from welfare_district.synth.generate import generate


@pytest.fixture(scope="session")
def small_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3% synthetic Padova, snapshots 2024-2025, without extracts."""
    out = tmp_path_factory.mktemp("indicators") / "city"
    generate(out, years=(2024, 2025), seed=5, fraction=0.03, extracts=False)
    return out
