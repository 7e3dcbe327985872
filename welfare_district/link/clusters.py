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


def stable_id(prefix: str, key: str) -> str:
    """``prefix`` + 16 hex digits of SHA-256 of ``key``: the same key always gives the same id."""
    return prefix + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def entity_nodes(records: pd.DataFrame, register_source: str) -> tuple[pd.DataFrame, pd.Series]:
    """One node per trusted code (entity) and one per other record (orphan).

    Returns (nodes, node_of_record): nodes have ``unique_id`` (a record id), ``is_entity`` and the contract's
    attributes, an entity taking each attribute from its register records first, latest record first, then
    from its other records, then (birth date, sex, birthplace) from its code; ``node_of_record`` maps every
    record's index to its node's ``unique_id``.
    """
    trusted = records["cf_key"].notna()
    ent = records.loc[trusted].copy()
    ent["_register"] = ent["source"] == register_source
    ent = ent.sort_values(["_register", "record_id"], ascending=[False, False], kind="mergesort")
    attrs = ["record_id", "codice_fiscale", "surname", "first_name", "sex", "birth_date", "birth_place_code",
             "street_text"]
    # GroupBy.first takes the first non-null value per column: gaps are filled from the next records
    first = ent.groupby("cf_key", sort=True)[attrs].first()
    head = ent.groupby("cf_key", sort=True)["record_id"].head(1)
    first["record_id"] = ent.loc[head.index].set_index("cf_key")["record_id"].reindex(first.index)
    _fill_from_code(first)
    entities = first.rename(columns={"record_id": "unique_id"}).reset_index(drop=False)
    entities["is_entity"] = 1
    orphans = records.loc[~trusted, attrs].rename(columns={"record_id": "unique_id"})
    orphans["is_entity"] = 0
    nodes = pd.concat([entities.drop(columns=["cf_key"]), orphans], ignore_index=True)
    node_of_key = pd.Series(entities["unique_id"].to_numpy(), index=entities["cf_key"].to_numpy())
    node_of_record = pd.Series(records["record_id"].to_numpy(), index=records.index, dtype="object")
    node_of_record[trusted] = node_of_key.reindex(records.loc[trusted, "cf_key"]).to_numpy()
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
    parent = {n: n for n in node_ids}
    has_entity = {n: n in entity_ids for n in parent}

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
        if has_entity[a] and has_entity[b]:
            rejected.append(idx)
            continue
        # the entity's root survives, otherwise the smaller id, so roots do not depend on pair order
        if has_entity[b] or (not has_entity[a] and b < a):
            a, b = b, a
        parent[b] = a
    roots = {n: find(n) for n in parent}
    return roots, pairs.loc[rejected]


def person_ids(
    records: pd.DataFrame, cluster: pd.Series, register_source: str, previous: pd.Series | None = None
) -> pd.Series:
    """A stable person id per record (same index), by the rule in the module docstring.

    ``cluster`` holds any cluster label per record; ``previous`` maps record_id -> person_id of an earlier run.
    """
    frame = pd.DataFrame({"record_id": records["record_id"], "cluster": cluster,
                          "register": records["source"] == register_source})
    # sorting then keeping the first row per cluster: string minima without a per-group Python fallback
    ordered = frame.sort_values(["register", "record_id"], ascending=[False, True], kind="mergesort")
    anchor = ordered.drop_duplicates("cluster")
    ids = {c: stable_id("P", a) for c, a in zip(anchor["cluster"], anchor["record_id"], strict=True)}
    if previous is not None and len(previous):
        frame["previous"] = frame["record_id"].map(previous)
        held = frame.dropna(subset=["previous"]).groupby(["cluster", "previous"]).size().rename("n").reset_index()
        held = held.sort_values(["n", "previous", "cluster"], ascending=[False, True, True], kind="mergesort")
        taken: set[str] = set()
        done: set[object] = set()
        for cl, prev in zip(held["cluster"], held["previous"], strict=True):
            if cl in done or prev in taken:
                continue
            ids[cl] = str(prev)
            taken.add(str(prev))
            done.add(cl)
    return frame["cluster"].map(ids).astype("object")


def family_ids(records: pd.DataFrame, person: pd.Series, register_source: str) -> pd.Series:
    """A family id per record (same index): the register family of its person, None outside the register.

    A register record belongs to its own family (the register's family code of that year); any other record
    gets the family of its person's latest register record (largest record_id), so ISEE nuclei, dwellings and
    third-sector beneficiaries attach to families through their linked persons.
    """
    reg = (records["source"] == register_source) & records["family_key"].notna()
    own = pd.Series(None, index=records.index, dtype="object")
    # a family's code recurs for every member and year: each distinct code is hashed once
    codes, keys = pd.factorize(records.loc[reg, "family_key"])
    family_of_code = np.array([stable_id("F", f"{register_source}:{k}") for k in keys], dtype=object)
    own[reg] = family_of_code[codes]
    latest = pd.DataFrame({"person": person[reg], "record_id": records.loc[reg, "record_id"], "family": own[reg]})
    family_of_person = latest.sort_values("record_id", kind="mergesort").groupby("person")["family"].last()
    out = person.map(family_of_person).astype("object")
    out[reg] = own[reg]
    return out.where(out.notna(), None)
