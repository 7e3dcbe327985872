"""Read an area hierarchy and house-number register written as files (``<level>.geojson`` + ``civici.csv``),
as `welfare synth` writes them, so later stages use exactly the areas a dataset was generated on."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from welfare_district.errors import InputError
from welfare_district.geo.areaset import COLUMNS, LEVELS, AreaSet, BoundaryVersionInfo
from welfare_district.geo.civici import CIVICI_COLUMNS
from welfare_district.geo.crs import geometry_from_geojson

_CIVICI_DTYPES = {"civico_id": "int64", "street_code": "string", "street_type": "string", "street_name": "string",
                  "number": "int64", "suffix": "string", "lon": "float64", "lat": "float64",
                  "section_id": "string", "zone_id": "string", "quartiere_id": "string"}


def read_area_folder(folder: Path) -> tuple[AreaSet, pd.DataFrame]:
    """The AreaSet and civici stored in ``folder``; InputError naming the file when one is missing or malformed.

    Guarantees: the returned AreaSet passes ``validate()``; civici have exactly CIVICI_COLUMNS.
    """
    frames = []
    for level in LEVELS:
        path = folder / f"{level}.geojson"
        if not path.is_file():
            raise InputError("area file missing", path=str(path))
        try:
            features = json.loads(path.read_text(encoding="utf-8"))["features"]
            rows = [{**f["properties"], "geometry": geometry_from_geojson(f["geometry"])} for f in features]
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not a GeoJSON FeatureCollection of areas ({exc})", path=str(path)) from exc
        frame = pd.DataFrame(rows, columns=COLUMNS)
        if (frame["level"] != level).any():
            raise InputError(f"holds areas that are not of level {level!r}", path=str(path), field="level")
        frames.append(frame)
    areas = pd.concat(frames, ignore_index=True)
    areas["synthetic"] = areas["synthetic"].astype(bool)
    areas["target_residents"] = areas["target_residents"].astype("int64")
    versions = {v: BoundaryVersionInfo(source=f"files in {folder.name}/", crs_note="EPSG:4326")
                for v in areas["boundary_version"].unique()}
    areaset = AreaSet(areas, versions)
    areaset.validate()
    civici_path = folder / "civici.csv"
    if not civici_path.is_file():
        raise InputError("house-number register missing", path=str(civici_path))
    civici = pd.read_csv(civici_path, dtype=_CIVICI_DTYPES, keep_default_na=False, na_values={"suffix": [""]})
    missing = [c for c in CIVICI_COLUMNS if c not in civici.columns]
    if missing:
        raise InputError(f"lacks columns {missing}", path=str(civici_path))
    civici["suffix"] = civici["suffix"].astype(object).where(civici["suffix"].notna(), None)
    return areaset, civici[CIVICI_COLUMNS]
