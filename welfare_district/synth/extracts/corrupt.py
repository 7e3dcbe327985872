"""Corruptions a clerk or a volunteer really introduces, and the draws that decide which rows get them.

Each primitive returns a value different from its input (or the input itself when the corruption is
impossible, which the eligibility checks rule out beforehand).
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from welfare_district.ingest import codice_fiscale as cfm
from welfare_district.synth.extracts.config import CF_STATES, NAME_TYPOS
from welfare_district.synth.extracts.randomness import record_rng, uniform

Flags = dict[str, npt.NDArray[np.bool_]]
_DIGIT_PAIRS = ((6, 7), (9, 10), (12, 13), (13, 14))  # adjacent digit positions of a level-0 code


def transpose_cf(code: str, rnd: random.Random) -> str:
    """Two adjacent, different digits swapped; falls back to a wrong check character if none differ."""
    pairs = [(i, j) for i, j in _DIGIT_PAIRS if code[i].isdigit() and code[j].isdigit() and code[i] != code[j]]
    if not pairs:
        return wrong_check_char(code, rnd)
    i, j = rnd.choice(pairs)
    chars = list(code)
    chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


def wrong_check_char(code: str, rnd: random.Random) -> str:
    """The same first fifteen characters with a check character that does not match."""
    good = cfm.check_char(code[:15])
    return code[:15] + rnd.choice([c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c != good])


def omocodic_level(code: str) -> int:
    """How many digit positions of ``code`` carry omocodia letters (counted right to left)."""
    return sum(1 for pos in cfm.OMOCODIA_POSITIONS if code[pos] in cfm.OMOCODIA)


def omocodia_variant(code: str, rnd: random.Random) -> str:
    """A valid omocodic variant with more substitutions than ``code`` has: the same person's code family."""
    level = omocodic_level(code)
    new_level = min(len(cfm.OMOCODIA_POSITIONS), level + rnd.choice((1, 1, 2, 3)))
    if new_level == level:  # already fully omocodic: only the base form is left, which is another person
        return wrong_check_char(code, rnd)
    return cfm.omocode(cfm.base_form(code), new_level)


def _is_letter(c: str) -> bool:
    return c.isalpha()


def letter_swap(text: str, rnd: random.Random) -> str:
    """Two adjacent, different letters swapped."""
    spots = [
        i for i in range(len(text) - 1) if _is_letter(text[i]) and _is_letter(text[i + 1]) and text[i] != text[i + 1]
    ]
    if not spots:
        return text
    i = rnd.choice(spots)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def letter_drop(text: str, rnd: random.Random) -> str:
    """One letter (not the first) dropped."""
    spots = [i for i in range(1, len(text)) if _is_letter(text[i])]
    if len(text) < 3 or not spots:
        return text
    i = rnd.choice(spots)
    return text[:i] + text[i + 1 :]


def letter_double(text: str, rnd: random.Random) -> str:
    """One letter (not the first) written twice."""
    spots = [i for i in range(1, len(text)) if _is_letter(text[i])]
    if not spots:
        return text
    i = rnd.choice(spots)
    return text[:i] + text[i] + text[i:]


def accent_loss(text: str) -> str:
    """Accents, apostrophes, spaces dropped: NICOLÒ -> NICOLO, D'ANGELO -> DANGELO, DE LUCA -> DELUCA"""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return plain.replace("'", "").replace("’", "").replace(" ", "")


def accent_eligible(text: str) -> bool:
    """True when accent_loss would change ``text``."""
    return accent_loss(text) != text


def _accent_candidates(values: npt.NDArray[np.object_] | pd.Series) -> npt.NDArray[np.bool_]:
    """Rows where accent_loss changes the text; a vectorised pre-filter keeps the exact check for few rows."""
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype="str")
    maybe = series.str.contains(r"[^A-Za-z\-]", regex=True).fillna(False).to_numpy(dtype=bool)
    out = np.zeros(len(series), dtype=bool)
    idx = np.flatnonzero(maybe)
    texts = series.iloc[idx].astype(object).to_numpy()
    out[idx] = [accent_eligible(str(t)) for t in texts]
    return out


def name_eligibility(
    surname: npt.NDArray[np.object_] | pd.Series, first: npt.NDArray[np.object_] | pd.Series
) -> dict[str, npt.NDArray[np.bool_]]:
    """Rows where the precondition-bound name errors are possible (judged on the names as given)."""
    sur = surname if isinstance(surname, pd.Series) else pd.Series(surname, dtype="str")
    fst = first if isinstance(first, pd.Series) else pd.Series(first, dtype="str")
    return {
        "name_accent_loss": _accent_candidates(sur) | _accent_candidates(fst),
        "name_order_swapped": (sur.to_numpy(dtype=object) != fst.to_numpy(dtype=object)),
    }


def draw(
    seed: int,
    purpose: str,
    keys: npt.ArrayLike,
    rate: float,
    eligible: npt.NDArray[np.bool_] | None = None,
    share: float | None = None,
) -> npt.NDArray[np.bool_]:
    """Rows that get an error of ``rate`` (share of all rows), drawn among the eligible ones only.

    ``share`` is the eligible share of the whole file when the rows come in chunks (so that the result
    does not depend on the chunk size); by default it is the share within ``eligible``.
    """
    u = uniform(seed, purpose, keys)
    if eligible is None or rate <= 0:
        return u < rate
    if share is None:
        share = float(eligible.mean()) if len(eligible) else 0.0
    return eligible & (u < (min(1.0, rate / share) if share > 0 else 0.0))


def cf_state_flags(
    seed: int,
    source: str,
    keys: npt.ArrayLike,
    rates: Mapping[str, float],
    has_cf: npt.NDArray[np.bool_] | None = None,
) -> Flags:
    """Mutually exclusive codice fiscale states laid on one uniform draw per row."""
    u = uniform(seed, f"{source}/cf_state", keys)
    flags: Flags = {}
    lo = 0.0
    for state in CF_STATES:
        rate = rates.get(state, 0.0)
        if rate > 0:
            hit = (u >= lo) & (u < lo + rate)
            flags[state] = hit if has_cf is None else hit & has_cf
        lo += rate
    return flags


def apply_cf(
    codes: npt.NDArray[np.object_], flags: Flags, seed: int, source: str, keys: npt.NDArray[np.int64]
) -> npt.NDArray[np.object_]:
    """Codes with the flagged corruptions applied (a new array; missing codes become '')."""
    out = codes.copy()
    for state, mask in flags.items():
        for i in np.flatnonzero(mask):
            rnd = record_rng(seed, f"{source}/{state}", int(keys[i]))
            code = str(out[i])
            out[i] = (
                ""
                if state == "cf_missing"
                else transpose_cf(code, rnd)
                if state == "cf_transposed"
                else wrong_check_char(code, rnd)
                if state == "cf_check_char"
                else omocodia_variant(code, rnd)
            )
    return out


def name_typos(
    surname: npt.NDArray[np.object_],
    first: npt.NDArray[np.object_],
    seed: int,
    source: str,
    keys: npt.NDArray[np.int64],
    rates: Mapping[str, float],
    shares: Mapping[str, float] | None = None,
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_], Flags, dict[str, float]]:
    """Surname and first name with the configured typos applied; flags say which rows got which, and the
    last item gives the eligible share of precondition-bound kinds (``shares`` overrides it, see draw)."""
    sur, fst = surname.copy(), first.copy()
    flags: Flags = {}
    eligibility = name_eligibility(surname, first)
    used: dict[str, float] = {}
    for kind in NAME_TYPOS:
        rate = rates.get(kind, 0.0)
        if rate <= 0:
            continue
        eligible = eligibility.get(kind)
        share = None
        if eligible is not None:
            share = (shares or {}).get(kind, float(eligible.mean()) if len(eligible) else 0.0)
            used[kind] = share
        mask = draw(seed, f"{source}/{kind}", keys, rate, eligible, share)
        flags[kind] = mask
        for i in np.flatnonzero(mask):
            rnd = record_rng(seed, f"{source}/{kind}", int(keys[i]))
            if kind == "name_order_swapped":
                sur[i], fst[i] = fst[i], sur[i]
            elif kind == "name_accent_loss":
                sur[i], fst[i] = accent_loss(str(sur[i])), accent_loss(str(fst[i]))
            else:
                op = {
                    "name_letter_swap": letter_swap,
                    "name_letter_drop": letter_drop,
                    "name_letter_double": letter_double,
                }[kind]
                if rnd.random() < 0.6:  # surnames are longer and get mistyped more often
                    sur[i] = op(str(sur[i]), rnd)
                else:
                    fst[i] = op(str(fst[i]), rnd)
    return sur, fst, flags, used


def swap_day_month(days: npt.NDArray[np.datetime64], mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.datetime64]:
    """Dates with day and month exchanged on the masked rows (eligible ones: day <= 12, day != month)."""
    out = days.astype("datetime64[D]").copy()
    idx = np.flatnonzero(mask)
    if len(idx):
        y = out[idx].astype("datetime64[Y]")
        m = (out[idx].astype("datetime64[M]") - y.astype("datetime64[M]")).astype(int) + 1
        d = (out[idx] - out[idx].astype("datetime64[M]").astype("datetime64[D]")).astype(int) + 1
        out[idx] = (y.astype("datetime64[M]") + (d - 1)).astype("datetime64[D]") + (m - 1)
    return out


def swap_eligible(days: npt.NDArray[np.datetime64]) -> npt.NDArray[np.bool_]:
    """Dates whose day could be read as a month and differs from the month."""
    d64 = days.astype("datetime64[D]")
    ok = ~np.isnat(d64)
    m = (d64.astype("datetime64[M]") - d64.astype("datetime64[Y]").astype("datetime64[M]")).astype(int) + 1
    d = (d64 - d64.astype("datetime64[M]").astype("datetime64[D]")).astype(int) + 1
    return ok & (d <= 12) & (d != m)


def merge_flags(*groups: Flags) -> Flags:
    """One flags mapping from several (kinds are unique per group)."""
    out: Flags = {}
    for g in groups:
        out.update(g)
    return out


def select(flags: Flags, idx: Sequence[int] | npt.NDArray[np.intp]) -> Flags:
    """The flags restricted to rows ``idx``."""
    return {k: v[idx] for k, v in flags.items()}
