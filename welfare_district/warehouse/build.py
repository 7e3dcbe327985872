"""Build the warehouse snapshots from the register records of each year, linked and geocoded.

One snapshot per reference year present in the register (31 December of that year):

- persons: the register's rows of that year (quarantined rows are not staged, so they are absent); age on
  31 December; relation and citizenship mapped to the warehouse vocabularies; education and labour status
  from the labour office (job seekers) and school enrolment (students) when the register does not give them;
- families: the register's family codes, head (``INTESTATARIO SCHEDA``), size, the head's dwelling and area;
  tenure ``public_housing`` when the dwelling is a public-housing one, else unknown (TARI does not say
  whether the taxpayer owns or rents);
- dwellings: (house number, flat) of the register address; occupants are the residents; surface from the
  TARI account or public-housing row at the same address, else from the TARI account of a resident;
- ISEE: the latest declaration of the year per family of the linked declarant, and the count;
- cases: open at some time in the year, with the linked person and their family and area of that year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from welfare_district.engine import Database, bulk_insert
from welfare_district.errors import NotFoundError
from welfare_district.model.warehouse import ensure_warehouse_tables, warehouse_tables
from welfare_district.sources.citizenship import citizenship_iso_series
from welfare_district.sources.vocabulary import BENEFIT_FLAGS, EDUCATION_CODES, LABOUR_CODES, to_codes
from welfare_district.synth.truth_warehouse import warehouse_arrow
from welfare_district.warehouse.inputs import (
    AREA,
    Inputs,
    dwelling_flats,
    dwelling_ids,
    hashed_ids,
    int_ids,
    int_ids_and_codes,
    is_in,
    positions_in,
    read_inputs,
    taken,
)
from welfare_district.warehouse.terms import CASE_NEED, RELATION_REGISTER, UNKNOWN_NEED

ORIGIN = "pipeline"
BUILD_VERSION = "warehouse-1"  # changes whenever the build's rules change, so stored snapshots are rebuilt
PUBLIC_HOUSING_SOURCES = ("ater",)
SURFACE_SOURCES = ("tari", "ater")


@dataclass
class BuildReport:
    """Rows written per table and year, and what could not be placed or linked (counts only)."""

    years: list[int]
    rows: dict[str, int] = field(default_factory=dict)
    persons: dict[int, int] = field(default_factory=dict)
    duplicate_persons: dict[int, int] = field(default_factory=dict)   # register rows of an already seen person
    unplaced_families: dict[int, int] = field(default_factory=dict)   # families without an area id
    isee_unlinked: dict[int, int] = field(default_factory=dict)       # declarations of no resident family


def build_warehouse(db: Database, years: list[int] | None = None, register_source: str = "anagrafe",
                    boundary_version: str | None = None) -> BuildReport:
    """Replace the warehouse snapshots of ``years`` (default: every register year) in one transaction.

    Guarantees: every register row of a year is one person of that year's snapshot, except a second row of
    the same linked person (counted in ``duplicate_persons``); every family has area ids or is counted in
    ``unplaced_families``; on any error nothing changes. NotFoundError when the register has no rows.
    """
    inputs = read_inputs(db, register_source)
    _register_ids(inputs.register)
    register_years = sorted(int(y) for y in inputs.register["reference_year"].dropna().unique())
    if not register_years:
        raise NotFoundError("The register has no staged rows: run the ingest and link stages first")
    chosen = register_years if years is None else sorted(set(years) & set(register_years))
    version = boundary_version or section_version(db)
    report = BuildReport(chosen)
    surfaces, public = _dwelling_facts(inputs)
    parts: dict[str, list[pd.DataFrame]] = {n: [] for n in ("person", "family", "dwelling", "isee", "case")}
    for year in chosen:
        person = _persons(inputs, year, report)
        family = _families(person, public)
        report.unplaced_families[year] = int(family["quartiere_id"].isna().sum())
        parts["person"].append(person)
        parts["family"].append(family)
        parts["dwelling"].append(_dwellings(person, surfaces))
        parts["isee"].append(_isee(inputs, person, family, year, report))
        parts["case"].append(_cases(inputs, person, year))
    now = datetime.now(UTC)
    snapshot = pd.DataFrame({"snapshot_year": chosen, "reference_date": [date(y, 12, 31) for y in chosen],
                             "boundary_version": version, "origin": ORIGIN, "built_at": now})
    tables = {"wh_snapshot": warehouse_arrow(snapshot, "snapshot")}
    for name, frames in parts.items():
        tables[f"wh_{name}"] = _concat(frames, name)
    t = warehouse_tables()
    ensure_warehouse_tables(db.engine)
    with db.engine.begin() as conn:
        for table in (t.person, t.family, t.dwelling, t.isee, t.case, t.snapshot):
            conn.execute(sa.delete(table).where(table.c.snapshot_year.in_(chosen)))
        for name, data in tables.items():
            report.rows[name] = bulk_insert(conn, db.dialect, name, data)
    return report


def _concat(frames: list[pd.DataFrame], name: str) -> pa.Table:
    tables = [warehouse_arrow(f, name) for f in frames]
    return pa.concat_tables(tables) if tables else warehouse_arrow(pd.DataFrame(), name)


def section_version(db: Database) -> str:
    """The boundary version of the stored sections (the level every placement goes through)."""
    areas = db.ibis.table("area")
    versions = areas.filter(areas.level == "section").select("boundary_version").distinct().to_pyarrow()
    values = sorted(str(v) for v in versions.column(0).to_pylist() if v is not None)
    return ", ".join(values) if values else "unknown"


def _register_ids(register: pd.DataFrame) -> None:
    """Warehouse ids of every register row, and a code per person id (``_person_code``, equal for equal ids),
    computed once for all years (a person recurs in each of them)."""
    register["_person_int"], register["_person_code"] = int_ids_and_codes(register["person_id"])
    register["_family_int"] = int_ids(register["family_id"])
    register["_dwelling"] = dwelling_ids(register["civico_id"], register["flat"])


# the register columns a year's persons are built from
_PERSON_COLUMNS = ["person_id", "family_id", "_person_int", "_family_int", "_dwelling", "relation", "sex",
                   "birth_date", "citizenship", "education", "employment_status", *AREA]


def _year_rows(register: pd.DataFrame, year: int) -> tuple[pd.DataFrame, int]:
    """The register rows of ``year`` in ``record_id`` order (stable), first row of each person only, with the
    columns ``_persons`` reads (the register's index labels kept), and how many later rows were dropped."""
    rows = np.flatnonzero((register["reference_year"] == year).to_numpy())
    # the row positions are sorted and filtered first, then only the needed columns are taken once: taking
    # every register column for each year's filter, sort and duplicate drop cost seconds
    order = register["record_id"].take(rows).argsort(kind="stable").to_numpy()
    rows = rows[order]
    # equal codes for equal person ids (nulls too): a person's later rows found without hashing text
    first = ~pd.Series(register["_person_code"].to_numpy()[rows]).duplicated().to_numpy()
    return pd.DataFrame({c: register[c].take(rows[first]) for c in _PERSON_COLUMNS}), int((~first).sum())


def _persons(inputs: Inputs, year: int, report: BuildReport) -> pd.DataFrame:
    reg, report.duplicate_persons[year] = _year_rows(inputs.register, year)
    birth = pd.to_datetime(reg["birth_date"])
    relation = _relations(reg["relation"])
    person = pd.DataFrame({
        "snapshot_year": year, "person_id": reg["_person_int"], "family_id": reg["_family_int"],
        "relation": relation, "dwelling_id": reg["_dwelling"],
        "sex": reg["sex"], "birth_date": birth.dt.date, "age": year - birth.dt.year,
        "citizenship": citizenship_iso_series(reg["citizenship"]),
        "_person": reg["person_id"], "_family": reg["family_id"],
        **{a: reg[a] for a in AREA},
    })
    education, labour = _education_labour(inputs, year, reg)
    person["education"] = education.where(person["age"] >= 6, None).to_numpy()
    person["labour_status"] = labour.where(person["age"] >= 15, None).to_numpy()
    benefits = inputs.benefits[inputs.benefits["reference_year"] == year]
    flags = to_codes(benefits["benefit_type"], BENEFIT_FLAGS)
    for flag in ("disability_allowance", "care_allowance"):
        person[flag] = is_in(reg["person_id"], benefits.loc[flags == flag, "person_id"])
    report.persons[year] = len(person)
    return person.reset_index(drop=True)


def _relations(words: pd.Series) -> pd.Series:
    """The warehouse relation of each register word (upper-cased; unlisted or null words are "other")."""
    # a dozen words over two hundred thousand rows a year: each distinct word is upper-cased once
    positions, distinct = pd.factorize(words)
    words_seen = np.asarray(distinct, dtype=object)
    codes = np.array([*(RELATION_REGISTER.get(str(w).upper(), "other") for w in words_seen), "other"], dtype=object)
    return pd.Series(codes[positions], index=words.index, dtype=object)


def _education_labour(inputs: Inputs, year: int, reg: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Education and labour status of the year's register rows.

    The register's declared title and condition come first; where the register is empty, a pupil enrolled
    that year is a student and the labour office's record of the year gives title and condition. (Preferring
    the labour office's fresher record over the register measured worse against the synthetic truth.)
    """
    person_ids = reg["person_id"]
    cpi = inputs.labour[inputs.labour["reference_year"] == year].sort_values("record_id", kind="mergesort")
    cpi = cpi.drop_duplicates("person_id", keep="last")
    pupils = inputs.school.loc[inputs.school["reference_year"] == year, "person_id"]
    # each register row's labour office record, looked up once for both fields (as ``map`` on person_id)
    at = positions_in(person_ids, cpi["person_id"])
    education = to_codes(reg["education"], EDUCATION_CODES)
    education = education.where(education.notna(),
                                taken(to_codes(cpi["education"], EDUCATION_CODES), at, person_ids.index))
    labour = to_codes(reg["employment_status"], LABOUR_CODES)
    labour = labour.where(labour.notna() | ~is_in(person_ids, pupils), "student")
    labour = labour.where(labour.notna(),
                          taken(to_codes(cpi["employment_status"], LABOUR_CODES), at, person_ids.index))
    return (education.astype(object).where(education.notna(), None),
            labour.astype(object).where(labour.notna(), None))


def _families(person: pd.DataFrame, public: set[int]) -> pd.DataFrame:
    # the head's row of each family: its first row in (family_id, not head) order, nulls last; only the two
    # sort keys are sorted, and only the heads' columns taken (sorting the whole frame cost seconds)
    keys = pd.DataFrame({"family_id": person["family_id"], "_head": person["relation"] != "head"})
    ordered = keys.sort_values(["family_id", "_head"], kind="mergesort")
    heads = ordered.index[~ordered["family_id"].duplicated(keep="first").to_numpy()]
    head = pd.DataFrame({c: person[c].loc[heads] for c in ("snapshot_year", "family_id", "person_id",
                                                          "dwelling_id", *AREA)})
    size = person.groupby("family_id").size()
    dwelling = head["dwelling_id"]
    tenure = pd.Series(None, index=head.index, dtype=object).mask(dwelling.isin(list(public)), "public_housing")
    return pd.DataFrame({
        "snapshot_year": head["snapshot_year"], "family_id": head["family_id"],
        "head_person_id": head["person_id"], "size": head["family_id"].map(size), "dwelling_id": dwelling,
        "tenure": tenure, **{a: head[a] for a in AREA},
    }).reset_index(drop=True)


def _dwelling_facts(inputs: Inputs) -> tuple[pd.Series, set[int]]:
    """Surface per dwelling id (address first, then the taxpayer's register dwelling) and public dwellings."""
    rows = inputs.dwellings[inputs.dwellings["source"].isin(SURFACE_SOURCES)].copy()
    if rows.empty:
        return pd.Series(dtype="float64"), set()
    rows["dwelling_id"] = dwelling_ids(rows["civico_id"], dwelling_flats(rows))
    public = set(rows.loc[rows["source"].isin(PUBLIC_HOUSING_SOURCES), "dwelling_id"].dropna().astype("int64"))
    with_surface = rows.dropna(subset=["surface_m2"])
    by_address = with_surface.dropna(subset=["dwelling_id"]).groupby("dwelling_id")["surface_m2"].median()
    # A TARI account whose address did not place: the taxpayer's own register dwelling in the file's year.
    lost = with_surface[with_surface["dwelling_id"].isna()].dropna(subset=["person_id"])
    # only the holders' register rows can match: they are picked (four columns) before the null and
    # duplicate drops, which keep the same rows of each holder as over the whole register
    reg = inputs.register[["person_id", "reference_year", "civico_id", "_dwelling"]]
    reg = reg[is_in(reg["person_id"], lost["person_id"])].dropna(subset=["person_id", "civico_id"])
    reg_dwelling = reg.drop_duplicates(["person_id", "reference_year"], keep="last")
    by_holder = lost.merge(reg_dwelling[["person_id", "reference_year", "_dwelling"]].rename(
        columns={"_dwelling": "holder_dwelling"}), on=["person_id", "reference_year"], how="inner")
    holder = by_holder.dropna(subset=["holder_dwelling"]).groupby("holder_dwelling")["surface_m2"].median()
    holder = holder[~holder.index.isin(by_address.index)]
    surfaces = pd.concat([by_address, holder]).round()
    surfaces.index = surfaces.index.astype("int64")
    return surfaces, public


def _dwellings(person: pd.DataFrame, surfaces: pd.Series) -> pd.DataFrame:
    placed = person.dropna(subset=["dwelling_id"])
    first = placed.drop_duplicates("dwelling_id")
    occupants = placed.groupby("dwelling_id").size()
    ids = first["dwelling_id"].astype("int64")
    return pd.DataFrame({
        "snapshot_year": first["snapshot_year"], "dwelling_id": first["dwelling_id"],
        "surface_m2": ids.map(surfaces).astype("Int64").to_numpy(),
        "occupants": first["dwelling_id"].map(occupants), **{a: first[a] for a in AREA},
    }).reset_index(drop=True)


def _isee(inputs: Inputs, person: pd.DataFrame, family: pd.DataFrame, year: int,
          report: BuildReport) -> pd.DataFrame:
    dsu = inputs.isee[inputs.isee["reference_year"] == year]
    # the declarant's family (``map`` on the year's persons, whose ids are unique)
    dsu = dsu.assign(family_id=taken(person["family_id"], positions_in(dsu["person_id"], person["_person"]),
                                     dsu.index))
    report.isee_unlinked[year] = int(dsu["family_id"].isna().sum())
    dsu = dsu.dropna(subset=["family_id"]).sort_values(["family_id", "submitted_on", "protocol"], kind="mergesort")
    latest = dsu.groupby("family_id").agg(declarations=("protocol", "size"), isee_eur=("isee_value", "last"))
    latest = latest.reset_index().merge(family[["family_id", *AREA]], on="family_id", how="left")
    return latest.assign(snapshot_year=year)


def _cases(inputs: Inputs, person: pd.DataFrame, year: int) -> pd.DataFrame:
    cases = inputs.cases.dropna(subset=["opened_on", "person_id"])
    opened = pd.to_datetime(cases["opened_on"])
    closed = pd.to_datetime(cases["closed_on"])
    alive = (opened <= pd.Timestamp(year, 12, 31)) & (closed.isna() | (closed >= pd.Timestamp(year, 1, 1)))
    cases = cases[alive.to_numpy()].drop_duplicates("record_id")
    # each case's person among the year's persons (their ids are unique: the first match is the only one)
    at = positions_in(cases["person_id"], person["_person"])
    need = cases["intervention_area"].astype(object).str.upper().map(CASE_NEED).fillna(UNKNOWN_NEED)
    out = pd.DataFrame({
        "snapshot_year": year, "case_id": hashed_ids(_case_keys(cases)),
        "person_id": int_ids(cases["person_id"]), "family_id": taken(person["family_id"], at, cases.index),
        "need": need, "opened": pd.to_datetime(cases["opened_on"]).dt.date,
        "closed": pd.to_datetime(cases["closed_on"]).dt.date,
        **{a: taken(person[a], at, cases.index) for a in AREA},
    })
    return out.drop_duplicates("case_id").reset_index(drop=True)


def _case_keys(cases: pd.DataFrame) -> pd.Series:
    """``source:case_number``, with the file's folder in between for files in a folder: case numbers are
    a comune's own, and a region's comuni each have their folder."""
    folder = cases["record_id"].astype(str).str.split(":", n=2).str[1].str.rpartition("/")[0]
    number = cases["case_number"].astype(str)
    return cases["source"] + ":" + folder.where(folder == "", folder + ":") + number
