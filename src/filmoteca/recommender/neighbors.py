"""All-pairs top-N neighbours at build time, in row chunks, exactly.

score(i, j) = content_weight·content(i, j) + cf(i, j) + bonus[j], where content = sparse·sparse
+ dense·dense + language_weight·[same language] and cf is the (weighted) co-like similarity.
Only movies with evidence may be neighbours: a shared sparse feature or genre (when content
counts) or a co-like; a row with fewer such movies than N is padded with -1. Rows are processed in chunks (two threads) ordered by language, so that the
language term is a constant added to one contiguous block of columns. The top-N of a row is
searched only among the columns above a threshold estimated on a strided sample of the row
(exact: a row where the threshold keeps fewer than N columns searches all of them).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # scipy is imported when fitting only: the server never needs it
    import scipy.sparse as sp

CHUNK_ROWS = 256
_SAMPLE_MIN_COLUMNS = 16_384  # below this, a plain argpartition is as fast


def _segments(sorted_codes: np.ndarray) -> list[tuple[int, int, int]]:
    """(code, start, stop) of each run of equal codes in a sorted array."""
    if sorted_codes.size == 0:
        return []
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_codes)) + 1]
    stops = np.r_[starts[1:], sorted_codes.size]
    return [(int(sorted_codes[a]), int(a), int(b)) for a, b in zip(starts, stops, strict=True)]


def _top_full(scores: np.ndarray, k: int) -> np.ndarray:
    """Columns of the k largest scores of each row, best first (argpartition)."""
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def _top_sampled(scores: np.ndarray, k: int) -> np.ndarray:
    """Like _top_full, but each row only partitions its columns above a sampled threshold."""
    rows_n, cols_n = scores.shape
    stride = max(1, cols_n // (40 * k))
    sample = scores[:, ::stride]
    rank = min(sample.shape[1] - 1, 3 * -(-k // stride))
    threshold = np.partition(sample, sample.shape[1] - 1 - rank, axis=1)[:, -1 - rank]
    top = np.empty((rows_n, k), dtype=np.int64)
    for i in range(rows_n):
        row = scores[i]
        candidates = np.flatnonzero(row >= threshold[i])
        if candidates.size < k:  # the sample misjudged this row: take every column
            candidates = np.arange(cols_n)
        values = row[candidates]
        part = np.argpartition(-values, k - 1)[:k]
        top[i] = candidates[part[np.argsort(-values[part], kind="stable")]]
    return top


@dataclass(frozen=True)
class _Problem:
    """Everything a chunk needs, in language order."""

    x: sp.csr_matrix
    xt: sp.csr_matrix
    dense: np.ndarray
    bonus: np.ndarray
    segments: list[tuple[int, int]]
    language_weight: float
    k: int
    genres: int  # the first `genres` dense columns are the genres (evidence), the rest era
    content_weight: float
    cf: sp.csr_matrix | None


def _content(problem: _Problem, r0: int, r1: int) -> tuple[np.ndarray, np.ndarray]:
    """Content similarity of rows r0..r1 to every row, and where it has evidence."""
    import scipy.sparse as sp

    g = problem.genres
    sim = sp.csr_matrix(problem.x[r0:r1] @ problem.xt).toarray()
    genre = problem.dense[r0:r1, :g] @ problem.dense[:, :g].T
    evidence = (sim > 0) | (genre > 0)
    sim += genre
    sim += problem.dense[r0:r1, g:] @ problem.dense[:, g:].T
    for a, b in problem.segments:
        lo, hi = max(a, r0), min(b, r1)
        if lo < hi:
            sim[lo - r0 : hi - r0, a:b] += np.float32(problem.language_weight)
    if problem.content_weight != 1.0:
        sim *= np.float32(problem.content_weight)
    return sim, evidence


def _chunk(problem: _Problem, r0: int, r1: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k columns (-1: none with evidence) and scores of rows r0..r1 (language order)."""
    n = problem.dense.shape[0]
    if problem.content_weight > 0:
        sim, evidence = _content(problem, r0, r1)
    else:
        sim, evidence = np.zeros((r1 - r0, n), np.float32), np.zeros((r1 - r0, n), bool)
    if problem.cf is not None:
        cf = problem.cf[r0:r1].toarray()
        evidence |= cf > 0
        sim += cf
    sim += problem.bonus[None, :]  # now the score
    sim[~evidence] = -np.inf
    sim[np.arange(r1 - r0), np.arange(r0, r1)] = -np.inf
    pick = _top_sampled if sim.shape[1] >= _SAMPLE_MIN_COLUMNS else _top_full
    best = pick(sim, problem.k)
    scores = np.take_along_axis(sim, best, axis=1)
    missing = ~np.isfinite(scores)
    best[missing] = -1
    scores[missing] = 0.0
    return best, scores


def top_neighbors(
    sparse: sp.csr_matrix,
    dense: np.ndarray,
    language_codes: np.ndarray,
    language_weight: float,
    bonus: np.ndarray,
    k: int,
    threads: int = 2,
    genres: int = 0,
    content_weight: float = 1.0,
    cf: sp.csr_matrix | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """For every row: the k other rows of highest score (int32, -1 pads) and their score."""
    import scipy.sparse as sp

    n = sparse.shape[0]
    k = min(k, n - 1)
    if k <= 0:
        return np.empty((n, 0), np.int32), np.empty((n, 0), np.float32)
    order = np.argsort(language_codes, kind="stable")
    x = sp.csr_matrix(sparse[order], dtype=np.float32)
    problem = _Problem(
        x=x,
        xt=sp.csr_matrix(x.T),
        dense=np.ascontiguousarray(dense[order], dtype=np.float32),
        bonus=np.asarray(bonus[order], dtype=np.float32),
        segments=[(a, b) for code, a, b in _segments(language_codes[order]) if code >= 0],
        language_weight=language_weight,
        k=k,
        genres=genres,
        content_weight=content_weight,
        cf=None if cf is None else sp.csr_matrix(cf[order][:, order], dtype=np.float32),
    )
    top = np.empty((n, k), np.int32)
    sims = np.empty((n, k), np.float32)
    starts = range(0, n, CHUNK_ROWS)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = pool.map(lambda r0: _chunk(problem, r0, min(n, r0 + CHUNK_ROWS)), starts)
        for r0, (best, sim) in zip(starts, results, strict=True):
            top[r0 : r0 + len(best)] = best
            sims[r0 : r0 + len(best)] = sim
    neighbors = np.empty_like(top)
    neighbors[order] = np.where(top >= 0, order[top], -1).astype(np.int32)
    similarities = np.empty_like(sims)
    similarities[order] = sims
    return neighbors, similarities
