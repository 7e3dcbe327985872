"""Protected exports from a stored warehouse: every cell of a tiny city is small, so everything is hidden."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tests.indicators.tiny_city import save_tiny_areas, save_tiny_warehouse
from welfare_district.audit.log import list_events
from welfare_district.cli import build_app
from welfare_district.engine import Database, connect
from welfare_district.errors import NotFoundError
from welfare_district.indicators.library import default_library
from welfare_district.indicators.store import compute_and_store
from welfare_district.privacy.disclosure import DisclosurePolicy
from welfare_district.privacy.export import PUBLIC_COLUMNS, protected_table, related

KEY = b"e" * 32


def _stored(db: Database) -> None:
    save_tiny_areas(db)
    save_tiny_warehouse(db, [2024])
    compute_and_store(db, list(default_library().values()), [2024])


def test_a_tiny_city_exports_nothing_exact(db: Database) -> None:
    _stored(db)
    table = protected_table(db, "ivsm_single_parent", 2024, DisclosurePolicy(), KEY)
    assert list(table.columns) == PUBLIC_COLUMNS and set(table["indicator_id"]) == {"ivsm_single_parent"}
    shown = table[~table["suppressed"]]
    # six families: every non-empty cell is below the threshold, so only empty areas can show
    assert (shown["denominator"].astype(float) == 0).all()
    sections = protected_table(db, "ivsm_single_parent", 2024, DisclosurePolicy(), KEY, level="section")
    assert set(sections["level"]) == {"section"}
    assert sections.set_index("area_id")["protection"].equals(
        table[table["level"] == "section"].set_index("area_id")["protection"])
    with pytest.raises(NotFoundError):
        protected_table(db, "ivsm_single_parent", 1999, DisclosurePolicy(), KEY)
    assert related("ivsm_single_parent_young", DisclosurePolicy()) == [
        "ivsm_single_parent", "ivsm_single_parent_adult", "ivsm_single_parent_young"]


def test_the_export_command_writes_and_audits(database_url: str, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WELFARE_PSEUDONYM_KEY", "export-test-key-" + "y" * 30)
    with connect(database_url) as db:
        _stored(db)
    out = tmp_path / "open_cases.csv"
    runner = CliRunner()
    args = ["privacy", "export", "--indicator", "open_cases", "--year", "2024", "--out", str(out),
            "--database-url", database_url]
    done = runner.invoke(build_app(), args)
    assert done.exit_code == 0, done.output
    exported = pd.read_csv(out)
    # nine areas; every cell with residents is hidden, only the empty section shows (0 of 0)
    assert len(exported) == 9
    assert (exported["suppressed"] | (exported["denominator"] == 0)).all() and exported["suppressed"].sum() == 8
    again = runner.invoke(build_app(), args)
    assert again.exit_code == 1 and "already exists" in again.output
    keys = runner.invoke(build_app(), ["privacy", "keys"])
    assert keys.exit_code == 0 and "WELFARE_PSEUDONYM_KEY" in keys.output and "y" * 30 not in keys.output
    with connect(database_url) as db, db.engine.connect() as conn:
        events = list_events(conn)
        assert [e["action"] for e in events] == ["export.protected"]
        assert sa.inspect(conn).has_table("audit_head")
