"""The extracts stage is called after the truth tables, and skipped only when its package is absent."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest

from welfare_district.synth.generate import generate

ARGS: dict[str, Any] = {"scale": "padova", "years": (2019, 2020), "seed": 2, "fraction": 0.01}


def test_called_with_the_truth_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Path, Path, int, tuple[int, int]]] = []

    def write_extracts(truth_dir: Path, out_dir: Path, seed: int, years: tuple[int, int]) -> dict[str, int]:
        assert (truth_dir / "persons.parquet").exists()
        out_dir.mkdir()
        (out_dir / "anagrafe.csv").write_text("a\n")
        calls.append((truth_dir, out_dir, seed, years))
        return {"extracts/anagrafe.csv": 1}

    fake = types.ModuleType("welfare_district.synth.extracts")
    fake.write_extracts = write_extracts  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "welfare_district.synth.extracts", fake)
    result = generate(tmp_path / "out", **ARGS)
    assert len(calls) == 1 and calls[0][2:] == (2, (2019, 2020))
    assert "extracts/anagrafe.csv" in result.manifest["files"]
    assert result.manifest["row_counts"]["extracts/anagrafe.csv"] == 1


def test_skipped_when_the_package_is_absent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "welfare_district.synth.extracts", None)  # import raises ModuleNotFound
    result = generate(tmp_path / "out", **ARGS)
    assert not any(f.startswith("extracts/") for f in result.manifest["files"])


def test_other_import_errors_are_not_hidden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = types.ModuleType("welfare_district.synth.extracts")  # exists, but lacks write_extracts
    monkeypatch.setitem(sys.modules, "welfare_district.synth.extracts", broken)
    with pytest.raises(ImportError):
        generate(tmp_path / "out", **ARGS)
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == []
