"""Seeded random streams: one independent numpy Generator per concern, derived from the master seed.

Deriving a stream from (seed, names...) rather than drawing from one shared generator keeps each concern's
numbers stable when another concern changes how many numbers it draws, and lets chunks run in any order.
"""

from __future__ import annotations

import hashlib

import numpy as np


def _key(part: str | int) -> int:
    # hashlib, not hash(): Python's string hash is salted per process and would break reproducibility
    data = str(part).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def stream(seed: int, *names: str | int) -> np.random.Generator:
    """A Generator that depends only on ``seed`` and the ``names`` path; same inputs, same numbers."""
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(entropy=seed, spawn_key=tuple(_key(n) for n in names)))
    )


def weighted_choice_without_replacement(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Indices of ``k`` distinct items drawn with probability proportional to ``weights`` (sorted).

    Efraimidis-Spirakis keys: one exponential per item divided by its weight; the k smallest win.
    Items with weight 0 are never drawn; ``k`` is capped at the number of positive weights.
    """
    w = np.asarray(weights, dtype=np.float64)
    positive = w > 0
    k = int(min(k, positive.sum()))
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    keys = np.full(w.shape, np.inf)
    keys[positive] = rng.exponential(size=int(positive.sum())) / w[positive]
    picked = np.argpartition(keys, k - 1)[:k] if k < len(w) else np.arange(len(w))
    return np.sort(picked).astype(np.int64)


def grouped_rank(groups: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Rank (0-based) of each item within its group when ordered by ``keys``; ties broken by position."""
    order = np.lexsort((np.arange(len(keys)), keys, groups))
    g_sorted = groups[order]
    starts = np.r_[0, np.flatnonzero(g_sorted[1:] != g_sorted[:-1]) + 1]
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(len(order)) - run_start
    return ranks
