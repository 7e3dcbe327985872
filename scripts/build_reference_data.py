"""Convert the public source files into the reference data shipped in welfare_district/data/.

Run once when a source changes:  python scripts/build_reference_data.py [SOURCE_DIR]
SOURCE_DIR defaults to /work/shared/data (the folder layout described in its README.md). The product
never reads SOURCE_DIR at run time; it only reads what this script writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyogrio.raw import read

from welfare_district.geo.crs import geometry_to_geojson, to_store

OUT = Path(__file__).resolve().parents[1] / "welfare_district" / "data"
QUARTIERI_ZIP = "quartieri_asc2011/ASC2011_WGS84_Padova_028060.zip"
COPIES = {
    "boundaries_comuni/padova_comune_028060.geojson": "comune_padova.geojson",
    "popolazione_eta_sesso/padova_028060_pop_eta_sesso_2022.csv": "popolazione_eta_sesso_2022.csv",
    "popolazione_eta_sesso/padova_028060_pop_eta_sesso_2023.csv": "popolazione_eta_sesso_2023.csv",
    "stradario/anncsu_odonimi_padova_G224.csv": "stradario_padova.csv",
    "comuni_italiani/comuniANPR_ISTAT.csv": "comuni_italiani.csv",
}
CENSUS_FIELDS = ("POPRES", "MASCHI", "FAMIGLIE", "ABITAZIONI", "EDIFICI")


def build_quartieri(source: Path) -> dict[str, Any]:
    """The six ASC-2011 polygons in EPSG:4326 (1e-6 degree grid) with code, name and census counts."""
    meta, _fids, wkb, values = read(source / QUARTIERI_ZIP)
    if meta["crs"] != "EPSG:32632":
        raise SystemExit(f"{QUARTIERI_ZIP}: expected EPSG:32632, found {meta['crs']}")
    cols = {str(name): np.asarray(col) for name, col in zip(meta["fields"], values, strict=True)}
    features: list[dict[str, Any]] = []
    for i, geom in enumerate(shapely.from_wkb(wkb)):
        projected = to_store(geom)
        if not projected.is_valid or projected.geom_type != "Polygon":
            raise SystemExit(f"{QUARTIERI_ZIP}: feature {i} is not a valid polygon after reprojection")
        props: dict[str, Any] = {"code": int(cols["COD_ASC"][i]), "name": str(cols["DEN_ASC"][i])}
        props.update({f: int(cols[f][i]) for f in CENSUS_FIELDS})
        features.append({"type": "Feature", "properties": props, "geometry": geometry_to_geojson(projected)})
    features.sort(key=lambda f: f["properties"]["code"])
    return {"type": "FeatureCollection", "features": features}


def main(argv: list[str]) -> None:
    """Write every shipped reference file into welfare_district/data/ from the source folder."""
    source = Path(argv[1]) if len(argv) > 1 else Path("/work/shared/data")
    OUT.mkdir(parents=True, exist_ok=True)
    quartieri = build_quartieri(source)
    (OUT / "quartieri.geojson").write_text(json.dumps(quartieri, ensure_ascii=False) + "\n", encoding="utf-8")
    for src, dst in COPIES.items():
        # Decode and re-encode so a non-UTF-8 source would fail here rather than at run time.
        text = (source / src).read_bytes().decode("utf-8")
        (OUT / dst).write_text(text, encoding="utf-8", newline="")
    print(f"wrote {len(COPIES) + 1} files to {OUT}")


if __name__ == "__main__":
    main(sys.argv)
