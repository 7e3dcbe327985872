"""Linkage on the ingest staging tables: the contract frame from staged records, and the stored results.

Every staged person-level row becomes one record of the linkage contract with ``record_id`` =
``<source>:<file_name>:<row_number>``. Only the *current* load of each (source, file name) is read: a file
reloaded with corrected content replaces its earlier load here. The results are kept in two tables
replaced together in one transaction:

- ``person_link``: one row per staged record: lineage (source, file, row, load), person and family id
  (a record belongs to a family when it is a register row or its person has one), how it was linked and
  the state of its codice fiscale;
- ``link_review``: pairs left for a person to decide.

Re-linking passes the stored ``record_id -> person_id`` mapping as ``previous``, so people keep their ids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Final

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from welfare_district.engine import Database, bulk_insert, postgresql_key
from welfare_district.ingest.load import ensure_tables as ensure_ingest_tables
from welfare_district.link.deterministic import OPTIONAL_COLUMNS, RECORD_COLUMNS
from welfare_district.link.run import LinkResult, LinkSettings, link_records

# One-field names are written surname first by every source except these (first name first).
GIVEN_NAME_FIRST: Final = frozenset({"ts_migranti"})
# The source's own family-like code that goes to the contract's family_key, per staging table and field.
_FAMILY_KEY: Final = {"family_membership_record": "family_code", "isee_record": "protocol",
                      "dwelling_record": "dwelling_code"}
_PERSON_FIELDS: Final = ("codice_fiscale", "surname", "given_name", "full_name", "sex", "birth_date",
                         "birth_place_code", "address", "house_number", "house_number_suffix", "municipality")


@dataclass(frozen=True)
class LinkTables:
    """The tables holding a linkage run's results."""

    metadata: sa.MetaData
    person: sa.Table
    review: sa.Table


@lru_cache(maxsize=1)
def link_tables() -> LinkTables:
    """The result tables (built once, on first use); ``metadata.create_all`` is idempotent."""
    md = sa.MetaData()
    # keys on PostgreSQL only (engine.postgresql_key): both tables are replaced whole in one transaction
    person = sa.Table(
        "person_link", md,
        sa.Column("record_id", sa.Text, nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("row_number", sa.BigInteger, nullable=False),
        sa.Column("load_id", sa.String(36), nullable=False),
        sa.Column("person_id", sa.String(17), nullable=False),
        sa.Column("family_id", sa.String(17)),
        sa.Column("link_method", sa.String(16), nullable=False),
        sa.Column("cf_status", sa.String(16), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        postgresql_key("record_id"),
    )
    # Lookups by person or family need these indexes on PostgreSQL; DuckDB scans columns without them, and
    # keeping them up to date made writing two million links several seconds slower.
    for column in ("person_id", "family_id"):
        sa.Index(f"ix_person_link_{column}", person.c[column]).ddl_if(dialect="postgresql")
    review = sa.Table(
        "link_review", md,
        sa.Column("record_id_l", sa.Text, nullable=False),
        sa.Column("record_id_r", sa.Text, nullable=False),
        sa.Column("match_weight", sa.Double, nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
    )
    return LinkTables(md, person, review)


def current_load_ids(db: Database) -> list[str]:
    """The latest load of each (source, file name) in ``load_log``, sorted; earlier loads are superseded."""
    ensure_ingest_tables(db)
    log = read_frame(db, "load_log", ["load_id", "source", "file_name", "finished_at"])
    if log.empty:
        return []
    log = log.sort_values(["source", "file_name", "finished_at", "load_id"], kind="mergesort")
    return sorted(log.groupby(["source", "file_name"], sort=False)["load_id"].last().tolist())


def read_frame(db: Database, table: str, columns: list[str], load_ids: list[str] | None = None,
               **equals: object) -> pd.DataFrame:
    """``columns`` of ``table`` as a DataFrame, rows restricted to ``load_ids`` and ``column == value``."""
    t = db.ibis.table(table)
    if load_ids is not None:
        t = t.filter(t.load_id.isin(load_ids) if load_ids else ibis.literal(False))
    for column, value in equals.items():
        t = t.filter(t[column] == value)
    return t.select(*columns).to_pyarrow().to_pandas()


_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # the default text dtype, as read_frame gives text


def record_ids(frame: pd.DataFrame) -> pd.Series:
    """``<source>:<file_name>:<row_number>`` for every row of a staging frame."""
    rows = frame["row_number"].astype("int64")
    if all(frame[c].dtype == _TEXT for c in ("source", "file_name")):
        # text columns as read: joined in Arrow (a null part gives a null id, as the concatenation below
        # does), without converting two million numbers and ids to Python strings
        text = pa.large_string()
        parts = [pc.cast(pa.array(frame[c].array), text) for c in ("source", "file_name")]
        ids = pc.binary_join_element_wise(*parts, pc.cast(pa.array(rows.to_numpy()), text), pa.scalar(":", text))
        return pd.Series(pd.arrays.ArrowStringArray(ids), index=frame.index, dtype=_TEXT)
    # a file's rows share source and name: the prefix is built once per file, not once per row
    prefix = _per_distinct(frame[["source", "file_name"]],
                           lambda files: pd.DataFrame({"prefix": files["source"].astype(str) + ":"
                                                       + files["file_name"].astype(str) + ":"}))["prefix"]
    return prefix + rows.astype(str)


def staged_person_records(db: Database, load_ids: list[str] | None = None) -> pd.DataFrame:
    """Every staged person-level row of the current loads in the linkage contract, plus its lineage.

    Columns: RECORD_COLUMNS, municipality, then load_id, file_name, row_number. Guarantees: one row per
    person_record row; ``record_id`` unique; one-field names split into surname and first name by the
    source's order.
    """
    return _staged_records(db, load_ids)[0]


def _staged_records(db: Database, load_ids: list[str] | None = None) -> tuple[pd.DataFrame, pa.Table]:
    """``staged_person_records`` and, row for row, its lineage as read (record_id, source, file_name,
    row_number, load_id) in Arrow, so that writing it back needs no conversion of Python strings."""
    loads = current_load_ids(db) if load_ids is None else load_ids
    lineage = ["load_id", "source", "file_name", "row_number"]
    staged = _read_arrow(db, "person_record", [*lineage, *_PERSON_FIELDS], loads)
    # sorted by record id at once, in Arrow (byte order of UTF-8 is the code point order of Python's sort),
    # so that every later step keeps this order and the frame needs no sort of two million Python strings
    ids = _arrow_record_ids(staged)
    order = pc.sort_indices(ids)
    ids, staged = ids.take(order), staged.take(order)
    people = staged.to_pandas()
    family_key = pd.Series(_family_codes(db, people, loads), index=people.index, dtype=object)
    # A register's family codes are its own: two comuni's registers may both number a family 1234. Codes
    # from files in a folder (a region's comune folder) carry the folder, so they never meet another's.
    folder = _per_distinct(people[["file_name"]], lambda files: pd.DataFrame(
        {"folder": files["file_name"].astype(str).str.rpartition("/")[0]}))["folder"]
    # a family's code recurs for each member and year: each distinct (folder, code) is joined once, and equal
    # codes share one string object
    family_key = _per_distinct(pd.DataFrame({"folder": folder, "family_key": family_key}),
                               _folder_keys)["family_key"]
    # names and addresses repeat across the register's yearly files: each distinct combination is built once
    names = _per_distinct(people[["source", "full_name", "surname", "given_name"]], _names)
    surname, first = names["surname"], names["first_name"]
    street = _per_distinct(people[["address", "house_number", "house_number_suffix"]], _street)["street_text"]
    out = pd.DataFrame({
        "record_id": pa.table({"record_id": ids}).to_pandas()["record_id"].set_axis(people.index),
        "source": people["source"],
        "codice_fiscale": people["codice_fiscale"], "surname": surname, "first_name": first,
        "sex": people["sex"], "birth_date": people["birth_date"], "birth_place_code": people["birth_place_code"],
        "street_text": street, "family_key": family_key, "municipality": _comune_ids(db, people["municipality"]),
        "load_id": people["load_id"], "file_name": people["file_name"], "row_number": people["row_number"],
    })
    lineage_table = pa.table({"record_id": ids, "source": staged["source"], "file_name": staged["file_name"],
                              "row_number": staged["row_number"].cast(pa.int64()), "load_id": staged["load_id"]})
    return out.reset_index(drop=True), lineage_table


def _read_arrow(db: Database, table: str, columns: list[str], load_ids: list[str]) -> pa.Table:
    """``read_frame`` as an Arrow table (chunks combined)."""
    t = db.ibis.table(table)
    t = t.filter(t.load_id.isin(load_ids) if load_ids else ibis.literal(False))
    return t.select(*columns).to_pyarrow().combine_chunks()


def _arrow_record_ids(table: pa.Table) -> pa.Array:
    """``record_ids`` of a staging table's rows, as Arrow text (lineage columns are never null)."""
    parts = [table[c].combine_chunks().cast(pa.string()) for c in ("source", "file_name", "row_number")]
    return pc.binary_join_element_wise(*parts, ":")


def _family_codes(db: Database, people: pd.DataFrame, loads: list[str]) -> np.ndarray:
    """Each person row's family-like code (object array, row order): from the first table of ``_FAMILY_KEY``
    that has a code for its (load_id, row_number), that table's first such row; NaN where none has one, as a
    left merge gives it.

    The rows are matched by one integer per (load, row number) and binary search: three merges of two million
    rows on a text and an integer column hashed the same few dozen load ids again and again.
    """
    n = len(people)
    codes = np.full(n, np.nan, dtype=object)
    loads_of_people, load_values = pd.factorize(people["load_id"])
    load_index = pd.Index(load_values, dtype=object)
    person_rows = people["row_number"]
    tables = [(column, read_frame(db, table, ["load_id", "row_number", column], loads))
              for table, column in _FAMILY_KEY.items()]
    if person_rows.isna().any() or any(keys["row_number"].isna().any() for _, keys in tables):
        # a missing row number (never written by ingest) matches as a merge matches it
        return _merged_family_codes(people, tables)
    rows = person_rows.to_numpy(dtype=np.int64)
    low = min([int(rows.min(initial=0)), *(int(k["row_number"].min()) for _, k in tables if len(k))])
    high = max([int(rows.max(initial=0)), *(int(k["row_number"].max()) for _, k in tables if len(k))])
    span = high - low + 1
    person_key = loads_of_people.astype(np.int64) * span + (rows - low)
    missing = np.ones(n, dtype=bool)
    for column, keys in tables:
        keys = keys.dropna(subset=[column])
        key_loads = load_index.get_indexer(pd.Index(keys["load_id"], dtype=object))
        known = key_loads >= 0  # a load without person rows matches none of them
        key = key_loads[known].astype(np.int64) * span + (keys["row_number"].to_numpy(dtype=np.int64)[known] - low)
        # the first row of each (load, row number), as drop_duplicates keeps it
        distinct, first = np.unique(key, return_index=True)
        values = keys[column].to_numpy(dtype=object)[known][first]
        at = np.minimum(np.searchsorted(distinct, person_key), max(len(distinct) - 1, 0))
        found = (distinct[at] == person_key) if len(distinct) else np.zeros(n, dtype=bool)
        # the first table giving a row a code wins, as before
        take = found & missing
        codes[take] = values[at[take]]
        missing &= ~found
    return codes


def _merged_family_codes(people: pd.DataFrame, tables: list[tuple[str, pd.DataFrame]]) -> np.ndarray:
    """``_family_codes`` by left merges on (load_id, row_number) (for a row without a row number)."""
    codes = np.full(len(people), None, dtype=object)
    for column, keys in tables:
        keys = keys.dropna(subset=[column]).drop_duplicates(["load_id", "row_number"])
        found = _lookup_rows(people, keys)[column].to_numpy()
        missing = pd.isna(codes)
        codes[missing] = found[missing]
    return codes


def _lookup_rows(people: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """``people[["load_id", "row_number"]].merge(keys, how="left", on=["load_id", "row_number"])``: the same
    rows, in order, with ``keys``' other columns.

    The load ids are replaced by integer codes shared by both frames first: merging two million rows on a
    text key spent its time hashing the same few dozen load ids over and over.
    """
    n = len(people)
    codes, _ = pd.factorize(pd.concat([people["load_id"], keys["load_id"]], ignore_index=True))
    left = pd.DataFrame({"load": codes[:n], "row_number": people["row_number"].to_numpy()})
    right = keys.drop(columns=["load_id"]).assign(load=codes[n:])
    found = left.merge(right, how="left", on=["load", "row_number"])
    return found.drop(columns=["load", "row_number"])


def _comune_ids(db: Database, written: pd.Series) -> pd.Series:
    """The register's comune id for each comune as a source writes it (code or name), so that 'PADOVA' and
    '028060' block together; a comune outside the register keeps its own spelling, an empty one stays None."""
    from welfare_district.geo.comune import COMUNE_COLUMNS, ComuneLookup
    from welfare_district.geo.store import read_register

    register = read_register(db)
    if register.empty:
        return written
    lookup = ComuneLookup(register[list(COMUNE_COLUMNS)].drop_duplicates())
    distinct = pd.unique(written.dropna())
    ids = {v: lookup.resolve(v)[0] or str(v) for v in distinct if str(v).strip()}
    # looked up per distinct value and spread by code: a map over every row cost seconds
    codes, uniques = pd.factorize(written)
    resolved = np.empty(len(uniques) + 1, dtype=object)  # the trailing None answers nulls (code -1)
    resolved[:-1] = [ids.get(v) for v in uniques]
    return pd.Series(resolved[codes], index=written.index, dtype="object")


def _per_distinct(frame: pd.DataFrame, build: Callable[[pd.DataFrame], pd.DataFrame]) -> pd.DataFrame:
    """``build(frame)`` for a row-wise ``build``, computed once per distinct row and spread back (same index).

    Rows with equal values share the result objects, so repeated rows cost one pointer each, not one string.
    """
    key = np.zeros(len(frame), dtype=np.int64)
    for column in frame.columns:
        codes, uniques = pd.factorize(frame[column])
        # re-factorizing keeps the combined key below rows * (values + 1): no overflow
        key = pd.factorize(key * (len(uniques) + 1) + (codes + 1))[0].astype(np.int64)
    # factorize numbers the distinct rows in order of first appearance: a row opens its group when its code
    # exceeds every code before it, so the first rows are found without sorting
    seen = np.maximum.accumulate(key) if len(key) else key
    first = np.flatnonzero(np.diff(seen, prepend=-1) > 0)
    built = build(frame.iloc[first].reset_index(drop=True))
    rows = key
    return pd.DataFrame({c: pd.Series(built[c].to_numpy(dtype=object)[rows], index=frame.index, dtype="object")
                         for c in built.columns})


def _folder_keys(parts: pd.DataFrame) -> pd.DataFrame:
    """``family_key``: the code prefixed with its file's folder (when the file is in one)."""
    key = parts["family_key"]
    in_folder = (parts["folder"] != "").to_numpy() & key.notna().to_numpy()
    return pd.DataFrame({"family_key": key.where(~in_folder, parts["folder"] + "/" + key.astype(str))})


def _street(parts: pd.DataFrame) -> pd.DataFrame:
    """``street_text``: address, house number and suffix in one text (None when all are blank)."""
    number = _join_text(parts["house_number"], parts["house_number_suffix"], "")
    return pd.DataFrame({"street_text": _join_text(parts["address"], number)})


def _names(people: pd.DataFrame) -> pd.DataFrame:
    """``surname`` and ``first_name``: the separate fields when given, else the one-field name split."""
    surname = people["surname"].to_numpy(dtype=object).copy()
    first = people["given_name"].to_numpy(dtype=object).copy()
    # only rows lacking a field are split (a string-array split of every row cost seconds); the one-field
    # name is normalised by the same string-array operations as before, then split at its one space
    need = np.flatnonzero(pd.isna(surname) | pd.isna(first))
    full = people["full_name"].iloc[need].fillna("").astype(str).str.strip().str.replace(r"\s+", " ", regex=True)
    given_first = people["source"].iloc[need].isin(GIVEN_NAME_FIRST).to_numpy(dtype=bool)
    for row, text, first_is_given in zip(need.tolist(), full.tolist(), given_first.tolist(), strict=True):
        split_surname: str | None
        split_first: str | None
        if first_is_given:
            head, space, tail = text.partition(" ")
            split_surname, split_first = (tail if space else None), head
        else:
            # "ROSSI MARIO": a composite surname is more common than a composite first name in the lists
            head, space, tail = text.rpartition(" ")
            split_surname, split_first = (head, tail) if space else (tail, None)
        if pd.isna(surname[row]):
            surname[row] = split_surname
        if pd.isna(first[row]):
            first[row] = split_first
    return pd.DataFrame({"surname": _blank_none(pd.Series(surname, index=people.index)),
                         "first_name": _blank_none(pd.Series(first, index=people.index))})


def _join_text(left: pd.Series, right: pd.Series, sep: str = " ") -> pd.Series:
    a = left.fillna("").astype(str).str.strip()
    b = right.fillna("").astype(str).str.strip()
    return _blank_none((a + " " + b).str.strip() if sep == " " else a + b)


def _blank_none(values: pd.Series) -> pd.Series:
    text = values.astype(object)
    return text.where(text.notna() & (text.astype(str).str.strip() != ""), None)


def previous_person_ids(db: Database) -> pd.Series:
    """The stored ``record_id -> person_id`` mapping of the last run (empty when never linked)."""
    link_tables().metadata.create_all(db.engine, checkfirst=True)
    stored = read_frame(db, "person_link", ["record_id", "person_id"])
    return pd.Series(stored["person_id"].to_numpy(), index=stored["record_id"].to_numpy(), dtype=object)


def link_staging(db: Database, settings: LinkSettings | None = None) -> LinkResult:
    """Link every staged person record of the current loads and replace the stored results atomically.

    Guarantees: one ``person_link`` row per staged person record; earlier person ids are kept (the stored
    mapping is passed as ``previous``); the two result tables change together or not at all.
    """
    records, lineage = _staged_records(db)
    result = link_records(records[[*RECORD_COLUMNS, *OPTIONAL_COLUMNS]], settings,
                          previous=previous_person_ids(db))
    clusters = result.clusters
    if len(clusters) == len(records) and np.array_equal(clusters["record_id"].to_numpy(dtype=object),
                                                        records["record_id"].to_numpy(dtype=object)):
        # link_records keeps the input's row order and these ids: the lineage read in Arrow lines up without a
        # merge on two million ids, and is written without converting Python strings back to Arrow
        lineage_columns = {"record_id": lineage["record_id"], "source": _few_texts(clusters["source"]),
                           "file_name": lineage["file_name"], "row_number": lineage["row_number"],
                           "load_id": lineage["load_id"]}
    else:
        clusters = clusters.merge(records[["record_id", "load_id", "file_name", "row_number"]], on="record_id",
                                  how="left")
        lineage_columns = {
            "record_id": _text(clusters["record_id"]), "source": _text(clusters["source"]),
            "file_name": _text(clusters["file_name"]),
            "row_number": pa.array(clusters["row_number"].astype("int64").to_numpy(), pa.int64()),
            "load_id": _text(clusters["load_id"]),
        }
    now = datetime.now(UTC)
    stamp = pa.timestamp("us", tz="UTC")
    person = pa.table({
        **lineage_columns, "person_id": _text(clusters["person_id"]), "family_id": _text(clusters["family_id"]),
        "link_method": _few_texts(clusters["link_method"]), "cf_status": _few_texts(clusters["cf_status"]),
        # one timestamp repeated: built from its integer value, not from two million datetime objects
        "linked_at": pa.array(np.full(len(clusters), pa.scalar(now, stamp).value, dtype=np.int64)).view(stamp),
    })
    rv = result.review
    review = pa.table({"record_id_l": _text(rv["record_id_l"].astype(str)),
                       "record_id_r": _text(rv["record_id_r"].astype(str)),
                       "match_weight": pa.array(rv["match_weight"].astype("float64").to_numpy(), pa.float64()),
                       "reason": _text(rv["reason"].astype(str))})
    t = link_tables()
    t.metadata.create_all(db.engine, checkfirst=True)
    with db.engine.begin() as conn:
        for table, data in ((t.person, person), (t.review, review)):
            conn.execute(sa.delete(table))
            bulk_insert(conn, db.dialect, table.name, data)
    return result


def _text(values: pd.Series) -> pa.Array:
    """A text column as an Arrow string array (nulls stay null), without building a Python list per row."""
    objects = values.to_numpy(dtype=object)
    return pa.array(objects, pa.string(), mask=pd.isna(objects))


def _few_texts(values: pd.Series) -> pa.Array:
    """``_text`` for a column of few distinct values: each distinct text is converted once."""
    codes, uniques = pd.factorize(values)
    indices = pa.array(codes.astype(np.int32), mask=codes < 0)
    dictionary = pa.array(np.asarray(uniques, dtype=object), pa.string())
    return pa.DictionaryArray.from_arrays(indices, dictionary).cast(pa.string())
