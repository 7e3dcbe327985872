"""Validation rules: pure, vectorised checks over text columns, each failure named by a reason code.

Every function takes pandas Series indexed by data row number and returns parsed values and/or boolean
masks of failing rows; none of them raises on bad data and none of them puts a value into a message.
The runner (``welfare_district.ingest.validate``) decides which rules apply from the source declaration.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from itertools import repeat
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from welfare_district.ingest import codice_fiscale as cfmod

Severity = Literal["error", "warning"]

# reason code -> (default severity, message). Messages describe the problem, never the value.
REASONS: dict[str, tuple[Severity, str]] = {
    "required_missing": ("error", "a value is required"),
    "duplicate_key": ("error", "the same key appears on an earlier row"),
    "enum_invalid": ("error", "not one of the accepted values"),
    "number_invalid": ("error", "not a number of the declared kind"),
    "out_of_range": ("error", "outside the accepted range"),
    "date_format": ("error", "not a date in any accepted format"),
    "date_impossible": ("error", "not a real calendar date"),
    "cf_shape": ("error", "codice fiscale does not have the 16-character shape"),
    "cf_checksum": ("error", "codice fiscale check character does not match"),
    "cf_date_invalid": ("error", "codice fiscale encodes an impossible birth date"),
    "cf_omocode": ("warning", "codice fiscale is an omocodic variant (valid; same person as its base form)"),
    "cf_place_unknown": ("warning", "codice fiscale birthplace is not a known municipality or country code"),
    "cf_birth_date_mismatch": ("warning", "birth date disagrees with the codice fiscale"),
    "date_day_month_swapped": ("warning", "birth date matches the codice fiscale only with day and month swapped"),
    "cf_sex_mismatch": ("warning", "sex disagrees with the codice fiscale"),
    "cf_place_mismatch": ("warning", "birthplace code disagrees with the codice fiscale"),
    "cf_list_invalid": ("warning", "a codice fiscale in the list is malformed or fails its check"),
    "age_out_of_range": ("error", "age outside the accepted range (or birth in the future)"),
    "reference_missing": ("warning", "the referenced code is not in the list it must belong to"),
    "date_order": ("error", "end date before start date"),
    "group_lacks_one": ("warning", "no row of this group has the value one row must have (e.g. a family without "
                                   "its head)"),
    "group_many": ("warning", "more than one row of this group has the value only one row may have (e.g. two "
                              "heads of one family)"),
    "group_inconsistent": ("warning", "differs from the other rows of its group (e.g. one member of a family "
                                      "registered at another address)"),
}

_IT_MONTHS = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
              "ottobre", "novembre", "dicembre")
_DATE_LIKE = re.compile(r"^\d{1,4}([/\-.])\d{1,2}\1\d{1,4}$")


class _Memo:
    """Per distinct value, the result columns of a pure function of that value (and of ``context``)."""

    def __init__(self, context: Hashable) -> None:
        self.context = context
        self.positions: dict[object, int] = {}
        self.columns: list[np.ndarray] = []


# Distinct values whose parses are remembered while a folder loads (None outside ``remember_distinct``). A
# comune's folder repeats the same dates in every year's extract: parsing each once saved about 1 CPU-s of 2.2
# million records (codici fiscali are checked in numpy about as fast as a dictionary finds them, so they are
# not remembered). Bounded, so a very large folder only forgets and parses again.
MEMO_LIMIT = 1_000_000
_memos: dict[str, _Memo] | None = None
_memo_users = 0
_memo_lock = threading.Lock()


@contextmanager
def remember_distinct() -> Iterator[None]:
    """Inside the block, ``parse_dates`` remembers its result per distinct text (and formats and reference day).

    Guarantees: the results are the ones computed afresh (the parse is a pure function of the text, the formats
    and the reference day); the memory is released when the last open block ends.
    """
    global _memos, _memo_users
    with _memo_lock:
        _memo_users += 1
        if _memos is None:
            _memos = {}
    try:
        yield
    finally:
        with _memo_lock:
            _memo_users -= 1
            if _memo_users == 0:
                _memos = None


def _memoised(kind: str, context: Hashable, values: np.ndarray,
              compute: Callable[[np.ndarray], list[np.ndarray]]) -> list[np.ndarray]:
    """``compute(values)`` (columns with one row per value), reusing the rows remembered for earlier values."""
    with _memo_lock:
        if _memos is None or not len(values):
            return compute(values)
        memo = _memos.get(kind)
        if memo is None or memo.context != context or len(memo.positions) + len(values) > MEMO_LIMIT:
            memo = _memos[kind] = _Memo(context)  # forget rather than grow without bound
        found = np.fromiter(map(memo.positions.get, values.tolist(), repeat(-1)), dtype=np.int64, count=len(values))
        missing = np.flatnonzero(found < 0)
        if len(missing):
            new = values[missing]
            columns = compute(new)
            start = len(memo.columns[0]) if memo.columns else 0
            found[missing] = np.arange(start, start + len(new))
            memo.positions.update(zip(new.tolist(), found[missing].tolist(), strict=True))
            memo.columns = ([np.concatenate([old, add]) for old, add in zip(memo.columns, columns, strict=True)]
                            if memo.columns else columns)
        return [column[found] for column in memo.columns]


def clean_text(values: pd.Series, *, upper: bool = False) -> pd.Series:
    """Values stripped of surrounding blanks (and upper-cased when asked); missing values are ""."""
    out = values.fillna("").astype(str).str.strip()
    return out.str.upper() if upper else out


def parse_numbers(values: pd.Series, *, decimal: str = ".", integer: bool = False,
                  cleaned: bool = False) -> tuple[pd.Series, pd.Series]:
    """Numbers from text (decimal comma supported; thousands dots dropped then), and the unparseable mask.
    ``cleaned``: the values are ``clean_text``'s output already, so they are not cleaned again."""
    text = values if cleaned else clean_text(values)
    # counts, years and scales repeat: each distinct text is parsed once (the parse is value by value)
    codes, uniques = pd.factorize(text)  # no missing values after clean_text: every code is >= 0
    nums, bad = _parse_distinct_numbers(pd.Series(uniques, name=text.name), decimal, integer)
    return (pd.Series(nums.to_numpy()[codes], index=text.index, name=nums.name, dtype="float64"),
            pd.Series(bad.to_numpy()[codes], index=text.index, name=bad.name, dtype=bool))


def _parse_distinct_numbers(text: pd.Series, decimal: str, integer: bool) -> tuple[pd.Series, pd.Series]:
    if decimal == ",":
        comma = text.str.contains(",", regex=False)
        text = text.where(~comma, text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    nums = pd.to_numeric(text.where(text != ""), errors="coerce").astype("float64")
    bad = (text != "") & nums.isna()
    if integer:
        frac = nums.notna() & (nums != np.floor(nums.fillna(0)))
        bad |= frac
        nums = nums.where(~frac)
    return nums, bad


def _italian_long(text: pd.Series) -> pd.Series:
    out = text.str.lower()
    for i, month in enumerate(_IT_MONTHS, start=1):
        out = out.str.replace(rf"\b{month}\b", f"{i:02d}", regex=True)
    return out


def parse_dates(values: pd.Series, formats: tuple[str, ...], today: date | None = None, *,
                cleaned: bool = False) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Dates from text trying ``formats`` in order; returns (dates, not-a-date mask, impossible-date mask).

    A value shaped like a date that no calendar holds (31/02) is *impossible*, not merely unparseable.
    Two-digit years are placed in the past: a date after ``today`` from a ``%y`` format moves back 100 years.
    ``cleaned``: the values are ``clean_text``'s output already, so they are not cleaned again.
    """
    text = values if cleaned else clean_text(values)
    # dates repeat (birth dates, registration days): each distinct text is parsed once
    codes, uniques = pd.factorize(text)  # no missing values after clean_text: every code is >= 0

    def parse(distinct: np.ndarray) -> list[np.ndarray]:
        return [part.to_numpy() for part in _parse_distinct(pd.Series(distinct, dtype=object), formats, today)]

    # the same dates recur in every file of a folder: within ``remember_distinct`` each is parsed once
    dates, bad, impossible = _memoised("dates", (formats, today or date.today()), np.asarray(uniques, dtype=object),
                                       parse)
    return (pd.Series(dates[codes], index=text.index, dtype="datetime64[us]"),
            pd.Series(bad[codes], index=text.index, dtype=bool),
            pd.Series(impossible[codes], index=text.index, dtype=bool))


def _parse_distinct(text: pd.Series, formats: tuple[str, ...],
                    today: date | None) -> tuple[pd.Series, pd.Series, pd.Series]:
    present = text != ""
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    limit = pd.Timestamp(today or date.today())
    for fmt in formats:
        todo = present & out.isna()
        if not todo.any():
            break
        chunk = text[todo]
        if fmt == "it_long":
            chunk, fmt = _italian_long(chunk), "%d %m %Y"
        parsed = pd.to_datetime(chunk, format=fmt, errors="coerce").astype("datetime64[us]")
        if "%y" in fmt:
            future = parsed > limit
            if future.any():
                parsed[future] = parsed[future].map(lambda d: d.replace(year=d.year - 100))
        out[todo] = parsed
    failed = present & out.isna()
    impossible = pd.Series(False, index=text.index)
    if failed.any():  # only the few failures are inspected further
        impossible[failed] = text[failed].str.match(_DATE_LIKE.pattern).astype(bool)
    return out, failed & ~impossible, impossible


@lru_cache(maxsize=1)
def belfiore_codes() -> np.ndarray:
    """Every municipality and foreign-country cadastral code known to python-codicefiscale, sorted (loaded once)."""
    from codicefiscale.codicefiscale import get_indexed_data

    return np.array(sorted(get_indexed_data()["codes"].keys()), dtype="U4")


def _lookup(mapping: dict[str, int]) -> np.ndarray:
    table = np.zeros(256, dtype=np.int64)
    for char, value in mapping.items():
        table[ord(char)] = value
    return table


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Byte lookup tables: odd-position values, even-position values, omocodia letter -> digit, month."""
    odd = _lookup(dict(cfmod._ODD))
    even = _lookup(dict(cfmod._EVEN))
    undo = np.arange(256, dtype=np.uint8)
    for digit, letter in enumerate(cfmod.OMOCODIA):
        undo[ord(letter)] = ord(str(digit))
    month = _lookup({c: i + 1 for i, c in enumerate(cfmod.MONTHS)})
    return odd, even, undo, month


def _check(arr: np.ndarray, odd: np.ndarray, even: np.ndarray) -> np.ndarray:
    return (odd[arr[:, 0:15:2]].sum(axis=1) + even[arr[:, 1:15:2]].sum(axis=1)) % 26 + ord("A")


# classify_codes' status and reason, as positions in these tuples while computing
_STATUS = ("missing", "invalid", "omocode", "valid")
_CF_REASON = ("", "cf_shape", "cf_checksum", "cf_date_invalid", "cf_omocode")


@lru_cache(maxsize=1)
def _belfiore_keys() -> np.ndarray:
    """``belfiore_codes`` as sorted 4-byte integers: the same membership, tested on numbers instead of strings."""
    return np.sort(belfiore_codes().astype("S4").view(np.uint32))


def classify_codes(codes: np.ndarray, reference_year: int = 2026) -> pd.DataFrame:
    """Vectorised ``codice_fiscale.is_valid``/``base_form`` over distinct normalised codes (index = code).

    Columns: ``status`` (valid/omocode/invalid/missing), ``reason``, ``base`` (level-0 form of a valid code,
    else "") and ``place_unknown``; a code is valid or omocode exactly when ``is_valid`` accepts it.
    """
    return pd.DataFrame(_classify(codes, reference_year), index=codes)


def _classify(codes: np.ndarray, reference_year: int = 2026) -> dict[str, pd.api.extensions.ExtensionArray |
                                                                     np.ndarray]:
    """``classify_codes``' columns, without the index. Built in Arrow: the text columns as pandas stores them,
    with no Python object per code."""
    n = len(codes)
    if n == 0:  # as pandas frames empty object arrays
        return {"status": np.empty(0, dtype=object), "reason": np.empty(0, dtype=object),
                "base": np.empty(0, dtype=object), "place_unknown": np.zeros(0, dtype=bool)}
    present = np.array([isinstance(c, str) and c != "" for c in codes], dtype=bool)
    shaped = np.zeros(n, dtype=bool)
    shaped[present] = _shaped(codes[present])
    idx = np.flatnonzero(shaped)
    arr = np.frombuffer("".join(codes[idx]).encode("ascii"), dtype=np.uint8).reshape(-1, 16)
    return _classify_shaped(present, shaped, arr, reference_year)


def _classify_text(text: pa.Array, reference_year: int = 2026) -> dict[str, pd.api.extensions.ExtensionArray |
                                                                         np.ndarray]:
    """``_classify`` of distinct codes given as an Arrow string array without nulls: the same columns, read
    from the array's own buffers rather than from one Python string per code."""
    if len(text) == 0:
        return _classify(np.empty(0, dtype=object), reference_year)
    text = text.cast(pa.large_string())
    present = pc.greater(pc.binary_length(text), 0).to_numpy(zero_copy_only=False)
    shaped = present & _shaped_text(text)
    # every shaped code is 16 ASCII characters: their bytes lie one after the other in the data buffer
    chosen = pc.filter(text, pa.array(shaped))
    arr = np.empty((0, 16), dtype=np.uint8)
    if len(chosen):
        offsets = np.frombuffer(chosen.buffers()[1], dtype=np.int64)[chosen.offset: chosen.offset + len(chosen) + 1]
        data = np.frombuffer(chosen.buffers()[2], dtype=np.uint8)[offsets[0]: offsets[-1]]
        arr = data.reshape(-1, 16)
    return _classify_shaped(present, shaped, arr, reference_year)


# days in each month (index 1-12) of a common year; February gains a day in leap years
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _classify_shaped(present: np.ndarray, shaped: np.ndarray, arr: np.ndarray,
                     reference_year: int) -> dict[str, pd.api.extensions.ExtensionArray | np.ndarray]:
    """The columns of ``_classify`` from which codes are present and shaped and the bytes (one row of 16 per
    shaped code, in order) of the shaped ones."""
    n = len(present)
    status = np.zeros(n, dtype=np.int8)  # positions in _STATUS and _CF_REASON
    reason = np.zeros(n, dtype=np.int8)
    unknown_out = np.zeros(n, dtype=bool)
    status[present & ~shaped] = _STATUS.index("invalid")
    reason[present & ~shaped] = _CF_REASON.index("cf_shape")
    idx = np.flatnonzero(shaped)
    good_bases = np.empty((0, 16), dtype=np.uint8)
    good_out = np.zeros(n, dtype=bool)
    if len(idx):
        odd, even, undo, month_of = _tables()
        check_ok = _check(arr, odd, even) == arr[:, 15]
        base = arr.copy()
        cols = list(cfmod.OMOCODIA_POSITIONS)
        base[:, cols] = undo[base[:, cols]]
        base[:, 15] = _check(base, odd, even)
        digits = base.astype(np.int64) - ord("0")
        yy = digits[:, 6] * 10 + digits[:, 7]
        dd = digits[:, 9] * 10 + digits[:, 10]
        day = np.where(dd > 40, dd - 40, dd)
        year = np.where(2000 + yy > reference_year, 1900 + yy, 2000 + yy)
        # a real calendar day (what a datetime of year, month and day accepts), by month lengths in numpy
        month = month_of[base[:, 8]]
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        days = _MONTH_DAYS[month] + ((month == 2) & leap)
        date_ok = (month >= 1) & (day >= 1) & (day <= days)
        omocode = (base != arr).any(axis=1) & check_ok & date_ok
        good = check_ok & date_ok
        place = np.ascontiguousarray(base[:, 11:15]).view(np.uint32).ravel()
        unknown = good & ~np.isin(place, _belfiore_keys())
        status[idx] = np.where(~check_ok | ~date_ok, _STATUS.index("invalid"),
                               np.where(omocode, _STATUS.index("omocode"), _STATUS.index("valid")))
        reason[idx] = np.where(~check_ok, _CF_REASON.index("cf_checksum"),
                               np.where(~date_ok, _CF_REASON.index("cf_date_invalid"),
                                        np.where(omocode, _CF_REASON.index("cf_omocode"), 0)))
        good_bases = base[good]
        good_out[idx] = good
        unknown_out[idx] = unknown
    # the base column straight from its bytes: 16 for each good code, none ("") for the others
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.where(good_out, 16, 0), out=offsets[1:])
    base_text = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(good_bases.tobytes()))
    return {"status": _text_column(_STATUS, status), "reason": _text_column(_CF_REASON, reason),
            "base": pd.array(base_text, dtype="str"), "place_unknown": unknown_out}


def _shaped(codes: np.ndarray) -> np.ndarray:
    """Which of these strings have the 16-character shape of a personal code (``codice_fiscale.PATTERN``)."""
    try:
        text = pa.array(codes, type=pa.large_string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeError):  # text Arrow cannot hold, e.g. lone surrogates
        shape = _full_pattern()
        return np.array([shape.fullmatch(c) is not None for c in codes], dtype=bool)
    return _shaped_text(text)


def _shaped_text(text: pa.Array) -> np.ndarray:
    # Arrow's regular expressions run over the whole column at once, not one Python call per code
    found = pc.match_substring_regex(text, "^" + _full_pattern().pattern + "$")
    return found.to_numpy(zero_copy_only=False).astype(bool)


def _text_column(words: tuple[str, ...], positions: np.ndarray) -> pd.api.extensions.ExtensionArray:
    return pd.array(pc.take(pa.array(words, type=pa.large_string()), pa.array(positions)), dtype="str")


@lru_cache(maxsize=1)
def _full_pattern() -> re.Pattern[str]:
    return re.compile(cfmod.PATTERN.pattern.strip("^$"))


def analyse_cf(values: pd.Series, *, cleaned: bool = False) -> pd.DataFrame:
    """Per row: normalised ``code``, ``status`` (valid/omocode/invalid/missing), ``reason`` ("" when clean or
    missing), ``base`` (level-0 form of valid codes) and ``place_unknown``. Each distinct code is checked once.
    ``cleaned``: the values are ``clean_text(values, upper=True)`` already, so they are not cleaned again.
    """
    codes = (values if cleaned else clean_text(values, upper=True)).str.replace(" ", "", regex=False)
    positions, uniq = pd.factorize(codes)  # no missing values after clean_text: every position is >= 0
    out = pd.DataFrame(_classify_distinct(uniq)).iloc[positions]
    out.index = codes.index
    out.insert(0, "code", codes)
    return out


def _classify_distinct(uniq: pd.Index) -> dict[str, pd.api.extensions.ExtensionArray | np.ndarray]:
    """``_classify`` of distinct text codes, through their Arrow buffers when Arrow can hold them."""
    try:
        text = pa.array(uniq.array)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeError):  # e.g. lone surrogates in Python storage
        return _classify(np.asarray(uniq, dtype=object))
    if not (pa.types.is_string(text.type) or pa.types.is_large_string(text.type)) or text.null_count:
        return _classify(np.asarray(uniq, dtype=object))
    return _classify_text(text)


def cf_list_invalid(values: pd.Series, separator: str, *, cleaned: bool = False) -> pd.Series:
    """Rows whose list of codes holds at least one malformed or failing code. ``cleaned``: the values are
    ``clean_text(values, upper=True)`` already, so they are not cleaned again."""
    text = values if cleaned else clean_text(values, upper=True)
    items = text.str.split(separator.strip()).explode().str.strip()
    items = items[items != ""]
    bad = analyse_cf(items)["status"] == "invalid"
    return bad.groupby(level=0).any().reindex(values.index, fill_value=False)


def cf_consistency(base: pd.Series, birth: pd.Series, sex: pd.Series | None,
                   place: pd.Series | None) -> dict[str, pd.Series]:
    """Masks of rows whose birth date, sex or birthplace code disagree with a valid code's base form.

    A date that matches only with day and month exchanged is reported as ``date_day_month_swapped``
    instead of ``cf_birth_date_mismatch``: the code is probably right and the date typed the other way.
    """
    ok = base != ""
    parts = _date_parts(base, ok)
    if parts is None:  # not all codes as analyse_cf gives them: read the text as it is
        yy = pd.to_numeric(base.str[6:8].where(ok), errors="coerce")
        month = base.str[8].where(ok).map({letter: i for i, letter in enumerate(cfmod.MONTHS, start=1)})
        dd = pd.to_numeric(base.str[9:11].where(ok), errors="coerce")
    else:
        yy, month, dd = parts
    day = dd.where(dd <= 40, dd - 40)
    has_birth = ok & birth.notna()
    b_yy, b_month, b_day = birth.dt.year % 100, birth.dt.month, birth.dt.day
    same = (yy == b_yy) & (month == b_month) & (day == b_day)
    swapped = (yy == b_yy) & (month == b_day) & (day == b_month)
    masks = {
        "cf_birth_date_mismatch": has_birth & ~same & ~swapped,
        "date_day_month_swapped": has_birth & ~same & swapped,
    }
    if sex is not None:
        cf_sex = pd.Series(np.where(dd > 40, "F", "M"), index=base.index)
        masks["cf_sex_mismatch"] = ok & sex.isin(["M", "F"]) & (cf_sex != sex)
    if place is not None:
        masks["cf_place_mismatch"] = ok & (place != "") & (base.str[11:15] != place)
    return masks


def _date_parts(base: pd.Series, ok: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series] | None:
    """Year (two digits), month and day (+40 for women) of each code in ``base`` where ``ok``, NaN elsewhere:
    the numbers the text slices give, read from the codes' bytes at once. None unless every ``ok`` code has 16
    ASCII characters with digits and a month letter in those places (the base forms analyse_cf returns)."""
    mask = ok.to_numpy(dtype=bool)
    if base.hasnans or not (base[mask].str.len() == 16).all():
        return None
    joined = "".join(base.to_numpy(dtype=object)[mask])
    if not joined.isascii():
        return None
    codes = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, 16)
    digits = codes[:, [6, 7, 9, 10]].astype(np.int64) - ord("0")
    month = _tables()[3][codes[:, 8]]  # 0 for a letter that is no month
    if ((digits < 0) | (digits > 9)).any() or (month == 0).any():
        return None

    def spread(values: np.ndarray) -> pd.Series:
        out = np.full(len(base), np.nan)
        out[mask] = values
        return pd.Series(out, index=base.index)

    return (spread(digits[:, 0] * 10 + digits[:, 1]), spread(month),
            spread(digits[:, 2] * 10 + digits[:, 3]))


def age_out_of_range(birth: pd.Series, low: float, high: float, today: date | None = None) -> pd.Series:
    """Rows whose age today is below ``low`` or above ``high`` (a birth in the future is below 0)."""
    ref = pd.Timestamp(today or date.today())
    age = (ref - birth).dt.days / 365.2425
    return birth.notna() & ((age < low) | (age >= high + 1))


def not_member(value: pd.Series, members: pd.Series, separator: str) -> pd.Series:
    """Rows where ``value`` is present but absent from the ``separator``-joined list ``members``."""
    sep = separator.strip()
    # over plain lists: iterating the Arrow-backed columns themselves costs a pandas call per cell
    listed = [v in {m.strip() for m in ms.split(sep)} for v, ms in zip(value.tolist(), members.tolist(), strict=True)]
    return (value != "") & (members != "") & ~pd.Series(listed, index=value.index, dtype=bool)


def group_codes(group: pd.Series) -> np.ndarray:
    """One integer per distinct non-empty group key (row order of first appearance), -1 for rows without one."""
    return np.where((group == "").to_numpy(dtype=bool), -1, pd.factorize(group)[0])


def one_per_group(codes: np.ndarray, values: pd.Series, wanted: str) -> tuple[pd.Series, pd.Series]:
    """Rows of groups (``group_codes``) where no row has ``wanted``, and the ``wanted`` rows of groups where
    several have it. Rows without a group are never flagged."""
    grouped = codes >= 0
    hits = (values == wanted).to_numpy(dtype=bool) & grouped
    per_group = np.bincount(codes[grouped], weights=hits[grouped], minlength=int(codes.max()) + 1)
    count = np.where(grouped, per_group[np.where(grouped, codes, 0)], 0)
    return (pd.Series(grouped & (count == 0), index=values.index),
            pd.Series(hits & (count > 1), index=values.index))


def differs_in_group(codes: np.ndarray, values: pd.Series) -> pd.Series:
    """Rows whose value differs from the most common value of their group (``group_codes``; ties: the
    earliest row's value). Rows without a group are never flagged; an empty value counts as a value, so a
    member with no address in a family with one is flagged."""
    flagged = np.zeros(len(values), dtype=bool)
    grouped = codes >= 0
    if not grouped.any():
        return pd.Series(flagged, index=values.index)
    value_codes = pd.factorize(values)[0]
    # integer min and max per group find the few groups whose rows disagree without grouping strings
    spread = pd.Series(value_codes[grouped]).groupby(codes[grouped]).agg(["min", "max"])
    mixed_groups = spread.index[spread["min"].to_numpy() != spread["max"].to_numpy()].to_numpy()
    mixed_rows = grouped & np.isin(codes, mixed_groups)
    if not mixed_rows.any():
        return pd.Series(flagged, index=values.index)
    frame = pd.DataFrame({"g": codes[mixed_rows], "v": value_codes[mixed_rows]})
    counts = frame.groupby(["g", "v"], sort=False).size().rename("n").reset_index()
    # stable sort keeps first-seen order among equal counts, so ties go to the earliest row's value
    usual = counts.sort_values("n", ascending=False, kind="stable").drop_duplicates("g").set_index("g")["v"]
    flagged[mixed_rows] = frame["v"].to_numpy() != frame["g"].map(usual).to_numpy()
    return pd.Series(flagged, index=values.index)
