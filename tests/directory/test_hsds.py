"""HSDS import and export on both engines: round trips, every problem named, nothing loaded on error."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.directory.conftest import write_extract
from welfare_district.directory.hsds_validate import HsdsImportError
from welfare_district.directory.model import directory_tables, ensure_tables
from welfare_district.directory.store import fingerprint, read_catalogue
from welfare_district.directory.transfer import export_catalogue, import_catalogue
from welfare_district.engine import Database


def _count(db: Database, table: str) -> int:
    ensure_tables(db.engine)
    with db.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(directory_tables().hsds[table])).scalar_one())


def test_catalogue_extract_becomes_hsds_with_runts_and_rules(db: Database, extract: Path) -> None:
    result = import_catalogue(db, extract)
    assert result.status == "loaded" and result.rows["service"] == 4 and result.rows["organization"] == 3
    cat = read_catalogue(db)
    idents = {r["organization_id"]: (r["identifier_scheme"], r["identifier"]) for r in
              cat["organization_identifier"]}
    assert idents == {"E001": ("IT-RUNTS", "123456"), "E002": ("IT-RUNTS", "654321")}
    rules = {r["service_id"]: json.loads(r["rules"]) for r in cat["eligibility_rule"]}
    assert {"kind": "isee", "max_eur": 9360.0} in rules["S0001"]
    assert {"kind": "age", "min_age": 6, "max_age": 14} in rules["S0002"]
    assert {"kind": "elderly_alone"} in rules["S0003"] and rules["S0004"] == []
    s2 = next(s for s in cat["service"] if s["id"] == "S0002")
    assert (s2["minimum_age"], s2["maximum_age"], str(s2["assured_date"])) == (6, 14, "2025-12-31")
    assert import_catalogue(db, extract).status == "unchanged"  # idempotent


@pytest.mark.parametrize("fmt", ["hsds-json", "hsds-csv"])
def test_round_trip_import_export_import_is_equal(db: Database, extract: Path, tmp_path: Path, fmt: str) -> None:
    import_catalogue(db, extract)
    first = read_catalogue(db)
    target = tmp_path / ("out.json" if fmt == "hsds-json" else "package")
    export_catalogue(db, target, fmt)  # type: ignore[arg-type]
    with db.engine.begin() as conn:  # empty the catalogue so the re-import really loads
        for table in reversed(list(directory_tables().hsds.values())):
            conn.execute(sa.delete(table))
        conn.execute(sa.delete(directory_tables().version))
    assert import_catalogue(db, target, fmt).status == "loaded"  # type: ignore[arg-type]
    assert read_catalogue(db) == first and fingerprint(read_catalogue(db)) == fingerprint(first)
    export_catalogue(db, tmp_path / "again.json", "hsds-json")
    if fmt == "hsds-json":
        assert (tmp_path / "again.json").read_text() == target.read_text()


def _rewrite(path: Path, edit: dict[tuple[int, str], str]) -> None:
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    for (line, column), value in edit.items():
        rows[line - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def test_invalid_datapackage_names_every_error_and_loads_nothing(db: Database, tmp_path: Path) -> None:
    write_extract(tmp_path / "cat")
    import_catalogue(db, tmp_path / "cat")
    export_catalogue(db, tmp_path / "pkg", "hsds-csv")
    before = read_catalogue(db)
    _rewrite(tmp_path / "pkg" / "service.csv", {(2, "status"): "open", (3, "minimum_age"): "six",
                                                (4, "organization_id"): "E999", (5, "name"): ""})
    _rewrite(tmp_path / "pkg" / "location.csv", {(2, "latitude"): "95"})
    _rewrite(tmp_path / "pkg" / "eligibility_rule.csv", {(2, "rules"): '[{"kind": "age", "min_age": 30, '
                                                                       '"max_age": 20}]'})
    with (tmp_path / "pkg" / "phone.csv").open("a", encoding="utf-8") as f:
        f.write("extra,,,,,\n")  # a row with the wrong number of cells
    with pytest.raises(HsdsImportError) as caught:
        import_catalogue(db, tmp_path / "pkg", "hsds-csv")
    found = {(i.source, i.row, i.field, i.code) for i in caught.value.issues}
    assert ("service.csv", 2, "status", "not_allowed") in found
    assert ("service.csv", 3, "minimum_age", "not_an_integer") in found
    assert ("service.csv", 4, "organization_id", "dangling_reference") in found
    assert ("service.csv", 5, "name", "required") in found
    assert ("location.csv", 2, "latitude", "out_of_range") in found
    assert ("eligibility_rule.csv", 2, "rules", "invalid_rules") in found
    assert any(i.code == "wrong_cell_count" and i.source == "phone.csv" for i in caught.value.issues)
    assert "nothing loaded" in str(caught.value)
    assert read_catalogue(db) == before  # the published catalogue is untouched


def test_invalid_json_names_problems_and_loads_nothing(db: Database, tmp_path: Path) -> None:
    doc = {"services": [
        {"id": "A1", "name": "Senza ente", "status": "active", "organization": {"id": "O1", "name": "Org"},
         "service_at_locations": [{"id": "A1@X", "location": {"id": "X", "location_type": "boat",
                                                             "latitude": 45.0}}],
         "attributes": [{"id": "A1-t", "taxonomy_term_id": "nope"}]},
        {"id": "A1", "name": "Doppio", "status": "active", "organization": {"id": "O1", "name": "Other name",
                                                                              "description": "x"}},
        {"id": "A2", "name": "Altro", "status": "active", "organization_id": "O2", "wait_time": "2 weeks",
         "organization": {"id": "O3", "name": "O3", "description": "x"}, "colour": "blue"},
    ]}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(HsdsImportError) as caught:
        import_catalogue(db, path)
    codes = {(i.table, i.field, i.code) for i in caught.value.issues}
    assert ("organization", None, "conflicting_copies") in codes
    assert ("organization", "description", "required") in codes
    assert ("location", "location_type", "not_allowed") in codes
    assert ("location", "latitude", "incomplete_point") in codes
    assert ("attribute", "taxonomy_term_id", "dangling_reference") in codes
    assert ("service", "organization_id", "conflicting_reference") in codes
    assert ("service", "colour", "unknown_field") in codes
    assert not any(i.field == "wait_time" for i in caught.value.issues)  # HSDS, not kept: dropped quietly
    assert all(i.source.startswith("bad.json#/services/") for i in caught.value.issues if i.table == "location")
    assert _count(db, "service") == 0 and _count(db, "organization") == 0


def test_unreadable_inputs_are_clear_errors(db: Database, tmp_path: Path) -> None:
    from welfare_district.errors import InputError

    (tmp_path / "x.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        import_catalogue(db, tmp_path / "x.json")
    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "enti.csv").write_text("id_ente\nE1\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a catalogue folder"):
        import_catalogue(db, tmp_path / "cat", "catalogo")
    with pytest.raises(InputError, match="no such file"):
        import_catalogue(db, tmp_path / "missing.json")
