"""Deterministic output: truth tables as Parquet, the area hierarchy as GeoJSON and CSV, the manifest.

Same input, same bytes: Parquet files are written with fixed options (no timestamps exist in Parquet
metadata; ``created_by`` names the pyarrow version), yearly tables get one row group per year and chunk
so readers can skip other years, JSON is written with sorted keys where order is not meaningful.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import shapely

from welfare_district.geo.areaset import LEVELS, frame_to_feature_collection
from welfare_district.synth import schema

PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "version": "2.6",
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_version": "1.0",
}
MAX_ROW_GROUP = 1_000_000


class TruthWriter:
    """One ParquetWriter per truth table, fed chunk by chunk, so memory holds one chunk at a time."""

    def __init__(self, truth_dir: Path) -> None:
        self.dir = truth_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self._writers: dict[str, pq.ParquetWriter] = {}
        self.rows: dict[str, int] = {name: 0 for name in schema.TRUTH_TABLES}

    def write(self, tables: dict[str, pa.Table]) -> None:
        """Append one chunk's tables; yearly tables are split into one row group per year."""
        for name, sch in schema.TRUTH_TABLES.items():
            table = tables[name].cast(sch)
            if name not in self._writers:
                self._writers[name] = pq.ParquetWriter(self.dir / f"{name}.parquet", sch, **PARQUET_OPTIONS)
            writer = self._writers[name]
            if "year" in sch.names:
                for year in sorted(set(table.column("year").to_pylist())):
                    part = table.filter(pc.equal(table.column("year"), pa.scalar(year, pa.int16())))
                    writer.write_table(part, row_group_size=MAX_ROW_GROUP)
            else:
                writer.write_table(table, row_group_size=MAX_ROW_GROUP)
            self.rows[name] += table.num_rows

    def close(self) -> dict[str, int]:
        """Close every file (creating empty ones for tables that got no rows); returns row counts."""
        for name, sch in schema.TRUTH_TABLES.items():
            if name not in self._writers:
                self._writers[name] = pq.ParquetWriter(self.dir / f"{name}.parquet", sch, **PARQUET_OPTIONS)
            self._writers[name].close()
        return dict(self.rows)


def district_areas(
    areas: pd.DataFrame, prefix: str, shift: tuple[float, float], targets: pd.Series, synthetic_all: bool
) -> pd.DataFrame:
    """The hierarchy of one chunk: ids prefixed, geometry shifted, targets summed up from sections."""
    out = areas.copy()
    out["area_id"] = prefix + out["area_id"].astype(str)
    out["parent_id"] = out["parent_id"].map(lambda p: None if p is None or p != p else prefix + str(p))
    out["code"] = prefix + out["code"].astype(str)
    if synthetic_all:
        out["synthetic"] = True
        out.loc[out["level"] == "city", "name"] = f"Padova (virtual district {prefix.rstrip('-')})"
    if shift != (0.0, 0.0):
        offset = np.array(shift)
        out["geometry"] = list(
            shapely.transform(np.array(list(out["geometry"]), dtype=object), lambda c: c + offset)
        )
    sec = out["level"] == "section"
    out.loc[sec, "target_residents"] = out.loc[sec, "area_id"].map(targets).fillna(0).astype("int64")
    for level in ("zone", "quartiere", "city"):
        child = LEVELS[LEVELS.index(level) + 1]
        sums = out[out["level"] == child].groupby("parent_id")["target_residents"].sum()
        rows = out["level"] == level
        out.loc[rows, "target_residents"] = out.loc[rows, "area_id"].map(sums).fillna(0).astype("int64")
    out["target_residents"] = out["target_residents"].astype("int64")
    return out


def district_civici(
    civici: pd.DataFrame, prefix: str, shift: tuple[float, float], id_offset: int
) -> pd.DataFrame:
    """The house numbers of one chunk, with the chunk's ids and coordinates."""
    out = civici.copy()
    out["civico_id"] = out["civico_id"].astype("int64") + id_offset
    for col in ("section_id", "zone_id", "quartiere_id"):
        out[col] = prefix + out[col].astype(str)
    out["lon"] = out["lon"] + shift[0]
    out["lat"] = out["lat"] + shift[1]
    return out


def write_areas(areas_dir: Path, parts: list[pd.DataFrame], civici_parts: list[pd.DataFrame]) -> None:
    """``<level>.geojson`` for each level and ``civici.csv``, chunks in order."""
    areas_dir.mkdir(parents=True, exist_ok=True)
    areas = pd.concat(parts, ignore_index=True)
    for level in LEVELS:
        fc = frame_to_feature_collection(areas[areas["level"] == level].reset_index(drop=True))
        with open(areas_dir / f"{level}.geojson", "w", encoding="utf-8", newline="\n") as fh:
            json.dump(fc, fh, ensure_ascii=False, separators=(",", ":"))
    civici = pd.concat(civici_parts, ignore_index=True)
    civici.to_csv(areas_dir / "civici.csv", index=False, lineterminator="\n", float_format="%.7f")


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(root: Path, info: dict[str, Any]) -> dict[str, Any]:
    """``manifest.json``: ``info`` plus the SHA-256 of every file under ``root`` (relative, sorted)."""
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != "manifest.json")
    manifest = {**info, "files": {p.relative_to(root).as_posix(): sha256(p) for p in files}}
    with open(root / "manifest.json", "w", encoding="utf-8", newline="\n") as fh:
        json.dump(manifest, fh, indent=2, sort_keys=True)
        fh.write("\n")
    return manifest
