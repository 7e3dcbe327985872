"""The pipeline's ``impact`` stage: import the dataset's report folder after the directory stage."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from welfare_district.engine import Database

VERSION = "impact-1"


def run_impact_stage(db: Database, folder: Path | None,
                     last: Callable[[Database, str], str | None], remember: Callable[[Database, str, str], None],
                     digest: Callable[..., str]) -> str:
    """Import every report file of ``folder``; a one-line summary. Skipped when there is no report, or when
    the files and the linkage are those of the last run (fingerprint kept like the other stages')."""
    from welfare_district.errors import ConfigError
    from welfare_district.impact.importer import import_reports, report_files
    from welfare_district.privacy.pseudonym import Pseudonymiser, load_keyring
    from welfare_district.settings import get_settings

    files = report_files(folder) if folder is not None and folder.is_dir() else []
    if not files:
        return "no impact reports in the dataset: nothing to import"
    try:
        # beneficiaries the registers do not hold are kept only as keyed pseudonyms: no key, no import
        pseudonymiser = Pseudonymiser(load_keyring(get_settings()))
    except ConfigError:
        return "no pseudonym key configured: impact reports not imported (see docs/privacy.md)"
    hashes = [f"{p.name}:{hashlib.sha256(p.read_bytes()).hexdigest()}" for p in files]
    fingerprint = digest(VERSION, last(db, "link") or "", *hashes)
    if last(db, "impact") == fingerprint:
        return "unchanged reports and linkage: register of actions kept"
    results = import_reports(db, files, pseudonymiser=pseudonymiser)
    rejected = [r for r in results if r.status == "rejected"]
    loaded = sum(r.rows for r in results if r.status == "loaded")
    if not rejected:
        remember(db, "impact", fingerprint)
    return (f"{len(files)} report files: {sum(r.status == 'loaded' for r in results)} loaded ({loaded:,} rows), "
            f"{sum(r.status == 'unchanged' for r in results)} unchanged, {len(rejected)} rejected")
