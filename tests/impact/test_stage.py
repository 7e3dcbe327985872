"""The pipeline's impact stage: imports the dataset's report folder once, skips when nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.impact.helpers import CALL, beneficiary, build_city, project, write_csv
from welfare_district.engine import Database
from welfare_district.impact.monitoring import project_reach
from welfare_district.pipeline import PipelineInput, stage_impact


def test_stage_imports_once_and_needs_a_pseudonym_key(db: Database, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    build_city(db)
    assert stage_impact(db, PipelineInput(tmp_path)).startswith("no impact reports")
    folder = tmp_path / "extracts" / "impatto"
    folder.mkdir(parents=True)
    write_csv(folder / "bandi.csv", [CALL])
    write_csv(folder / "progetti.csv", [project("P1")])
    write_csv(folder / "beneficiari_P1.csv", [beneficiary("P1", 1), beneficiary("P1", 3)])
    monkeypatch.delenv("WELFARE_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("WELFARE_DEMO", "false")
    assert stage_impact(db, PipelineInput(tmp_path)).startswith("no pseudonym key configured")
    monkeypatch.setenv("WELFARE_PSEUDONYM_KEY", "k" * 40)
    first = stage_impact(db, PipelineInput(tmp_path))
    assert first == "3 report files: 3 loaded (4 rows), 0 unchanged, 0 rejected"
    assert stage_impact(db, PipelineInput(tmp_path)).startswith("unchanged reports and linkage")
    # nothing linked in this database: both people count, as pseudonyms
    assert project_reach(db).loc[0, ["people", "unlinked"]].tolist() == [2, 2]
