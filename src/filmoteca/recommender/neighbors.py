"""All-pairs top-N neighbours at build time, in row chunks, exactly.

score(i, j) = content_weight·content(i, j) + cf(i, j) + bonus[j], where content = sparse·sparse
+ dense·dense + language_weight·[same language] and cf is the (weighted) co-like similarity.
Only movies with evidence may be neighbours: a shared sparse feature or genre (when content
counts) or a co-like; a row with fewer such movies than N is padded with -1.

Rows are processed in chunks (two threads, one BLAS thread each) ordered by language, so that
the language term is a constant added to one contiguous block of columns. A chunk's scores are
made in one preallocated, cache-sized buffer: the sparse product is written into it, one
matrix product adds the dense blocks and the bonus (an extra column) on top (BLAS, beta = 1),
the language blocks and the co-likes are added in place. The top-N of a row is searched among
the columns above a threshold estimated on a strided sample of the row; evidence is checked
for those candidates only (a genre bitmask, a mark where a sparse value was written). This is
exact: a column below the threshold scores less than every kept candidate, and a row where
fewer than N candidates have evidence is searched whole. Ties go to the lower column (in
language order). Subnormal dense features are flushed to 0 first: BLAS is ~20x slower on them.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # scipy is imported when fitting only: the server never needs it
    import scipy.sparse as sp

# catalogs larger than this are searched by blocks (`approximate`): exact is O(n²)
EXACT_MAX = 20_000
BUFFER_VALUES = 2**21  # float32 scores per chunk buffer (8 MB, cache-sized): rows = this / n
MAX_CHUNK_ROWS = 256
# dense features below this are set to 0: subnormal floats slow the matrix product ~20x, and
# their products (< 1e-20) are far below what a float32 score of ~1 can hold (~6e-8)
_FLUSH = 1e-20


def _segments(sorted_codes: np.ndarray) -> list[tuple[int, int, int]]:
    """(code, start, stop) of each run of equal codes in a sorted array."""
    if sorted_codes.size == 0:
        return []
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_codes)) + 1]
    stops = np.r_[starts[1:], sorted_codes.size]
    return [(int(sorted_codes[a]), int(a), int(b)) for a, b in zip(starts, stops, strict=True)]


@dataclass(frozen=True)
class Problem:
    """Everything a chunk needs: query rows against target columns, both in language order."""

    x: sp.csr_matrix  # the rows' sparse features, already scaled by content_weight
    xt: sp.csr_matrix  # the columns' sparse features, transposed
    queries: np.ndarray  # rows: [content_weight · dense, 1]
    targets: np.ndarray  # columns: [dense, bonus], transposed (contiguous)
    row_codes: np.ndarray  # language of each row (sorted)
    segments: list[tuple[int, int, int]]  # (language, start, stop) of the columns
    language: np.float32  # content_weight · language_weight
    k: int
    row_bits: np.ndarray | None  # genre bits of the rows (None: genres are no evidence)
    col_bits: np.ndarray | None
    cf: sp.csr_matrix | None  # rows x columns
    self_cols: np.ndarray  # the column of each row itself (-1: not among the columns)
    content: sp.csr_matrix | None = None  # x @ xt when already made (rows x columns)

    @property
    def n(self) -> int:
        return int(self.targets.shape[1])


def _scores(problem: Problem, r0: int, r1: int, out: np.ndarray, marks: np.ndarray) -> None:
    """Fill `out` with the scores of rows r0..r1 (no evidence applied; self = -inf) and
    `marks` with 1 where the sparse product or the co-likes hold a positive value."""
    from scipy.linalg.blas import sgemm

    if problem.content is not None or problem.x.shape[1]:
        made = problem.content
        content = made[r0:r1] if made is not None else problem.x[r0:r1] @ problem.xt
        content.toarray(out=out)  # scipy zeroes the buffer, then writes the values
        _positive(content).toarray(out=marks)
    else:
        out[:] = 0
        marks[:] = 0
    # out += queries · targets: BLAS with beta = 1, on the transposed (Fortran-ordered) views
    done = sgemm(1.0, problem.targets.T, problem.queries[r0:r1].T, 1.0, out.T, overwrite_c=True)
    if not np.shares_memory(done, out):
        out[...] = done.T
    if problem.language:
        codes = problem.row_codes[r0:r1]
        for code, a, b in problem.segments:
            lo, hi = np.searchsorted(codes, code, "left"), np.searchsorted(codes, code, "right")
            if lo < hi:
                out[lo:hi, a:b] += problem.language
    if problem.cf is not None:
        _add_co_likes(problem.cf[r0:r1], out, marks)
    own = problem.self_cols[r0:r1]
    out[np.flatnonzero(own >= 0), own[own >= 0]] = -np.inf


def _add_co_likes(cf: sp.csr_matrix, out: np.ndarray, marks: np.ndarray) -> None:
    """out += cf and marks = 1 where cf > 0 (few values per row: plain indexing)."""
    rows = np.repeat(np.arange(cf.shape[0]), np.diff(cf.indptr))
    out[rows, cf.indices] += cf.data
    marks[rows[cf.data > 0], cf.indices[cf.data > 0]] = 1


def _positive(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """1 (uint8) where `matrix` holds a positive value, same pattern."""
    import scipy.sparse as sp

    ones = (matrix.data > 0).astype(np.uint8)
    return sp.csr_matrix((ones, matrix.indices, matrix.indptr), shape=matrix.shape, copy=False)


def _evidence(
    problem: Problem, marks: np.ndarray, r0: int, rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """Which (row in chunk, column) pairs have evidence: a shared genre or a sparse value."""
    ok = marks[rows, cols].astype(bool)
    if problem.row_bits is not None and problem.col_bits is not None:
        shared = problem.row_bits[rows + r0] & problem.col_bits[cols]
        ok |= shared.any(axis=1) if shared.ndim == 2 else shared != 0
    return np.asarray(ok, dtype=bool)


def _thresholds(scores: np.ndarray, k: int) -> np.ndarray:
    """Per row, a score that about 3k columns reach, from a strided sample of the row (about
    10k of its values: a larger sample costs more than the rows it saves from a whole search)."""
    stride = max(1, scores.shape[1] // (10 * k))
    sample = scores[:, ::stride]
    rank = min(sample.shape[1] - 1, 3 * -(-k // stride))
    return np.partition(sample, sample.shape[1] - 1 - rank, axis=1)[:, -1 - rank]


def _candidates(
    problem: Problem, scores: np.ndarray, marks: np.ndarray, r0: int
) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of the candidates with evidence that surely hold each row's top k."""
    # flat positions, then (row, column): several times faster than a 2-D np.nonzero
    flat = np.flatnonzero(scores >= _thresholds(scores, problem.k)[:, None])
    rows = flat // scores.shape[1]
    cols = flat - rows * scores.shape[1]
    keep = _evidence(problem, marks, r0, rows, cols) & np.isfinite(scores[rows, cols])
    rows, cols = rows[keep], cols[keep]
    short = np.flatnonzero(np.bincount(rows, minlength=len(scores)) < problem.k)
    if short.size:  # the sample misjudged these rows: search them whole
        rows, cols = rows[~np.isin(rows, short)], cols[~np.isin(rows, short)]
        every = np.arange(problem.n)
        for row in short:
            ok = _evidence(problem, marks, r0, np.full(problem.n, row), every)
            found = every[ok & np.isfinite(scores[row])]
            rows, cols = np.r_[rows, np.full(len(found), row)], np.r_[cols, found]
    return rows, cols


def _by_row_then_value(rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The order of (row, value) pairs by row, then value from the highest, ties kept in
    their order: one stable sort of a 64-bit key (row above, the float's bits below, flipped
    so that they sort descending), not a three-key lexsort. Values are finite."""
    bits = (np.asarray(values, np.float32) + np.float32(0)).view(np.uint32)  # -0 is 0
    descending = np.where(bits >> 31, bits, bits ^ np.uint32(0x7FFFFFFF))
    key = (rows.astype(np.uint64) << np.uint64(32)) | descending.astype(np.uint64)
    return np.argsort(key, kind="stable")


def _select(
    rows: np.ndarray, cols: np.ndarray, values: np.ndarray, rows_n: int, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's k best (column, value), best first, ties to the lower column (a row's
    columns come in ascending order); -1 pads."""
    order = _by_row_then_value(rows, values)
    rows, cols, values = rows[order], cols[order], values[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, np.arange(rows_n))[rows]
    keep = rank < k
    best = np.full((rows_n, k), -1, np.int64)
    top = np.zeros((rows_n, k), np.float32)
    best[rows[keep], rank[keep]] = cols[keep]
    top[rows[keep], rank[keep]] = values[keep]
    return best, top


def _chunk(
    problem: Problem, r0: int, r1: int, buffers: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k columns (-1: none with evidence) and scores of rows r0..r1 (language order)."""
    scores, marks = buffers[0][: r1 - r0], buffers[1][: r1 - r0]
    _scores(problem, r0, r1, scores, marks)
    rows, cols = _candidates(problem, scores, marks, r0)
    return _select(rows, cols, scores[rows, cols], r1 - r0, problem.k)


def _genre_bits(has: np.ndarray) -> np.ndarray:
    """Each row's genres as bits: one uint64 per row (up to 64 genres), else rows of words."""
    words = -(-has.shape[1] // 64)
    padded = np.zeros((len(has), words * 64), bool)
    padded[:, : has.shape[1]] = has
    bits = np.packbits(padded, axis=1).view(np.uint64)
    return np.ascontiguousarray(bits[:, 0]) if words == 1 else bits


def ordered_problem(
    sparse: sp.csr_matrix,
    dense: np.ndarray,
    codes: np.ndarray,
    bonus: np.ndarray,
    weights: tuple[float, float, int],
    k: int,
    cf: sp.csr_matrix | None,
) -> tuple[np.ndarray, Problem]:
    """Every row against every row, in language order (`order[p]` is the row at position p),
    content_weight in (`weights`: language weight, content weight, genre columns)."""
    import scipy.sparse as sp

    order = np.argsort(codes, kind="stable")
    sparse, dense, codes, bonus = (
        sparse[order],
        dense[order],
        codes[order],
        np.asarray(bonus)[order],
    )
    cf = None if cf is None else cf[order][:, order]
    language_weight, content_weight, genres = weights
    dense = np.asarray(dense, dtype=np.float32)
    dense = np.where(np.abs(dense) < _FLUSH, np.float32(0), dense)
    x = sp.csr_matrix(sparse, dtype=np.float32)
    if content_weight == 0:
        x = sp.csr_matrix((x.shape[0], 0), dtype=np.float32)
    xt = sp.csr_matrix(x.T)
    if content_weight not in (0.0, 1.0):
        x = sp.csr_matrix(x * np.float32(content_weight))  # the rows only: xt stays unscaled
    ones = np.ones((len(dense), 1), np.float32)
    bits = _genre_bits(dense[:, :genres] > 0) if genres and content_weight > 0 else None
    return order, Problem(
        x=x,
        xt=xt,
        queries=np.ascontiguousarray(np.hstack([dense * np.float32(content_weight), ones])),
        targets=np.ascontiguousarray(np.hstack([dense, bonus[:, None].astype(np.float32)]).T),
        row_codes=np.asarray(codes),
        segments=[s for s in _segments(np.asarray(codes)) if s[0] >= 0],
        language=np.float32(content_weight * language_weight),
        k=k,
        row_bits=bits,
        col_bits=bits,
        cf=None if cf is None else sp.csr_matrix(cf, dtype=np.float32),
        self_cols=np.arange(len(dense)),
    )


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
    exact_max: int = EXACT_MAX,
    stats: dict[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """For every row: the k other rows of highest score (int32, -1 pads) and their score;
    exactly up to `exact_max` rows, else among each row's candidates (`approximate`, which
    fills `stats` when given)."""
    n = sparse.shape[0]
    k = min(k, n - 1)
    if k <= 0:
        return np.empty((n, 0), np.int32), np.empty((n, 0), np.float32)
    weights = (language_weight, content_weight, genres)
    order, problem = ordered_problem(sparse, dense, language_codes, bonus, weights, k, cf)
    if n > exact_max:
        from . import approximate

        top, sims = approximate.solve(problem, threads, stats)
    else:
        top, sims = solve(problem, threads)
    neighbors = np.empty_like(top)
    neighbors[order] = np.where(top >= 0, order[np.maximum(top, 0)], -1).astype(np.int32)
    similarities = np.empty_like(sims)
    similarities[order] = sims
    return neighbors, similarities


def solve(problem: Problem, threads: int) -> tuple[np.ndarray, np.ndarray]:
    """Every chunk on `threads` threads (BLAS on one thread each), one buffer per thread:
    each row's top-k columns (-1 pads) and their scores."""
    import scipy.linalg.blas  # noqa: F401  (its BLAS must be loaded for the limit to reach it)
    from threadpoolctl import threadpool_limits

    n, k = problem.n, problem.k
    rows_n = len(problem.queries)
    step = max(1, min(MAX_CHUNK_ROWS, BUFFER_VALUES // n))
    local = threading.local()

    def run(r0: int) -> tuple[np.ndarray, np.ndarray]:
        if not hasattr(local, "buffers"):
            local.buffers = (np.empty((step, n), np.float32), np.empty((step, n), np.uint8))
        return _chunk(problem, r0, min(rows_n, r0 + step), local.buffers)

    top = np.empty((rows_n, k), np.int32)
    sims = np.empty((rows_n, k), np.float32)
    starts = range(0, rows_n, step)
    with threadpool_limits(1), ThreadPoolExecutor(max_workers=threads) as pool:
        results = pool.map(run, starts) if threads > 1 else map(run, starts)
        for r0, (best, sim) in zip(starts, results, strict=True):
            top[r0 : r0 + len(best)] = best
            sims[r0 : r0 + len(best)] = sim
    return top, sims
