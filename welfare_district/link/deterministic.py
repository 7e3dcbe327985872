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
from welfare_district.ingest.codice_fiscale import MONTHS, decode_birth, is_valid
from welfare_district.link.clusters import Factorized, spread

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

# optional: the comune of residence as the source gives it, used to bound the blocking of a region (model.py)
OPTIONAL_COLUMNS: Final = ("municipality",)

CF_TRUSTED: Final = "trusted"
CF_MISSING: Final = "missing"
CF_INVALID: Final = "invalid"
CF_CONTRADICTS: Final = "contradicts"
CF_AMBIGUOUS: Final = "ambiguous"
CF_STATES: Final = (CF_TRUSTED, CF_MISSING, CF_INVALID, CF_CONTRADICTS, CF_AMBIGUOUS)
_STATE: Final = {state: i for i, state in enumerate(CF_STATES)}


def check_records(records: pd.DataFrame) -> pd.DataFrame:
    """The records in the contract's columns and types; InputError naming the problem otherwise.

    Guarantees: every contract column present (and OPTIONAL_COLUMNS kept when given), ``record_id`` non-empty
    and unique, empty strings become None, ``birth_date`` holds ``datetime.date`` or None. The input frame is
    not modified.
    """
    missing = [c for c in RECORD_COLUMNS if c not in records.columns]
    if missing:
        raise InputError(f"person records lack the columns: {', '.join(missing)}")
    columns = [*RECORD_COLUMNS, *(c for c in OPTIONAL_COLUMNS if c in records.columns)]
    out = records.loc[:, columns].copy()
    upper = ("codice_fiscale", "sex", "birth_place_code")
    for col in columns:
        if col == "record_id":
            out[col] = _distinct_text(out[col])
        elif col != "birth_date":
            out[col] = _text(out[col], col in upper)
    if out["record_id"].isna().any():
        raise InputError("person records with an empty record_id")
    ids = out["record_id"].to_numpy(dtype=object)
    # ids in strictly ascending order (as staged) are distinct: one pass of comparisons. Otherwise counting the
    # distinct ones is one hash pass, the rows only on failure
    ascending = len(ids) < 2 or bool(np.all(ids[1:] > ids[:-1]))
    if not ascending and len(set(ids)) < len(out):
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
    cleaned = np.empty(len(uniques), dtype=object)
    # plain str methods per distinct value: far cheaper than a round trip through a string array
    cleaned[:] = [_clean(v, upper) for v in np.asarray(uniques, dtype=object)]
    return pd.Series(spread(cleaned, codes), index=values.index, dtype="object")


def _distinct_text(values: pd.Series) -> pd.Series:
    """``_text`` (not upper case) for values that are nearly all distinct, such as record ids: each row is
    cleaned on its own, as hashing every value to find the few repeated ones would cost more than it saves."""
    objects = values.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(objects, skipna=True) not in ("string", "empty"):
        # other types: equal numbers of different types (1, 1.0) must become the same text, as _text makes them
        return _text(values, False)
    given = np.flatnonzero(~pd.isna(objects))
    cleaned = np.empty(len(objects), dtype=object)  # an empty object array holds None
    cleaned[given] = [_clean(v, False) for v in objects[given].tolist()]
    return pd.Series(cleaned, index=values.index, dtype="object")


def _clean(value: object, upper: bool) -> str | None:
    text = (value if isinstance(value, str) else str(value)).strip()
    return (text.upper() if upper else text) or None


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
    return pd.Series(spread(dates, codes), index=values.index, dtype="object")


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

    Guarantees: ``cf_status`` is that of ``cf_status`` row by row; records with trusted codes of the same base
    form share a key, unless the register holds two or more codes of that base form: then each register code
    keeps its own key and the other variants of the base become ``ambiguous`` (no key). Records with different
    base forms never share a key.
    """
    return cf_keys_coded(records, register_source)[0]


def cf_keys_coded(records: pd.DataFrame, register_source: str = "anagrafe") -> tuple[pd.DataFrame, Factorized]:
    """``cf_keys`` and ``pd.factorize(cf_key, sort=True)`` of its keys (codes per record, sorted distinct keys),
    computed from the distinct codes rather than by hashing every record's key."""
    # the same code, date and sex recur across years and sources: each distinct value is examined once, in
    # arrays, and the rows pick their answers by index
    cf_codes, cf_values = pd.factorize(records["codice_fiscale"])
    cf_text = [v if isinstance(v, str) and v else None for v in cf_values]
    code_ok, base, cf_yy, cf_month, cf_day, cf_female = _decode_codes(cf_text)
    safe = np.where(cf_codes >= 0, cf_codes, len(cf_text))  # the trailing entry stands for "no code"
    given = np.array([t is not None for t in cf_text] + [False], dtype=bool)
    has_code = given[safe]
    valid = has_code & code_ok[safe]
    date_codes, date_values = pd.factorize(records["birth_date"])
    ymd = np.array([(d.year % 100, d.month, d.day) if isinstance(d, date) else (-1, -1, -1) for d in date_values]
                   + [(-1, -1, -1)], dtype=np.int64).reshape(-1, 3)[date_codes]
    has_date = ymd[:, 0] >= 0
    same_date = (ymd[:, 0] == cf_yy[safe]) & (ymd[:, 1] == cf_month[safe]) & (ymd[:, 2] == cf_day[safe])
    sex_codes, sex_values = pd.factorize(records["sex"])
    # 1: "F", 0: "M", 2: any other text (never the code's sex), -1: no sex given
    sex_kind = np.array([{"F": 1, "M": 0}.get(v, 2) if isinstance(v, str) else -1 for v in sex_values] + [-1],
                        dtype=np.int64)[sex_codes]
    wrong_sex = (sex_kind >= 0) & (sex_kind != cf_female[safe].astype(np.int64))
    # states as small integers (positions in CF_STATES) until the end: selecting among texts built a fixed-width
    # text array of every row first
    state = np.select([~has_code, ~valid, wrong_sex | (has_date & ~same_date)],
                      [_STATE[CF_MISSING], _STATE[CF_INVALID], _STATE[CF_CONTRADICTS]], _STATE[CF_TRUSTED])
    trusted = state == _STATE[CF_TRUSTED]
    # the key and the ambiguity depend on the code alone: decided once per distinct trusted code, the codes
    # marked in boolean arrays (np.unique would sort millions of rows)
    in_register = (records["source"] == register_source).to_numpy() & trusted
    held = _marked(cf_codes[in_register], len(cf_values))
    # per distinct code, in arrays: a base form held by the register under two or more codes is shared
    base_codes = pd.factorize(np.asarray(base[:len(cf_values)], dtype=object))[0]
    shared = np.bincount(base_codes[held], minlength=len(cf_values))[base_codes] > 1
    key_of_code = np.empty(len(cf_values), dtype=object)  # None: the code gives no key
    own_key = _marked(cf_codes[trusted], len(cf_values)) & ~shared
    key_of_code[own_key] = np.asarray(base, dtype=object)[:len(cf_values)][own_key]
    key_of_code[shared & held] = np.asarray(cf_values, dtype=object)[shared & held]
    # the distinct keys in sorted order and each code's position among them (-1: no key): every row's key as
    # pd.factorize(cf_key, sort=True) gives it, without hashing the rows' keys again. Keys are codes of 16
    # letters and digits: sorted as fixed-width texts, in the order of Python's sort
    given_keys = ~pd.isna(key_of_code)
    distinct, rank = np.unique(key_of_code[given_keys].astype(str), return_inverse=True)
    keys = distinct.astype(object)
    key_rank = np.full(len(cf_values) + 1, -1, dtype=np.int64)  # the trailing -1 stands for "no code"
    key_rank[:-1][given_keys] = rank
    key_codes = np.full(len(records), -1, dtype=np.int64)
    key_codes[trusted] = key_rank[cf_codes[trusted]]
    cf_key = spread(keys, key_codes)
    state[trusted & (key_codes < 0)] = _STATE[CF_AMBIGUOUS]
    status = np.array(CF_STATES, dtype=object)[state]
    out = pd.DataFrame({"cf_status": pd.Series(status, index=records.index, dtype="object")}, index=records.index)
    out["cf_key"] = pd.Series(cf_key, index=records.index, dtype="object")
    return out, (key_codes, keys)


def _marked(codes: np.ndarray, size: int) -> np.ndarray:
    """A boolean per code in ``range(size)``: True when it occurs in ``codes`` (all of them in that range)."""
    seen = np.zeros(size, dtype=bool)
    seen[codes] = True
    return seen


def _decode_codes(codes: list[str | None]) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray, np.ndarray,
                                                   np.ndarray]:
    """Per distinct code: ``is_valid``, its base form ("" when invalid) and the two-digit year, month, day and
    sex (True: female) that ``decode_birth`` reads from it (-1 when invalid); a trailing entry stands for None.
    """
    from welfare_district.ingest.rules import classify_codes

    upper = np.array([c.upper() if c is not None else "" for c in codes] + [""], dtype=object)
    found = classify_codes(upper)
    ok = found["status"].isin(["valid", "omocode"]).to_numpy(dtype=bool)
    base = found["base"].astype(str).tolist()
    parts = np.full((len(upper), 3), -1, dtype=np.int64)
    idx = np.flatnonzero(ok)
    if len(idx):
        arr = np.frombuffer("".join(base[i] for i in idx).encode("ascii"), dtype=np.uint8).reshape(-1, 16)
        digits = arr.astype(np.int64) - ord("0")
        month_of = np.zeros(256, dtype=np.int64)
        for number, letter in enumerate(MONTHS, start=1):
            month_of[ord(letter)] = number
        parts[idx, 0] = digits[:, 6] * 10 + digits[:, 7]
        parts[idx, 1] = month_of[arr[:, 8]]
        parts[idx, 2] = digits[:, 9] * 10 + digits[:, 10]
    female = parts[:, 2] > 40
    day = np.where(female, parts[:, 2] - 40, parts[:, 2])
    return ok, base, parts[:, 0], parts[:, 1], day, female
