"""Pairwise quality of predicted people against a known truth (synthetic data, or a labelled sample)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class PairScores:
    """Pair counts and pairwise precision, recall and F1 (1.0 when there is nothing to find or to claim)."""

    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        """Share of predicted same-person pairs that are the same person."""
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        """Share of true same-person pairs that were predicted."""
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(n: pd.Series, n_in: pd.Series) -> int:
    # pairs of a group with at least one member in the subset: all pairs minus those outside it
    total = n * (n - 1) // 2
    outside = (n - n_in) * (n - n_in - 1) // 2
    return int((total - outside).sum())


def pairwise_scores(predicted: pd.Series, truth: pd.Series, subset: pd.Series | None = None) -> PairScores:
    """Pairwise scores of ``predicted`` (record_id -> cluster) against ``truth`` (record_id -> true person).

    Only records present in both are scored. With ``subset`` (record_id -> bool) only pairs with at least one
    record in the subset count, which scores a source or a kind of record within the whole linkage.
    """
    frame = pd.DataFrame({"pred": predicted}).join(pd.Series(truth, name="true"), how="inner")
    if subset is None:
        frame["in"] = 1
    else:
        frame["in"] = subset.reindex(frame.index).fillna(False).astype(bool).astype(np.int64)
    frame["one"] = 1

    def count(keys: list[str]) -> int:
        g = frame.groupby(keys, sort=False).agg(n=("one", "sum"), n_in=("in", "sum"))
        g = g.loc[g["n_in"] > 0]
        return _pairs(g["n"], g["n_in"])

    return PairScores(
        true_pairs=count(["true"]), predicted_pairs=count(["pred"]), correct_pairs=count(["pred", "true"])
    )
