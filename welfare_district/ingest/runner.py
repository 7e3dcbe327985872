"""Load every declared file of an extracts folder, each in its own all-or-nothing load."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from welfare_district.engine import Database, batched_checkpoints
from welfare_district.ingest.load import LoadResult, ensure_tables, load_into_tables
from welfare_district.ingest.rules import remember_distinct
from welfare_district.sources.catalogue import SourceDeclaration, shipped_catalogue, source_for_file


def declared_files(folder: Path, catalogue: dict[str, SourceDeclaration] | None = None, *,
                   under: str | None = None, skip: Collection[str] = ()) -> list[tuple[Path, SourceDeclaration]]:
    """Files under ``folder`` (recursively, name order) matched to exactly one declared source.

    ``under`` keeps only the files of that subfolder; ``skip`` leaves out the subfolders it names (a
    regional dataset's comune folders, which their own runs load).
    """
    sources = catalogue if catalogue is not None else shipped_catalogue()
    root = folder / under if under else folder
    found = []
    for path in sorted(p for p in Path(root).rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name.split("/", 1)[0] in skip:
            continue
        decl = source_for_file(name, sources)
        if decl is not None and decl.format != "sql":
            found.append((path, decl))
    return found


def ingest_folder(db: Database, folder: Path, *, strict: bool = False,
                  catalogue: dict[str, SourceDeclaration] | None = None, under: str | None = None,
                  skip: Collection[str] = ()) -> list[LoadResult]:
    """Load each declared file of ``folder`` (``under`` and ``skip`` as in ``declared_files``); files
    already loaded come back with status 'unchanged'. Each file is named by its path relative to ``folder``.

    Guarantees: one transaction per file, so a failing file leaves the earlier ones loaded and itself absent.
    """
    files = declared_files(folder, catalogue, under=under, skip=skip)
    if files:  # once for the folder, not per file; an empty folder creates nothing, as before
        ensure_tables(db)
    # many small loads append to the same tables: checkpoint them together rather than every few files; the
    # files repeat the same dates: parse each distinct one once
    with batched_checkpoints(db.engine, db.dialect), remember_distinct():
        return [load_into_tables(db, decl, path, strict=strict, file_name=path.relative_to(folder).as_posix())
                for path, decl in files]
