"""Reading extracts back with their declared layout."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from welfare_district.synth.extracts.layout import FileLayout, layout_for


def read_extract(extracts: Path, relative: str) -> tuple[pd.DataFrame, FileLayout]:
    """A person-level or catalogue extract as strings, read with the layout the docs declare."""
    layout = layout_for(relative)
    path = extracts / relative
    if layout.kind == "csv":
        df = pd.read_csv(
            path,
            sep=layout.sep,
            encoding=layout.encoding,
            dtype=str,
            keep_default_na=False,
            skiprows=layout.header_row - 1,
        )
    elif layout.kind == "xlsx":
        df = pd.read_excel(path, header=layout.header_row - 1, dtype=str).fillna("")
    else:
        raise ValueError(f"{relative} is not tabular")
    return df, layout


def person_files(counts: dict[str, int]) -> list[str]:
    """Person-level extract files of a run, relative to the extracts folder."""
    rel = [k.removeprefix("extracts/") for k in counts if k.startswith("extracts/")]
    return sorted(r for r in rel if layout_for(r).person_level)
