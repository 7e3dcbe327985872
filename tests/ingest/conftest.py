"""A small synthetic Padova, generated once per test session, whose extracts the declarations must read."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def small_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder with extracts/ and ground_truth/ of a 5% synthetic Padova (seven snapshot years)."""
    from welfare_district.synth.generate import generate

    out = tmp_path_factory.mktemp("city") / "synth"
    generate(out, fraction=0.05, seed=1)
    return out
