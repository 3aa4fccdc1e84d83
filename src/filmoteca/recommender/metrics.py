"""Ranking metrics of the offline evaluation (binary relevance, k = 10), and the bootstrap.

For one recommended list L (catalog rows, -1 pads) and a set of relevant rows R:
    hit@k     1 if some of the first k of L is in R
    NDCG@k    Σ_{r: L_r ∈ R} 1 / log2(r + 1)  divided by the ideal Σ_{r ≤ min(|R|, k)} 1 / log2(r + 1)
    recall@k  |L[:k] ∩ R| / |R|
Over all the lists a protocol shows: coverage (share of the catalog shown at least once), mean
popularity percentile of what is shown, and concentration (share of all slots filled by the
10 most frequent movies).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

K = 10
CONCENTRATION_TOP = 10


def discounts(k: int = K) -> np.ndarray:
    """1 / log2(rank + 1) for ranks 1..k."""
    return np.asarray(1.0 / np.log2(np.arange(2, k + 2)), dtype=np.float64)


def list_scores(
    lists: np.ndarray, relevant: np.ndarray, sizes: np.ndarray | None = None
) -> tuple[np.ndarray, ...]:
    """hit, NDCG and recall of each row of `lists` (q x k) against one relevant set; `sizes`
    is |R| per row when a row's own query is in `relevant` (it is never in its own list)."""
    k = lists.shape[1]
    rel = np.isin(lists, relevant) & (lists >= 0)
    disc = discounts(k)
    size = np.full(len(lists), len(relevant)) if sizes is None else np.asarray(sizes)
    ideal = np.cumsum(disc)[np.minimum(size, k) - 1]
    hits = rel.sum(axis=1)
    return rel.any(axis=1).astype(float), (rel @ disc) / ideal, hits / size


@dataclass
class Tally:
    """Per-user metric means and every list shown, for one ranker on one protocol."""

    hit: list[float] = field(default_factory=list)
    ndcg: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    queries: int = 0
    shown: list[np.ndarray] = field(default_factory=list)

    def add(self, lists: np.ndarray, relevant: np.ndarray, sizes: np.ndarray | None = None) -> None:
        """Score one user's lists (one per query) against that user's relevant rows."""
        hit, ndcg, recall = list_scores(lists, relevant, sizes)
        self.hit.append(float(hit.mean()))
        self.ndcg.append(float(ndcg.mean()))
        self.recall.append(float(recall.mean()))
        self.queries += len(lists)
        self.shown.append(lists[lists >= 0])

    def summary(self, n_movies: int, percentiles: np.ndarray) -> dict[str, float]:
        """The protocol's metrics (user-averaged accuracy; diversity over every slot)."""
        if not self.hit:
            return {"usuarios": 0, "consultas": 0}
        shown = np.concatenate(self.shown) if self.shown else np.zeros(0, np.int64)
        counts = np.bincount(shown, minlength=n_movies)
        top = np.sort(counts)[::-1][:CONCENTRATION_TOP].sum()
        return {
            "usuarios": len(self.hit),
            "consultas": self.queries,
            "hit_10": float(np.mean(self.hit)),
            "ndcg_10": float(np.mean(self.ndcg)),
            "recall_10": float(np.mean(self.recall)),
            "cobertura": float(np.count_nonzero(counts) / n_movies),
            "percentil_popularidad": float(percentiles[shown].mean()) if shown.size else 0.0,
            "concentracion": float(top / shown.size) if shown.size else 0.0,
        }


def coverage(top: np.ndarray) -> float:
    """Share of catalog movies that appear in the top-k list of some catalog movie."""
    shown = np.unique(top[top >= 0])
    return float(shown.size / top.shape[0]) if top.shape[0] else 0.0


def paired_bootstrap(
    ours: Sequence[float], theirs: Sequence[float], rounds: int = 2000, seed: int = 7
) -> dict[str, float]:
    """Mean of ours - theirs over users, with a 95 % percentile interval (users resampled)."""
    diff = np.asarray(ours, dtype=np.float64) - np.asarray(theirs, dtype=np.float64)
    if diff.size == 0:
        return {"diferencia": 0.0, "ic95_bajo": 0.0, "ic95_alto": 0.0}
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, diff.size, size=(rounds, diff.size))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return {"diferencia": float(diff.mean()), "ic95_bajo": float(low), "ic95_alto": float(high)}
