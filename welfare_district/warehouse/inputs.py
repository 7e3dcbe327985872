"""What the warehouse build reads: staged records of the current loads, with person ids and geocodes attached.

Every frame here is keyed by the linkage ``record_id`` and carries ``person_id`` (from ``person_link``) and,
where the record has an address, the civico and area ids of its geocode. Ids of the warehouse are 63-bit
integers derived from the linkage's text ids and from dwelling keys, so they are stable across runs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from welfare_district.engine import Database
from welfare_district.geo.address import parse_address
from welfare_district.geo.geocode import TEXT_DTYPE
from welfare_district.link.staging import current_load_ids, link_tables, read_frame, record_ids
from welfare_district.warehouse.geocoding import stored_geocodes

AREA = ["section_id", "zone_id", "quartiere_id"]
_MASK = (1 << 63) - 1


def is_in(values: pd.Series, members: pd.Series) -> npt.NDArray[np.bool_]:
    """For each of ``values``, whether it is one of the non-null ``members`` (``values.isin(set(members
    .dropna()))``); a null value is never a member."""
    members = members.dropna()
    if values.dtype == TEXT_DTYPE and members.dtype == TEXT_DTYPE:
        # pandas checks every member of a text set in Python (a quarter of a second per year's pupils);
        # Arrow's hash lookup answers the same question
        found = pc.is_in(pa.array(values.array), value_set=pa.array(members.array))
        return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
    return values.isin(set(members)).to_numpy()


def int_ids(ids: pd.Series) -> pd.Series:
    """Linkage ids (``P``/``F`` + 16 hex digits) as non-negative 63-bit integers; null stays null."""
    codes, uniques = pd.factorize(_hashable(ids), use_na_sentinel=True)
    table = np.array([int(str(u)[1:], 16) & _MASK for u in _values(uniques)] + [0], dtype=np.int64)
    out = pd.Series(table[codes], index=ids.index, dtype="Int64")
    return out.mask(codes < 0)


def hashed_ids(keys: pd.Series) -> pd.Series:
    """A stable 63-bit integer per text key (SHA-256); null stays null."""
    codes, uniques = pd.factorize(_hashable(keys), use_na_sentinel=True)
    table = np.array([int.from_bytes(hashlib.sha256(str(u).encode()).digest()[:8], "big") & _MASK
                      for u in _values(uniques)] + [0], dtype=np.int64)
    return pd.Series(table[codes], index=keys.index, dtype="Int64").mask(codes < 0)


def _hashable(values: pd.Series) -> pd.Series:
    # text columns are factorized as they are (by Arrow); converting them to objects first cost a second
    return values if values.dtype == TEXT_DTYPE else values.astype(object)


def _values(uniques: pd.Index | np.ndarray | pd.api.extensions.ExtensionArray) -> np.ndarray:
    # iterating an Arrow array boxes one scalar at a time; one conversion to objects is several times cheaper
    return np.asarray(uniques, dtype=object)


def dwelling_ids(civico_id: pd.Series, flat: pd.Series) -> pd.Series:
    """Dwelling id of (house number, flat): null when the house number is unknown."""
    flat_text = flat.astype(object).where(flat.notna(), "").astype(str).str.strip().str.upper()
    flat_text = flat_text.str.lstrip("0")
    key = civico_id.astype("Int64").astype(str) + "/" + flat_text
    return hashed_ids(key.where(civico_id.notna(), None))


@dataclass
class Inputs:
    """Staged records the build uses, each with record_id, person_id and (where relevant) geocode."""

    register: pd.DataFrame    # one row per register record: reference_year, family_code, relation, person...
    isee: pd.DataFrame
    benefits: pd.DataFrame
    cases: pd.DataFrame
    labour: pd.DataFrame
    school: pd.DataFrame
    dwellings: pd.DataFrame   # TARI and public-housing rows: source, surface_m2, flat, civico_id, person_id
    load_ids: list[str]


def _with_person(db: Database, frame: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.insert(0, "record_id", record_ids(frame))
    # a record id starts with its source: only that source's links can match, and joining against them
    # rather than all two million links is several times cheaper
    sources = frame["source"].drop_duplicates()
    mine = links[is_in(links["source"], sources)] if len(sources) < links["source"].nunique() else links
    return frame.merge(mine.drop(columns=["source"]), on="record_id", how="left")


def _in_file_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows sorted by file and row number.

    The build keeps the first or last row of a person or dwelling, so it needs a fixed order, and a parallel
    scan does not return rows in the order they were written. Callers rebind the result, so the unsorted
    frame is freed at once.
    """
    order = np.lexsort((frame["row_number"].to_numpy(), pd.factorize(frame["file_name"], sort=True)[0]))
    return frame.iloc[order].reset_index(drop=True)


def read_inputs(db: Database, register_source: str = "anagrafe") -> Inputs:
    """Read every input of the build from the database (current loads only)."""
    loads = current_load_ids(db)
    link_tables().metadata.create_all(db.engine, checkfirst=True)
    links = read_frame(db, "person_link", ["record_id", "source", "person_id", "family_id"])
    geo = stored_geocodes(db).drop(columns=["source"])
    geo = geo[["record_id", "civico_id", *AREA]]
    lineage = ["source", "file_name", "row_number", "load_id", "reference_year"]

    people = _in_file_order(read_frame(db, "person_record", [*lineage, "sex", "birth_date", "citizenship", "flat",
                                                             "education", "employment_status"], loads,
                                       source=register_source))
    members = read_frame(db, "family_membership_record", ["load_id", "row_number", "family_code", "relation"],
                         loads, source=register_source)
    register = people.merge(members, on=["load_id", "row_number"], how="left")
    register = _with_person(db, register, links).merge(geo, on="record_id", how="left")

    def person_side(table: str, fields: list[str]) -> pd.DataFrame:
        return _with_person(db, _in_file_order(read_frame(db, table, [*lineage, *fields], loads)), links)

    isee = person_side("isee_record", ["protocol", "submitted_on", "isee_value"])
    benefits = person_side("benefit_record", ["benefit_type"])
    cases = person_side("case_record", ["case_number", "intervention_area", "opened_on", "closed_on"])
    labour = person_side("labour_record", ["employment_status", "education"])
    school = person_side("school_record", ["school_order"])
    dwell = person_side("dwelling_record", ["address", "surface_m2", "flat"])
    dwell = dwell.merge(geo[["record_id", "civico_id"]], on="record_id", how="left")
    return Inputs(register, isee, benefits, cases, labour, school, dwell, loads)


def dwelling_flats(dwell: pd.DataFrame) -> pd.Series:
    """The flat of each dwelling row: its own flat field, else the one written in its address."""
    own = dwell["flat"].astype(object)
    has_own = (own.notna() & (own.astype(str).str.strip() != "")).to_numpy()
    # only rows without a flat of their own need their address parsed
    texts = dwell["address"].astype(object).where(dwell["address"].notna(), "").astype(str)[~has_own]
    codes, uniques = pd.factorize(texts)
    parsed = np.full(len(dwell), None, dtype=object)
    flats = [(parse_address(t).interno or None) if _may_name_flat(t) else None for t in _values(uniques)]
    parsed[~has_own] = np.array([*flats, None], dtype=object)[codes]
    return own.where(has_own, pd.Series(parsed, index=dwell.index))


def _may_name_flat(text: str) -> bool:
    """False only for addresses in which ``parse_address`` cannot find a flat: it looks for INT/INTERNO in
    the upper-cased text, and upper-casing ASCII text keeps every letter in place, so such a text without
    "INT" has none (most TARI addresses: parsing them all cost seconds)."""
    return not text.isascii() or "INT" in text.upper()
