"""The synthetic city looks like Padova: pyramid, quartieri, family structure and IVSM components.

The full-scale checks run on a complete Padova population (marked slow, about 30 s); the small run
checks what holds at any scale.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from welfare_district.synth.calibration import (
    IVSM,
    calibration_table,
    ivsm_components,
    pyramid_errors,
    quartiere_shares,
    read_truth,
    resident_frame,
)
from welfare_district.synth.generate import generate
from welfare_district.synth.targets import (
    CALIBRATION_YEAR,
    HOTSPOT_RATIO,
    PYRAMID_BAND_TOLERANCE,
    PYRAMID_TOTAL_TOLERANCE,
    QUARTIERE_SHARE_TOLERANCE,
)


def test_small_run_quartiere_shares(synth_small: dict[str, pd.DataFrame], synth_small_dir: Path) -> None:
    res = resident_frame(synth_small, CALIBRATION_YEAR)
    shares = quartiere_shares(res, synth_small_dir / "areas")
    assert (shares["achieved"] - shares["target"]).abs().max() <= QUARTIERE_SHARE_TOLERANCE


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, pd.DataFrame]]:
    out = tmp_path_factory.mktemp("full") / "padova"
    generate(out, scale="padova", years=(2019, 2025), seed=0, extracts=False)
    return out, read_truth(out / "truth")


@pytest.mark.slow
def test_pyramid_matches_istat_2023(full: tuple[Path, dict[str, pd.DataFrame]]) -> None:
    _, t = full
    res = resident_frame(t, CALIBRATION_YEAR)
    errors = pyramid_errors(res)
    assert abs(errors["achieved"].sum() / errors["target"].sum() - 1) <= PYRAMID_TOTAL_TOLERANCE
    big = errors[errors["target"] >= 500]
    assert (big["rel_error"].abs() <= PYRAMID_BAND_TOLERANCE).all(), big
    both = errors.groupby("band")[["target", "achieved"]].sum()
    assert ((both["achieved"] / both["target"] - 1).abs() <= PYRAMID_BAND_TOLERANCE).all(), both


@pytest.mark.slow
def test_quartiere_shares_match_census(full: tuple[Path, dict[str, pd.DataFrame]]) -> None:
    out, t = full
    for year in (2019, CALIBRATION_YEAR, 2025):
        shares = quartiere_shares(resident_frame(t, year), out / "areas")
        assert (shares["achieved"] - shares["target"]).abs().max() <= QUARTIERE_SHARE_TOLERANCE, (
            year,
            shares,
        )


@pytest.mark.slow
def test_every_target_within_tolerance(full: tuple[Path, dict[str, pd.DataFrame]]) -> None:
    _, t = full
    table = calibration_table(t)
    assert table["ok"].all(), table[~table["ok"]].to_string()


@pytest.mark.slow
def test_deprived_zones_stand_out(full: tuple[Path, dict[str, pd.DataFrame]]) -> None:
    _, t = full
    res = resident_frame(t, CALIBRATION_YEAR)
    fam = t["family_year"][t["family_year"]["year"] == CALIBRATION_YEAR]
    city = ivsm_components(res, fam).iloc[0]
    zones = ivsm_components(res, fam, by="zone_id")
    for name in ("economic_hardship", "severe_overcrowding"):
        ratio = zones[name] / city[name]
        assert (ratio >= HOTSPOT_RATIO).sum() >= 2, (name, ratio.describe())
    # deprivation is shared: the same zones are high on several components
    corr = zones[list(IVSM)].corr().loc["economic_hardship", ["severe_overcrowding", "low_education_25_64"]]
    assert (corr > 0.3).all(), corr
    foreign = res.groupby("zone_id")["citizenship"].apply(lambda c: (c != "IT").mean())
    assert foreign.max() > 2 * foreign.min()
    assert np.isfinite(zones.to_numpy(float)).all()
