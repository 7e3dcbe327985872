"""Import and export of the catalogue by format: HSDS JSON, HSDS CSV datapackage, the municipal extract."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from welfare_district.directory.catalogo import has_catalogue, read_catalogo
from welfare_district.directory.hsds_csv import export_datapackage, read_datapackage
from welfare_district.directory.hsds_json import export_json, read_json
from welfare_district.directory.store import LoadResult, load_catalogue, read_catalogue
from welfare_district.engine import Database
from welfare_district.errors import InputError

Format = Literal["hsds-json", "hsds-csv", "catalogo"]
FORMATS: tuple[Format, ...] = ("hsds-json", "hsds-csv", "catalogo")


def guess_format(path: Path) -> Format:
    """The format of ``path``: a .json file, a catalogue extract folder, or a datapackage folder."""
    if path.is_file() and path.suffix.lower() == ".json":
        return "hsds-json"
    if path.is_dir():
        return "catalogo" if has_catalogue(path) else "hsds-csv"
    raise InputError("cannot tell the format: pass --format hsds-json, hsds-csv or catalogo", path=path.name)


def import_catalogue(db: Database, path: Path, fmt: Format | None = None) -> LoadResult:
    """Read ``path`` in ``fmt`` (guessed when None), validate everything and replace the catalogue atomically.

    HsdsImportError lists every problem (file, row, field, reason code) and nothing is loaded; the same
    catalogue imported twice changes nothing the second time.
    """
    if not path.exists():
        raise InputError("no such file or folder", path=str(path))
    chosen = fmt or guess_format(path)
    if chosen == "hsds-json":
        raw, issues = read_json(path)
    elif chosen == "hsds-csv":
        raw, issues = read_datapackage(path)
    elif chosen == "catalogo":
        raw, issues = read_catalogo(path), []
    else:
        raise InputError(f"unknown format {chosen!r}; expected one of {', '.join(FORMATS)}", field="format")
    return load_catalogue(db, raw, source=path.name, prior_issues=issues)


def export_catalogue(db: Database, path: Path, fmt: Format) -> list[Path]:
    """Write the published catalogue to ``path`` (a .json file, or a folder for the datapackage)."""
    cat = read_catalogue(db)
    if fmt == "hsds-json":
        path.parent.mkdir(parents=True, exist_ok=True)
        export_json(cat, path)
        return [path]
    if fmt == "hsds-csv":
        return export_datapackage(cat, path)
    raise InputError("export writes hsds-json or hsds-csv", field="format")
