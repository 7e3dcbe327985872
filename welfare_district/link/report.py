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


def redundancy_report(clusters: pd.DataFrame, review: pd.DataFrame, register_source: str) -> pd.DataFrame:
    """One row per source (sorted) with counts only, never a code or a name.

    - records_in: rows of the source; people_out: distinct people among them; duplicates_merged: the difference.
    - linked_to_register: records whose person has a register record (for the register: all of its records).
    - left_unlinked: records whose person appears in no other source and in no other record of this one.
    - in_review: records that appear in at least one review pair.
    - cf_*: records by state of their codice fiscale (trusted, missing, invalid, contradicting the record,
      ambiguous between two register codes of one base form).
    """
    # people as integer codes: counting and comparing 2 million text ids per source would dominate
    person, _ = pd.factorize(clusters["person_id"])
    source = clusters["source"].to_numpy(dtype=object)
    known = person >= 0
    in_register = np.zeros(person.max(initial=-1) + 2, dtype=bool)  # the last slot answers a missing id
    in_register[person[known & (source == register_source)]] = True
    records_per_person = np.bincount(person[known], minlength=len(in_register))
    reviewed = set(review["record_id_l"]) | set(review["record_id_r"])
    frame = pd.DataFrame({
        "source": source, "person": person, "cf_status": clusters["cf_status"].to_numpy(dtype=object),
        "register": in_register[person], "alone": records_per_person[person] == 1,
        "review": clusters["record_id"].isin(reviewed).to_numpy(dtype=bool),
    })
    rows = []
    for name, part in frame.groupby("source", sort=True):
        ids = part["person"].to_numpy()
        people = len(np.unique(ids[ids >= 0]))
        status = part["cf_status"].value_counts()
        rows.append({
            "source": name,
            "records_in": len(part),
            "people_out": people,
            "duplicates_merged": len(part) - people,
            "linked_to_register": int(part["register"].sum()),
            "left_unlinked": int(part["alone"].sum()),
            "in_review": int(part["review"].sum()),
            "cf_trusted": int(status.get("trusted", 0)),
            "cf_missing": int(status.get("missing", 0)),
            "cf_invalid": int(status.get("invalid", 0)),
            "cf_contradicts": int(status.get("contradicts", 0)),
            "cf_ambiguous": int(status.get("ambiguous", 0)),
        })
    return pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
