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
from welfare_district.geo.address import address_flat
from welfare_district.geo.geocode import TEXT_DTYPE
from welfare_district.link.staging import current_load_ids, link_tables, read_frame, record_ids
from welfare_district.warehouse.geocoding import stored_geocodes

AREA = ["section_id", "zone_id", "quartiere_id"]
_MASK = (1 << 63) - 1
_MAX_RUNS = 1000  # more runs of consecutive rows than this: one take is cheaper than joining the slices


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


def positions_in(values: pd.Series, keys: pd.Series) -> npt.NDArray[np.intp]:
    """For each of ``values``, the position of its first equal in ``keys``, -1 when there is none; a null
    value finds a null key, as ``Series.map`` and ``Index.get_indexer`` do."""
    if values.dtype == TEXT_DTYPE and keys.dtype == TEXT_DTYPE:
        # pandas hashes a text index in Python objects (most of a second per year of the register); Arrow's
        # hash lookup gives the same positions
        found = pc.index_in(pa.array(values.array), value_set=pa.array(keys.array), skip_nulls=False)
        return np.asarray(pc.fill_null(found, -1).to_numpy(), dtype=np.intp)
    first = ~keys.duplicated().to_numpy()
    found = pd.Index(keys[first]).get_indexer(values)
    return np.where(found >= 0, np.flatnonzero(first)[np.maximum(found, 0)], -1).astype(np.intp)


def taken(column: pd.Series, positions: npt.NDArray[np.intp], index: pd.Index) -> pd.Series:
    """The values of ``column`` at ``positions``, missing where a position is -1, with the dtype
    ``Series.map`` and a left merge give such a result (an integer column with a miss becomes float)."""
    data = column.array if isinstance(column.dtype, pd.api.extensions.ExtensionDtype) else column.to_numpy()
    return pd.Series(pd.api.extensions.take(data, positions, allow_fill=True), index=index, name=column.name)


def int_ids(ids: pd.Series) -> pd.Series:
    """Linkage ids (``P``/``F`` + 16 hex digits) as non-negative 63-bit integers; null stays null."""
    return int_ids_and_codes(ids)[0]


def int_ids_and_codes(ids: pd.Series) -> tuple[pd.Series, npt.NDArray[np.intp]]:
    """``int_ids(ids)``, and a code per row that is equal for equal ids (-1 for every null)."""
    codes, uniques = pd.factorize(_hashable(ids), use_na_sentinel=True)
    table = np.array([int(str(u)[1:], 16) & _MASK for u in _values(uniques)] + [0], dtype=np.int64)
    out = pd.Series(table[codes], index=ids.index, dtype="Int64")
    return out.mask(codes < 0), codes


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
    # a dwelling's residents repeat its (house number, flat) every year: the key is built once per distinct
    # pair (the same text, hence the same id) rather than as a million and a half strings
    civico_codes, _ = pd.factorize(civico_id, use_na_sentinel=True)
    flat_codes, flats = pd.factorize(flat, use_na_sentinel=True)
    pairs = pd.factorize((civico_codes.astype(np.int64) + 1) * (len(flats) + 1) + flat_codes + 1)[0]
    first = np.flatnonzero(np.diff(np.maximum.accumulate(pairs), prepend=-1) > 0) if len(pairs) else pairs
    ids = _dwelling_keys(civico_id.take(first).reset_index(drop=True), flat.take(first).reset_index(drop=True))
    return pd.Series(ids.array.take(pairs), index=civico_id.index)


def _dwelling_keys(civico_id: pd.Series, flat: pd.Series) -> pd.Series:
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


class _ByRecord:
    """Rows keyed by ``record_id`` with their ``source`` (person links, geocodes), to attach to staged rows.

    The record ids are unique: they are the key of ``person_link`` and, within a source, of
    ``geocode_result``, whose writers replace a source's rows in one transaction.
    """

    def __init__(self, rows: pd.DataFrame) -> None:
        self.rows = rows
        codes, sources = pd.factorize(rows["source"])
        self._of_source = {str(s): np.flatnonzero(codes == i) for i, s in enumerate(np.asarray(sources, object))}

    def attach(self, frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        """``frame.merge(rows[["record_id", *columns]], on="record_id", how="left")`` for ``columns`` that
        ``frame`` does not have: the same rows in the same order (new RangeIndex), with ``columns`` of the row
        of equal record id, missing where there is none."""
        # a record id starts with its source: only that source's rows can match, and looking the ids up
        # among them rather than all two million is cheaper; the positions are those of the whole frame
        mine = [self._of_source.get(str(s), np.empty(0, np.intp)) for s in frame["source"].dropna().unique()]
        candidates = np.sort(np.concatenate(mine)) if mine else np.empty(0, np.intp)
        at = positions_in(frame["record_id"], self.rows["record_id"].take(candidates))
        at = np.where(at >= 0, candidates[np.maximum(at, 0)], -1)
        # only the attached columns are gathered: a merge also copied every column of ``frame``
        out = frame.reset_index(drop=True)
        for column in columns:
            out[column] = taken(self.rows[column], at, out.index)
        return out


def _with_person(frame: pd.DataFrame, links: _ByRecord) -> pd.DataFrame:
    frame = frame.copy()
    frame.insert(0, "record_id", record_ids(frame))
    return links.attach(frame, ["person_id", "family_id"])


def _in_file_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows sorted by file and row number.

    The build keeps the first or last row of a person or dwelling, so it needs a fixed order, and a parallel
    scan does not return rows in the order they were written. Callers rebind the result, so the unsorted
    frame is freed at once.
    """
    order = np.lexsort((frame["row_number"].to_numpy(), pd.factorize(frame["file_name"], sort=True)[0]))
    # a parallel scan returns a few long runs of consecutive rows: those are sliced and joined, which copies
    # no text (Arrow columns join as chunks), where a take gathered every string one by one
    starts = np.flatnonzero(np.diff(order, prepend=-2) != 1)
    if 0 < len(starts) <= _MAX_RUNS:
        ends = np.append(starts[1:], len(order))
        runs = [frame.iloc[order[a]: order[a] + (b - a)] for a, b in zip(starts, ends, strict=True)]
        return pd.concat(runs, ignore_index=True)
    return frame.iloc[order].reset_index(drop=True)


def _with_members(people: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """``people.merge(members, on=["load_id", "row_number"], how="left")``: the same rows and columns."""
    member_loads, loads = pd.factorize(members["load_id"])
    people_loads, people_load_ids = pd.factorize(people["load_id"])
    # a few dozen load ids: each is matched once and the rows are keyed by (load code, row number) integers,
    # rather than merging on text over a million and a half rows
    code_of = {str(load): i for i, load in enumerate(np.asarray(loads, dtype=object))}
    codes = np.array([code_of.get(str(load), -1) for load in np.asarray(people_load_ids, dtype=object)] + [-1],
                     dtype=np.int64)[people_loads]
    rows, member_rows = people["row_number"].to_numpy(), members["row_number"].to_numpy()
    # null load ids (which the merge matches to each other), row numbers that are not non-negative integers
    # or keys that overflow: the merge itself
    if (rows.dtype.kind != "i" or member_rows.dtype.kind != "i" or (member_loads < 0).any()
            or (people_loads < 0).any() or min(rows.min(initial=0), member_rows.min(initial=0)) < 0):
        return people.merge(members, on=["load_id", "row_number"], how="left")
    span = int(max(rows.max(initial=0), member_rows.max(initial=0))) + 1
    if span * (len(loads) + 1) >= 1 << 62:
        return people.merge(members, on=["load_id", "row_number"], how="left")
    index = pd.Index(member_loads.astype(np.int64) * span + member_rows)
    if not index.is_unique:  # a row with several memberships is repeated, as the merge does
        return people.merge(members, on=["load_id", "row_number"], how="left")
    at = index.get_indexer(np.where(codes >= 0, codes * span + rows, -1))
    out = people.reset_index(drop=True)
    for column in members.columns.drop(["load_id", "row_number"]):
        out[column] = taken(members[column], at, out.index)
    return out


def read_inputs(db: Database, register_source: str = "anagrafe") -> Inputs:
    """Read every input of the build from the database (current loads only)."""
    loads = current_load_ids(db)
    link_tables().metadata.create_all(db.engine, checkfirst=True)
    links = _ByRecord(read_frame(db, "person_link", ["record_id", "source", "person_id", "family_id"]))
    geo = _ByRecord(stored_geocodes(db, columns=["source", "record_id", "civico_id", *AREA]))
    lineage = ["source", "file_name", "row_number", "load_id", "reference_year"]

    people = _in_file_order(read_frame(db, "person_record", [*lineage, "sex", "birth_date", "citizenship", "flat",
                                                             "education", "employment_status"], loads,
                                       source=register_source))
    members = read_frame(db, "family_membership_record", ["load_id", "row_number", "family_code", "relation"],
                         loads, source=register_source)
    register = _with_members(people, members)
    register = geo.attach(_with_person(register, links), ["civico_id", *AREA])

    def person_side(table: str, fields: list[str]) -> pd.DataFrame:
        return _with_person(_in_file_order(read_frame(db, table, [*lineage, *fields], loads)), links)

    isee = person_side("isee_record", ["protocol", "submitted_on", "isee_value"])
    benefits = person_side("benefit_record", ["benefit_type"])
    cases = person_side("case_record", ["case_number", "intervention_area", "opened_on", "closed_on"])
    labour = person_side("labour_record", ["employment_status", "education"])
    school = person_side("school_record", ["school_order"])
    dwell = person_side("dwelling_record", ["address", "surface_m2", "flat"])
    dwell = geo.attach(dwell, ["civico_id"])
    return Inputs(register, isee, benefits, cases, labour, school, dwell, loads)


def dwelling_flats(dwell: pd.DataFrame) -> pd.Series:
    """The flat of each dwelling row: its own flat field, else the one written in its address."""
    own = dwell["flat"].astype(object)
    has_own = (own.notna() & (own.astype(str).str.strip() != "")).to_numpy()
    # only rows without a flat of their own need their address parsed
    texts = dwell["address"].astype(object).where(dwell["address"].notna(), "").astype(str)[~has_own]
    codes, uniques = pd.factorize(texts)
    parsed = np.full(len(dwell), None, dtype=object)
    flats = [(address_flat(t) or None) if _may_name_flat(t) else None for t in _values(uniques)]
    parsed[~has_own] = np.array([*flats, None], dtype=object)[codes]
    return own.where(has_own, pd.Series(parsed, index=dwell.index))


def _may_name_flat(text: str) -> bool:
    """False only for addresses in which ``address_flat`` cannot find a flat: it looks for INT/INTERNO in
    the upper-cased text, and upper-casing ASCII text keeps every letter in place, so such a text without
    "INT" has none (most TARI addresses: parsing them all cost seconds)."""
    return not text.isascii() or "INT" in text.upper()
