"""Codici fiscali of the synthetic residents: computed from name, sex, birth date and place, unique.

When two people would get the same code, the later one (by person id, then chunk order) gets the next
omocodic variant, as the Agenzia delle Entrate does. ``CodeRegistry`` remembers every base code issued
so far, so codes stay unique across chunks of a large run.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from welfare_district.errors import WelfareError
from welfare_district.ingest.codice_fiscale import OMOCODIA_POSITIONS, encode, omocode

_EPOCH = date(1970, 1, 1)


class CodeRegistry:
    """Counts of base codes already issued (sorted arrays, merged chunk by chunk)."""

    def __init__(self) -> None:
        self._codes = np.empty(0, dtype="S16")
        self._counts = np.empty(0, dtype=np.int64)

    def issued(self, codes: np.ndarray) -> np.ndarray:
        """How many times each of ``codes`` (S16) was already issued."""
        if len(self._codes) == 0:
            return np.zeros(len(codes), dtype=np.int64)
        pos = np.clip(np.searchsorted(self._codes, codes), 0, len(self._codes) - 1)
        return np.where(self._codes[pos] == codes, self._counts[pos], 0)

    def add(self, codes: np.ndarray) -> None:
        """Record ``codes`` (with repetitions) as issued."""
        uniq, cnt = np.unique(codes, return_counts=True)
        allc = np.concatenate([self._codes, uniq])
        alln = np.concatenate([self._counts, cnt])
        order = np.argsort(allc, kind="stable")
        allc, alln = allc[order], alln[order]
        keep = np.r_[True, allc[1:] != allc[:-1]]
        group = np.cumsum(keep) - 1
        self._codes = allc[keep]
        self._counts = np.bincount(group, weights=alln).astype(np.int64)


def base_codes(
    surname: np.ndarray, first: np.ndarray, sex: np.ndarray, birth_day: np.ndarray, place: np.ndarray
) -> np.ndarray:
    """Level-0 codes (object array of str) for the given people: sex codes 0 = M, 1 = F; day numbers."""
    sexes = np.where(sex == 1, "F", "M")
    return np.array(
        [
            encode(s, n, x, _EPOCH + timedelta(days=int(d)), p)
            for s, n, x, d, p in zip(surname, first, sexes, birth_day, place, strict=True)
        ],
        dtype=object,
    )


def unique_codes(base: np.ndarray, registry: CodeRegistry | None = None) -> np.ndarray:
    """The codes to issue for ``base`` (in order): repeated bases get omocodic variants 1, 2, ..."""
    b16 = base.astype("S16")
    order = np.argsort(b16, kind="stable")
    sorted_codes = b16[order]
    start = np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]
    run_start = np.maximum.accumulate(np.where(start, np.arange(len(order)), 0))
    level = np.empty(len(order), dtype=np.int64)
    level[order] = np.arange(len(order)) - run_start
    if registry is not None:
        level += registry.issued(b16)
        registry.add(b16)
    if level.max(initial=0) > len(OMOCODIA_POSITIONS):
        raise WelfareError("more than 8 people share one codice fiscale: cannot make the codes unique")
    out = base.copy()
    for i in np.flatnonzero(level > 0):
        out[i] = omocode(base[i], int(level[i]))
    return out
