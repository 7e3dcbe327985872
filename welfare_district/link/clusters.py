"""From codes and scored pairs to people: entity nodes, constrained clustering, stable person and family ids.

Stable ids. A person's id is ``P`` + 16 hex digits of SHA-256 of the cluster's *anchor record*: its smallest
register ``record_id`` or, for people outside the register, its smallest ``record_id``. Re-linking unchanged
records therefore gives the same ids. When the records change (a new year, a corrected row), passing the
previous ``record_id -> person_id`` mapping keeps the earlier id for every cluster that holds records of an
earlier person: the id held by most of its records, each earlier id going to one cluster only.
A family's id is ``F`` + 16 hex digits of SHA-256 of the register's own family code, stable as long as the
register keeps the code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np
import pandas as pd

from welfare_district.ingest.codice_fiscale import decode_birth

# what ``pd.factorize`` returns: an integer code per value (-1: missing) and the distinct values
Factorized = tuple[np.ndarray, pd.Index | np.ndarray]


def stable_id(prefix: str, key: str) -> str:
    """``prefix`` + 16 hex digits of SHA-256 of ``key``: the same key always gives the same id."""
    return prefix + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def entity_nodes(records: pd.DataFrame, register_source: str, *,
                 factorized: Factorized | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """One node per trusted code (entity) and one per other record (orphan).

    Returns (nodes, node_of_record): nodes have ``unique_id`` (a record id), ``is_entity`` and the contract's
    attributes, an entity taking each attribute from its register records first, latest record first, then
    from its other records, then (birth date, sex, birthplace) from its code; ``node_of_record`` gives every
    record (in row order) the position of its node in ``nodes``, as integers. ``factorized``:
    ``pd.factorize(records["cf_key"], sort=True)`` when the caller has it (``cf_keys_coded`` gives it).
    """
    trusted = records["cf_key"].notna().to_numpy(dtype=bool)
    attrs = ["record_id", "codice_fiscale", "surname", "first_name", "sex", "birth_date", "birth_place_code",
             "street_text", *(["municipality"] if "municipality" in records.columns else [])]
    rows = np.flatnonzero(trusted)
    # register records first, latest (largest record id) first: the order attributes are taken in
    latest_first = rows[ascending(records["record_id"].to_numpy(dtype=object)[rows])][::-1]
    register = (records["source"] == register_source).to_numpy(dtype=bool)
    order = np.concatenate([latest_first[register[latest_first]], latest_first[~register[latest_first]]])
    key_codes, keys = (pd.factorize(records["cf_key"].to_numpy(dtype=object), sort=True) if factorized is None
                       else factorized)
    # one stable sort groups the rows by key, each key's rows staying in attribute order: a key's first
    # non-null value is then the first of its run, found for every attribute without sorting again
    by_key = order[np.argsort(key_codes[order], kind="stable")]
    sorted_keys = key_codes[by_key]
    first = pd.DataFrame(index=pd.Index(np.asarray(keys, dtype=object), name="cf_key"))
    for attr in attrs:
        values = records[attr].to_numpy(dtype=object)
        # each key's first non-null value: the gaps of its first records are filled from the next ones
        given = ~pd.isna(values)[by_key]
        given_rows, given_keys = by_key[given], sorted_keys[given]
        starts = np.flatnonzero(np.diff(given_keys, prepend=-1) != 0)
        column = np.empty(len(keys), dtype=object)
        column[given_keys[starts]] = values[given_rows[starts]]  # only the chosen values are gathered
        first[attr] = column
    _fill_from_code(first)
    entities = first.rename(columns={"record_id": "unique_id"}).reset_index(drop=False)
    entities["is_entity"] = 1
    orphans = records.loc[~trusted, attrs].rename(columns={"record_id": "unique_id"})
    orphans["is_entity"] = 0
    nodes = pd.concat([entities.drop(columns=["cf_key"]), orphans], ignore_index=True)
    # entities come first, one per key code, then the orphans in row order
    node_of_record = np.empty(len(records), dtype=np.int64)
    node_of_record[rows] = key_codes[rows]
    node_of_record[~trusted] = len(entities) + np.arange(len(orphans), dtype=np.int64)
    return nodes, node_of_record


def _fill_from_code(first: pd.DataFrame) -> None:
    """Birth date, sex and birthplace that no record of an entity gives are read from its trusted code."""
    for key in first.index[first["birth_date"].isna() | first["sex"].isna() | first["birth_place_code"].isna()]:
        decoded = decode_birth(key)
        if decoded is None:
            continue
        if _missing(first.at[key, "birth_date"]):
            first.at[key, "birth_date"] = decoded[0]
        if _missing(first.at[key, "sex"]):
            first.at[key, "sex"] = decoded[1]
        if _missing(first.at[key, "birth_place_code"]):
            first.at[key, "birth_place_code"] = key[11:15]


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def cluster_nodes(
    node_ids: Iterable[str], entity_ids: set[str], pairs: pd.DataFrame, upper_weight: float
) -> tuple[dict[str, str], pd.DataFrame]:
    """Join nodes along pairs at or above ``upper_weight``, strongest first, never joining two entities.

    Two entities have different trusted codes, so they are different people: a pair that would merge them is
    rejected and returned for review. Returns (root of every node, rejected pairs). Deterministic: pairs are
    taken by descending weight, then by ids.
    """
    ids = node_ids.tolist() if isinstance(node_ids, pd.Series) else list(node_ids)
    parent = dict(zip(ids, ids, strict=True))

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    strong = pairs.loc[pairs["match_weight"] >= upper_weight]
    strong = strong.sort_values(["match_weight", "unique_id_l", "unique_id_r"], ascending=[False, True, True],
                                kind="mergesort")
    rejected: list[int] = []
    for idx, left, right in zip(strong.index, strong["unique_id_l"], strong["unique_id_r"], strict=True):
        a, b = find(left), find(right)
        if a == b:
            continue
        a_entity, b_entity = a in entity_ids, b in entity_ids
        if a_entity and b_entity:
            rejected.append(idx)
            continue
        # the entity's root survives, otherwise the smaller id, so roots do not depend on pair order
        if b_entity or (not a_entity and b < a):
            a, b = b, a
        parent[b] = a
    # only nodes of strong pairs were ever joined (a tree grows by joining two pairs' trees): every other node
    # is its own root, so the million of them are copied, not looked up one by one
    roots = dict(parent)
    for n in set(strong["unique_id_l"].tolist()) | set(strong["unique_id_r"].tolist()):
        roots[n] = find(n)
    return roots, pairs.loc[rejected]


def person_ids(
    records: pd.DataFrame, cluster: pd.Series, register_source: str, previous: pd.Series | None = None, *,
    factorized: Factorized | None = None,
) -> pd.Series:
    """A stable person id per record (same index), by the rule in the module docstring.

    ``cluster`` holds any cluster label per record; ``previous`` maps record_id -> person_id of an earlier run.
    ``factorized``: ``pd.factorize(cluster)`` (codes in any order) when the caller has it, so that two million
    labels are not hashed again.
    """
    record_id = records["record_id"].to_numpy(dtype=object)
    codes, labels = pd.factorize(cluster) if factorized is None else factorized
    register = (records["source"] == register_source).to_numpy(dtype=bool)
    # register records first, then by record id: the first record of each cluster in this order is its anchor
    order = ascending(record_id)
    order = np.concatenate([order[register[order]], order[~register[order]]])
    found, first = first_positions(codes[order], len(labels))
    anchors = order[first]
    # one id per cluster code, in an array: looking labels up one by one in their Index cost a second
    ids = np.empty(len(labels), dtype=object)
    ids[found] = [stable_id("P", r) for r in record_id[anchors].tolist()]
    if previous is not None and len(previous):
        frame = pd.DataFrame({"cluster": cluster, "previous": records["record_id"].map(previous)})
        held = frame.dropna(subset=["previous"]).groupby(["cluster", "previous"]).size().rename("n").reset_index()
        held = held.sort_values(["n", "previous", "cluster"], ascending=[False, True, True], kind="mergesort")
        taken: set[str] = set()
        done: set[object] = set()
        held_codes = pd.Index(labels, dtype=object).get_indexer(pd.Index(held["cluster"], dtype=object))
        for cl, code, prev in zip(held["cluster"], held_codes.tolist(), held["previous"], strict=True):
            if cl in done or prev in taken:
                continue
            ids[code] = str(prev)
            taken.add(str(prev))
            done.add(cl)
    return pd.Series(spread(ids, codes), index=records.index, dtype="object")


def family_ids(records: pd.DataFrame, person: pd.Series, register_source: str, *,
               factorized: Factorized | None = None) -> pd.Series:
    """A family id per record (same index): the register family of its person, None outside the register.

    A register record belongs to its own family (the register's family code of that year); any other record
    gets the family of its person's latest register record (largest record_id), so ISEE nuclei, dwellings and
    third-sector beneficiaries attach to families through their linked persons. ``factorized``:
    ``pd.factorize(person)`` (codes in any order) when the caller has it.
    """
    reg = ((records["source"] == register_source) & records["family_key"].notna()).to_numpy(dtype=bool)
    rows = np.flatnonzero(reg)
    # a family's code recurs for every member and year: each distinct code is hashed once
    codes, keys = pd.factorize(records["family_key"].to_numpy(dtype=object)[rows])
    own = np.empty(len(records), dtype=object)
    own[rows] = np.array([stable_id("F", f"{register_source}:{k}") for k in keys], dtype=object)[codes]
    person_codes, people = pd.factorize(person) if factorized is None else factorized
    # each person's register record with the largest record id: the last of its rows in ascending order
    latest = rows[ascending(records["record_id"].to_numpy(dtype=object)[rows])][::-1]
    found, first = first_positions(person_codes[latest], len(people))
    family_of_person = np.empty(len(people), dtype=object)
    family_of_person[found] = own[latest[first]]
    out = spread(family_of_person, person_codes)
    out[rows] = own[rows]
    return pd.Series(out, index=records.index, dtype="object")


def ascending(values: np.ndarray) -> np.ndarray:
    """Positions that put ``values`` in ascending order, ties in row order; no sorting when already sorted."""
    # an object Index: letting pandas infer a string dtype would first copy every value into an Arrow array
    if pd.Index(values, dtype=object).is_monotonic_increasing:
        return np.arange(len(values))
    return np.argsort(values, kind="stable")


def first_positions(codes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(the codes in ``range(size)`` that occur in ``codes``, ascending; the position of each one's first
    occurrence): ``np.unique(codes, return_index=True)`` without the code -1, found without sorting the rows."""
    first = np.full(size, len(codes), dtype=np.int64)
    known = np.flatnonzero(codes >= 0)
    np.minimum.at(first, codes[known], known)
    found = np.flatnonzero(first < len(codes))
    return found, first[found]


def spread(per_code: np.ndarray | list[object], codes: np.ndarray) -> np.ndarray:
    """Row values from per-code values (``codes`` from ``pd.factorize``: -1 gives None), as an object array."""
    table = np.empty(len(per_code) + 1, dtype=object)  # the trailing None answers code -1
    table[:-1] = per_code
    return table[codes]


def cluster_codes(node_ids: pd.Series, roots: dict[str, str], node_of_record: np.ndarray) -> Factorized:
    """Each record's cluster (the root of its node) factorized: (codes per record, root labels), as
    ``pd.factorize`` of the records' roots would give them but for the order of the codes.

    ``node_ids`` are the nodes' ids in node order, ``node_of_record`` each record's node position: the roots are
    looked up once per node and spread by integers, not hashed once per record.
    """
    node_codes, labels = pd.factorize(np.array([roots[n] for n in node_ids], dtype=object))
    return node_codes[node_of_record], labels
