"""HSDS 3.0 CSV datapackage: ``datapackage.json`` (Frictionless Data Package) and one CSV per table.

Export writes every table (header only when empty), RFC 4180 quoting, UTF-8, dates in ISO 8601. Import reads
the tables the datapackage lists (or, without one, every known ``<table>.csv`` in the folder); each row
remembers its file and line so validation can name them.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from welfare_district.directory.hsds_json import HSDS_VERSION
from welfare_district.directory.hsds_spec import TABLE_BY_NAME, TABLES, Catalogue, empty_catalogue
from welfare_district.directory.hsds_validate import ROW, SOURCE, Issue
from welfare_district.errors import InputError

_FRICTIONLESS_TYPES = {"id": "string", "text": "string", "int": "integer", "float": "number", "date": "date",
                       "datetime": "datetime", "json": "string"}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def export_datapackage(cat: Catalogue, folder: Path) -> list[Path]:
    """Write ``datapackage.json`` and one CSV per table into ``folder`` (created if missing); returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    resources = []
    for spec in TABLES:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(spec.field_names)
        for row in cat.get(spec.name, []):
            writer.writerow([_cell(row.get(f)) for f in spec.field_names])
        path = folder / f"{spec.name}.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        written.append(path)
        resources.append({
            "name": spec.name, "path": path.name, "profile": "tabular-data-resource", "format": "csv",
            "encoding": "utf-8",
            "schema": {"primaryKey": "id", "fields": [
                {"name": f.name, "type": _FRICTIONLESS_TYPES[f.kind],
                 "constraints": {k: v for k, v in (("required", f.required), ("enum", list(f.enum))) if v}}
                for f in spec.fields]},
        })
    package = {"name": "welfare-district-directory", "profile": "tabular-data-package",
               "hsds_version": HSDS_VERSION, "resources": resources}
    meta = folder / "datapackage.json"
    meta.write_text(json.dumps(package, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return [meta, *written]


def _listed(folder: Path) -> list[tuple[str, Path]]:
    meta = folder / "datapackage.json"
    if not meta.is_file():
        return [(t.name, folder / f"{t.name}.csv") for t in TABLES if (folder / f"{t.name}.csv").is_file()]
    try:
        package = json.loads(meta.read_text(encoding="utf-8"))
        resources = package["resources"]
        return [(str(r["name"]), folder / str(r["path"])) for r in resources]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        raise InputError("not a readable data package (needs a 'resources' list with name and path)",
                         path="datapackage.json") from None


def read_datapackage(folder: Path) -> tuple[Catalogue, list[Issue]]:
    """Raw tables from a datapackage folder and the problems of its files (unreadable, unknown columns...);
    InputError when the folder is not a data package at all."""
    if not folder.is_dir():
        raise InputError("not a folder", path=folder.name)
    cat = empty_catalogue()
    issues: list[Issue] = []
    listed = _listed(folder)
    if not listed:
        raise InputError("no datapackage.json and no HSDS table CSV in the folder", path=folder.name)
    for name, path in listed:
        if name not in TABLE_BY_NAME:
            issues.append(Issue(path.name, None, name, None, None, "unknown_table",
                                f"'{name}' is not an HSDS table this directory keeps"))
            continue
        if path.resolve().parent != folder.resolve() or not path.is_file():
            issues.append(Issue(path.name, None, name, None, None, "missing_file",
                                "the data package lists a file that is not in the folder"))
            continue
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            issues.append(Issue(path.name, None, name, None, None, "unreadable", type(exc).__name__))
            continue
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if header is None:
            issues.append(Issue(path.name, None, name, None, None, "empty_file", "no header line"))
            continue
        for column in header:
            if column not in TABLE_BY_NAME[name].field_names:
                issues.append(Issue(path.name, 1, name, None, column, "unknown_field",
                                    f"'{column}' is not a field of {name}"))
        for line, values in enumerate(reader, start=2):
            if not values:
                continue
            if len(values) != len(header):
                issues.append(Issue(path.name, line, name, None, None, "wrong_cell_count",
                                    f"{len(values)} cells for {len(header)} columns"))
                continue
            row: dict[str, Any] = {h: v for h, v in zip(header, values, strict=True)
                                   if h in TABLE_BY_NAME[name].field_names}
            row[SOURCE], row[ROW] = path.name, line
            cat[name].append(row)
    return cat, issues
