"""Fill the warehouse snapshot tables from a synthetic city's ground truth.

Indicators computed on these tables are the truth the integration pipeline is measured against: the pipeline
builds the same tables from linked, geocoded sources, and the difference per indicator is the error that
linkage and geocoding explain.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from welfare_district.engine import Database, bulk_insert
from welfare_district.errors import InputError
from welfare_district.model.warehouse import ensure_warehouse_tables, warehouse_tables

_AREA = ["section_id", "zone_id", "quartiere_id"]


def build_truth_warehouse(dataset_dir: Path, db: Database, years: list[int] | None = None) -> dict[str, int]:
    """Replace the warehouse snapshots of the dataset's years (or ``years``) with its truth; rows per table.

    Guarantees: one transaction (on any error nothing changes); age is completed years on 31 December;
    area ids come from the dwelling; dwellings are those with at least one resident; ISEE keeps each
    family-year's latest declaration and the count of declarations; cases are those open at some time
    in the year. InputError when a truth file is missing.
    """
    truth = Path(dataset_dir) / "truth"
    frames = {name: _read(truth, name) for name in
              ("persons", "person_year", "family_year", "dwellings", "isee", "cases")}
    all_years = sorted(int(y) for y in frames["person_year"]["year"].unique())
    years = all_years if years is None else sorted(set(years))
    if missing := sorted(set(years) - set(all_years)):
        raise InputError(f"the dataset has no snapshot for years {missing}", path=str(truth))
    tables = _build(frames, years, _section_version(Path(dataset_dir)))
    t = warehouse_tables()
    ensure_warehouse_tables(db.engine)
    counts: dict[str, int] = {}
    with db.engine.begin() as conn:
        for table in (t.person, t.family, t.dwelling, t.isee, t.case, t.snapshot):
            conn.execute(sa.delete(table).where(table.c.snapshot_year.in_(years)))
        for name, data in tables.items():
            counts[name] = bulk_insert(conn, db.dialect, name, data)
    return counts


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = folder / f"{name}.parquet"
    if not path.is_file():
        raise InputError("truth table missing", path=str(path))
    return pq.read_table(path).to_pandas()


def _section_version(dataset_dir: Path) -> str:
    path = dataset_dir / "areas" / "section.geojson"
    if not path.is_file():
        return "unknown"
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return str(features[0]["properties"]["boundary_version"]) if features else "unknown"


def _build(f: dict[str, pd.DataFrame], years: list[int], boundary_version: str) -> dict[str, pa.Table]:
    areas = f["dwellings"][["dwelling_id", "surface_m2", *_AREA]]
    py = f["person_year"][f["person_year"]["year"].isin(years)]
    py = py.merge(f["persons"][["person_id", "sex", "birth_date", "citizenship"]], on="person_id", how="left")
    py = py.merge(areas[["dwelling_id", *_AREA]], on="dwelling_id", how="left")
    birth_year = pd.to_datetime(py["birth_date"]).dt.year
    # On 31 December everyone born in a year has completed it, so age is a difference of years.
    py["age"] = (py["year"].astype("int64") - birth_year).astype("int16")
    person = py.rename(columns={"year": "snapshot_year"})[[
        "snapshot_year", "person_id", "family_id", "relation", "dwelling_id", "sex", "birth_date", "age",
        "citizenship", "education", "labour_status", "disability_allowance", "care_allowance", *_AREA]]

    fy = f["family_year"][f["family_year"]["year"].isin(years)]
    fy = fy.merge(areas[["dwelling_id", *_AREA]], on="dwelling_id", how="left")
    family = fy.rename(columns={"year": "snapshot_year"})[[
        "snapshot_year", "family_id", "head_person_id", "size", "dwelling_id", "tenure", *_AREA]]

    occ = (py.dropna(subset=["dwelling_id"]).groupby(["year", "dwelling_id"]).size()
           .rename("occupants").reset_index())
    dwelling = occ.merge(areas, on="dwelling_id", how="left").rename(columns={"year": "snapshot_year"})[[
        "snapshot_year", "dwelling_id", "surface_m2", "occupants", *_AREA]]

    isee = f["isee"][f["isee"]["year"].isin(years)].sort_values(["year", "family_id", "submitted", "dsu_id"])
    latest = isee.groupby(["year", "family_id"]).agg(declarations=("dsu_id", "size"),
                                                     isee_eur=("isee_eur", "last")).reset_index()
    latest = latest.merge(fy[["year", "family_id", *_AREA]], on=["year", "family_id"], how="left")
    isee_t = latest.rename(columns={"year": "snapshot_year"})

    case = _cases(f["cases"], py, years)
    snapshot = pd.DataFrame({
        "snapshot_year": years, "reference_date": [date(y, 12, 31) for y in years],
        "boundary_version": boundary_version, "origin": "synthetic truth", "built_at": datetime.now(UTC)})
    return {"wh_snapshot": warehouse_arrow(snapshot, "snapshot"), "wh_person": warehouse_arrow(person, "person"),
            "wh_family": warehouse_arrow(family, "family"), "wh_dwelling": warehouse_arrow(dwelling, "dwelling"),
            "wh_isee": warehouse_arrow(isee_t, "isee"), "wh_case": warehouse_arrow(case, "case")}


def _cases(cases: pd.DataFrame, py: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    opened = pd.to_datetime(cases["opened"])
    closed = pd.to_datetime(cases["closed"])
    parts = []
    for y in years:
        alive = (opened <= pd.Timestamp(y, 12, 31)) & (closed.isna() | (closed >= pd.Timestamp(y, 1, 1)))
        parts.append(cases[alive].assign(year=y))
    rows = pd.concat(parts, ignore_index=True) if parts else cases.assign(year=pd.Series(dtype="int16"))
    where = py[["year", "person_id", *_AREA]]
    rows = rows.merge(where, on=["year", "person_id"], how="left")
    return rows.rename(columns={"year": "snapshot_year"})[[
        "snapshot_year", "case_id", "person_id", "family_id", "need", "opened", "closed", *_AREA]]


def _schema(table: str) -> pa.Schema:
    text, i16, i64 = pa.string(), pa.int16(), pa.int64()
    area = [("section_id", text), ("zone_id", text), ("quartiere_id", text)]
    schemas = {
        "snapshot": [("snapshot_year", i16), ("reference_date", pa.date32()), ("boundary_version", text),
                     ("origin", text), ("built_at", pa.timestamp("us", tz="UTC"))],
        "person": [("snapshot_year", i16), ("person_id", i64), ("family_id", i64), ("relation", text),
                   ("dwelling_id", i64), ("sex", text), ("birth_date", pa.date32()), ("age", i16),
                   ("citizenship", text), ("education", text), ("labour_status", text),
                   ("disability_allowance", pa.bool_()), ("care_allowance", pa.bool_()), *area],
        "family": [("snapshot_year", i16), ("family_id", i64), ("head_person_id", i64), ("size", i16),
                   ("dwelling_id", i64), ("tenure", text), *area],
        "dwelling": [("snapshot_year", i16), ("dwelling_id", i64), ("surface_m2", i16), ("occupants", i16),
                     *area],
        "isee": [("snapshot_year", i16), ("family_id", i64), ("declarations", i16), ("isee_eur", pa.float64()),
                 *area],
        "case": [("snapshot_year", i16), ("case_id", i64), ("person_id", i64), ("family_id", i64),
                 ("need", text), ("opened", pa.date32()), ("closed", pa.date32()), *area],
    }
    return pa.schema(schemas[table])


def warehouse_arrow(frame: pd.DataFrame, table: str) -> pa.Table:
    """``frame`` as an Arrow table of warehouse table ``table`` (snapshot, person, family, dwelling, isee, case)."""
    schema = _schema(table)
    # Nullable integer columns arrive as floats after the merges; Arrow casts them back exactly (safe cast).
    data = pa.Table.from_pandas(frame[schema.names], preserve_index=False)
    return data.select(schema.names).cast(schema.with_metadata(None), safe=True).replace_schema_metadata(None)
