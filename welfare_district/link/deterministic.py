"""Codice fiscale rules: which records carry a code that can be trusted, and the person key it gives.

A record's code is trusted when it is structurally valid (shape, real date, check character) and agrees
with the record's own birth date and sex. Trusted records with the same level-0 code (``base_form``) are
the same person, so omocodic variants of one code merge. A valid code that contradicts the record is
usually a typo that happens to pass the check, or someone else's code: it is flagged and left to the
probabilistic model.

Omocodia exists because two people can share a level-0 code: the register then holds both the base code and
an omocodic variant, for two different people. When the register holds two or more codes of one base form,
each of those codes is a person of its own, and a variant of that base the register does not hold could be
either of them: it is flagged ``ambiguous`` and left to the model.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from welfare_district.errors import InputError
from welfare_district.ingest.codice_fiscale import base_form, decode_birth, is_valid

RECORD_COLUMNS: Final = (
    "record_id",
    "source",
    "codice_fiscale",
    "surname",
    "first_name",
    "sex",
    "birth_date",
    "birth_place_code",
    "street_text",
    "family_key",
)

CF_TRUSTED: Final = "trusted"
CF_MISSING: Final = "missing"
CF_INVALID: Final = "invalid"
CF_CONTRADICTS: Final = "contradicts"
CF_AMBIGUOUS: Final = "ambiguous"
CF_STATES: Final = (CF_TRUSTED, CF_MISSING, CF_INVALID, CF_CONTRADICTS, CF_AMBIGUOUS)


def check_records(records: pd.DataFrame) -> pd.DataFrame:
    """The records in the contract's columns and types; InputError naming the problem otherwise.

    Guarantees: every contract column present, ``record_id`` non-empty and unique, empty strings become None,
    ``birth_date`` holds ``datetime.date`` or None. The input frame is not modified.
    """
    missing = [c for c in RECORD_COLUMNS if c not in records.columns]
    if missing:
        raise InputError(f"person records lack the columns: {', '.join(missing)}")
    out = records.loc[:, list(RECORD_COLUMNS)].copy()
    upper = ("codice_fiscale", "sex", "birth_place_code")
    for col in RECORD_COLUMNS:
        if col != "birth_date":
            out[col] = _text(out[col], col in upper)
    if out["record_id"].isna().any():
        raise InputError("person records with an empty record_id")
    if out["record_id"].duplicated().any():
        raise InputError(f"{int(out['record_id'].duplicated().sum())} duplicated record_id values")
    if out["source"].isna().any():
        raise InputError("person records with an empty source")
    out["birth_date"] = _as_dates(out["birth_date"])
    return out.reset_index(drop=True)


def _text(values: pd.Series, upper: bool) -> pd.Series:
    """Stripped strings (upper case if asked) with None for missing or blank values, as an object column.

    Each distinct value is cleaned once and its rows share the result: the register repeats the same names and
    codes every year, so this keeps one string object per distinct value instead of one per row.
    """
    codes, uniques = pd.factorize(values)
    text = pd.Series(uniques, dtype=object).astype("string").str.strip()
    if upper:
        text = text.str.upper()
    keep = text.notna() & (text != "")
    cleaned = text.astype("object").where(keep.to_numpy(dtype=bool, na_value=False), None).to_numpy(dtype=object)
    return pd.Series(_spread(cleaned, codes), index=values.index, dtype="object")


def _spread(per_unique: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Row values from the values of the distinct keys (``codes`` from ``pd.factorize``; -1 gives None)."""
    out = np.empty(len(codes), dtype=object)  # an empty object array holds None
    found = codes >= 0
    out[found] = per_unique[codes[found]]
    return out


def _as_dates(values: pd.Series) -> pd.Series:
    """``datetime.date`` or None per row; the distinct values are parsed once and their rows share the date."""
    codes, uniques = pd.factorize(values)
    # factorize keeps the order of first appearance, so the format is inferred from the same first value
    parsed = pd.to_datetime(pd.Series(uniques), errors="coerce")
    bad_unique = parsed.isna().to_numpy(dtype=bool)
    bad_rows = int(bad_unique[codes[codes >= 0]].sum())
    if bad_rows:
        raise InputError(f"{bad_rows} birth_date values are not dates")
    dates = np.array([None if pd.isna(v) else v.date() for v in parsed], dtype=object)
    return pd.Series(_spread(dates, codes), index=values.index, dtype="object")


def cf_status(cf: str | None, birth_date: date | None, sex: str | None) -> str:
    """One of trusted / missing / invalid / contradicts for a record's code, birth date and sex."""
    if not cf:
        return CF_MISSING
    if not is_valid(cf):
        return CF_INVALID
    decoded = decode_birth(cf)
    if decoded is None:  # is_valid already checks the date; kept for the type checker
        return CF_INVALID
    cf_date, cf_sex = decoded
    if sex is not None and sex != cf_sex:
        return CF_CONTRADICTS
    # the code holds only two digits of the year, so the century cannot contradict
    if birth_date is not None and (birth_date.year % 100, birth_date.month, birth_date.day) != (
        cf_date.year % 100, cf_date.month, cf_date.day
    ):
        return CF_CONTRADICTS
    return CF_TRUSTED


def cf_keys(records: pd.DataFrame, register_source: str = "anagrafe") -> pd.DataFrame:
    """Per record (same index): ``cf_status`` and ``cf_key`` (the person key when trusted, else None).

    Guarantees: records with trusted codes of the same base form share a key, unless the register holds two or
    more codes of that base form: then each register code keeps its own key and the other variants of the base
    become ``ambiguous`` (no key). Records with different base forms never share a key.
    """
    # the same code recurs across years and sources: each distinct (code, date, sex) is validated once
    cf_codes, cf_values = pd.factorize(records["codice_fiscale"])
    date_codes, _ = pd.factorize(records["birth_date"])
    sex_codes, sex_values = pd.factorize(records["sex"])
    n_dates, n_sexes = int(date_codes.max(initial=-1)) + 2, len(sex_values) + 1
    combo = ((cf_codes.astype(np.int64) + 1) * n_dates + (date_codes + 1)) * n_sexes + (sex_codes + 1)
    _, first_row, combo_of_row = np.unique(combo, return_index=True, return_inverse=True)
    codes = records["codice_fiscale"].to_numpy(dtype=object)
    born = records["birth_date"].to_numpy(dtype=object)
    sexes = records["sex"].to_numpy(dtype=object)
    status_of_combo = np.array([
        cf_status(codes[i] if isinstance(codes[i], str) else None,
                  born[i] if isinstance(born[i], date) else None,
                  sexes[i] if isinstance(sexes[i], str) else None)
        for i in first_row
    ], dtype=object)
    status = status_of_combo[combo_of_row.reshape(-1)]
    trusted = status == CF_TRUSTED
    # the key and the ambiguity depend on the code alone: decided once per distinct trusted code
    base_of = {cf: base_form(cf) for cf in set(codes[trusted])}
    in_register = (records["source"] == register_source).to_numpy() & trusted
    register_codes: dict[str, set[str]] = {}
    for cf in set(codes[in_register]):
        register_codes.setdefault(base_of[cf], set()).add(cf)
    shared = {base for base, held in register_codes.items() if len(held) > 1}
    key_of_code = np.empty(len(cf_values), dtype=object)  # None: the code gives no key
    for i, cf in enumerate(cf_values):
        base = base_of.get(cf)
        if base is not None and (base not in shared or cf in register_codes[base]):
            key_of_code[i] = base if base not in shared else cf
    cf_key = np.empty(len(records), dtype=object)
    cf_key[trusted] = key_of_code[cf_codes[trusted]]
    status[trusted & pd.isna(cf_key)] = CF_AMBIGUOUS
    out = pd.DataFrame({"cf_status": pd.Series(status, index=records.index, dtype="object")}, index=records.index)
    out["cf_key"] = pd.Series(cf_key, index=records.index, dtype="object")
    return out
