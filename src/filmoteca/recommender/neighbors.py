"""All-pairs top-N neighbours at build time, in row chunks, exactly.

score(i, j) = similarity(i, j) + bonus[j], where similarity = sparse·sparse + dense·dense +
language_weight·[same language]. Rows are processed in chunks ordered by language, so that the
language term is a constant added to one contiguous block of columns. The top-N of a row comes
from a threshold estimated on a strided sample of its columns (exact: rows where the threshold
keeps fewer than N columns fall back to a full partition).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

CHUNK_ROWS = 1024
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
    """Like _top_full, but only partitions the columns above a sampled per-row threshold."""
    rows_n, cols_n = scores.shape
    stride = max(1, cols_n // (40 * k))
    sample = scores[:, ::stride]
    rank = min(sample.shape[1] - 1, 3 * -(-k // stride))
    threshold = np.partition(sample, sample.shape[1] - 1 - rank, axis=1)[:, -1 - rank]
    mask = scores >= threshold[:, None]
    counts = mask.sum(axis=1)
    rows, cols = np.nonzero(mask)
    values = scores[rows, cols]
    order = np.lexsort((-values, rows))
    rows, cols = rows[order], cols[order]
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    rank_in_row = np.arange(rows.size) - starts[rows]
    keep = rank_in_row < k
    top = np.empty((rows_n, k), dtype=np.int64)
    top[rows[keep], rank_in_row[keep]] = cols[keep]
    short = np.flatnonzero(counts < k)
    if short.size:
        top[short] = _top_full(scores[short], k)
    return top


def top_neighbors(
    sparse: sp.csr_matrix,
    dense: np.ndarray,
    language_codes: np.ndarray,
    language_weight: float,
    bonus: np.ndarray,
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    """For every row: the k other rows of highest score (int32) and their similarity (float32)."""
    n = sparse.shape[0]
    k = min(k, n - 1)
    if k <= 0:
        return np.empty((n, 0), np.int32), np.empty((n, 0), np.float32)
    order = np.argsort(language_codes, kind="stable")
    codes = language_codes[order]
    x = sp.csr_matrix(sparse[order], dtype=np.float32)
    xt = sp.csr_matrix(x.T)
    d = np.ascontiguousarray(dense[order], dtype=np.float32)
    bonus_sorted = np.asarray(bonus[order], dtype=np.float32)
    segments = [(a, b) for code, a, b in _segments(codes) if code >= 0]
    top = np.empty((n, k), np.int32)
    sims = np.empty((n, k), np.float32)
    pick = _top_sampled if n >= _SAMPLE_MIN_COLUMNS else _top_full
    for r0 in range(0, n, CHUNK_ROWS):
        r1 = min(n, r0 + CHUNK_ROWS)
        sim = _chunk_similarity(x, xt, d, r0, r1)
        for a, b in segments:
            lo, hi = max(a, r0), min(b, r1)
            if lo < hi:
                sim[lo - r0 : hi - r0, a:b] += np.float32(language_weight)
        scores = sim + bonus_sorted[None, :]
        scores[np.arange(r1 - r0), np.arange(r0, r1)] = -np.inf
        best = pick(scores, k)
        top[r0:r1] = best
        sims[r0:r1] = np.take_along_axis(sim, best, axis=1)
    neighbors = np.empty_like(top)
    neighbors[order] = order[top].astype(np.int32)
    similarities = np.empty_like(sims)
    similarities[order] = sims
    return neighbors, similarities


def _chunk_similarity(
    x: sp.csr_matrix, xt: sp.csr_matrix, dense: np.ndarray, r0: int, r1: int
) -> np.ndarray:
    """Dense similarity of rows r0..r1 against every row (sparse part + dense part)."""
    sim = dense[r0:r1] @ dense.T
    product = sp.csr_matrix(x[r0:r1] @ xt)
    rows = np.repeat(np.arange(r1 - r0), np.diff(product.indptr))
    sim[rows, product.indices] += product.data
    return np.asarray(sim, dtype=np.float32)
