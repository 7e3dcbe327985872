"""Redundancy report per source: how many records came in and how many people they turned out to be."""

from __future__ import annotations

import numpy as np
import pandas as pd

REPORT_COLUMNS = (
    "source",
    "records_in",
    "people_out",
    "duplicates_merged",
    "linked_to_register",
    "left_unlinked",
    "in_review",
    "cf_trusted",
    "cf_missing",
    "cf_invalid",
    "cf_contradicts",
    "cf_ambiguous",
)


def redundancy_report(clusters: pd.DataFrame, review: pd.DataFrame, register_source: str, *,
                      person_codes: np.ndarray | None = None) -> pd.DataFrame:
    """One row per source (sorted) with counts only, never a code or a name.

    - records_in: rows of the source; people_out: distinct people among them; duplicates_merged: the difference.
    - linked_to_register: records whose person has a register record (for the register: all of its records).
    - left_unlinked: records whose person appears in no other source and in no other record of this one.
    - in_review: records that appear in at least one review pair.
    - cf_*: records by state of their codice fiscale (trusted, missing, invalid, contradicting the record,
      ambiguous between two register codes of one base form).

    ``person_codes``: ``pd.factorize(clusters["person_id"])[0]`` (codes in any order) when the caller has it.
    """
    # people and sources as integer codes, every count one bincount: counting and comparing 2 million text ids
    # per source would dominate
    person = pd.factorize(clusters["person_id"])[0] if person_codes is None else person_codes
    source = clusters["source"].to_numpy(dtype=object)
    known = person >= 0
    in_register = np.zeros(person.max(initial=-1) + 2, dtype=bool)  # the last slot answers a missing id
    in_register[person[known & (source == register_source)]] = True
    records_per_person = np.bincount(person[known], minlength=len(in_register))
    reviewed = set(review["record_id_l"]) | set(review["record_id_r"])
    source_codes, names = pd.factorize(source)  # a record without a source is in no group (-1)
    grouped = source_codes >= 0

    def per_source(rows: np.ndarray) -> np.ndarray:
        return np.bincount(source_codes[rows & grouped], minlength=len(names))

    # distinct (source, person) pairs: the people of each source
    pairs = np.unique(source_codes[grouped & known].astype(np.int64) * len(in_register) + person[grouped & known])
    people = np.bincount(pairs // len(in_register), minlength=len(names))
    counts = {
        "records_in": per_source(np.ones(len(source), dtype=bool)),
        "linked_to_register": per_source(in_register[person]),
        "left_unlinked": per_source(records_per_person[person] == 1),
        "in_review": per_source(clusters["record_id"].isin(reviewed).to_numpy(dtype=bool)),
    }
    status = clusters["cf_status"].to_numpy(dtype=object)
    for state in ("trusted", "missing", "invalid", "contradicts", "ambiguous"):
        counts[f"cf_{state}"] = per_source(status == state)
    rows = []
    for i in sorted(range(len(names)), key=lambda i: names[i]):
        records_in = int(counts["records_in"][i])
        rows.append({
            "source": names[i],
            "records_in": records_in,
            "people_out": int(people[i]),
            "duplicates_merged": records_in - int(people[i]),
            **{column: int(counts[column][i]) for column in REPORT_COLUMNS[4:]},
        })
    return pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
