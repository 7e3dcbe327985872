"""Keyed, order-independent randomness: every draw is a pure function of (seed, purpose, record key).

A record gets the same corruption whether the file is written in one go or in chunks, and adding a new
kind of draw never shifts the draws of the others.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

U64 = np.uint64
_GOLDEN = U64(0x9E3779B97F4A7C15)
_M1 = U64(0xBF58476D1CE4E5B9)
_M2 = U64(0x94D049BB133111EB)


def _mix(z: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    # splitmix64 finaliser; uint64 arithmetic wraps, which is what the mixer needs
    with np.errstate(over="ignore"):
        z = z + _GOLDEN
        z = (z ^ (z >> U64(30))) * _M1
        z = (z ^ (z >> U64(27))) * _M2
    return z ^ (z >> U64(31))


def hash64(seed: int, purpose: str, keys: npt.ArrayLike) -> npt.NDArray[np.uint64]:
    """64-bit hashes of ``keys`` (integers), distinct per (seed, purpose), identical on every run."""
    salt = np.array([(seed & 0xFFFFFFFF) << 32 | zlib.crc32(purpose.encode())], dtype=np.uint64)
    k = np.asarray(keys).astype(np.int64).view(np.uint64)
    return _mix(k ^ _mix(salt))


def uniform(seed: int, purpose: str, keys: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Uniform floats in [0, 1), one per key."""
    return (hash64(seed, purpose, keys) >> U64(11)).astype(np.float64) * (1.0 / (1 << 53))


def pick(seed: int, purpose: str, keys: npt.ArrayLike, weights: Sequence[float]) -> npt.NDArray[np.intp]:
    """An index into ``weights`` per key, drawn with probability proportional to the weights."""
    cum = np.cumsum(np.asarray(weights, dtype=np.float64))
    return np.searchsorted(cum / cum[-1], uniform(seed, purpose, keys), side="right").astype(np.intp)


def record_rng(seed: int, purpose: str, key: int) -> random.Random:
    """A small generator for the details of one record's corruption (which letter, which digit)."""
    return random.Random(int(hash64(seed, purpose, np.array([key]))[0]))


def two_key(a: npt.ArrayLike, b: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """One integer key from two (e.g. person and year), collision-free for b < 2**16."""
    return (np.asarray(a).astype(np.int64) << np.int64(16)) | (np.asarray(b).astype(np.int64) & 0xFFFF)


_PRIME = 2_147_483_647  # 2**31 - 1: an affine map modulo a prime is a bijection on ids below it


def scramble(seed: int, purpose: str, ids: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """A source system's own stable code for an id: a keyed bijection, so truth ids never leak."""
    h = hash64(seed, purpose, np.array([0, 1]))
    a = int(h[0] % np.uint64(_PRIME - 1)) + 1
    b = int(h[1] % np.uint64(_PRIME))
    x = np.asarray(ids).astype(np.int64) % _PRIME
    # split the multiplication so that it never overflows int64
    hi, lo = x >> 16, x & 0xFFFF
    return ((((hi * a) % _PRIME) * 65536) % _PRIME + (lo * a) % _PRIME + b) % _PRIME


def keyed_dates(
    seed: int, purpose: str, keys: npt.ArrayLike, start: npt.ArrayLike, end: npt.ArrayLike
) -> npt.NDArray[np.datetime64]:
    """One date per key, uniform in [start, end] (datetime64[D] bounds, broadcast)."""
    lo = np.asarray(start).astype("datetime64[D]")
    hi = np.asarray(end).astype("datetime64[D]")
    span = np.maximum((hi - lo).astype(np.int64), 0) + 1
    off = (uniform(seed, purpose, keys) * span).astype(np.int64)
    return lo + off.astype("timedelta64[D]")
