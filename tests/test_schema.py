"""A database made by an older version: its missing columns are found, added in place, or refused whole."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from welfare_district.engine import Database
from welfare_district.errors import ConfigError
from welfare_district.indicators.store import indicator_value_table
from welfare_district.schema import declared_tables, differences, upgrade


def _older_table(db: Database, table: sa.Table, without: set[str]) -> None:
    # the table as an older version created it: the same columns minus ``without``
    columns = [sa.Column(c.name, c.type, nullable=c.nullable) for c in table.columns if c.name not in without]
    sa.Table(table.name, sa.MetaData(), *columns).create(db.engine)


def test_a_missing_nullable_column_is_added_and_existing_rows_keep_their_data(db: Database) -> None:
    table = indicator_value_table()
    _older_table(db, table, {"ci_low", "ci_high"})
    with db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO indicator_value (indicator_id, level, area_id, year, numerator, "
                             "denominator, value, unstable, definition_version, boundary_version, snapshot_built_at, "
                             "computed_at) VALUES ('x', 'city', 'C', 2024, 1, 2, 50, false, 'v', 'b', "
                             "TIMESTAMP '2025-01-01 00:00:00', TIMESTAMP '2025-01-01 00:00:00')"))
    found = differences(db)
    assert {(d.table, d.column, d.fix) for d in found} == {("indicator_value", "ci_low", "add"),
                                                            ("indicator_value", "ci_high", "add")}
    assert "welfare db upgrade" in found[0].describe()
    assert {d.column for d in upgrade(db)} == {"ci_low", "ci_high"}
    assert differences(db) == [] and upgrade(db) == []
    with db.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT value, ci_low FROM indicator_value")).one()
    assert (row.value, row.ci_low) == (50, None)


def test_a_missing_required_column_refuses_the_whole_upgrade(db: Database) -> None:
    table = indicator_value_table()
    required = next(c.name for c in table.columns if not c.nullable and not c.primary_key)
    _older_table(db, table, {required, "ci_low"})
    with pytest.raises(ConfigError, match=f"lacks column {required}") as info:
        upgrade(db)
    assert "nothing was changed" in str(info.value)
    # not even the nullable column was added
    assert {d.column for d in differences(db)} == {required, "ci_low"}


def test_every_declared_table_is_listed_once_and_absent_tables_are_not_differences(db: Database) -> None:
    names = [t.name for t in declared_tables()]
    assert len(names) == len(set(names)) and {"person_record", "wh_person", "indicator_value",
                                                "hsds_service", "impact_project", "audit_log"} <= set(names)
    assert differences(db) == []


def test_cli_check_exits_1_on_differences_and_upgrade_fixes_them(db: Database) -> None:
    from welfare_district.cli import build_app

    _older_table(db, indicator_value_table(), {"null_reason"})
    runner = CliRunner()
    checked = runner.invoke(build_app(), ["db", "check", "--database-url", db.url])
    assert checked.exit_code == 1 and "indicator_value lacks column null_reason" in checked.output
    upgraded = runner.invoke(build_app(), ["db", "upgrade", "--database-url", db.url])
    assert upgraded.exit_code == 0 and "added column null_reason to table indicator_value" in upgraded.output
    again = runner.invoke(build_app(), ["db", "check", "--database-url", db.url])
    assert again.exit_code == 0 and "match this version" in again.output


def test_a_retired_table_is_listed_and_dropped_with_its_rows(db: Database) -> None:
    from welfare_district.cli import build_app

    with db.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE family_link (record_id TEXT, family_id TEXT)"))
        conn.execute(sa.text("INSERT INTO family_link VALUES ('anagrafe:a.csv:1', 'F1')"))
    found = differences(db)
    assert [(d.table, d.fix) for d in found] == [("family_link", "drop")]
    assert "no longer used" in found[0].describe() and "welfare db upgrade" in found[0].describe()
    runner = CliRunner()
    checked = runner.invoke(build_app(), ["db", "check", "--database-url", db.url])
    assert checked.exit_code == 1 and "table family_link is no longer used" in checked.output
    upgraded = runner.invoke(build_app(), ["db", "upgrade", "--database-url", db.url])
    assert upgraded.exit_code == 0 and "dropped table family_link" in upgraded.output
    assert differences(db) == [] and upgrade(db) == []
    with db.engine.connect() as conn:
        assert not sa.inspect(conn).has_table("family_link")


def test_a_retired_table_is_not_dropped_when_the_upgrade_is_refused(db: Database) -> None:
    table = indicator_value_table()
    required = next(c.name for c in table.columns if not c.nullable and not c.primary_key)
    _older_table(db, table, {required})
    with db.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE family_link (record_id TEXT, family_id TEXT)"))
    with pytest.raises(ConfigError, match="nothing was changed"):
        upgrade(db)
    assert ("family_link", "drop") in {(d.table, d.fix) for d in differences(db)}
