"""Family profiles for matching, precomputed from the warehouse's latest snapshot.

One row per family in ``directory_family_profile``: members' ages and citizenships, latest ISEE, areas, the
family conditions the eligibility rules read, the hardship flags (the numerators of the indicator library
evaluated on the family, with the same filters the indicators use, so a flag means what the published figure
counts), the needs of open social-services cases, and the family's place: the mean position of the house
numbers of its census section. Built by the pipeline's ``directory`` stage; a lookup is then one primary-key
read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from welfare_district.directory.eligibility import Profile
from welfare_district.engine import Database, bulk_insert
from welfare_district.errors import InputError, NotFoundError

# indicator id -> the needs a family counted in its numerator suggests
HARDSHIP_NEEDS: dict[str, tuple[str, ...]] = {
    "ivsm_low_education": ("education",),
    "ivsm_large_families": ("economic", "minors_family"),
    "ivsm_single_parent": ("minors_family",),
    "ivsm_care_hardship": ("elderly_care",),
    "ivsm_overcrowding": ("housing",),
    "ivsm_young_outside": ("employment", "education"),
    "ivsm_economic_hardship": ("economic", "employment"),
    "elderly_alone_65plus": ("elderly_care",),
    "minors_single_parent": ("minors_family",),
    "isee_below_9360": ("economic",),
    "disability_allowance": ("disability",),
    "care_allowance": ("disability", "elderly_care"),
}


@lru_cache(maxsize=1)
def profile_table() -> sa.Table:
    """``directory_family_profile``: one row per family of the snapshot it was built from."""
    return sa.Table(
        "directory_family_profile", sa.MetaData(),
        sa.Column("family_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("snapshot_year", sa.SmallInteger, nullable=False),
        sa.Column("ages", sa.Text, nullable=False),            # comma-separated
        sa.Column("citizenships", sa.Text, nullable=False),    # comma-separated ISO alpha-2
        sa.Column("isee_eur", sa.Double),
        sa.Column("section_id", sa.String(64)),
        sa.Column("zone_id", sa.String(64)),
        sa.Column("quartiere_id", sa.String(64)),
        sa.Column("single_parent", sa.Boolean, nullable=False),
        sa.Column("elderly_alone", sa.Boolean, nullable=False),
        sa.Column("disability", sa.Boolean, nullable=False),
        sa.Column("flags", sa.Text, nullable=False),           # indicator ids, comma-separated
        sa.Column("case_needs", sa.Text, nullable=False),      # needs of open cases, comma-separated
        sa.Column("lat", sa.Double),
        sa.Column("lon", sa.Double),
    )


def _flag_frame(db: Database, year: int) -> pd.DataFrame:
    """family_id and one boolean column per hardship indicator the library defines."""
    from welfare_district.indicators.compute import source_table, to_ibis
    from welfare_district.indicators.library import default_library

    library = default_library()
    family = source_table(db, "family", [year])
    base = family.select("family_id", "dwelling_id")
    columns: dict[str, Any] = {}
    frames = []
    for ind_id in HARDSHIP_NEEDS:
        ind = library.get(ind_id)
        if ind is None or ind.numerator.where is None:
            continue
        src = ind.numerator.source
        if src == "family":
            columns[ind_id] = to_ibis(ind.numerator.where, family).fill_null(False)
        elif src in ("person", "isee"):
            t = source_table(db, src, [year])
            hit = t.filter(to_ibis(ind.numerator.where, t)).select("family_id").distinct()
            frames.append((ind_id, hit.execute()["family_id"]))
        elif src == "dwelling":
            t = source_table(db, src, [year])
            hit = t.filter(to_ibis(ind.numerator.where, t)).select("dwelling_id").distinct()
            frames.append((ind_id, base.filter(base.dwelling_id.isin(hit.dwelling_id)).execute()["family_id"]))
    out = family.select("family_id", **columns).execute() if columns else base.select("family_id").execute()
    for ind_id, ids in frames:
        out[ind_id] = out["family_id"].isin(set(ids.tolist()))
    return out


def build_family_profiles(db: Database, year: int | None = None) -> int:
    """Replace the profiles with those of ``year`` (default: the latest snapshot); returns the number of families.

    Returns 0 (and stores nothing) when the warehouse has no snapshot.
    """
    inspector = sa.inspect(db.engine)
    if not inspector.has_table("wh_family"):
        return 0
    with db.engine.connect() as conn:
        latest = conn.execute(sa.text("SELECT MAX(snapshot_year) FROM wh_family")).scalar_one_or_none()
    if latest is None:
        return 0
    year = int(latest) if year is None else year
    person = db.ibis.table("wh_person")
    people = person.filter(person.snapshot_year == year).select(
        "family_id", "age", "citizenship", "relation", "disability_allowance", "care_allowance").execute()
    fam = db.ibis.table("wh_family")
    families = fam.filter(fam.snapshot_year == year).select(
        "family_id", "size", "section_id", "zone_id", "quartiere_id").execute()
    isee = db.ibis.table("wh_isee")
    isee_df = isee.filter(isee.snapshot_year == year).select("family_id", "isee_eur").execute()
    flags = _flag_frame(db, year)
    people = people.sort_values(["family_id", "age"], kind="stable")
    ages: dict[int, list[str]] = {}
    citizenships: dict[int, set[str]] = {}
    # one pass in plain Python: a per-group pandas aggregation costs seconds at city scale
    for fid, age, cit in zip(people["family_id"].tolist(), people["age"].tolist(), people["citizenship"].tolist(),
                             strict=True):
        ages.setdefault(fid, []).append(str(int(age)))
        citizenships.setdefault(fid, set()).add(str(cit))
    allowance = people.groupby("family_id")[["disability_allowance", "care_allowance"]].any()
    agg = pd.DataFrame({"family_id": list(ages), "ages": [",".join(v) for v in ages.values()],
                        "citizenships": [",".join(sorted(citizenships[f])) for f in ages]})
    agg["disability"] = agg["family_id"].map(allowance.any(axis=1)).fillna(False).astype(bool)
    out = families.merge(agg, on="family_id", how="left").merge(isee_df, on="family_id", how="left")
    out = out.merge(flags, on="family_id", how="left")
    flag_cols = [c for c in HARDSHIP_NEEDS if c in out.columns]
    for c in flag_cols:
        out[c] = out[c].fillna(False).astype(bool)
    joined = pd.Series("", index=out.index)
    for c in flag_cols:  # vectorised: a row-wise apply costs seconds at city scale
        joined = joined + out[c].map({True: c + ",", False: ""})
    out["flags"] = joined.str.rstrip(",")
    single = [c for c in ("ivsm_single_parent", "minors_single_parent") if c in flag_cols]
    out["single_parent"] = out[single].any(axis=1) if single else False
    out["elderly_alone"] = out["elderly_alone_65plus"] if "elderly_alone_65plus" in flag_cols else False
    out["case_needs"] = out["family_id"].map(_open_case_needs(db, year)).fillna("")
    out["snapshot_year"] = year
    out = out.merge(_section_points(db), on="section_id", how="left")
    out["ages"] = out["ages"].fillna("")
    out["citizenships"] = out["citizenships"].fillna("")
    out["disability"] = out["disability"].fillna(False).astype(bool)
    cols = [c.name for c in profile_table().columns]
    table = pa.Table.from_pandas(out[cols], preserve_index=False)
    profile_table().metadata.create_all(db.engine, checkfirst=True)
    with db.engine.begin() as conn:
        conn.execute(sa.delete(profile_table()))
        bulk_insert(conn, db.dialect, profile_table().name, table)
    return len(out)


def _open_case_needs(db: Database, year: int) -> dict[int, str]:
    if not sa.inspect(db.engine).has_table("wh_case"):
        return {}
    case, snap = db.ibis.table("wh_case"), db.ibis.table("wh_snapshot")
    ref = snap.filter(snap.snapshot_year == year).reference_date.max().as_scalar()
    open_cases = case.filter(case.snapshot_year == year, case.family_id.notnull(), case.opened <= ref,
                             case.closed.isnull() | (case.closed > ref))
    frame = open_cases.select("family_id", "need").distinct().execute()
    return {int(k): ",".join(sorted(v)) for k, v in frame.groupby("family_id")["need"]}


def _section_points(db: Database) -> pd.DataFrame:
    if not sa.inspect(db.engine).has_table("civico"):
        return pd.DataFrame({"section_id": pd.Series(dtype=str), "lat": pd.Series(dtype=float),
                             "lon": pd.Series(dtype=float)})
    civico = db.ibis.table("civico")
    return civico.group_by("section_id").aggregate(lat=_exact_mean(civico.lat),
                                                   lon=_exact_mean(civico.lon)).execute()


def _exact_mean(degrees: Any) -> Any:
    """The mean of a coordinate column to 7 decimals (about 1 cm), the same on every run.

    A parallel float mean adds in no fixed order, so its last digits, and now and then the 7th decimal after
    rounding, change from run to run; in whole nanodegrees the sum is an exact integer in any order.
    """
    nano = (degrees * 1e9).round().cast("int64")
    return (nano.sum() / degrees.count() / 1e9).round(7)


@dataclass(frozen=True)
class FamilyProfile:
    """A family's matching profile, its hardship flags and where its suggested needs come from."""

    family_id: int
    snapshot_year: int
    profile: Profile
    flags: tuple[str, ...]
    case_needs: tuple[str, ...]
    areas: tuple[str, ...]


def _city_of(db: Database, quartiere_id: str | None) -> str | None:
    query = (sa.text("SELECT parent_id FROM area WHERE area_id = :q") if quartiere_id is not None else
             sa.text("SELECT area_id FROM area WHERE level = 'city' ORDER BY area_id"))
    try:
        with db.engine.connect() as conn:
            found = conn.execute(query, {"q": quartiere_id} if quartiere_id is not None else {}).first()
    except sa.exc.DBAPIError:  # no area hierarchy stored
        return None
    return None if found is None or found[0] is None else str(found[0])


def _split(text: str | None) -> list[str]:
    return [x for x in (text or "").split(",") if x]


def family_profile(db: Database, family_id: int, city_id: str | None = None) -> FamilyProfile:
    """The stored profile of one family; NotFoundError when it is not in the latest snapshot's profiles.

    Its needs are the open cases' needs and those the hardship flags suggest (deduplicated, sorted).
    """
    t = profile_table()
    try:
        with db.engine.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.family_id == family_id)).mappings().first()
    except sa.exc.DBAPIError:  # checked by failing: an inspection per lookup costs more than the read
        raise NotFoundError("no family profiles yet: run the pipeline (its directory stage builds them)") from None
    if row is not None and city_id is None:  # every family of the register lives in the city, placed or not
        city_id = _city_of(db, row["quartiere_id"])
    if row is None:
        raise NotFoundError(f"family {family_id} is not in the latest snapshot")
    flags = tuple(_split(row["flags"]))
    cases = tuple(_split(row["case_needs"]))
    needs = sorted({*cases, *(n for f in flags for n in HARDSHIP_NEEDS.get(f, ()))})
    areas = tuple(a for a in (row["section_id"], row["zone_id"], row["quartiere_id"], city_id) if a)
    profile = Profile(
        ages=[int(a) for a in _split(row["ages"])] or None, isee_eur=row["isee_eur"],
        area_ids=list(areas) or None, single_parent=bool(row["single_parent"]),
        elderly_alone=bool(row["elderly_alone"]), disability=bool(row["disability"]),
        citizenships=_split(row["citizenships"]) or None, needs=needs, lat=row["lat"], lon=row["lon"])
    return FamilyProfile(int(row["family_id"]), int(row["snapshot_year"]), profile, flags, cases, areas)


def resolve_family(db: Database, reference: str,
                   pseudonymise: Callable[[str], list[str]] | None = None) -> int:
    """A family id from its number or from its pseudonym (domain 'family', any loaded key version).

    ``pseudonymise``: a callable (family_id text -> list of pseudonyms) used only for pseudonyms.
    """
    text = reference.strip()
    if text.isdigit():
        return int(text)
    if pseudonymise is None:
        raise InputError("a family is given by its number or its pseudonym", field="family")
    t = profile_table()
    with db.engine.connect() as conn:
        ids = conn.execute(sa.select(t.c.family_id)).scalars().all()
    for fid in ids:
        if text in pseudonymise(str(fid)):
            return int(fid)
    raise NotFoundError("no family of the latest snapshot has that pseudonym")
