"""`welfare areas build | import | list` end to end, on both engines."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from welfare_district.cli.areas import app
from welfare_district.engine import connect
from welfare_district.geo.store import count_by_level


def test_build_list_and_a_refused_import(database_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    built = runner.invoke(app, ["build", "--seed", "3", "--database-url", database_url])
    assert built.exit_code == 0, built.output
    assert "6 quartieri" in built.output and "civici (seed 3)" in built.output

    listed = runner.invoke(app, ["list", "--database-url", database_url])
    assert listed.exit_code == 0, listed.output
    for expected in ("synthetic-v1-seed3", "206,496", "istat-asc-2011", "1,3"):
        assert expected in listed.output
    zone_only = runner.invoke(app, ["list", "--level", "zone", "--database-url", database_url])
    assert "quartiere" not in zone_only.output and "synthetic-v1-seed3" in zone_only.output

    bad = tmp_path / "zone.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"C": "1", "P": "1"},
         "geometry": {"type": "Polygon", "coordinates": [[[11.87, 45.40], [11.88, 45.41], [11.88, 45.40],
                                                          [11.87, 45.41], [11.87, 45.40]]]}}]}))
    refused = runner.invoke(app, ["import", str(bad), "--level", "zone", "--code-field", "C",
                                  "--parent-field", "P", "--database-url", database_url])
    assert refused.exit_code == 1
    assert "Error:" in refused.output and "invalid polygon" in refused.output
    assert "Traceback" not in refused.output and len(refused.output.strip().splitlines()) == 1
    with connect(database_url) as db:
        counts = count_by_level(db)
    assert set(counts["boundary_version"]) == {"istat-2023", "istat-asc-2011", "synthetic-v1-seed3"}


def test_bad_arguments_are_one_line_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    url = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    wrong_level = runner.invoke(app, ["list", "--level", "ward", "--database-url", url])
    assert wrong_level.exit_code == 1 and "unknown area level 'ward'" in wrong_level.output
    no_areas = runner.invoke(app, ["import", str(tmp_path / "missing.shp"), "--level", "section",
                                   "--code-field", "A", "--parent-field", "B", "--database-url", url])
    assert no_areas.exit_code == 1 and "missing.shp: file not found" in no_areas.output
    city = runner.invoke(app, ["import", str(tmp_path / "x.shp"), "--level", "city", "--code-field", "A",
                               "--parent-field", "B", "--database-url", url])
    assert city.exit_code == 1 and "--level must be one of zone, section" in city.output
    empty = runner.invoke(app, ["list", "--database-url", url])
    assert empty.exit_code == 0 and "welfare areas build" in empty.output
