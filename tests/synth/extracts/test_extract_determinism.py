"""Same seed, same bytes, for every file (CSV, xlsx, JSON and the ground truth), whatever the chunk size."""

from __future__ import annotations

from pathlib import Path

import pytest

from welfare_district.synth.extracts import anagrafe, tari, write_extracts

from .conftest import SEED, YEARS, Run


def _files(root: Path) -> dict[str, bytes]:
    out = {}
    for sub in ("extracts", "ground_truth"):
        for p in sorted((root / sub).rglob("*")):
            if p.is_file():
                out[p.relative_to(root).as_posix()] = p.read_bytes()
    return out


def test_same_seed_same_bytes_with_small_chunks(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(anagrafe, "CHUNK", 500)  # the large CSVs are written in several appended chunks
    monkeypatch.setattr(tari, "CHUNK", 300)
    again = tmp_path / "again"
    counts = write_extracts(run.truth, again / "extracts", SEED, YEARS)
    assert counts == run.counts
    first, second = _files(run.root), _files(again)
    assert first.keys() == second.keys()
    assert any(k.endswith(".xlsx") for k in first)
    different = [k for k in first if first[k] != second[k]]
    assert not different
