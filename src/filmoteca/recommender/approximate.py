"""Blocked top-N neighbours for large catalogs: candidate columns per block, then exact scores.

The exact search (`neighbors.solve`) scores every pair: O(n²). Here the movies are split into
blocks of about `BLOCK` similar movies (k-means over the dense genre and era features, fitted on
a sample), and the rows of each block are scored exactly, with the exact search's own code and
rules (evidence, language, co-likes, bonus, ties), against the block's candidate columns:

- the members of the `PROBES` blocks nearest to each of its rows, and of the blocks nearest to
  its centre up to about `RING` movies (those alike in genres and era);
- each row's about `SHARED`·N best partners by the product of the sparse features (cast, direction,
  keywords, text...) restricted to the features of at most D movies, D the largest count whose
  features cost Σ df² ≤ `PAIRS`·n products (all of them on catalogs of some tens of thousands);
- every movie sharing a co-like (or a saga) with one of its rows.

A row's list is the best of its candidates, with exact scores: only a movie outside them can be
missed. bench/bench_neighbors.py measures the recall against the exact search (ties counted).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from ..catalog.columns import distinct
from . import neighbors as nb

if TYPE_CHECKING:
    import scipy.sparse as sp

BLOCK = 128  # rows per block (k-means cluster), on average
PROBES = 5  # each row's nearest blocks
RING = 2048  # movies of the blocks nearest to a block's centre
SHARED = 3  # best shared-feature partners per row, in multiples of N
PAIRS = 10_000  # products per row allowed to the shared-feature candidates
SAMPLE = 32  # k-means is fitted on at most SAMPLE rows per block
ROUNDS = 20  # k-means rounds at most
BEST_SAMPLE = 512  # values of a row that estimate its k-th highest (`_best`)


def centroids(points: np.ndarray, count: int, seed: int = 0) -> np.ndarray:
    """k-means centroids (`count` of them at most), fitted on a sample of the points: Lloyd's
    rounds (at most `ROUNDS`, until no point changes centre) from `count` random points of the
    sample, each point to its `nearest` centre. (scikit-learn's KMeans does the same, but importing
    it takes over a second of CPU: more than these rounds on a catalog of 45,000 movies.)"""
    rng = np.random.default_rng(seed)
    sample = points[rng.choice(len(points), min(len(points), SAMPLE * count), replace=False)]
    sample = np.ascontiguousarray(sample, np.float32)
    centres = sample[rng.choice(len(sample), min(count, len(sample)), replace=False)]
    home = np.full(len(sample), -1)
    for _ in range(ROUNDS):
        moved = nearest(sample, centres, 1)[:, 0]
        if np.array_equal(moved, home):
            break
        home = moved
        members = np.bincount(home, minlength=len(centres))
        kept = members > 0  # a centre no point chose stays where it is
        sums = np.stack(
            [np.bincount(home, sample[:, d], len(centres)) for d in range(sample.shape[1])], 1
        )
        centres[kept] = sums[kept] / members[kept, None]
    return np.asarray(centres, np.float32)


def nearest(points: np.ndarray, centres: np.ndarray, probes: int) -> np.ndarray:
    """Each point's `probes` nearest centres (L2), nearest first (one: the first of equals),
    in row chunks (BLAS)."""
    probes = min(probes, len(centres))
    out = np.empty((len(points), probes), np.int32)
    half = 0.5 * (centres**2).sum(1)
    step = max(1, nb.BUFFER_VALUES // len(centres))
    for r0 in range(0, len(points), step):
        gap = half[None, :] - points[r0 : r0 + step] @ centres.T  # ½‖c‖² - p·c
        if probes == 1:  # the k-means rounds: a plain minimum, several times faster
            out[r0 : r0 + step, 0] = np.argmin(gap, axis=1)
            continue
        part = np.argpartition(gap, probes - 1, axis=1)[:, :probes]
        order = np.argsort(np.take_along_axis(gap, part, 1), axis=1, kind="stable")
        out[r0 : r0 + step] = np.take_along_axis(part, order, 1)
    return out


def sub_problem(
    problem: nb.Problem,
    x: sp.csr_matrix | None,
    rows: np.ndarray,
    cols: np.ndarray,
    content: sp.csr_matrix | None = None,
) -> nb.Problem:
    """The exact problem of some rows against some columns (both sorted: language order);
    `x` holds the columns' sparse features as rows (unscaled), or `content` the rows' content
    products with the columns already."""
    import scipy.sparse as sp

    codes = problem.row_codes
    where = np.minimum(np.searchsorted(cols, rows), len(cols) - 1)
    empty = sp.csr_matrix((len(rows), 0), dtype=np.float32)
    return nb.Problem(
        x=problem.x[rows] if x is not None else empty,
        xt=sp.csr_matrix(x[cols].T) if x is not None else empty.T.tocsr(),
        queries=problem.queries[rows],
        targets=np.ascontiguousarray(problem.targets[:, cols]),
        row_codes=codes[rows],
        segments=[s for s in nb._segments(codes[cols]) if s[0] >= 0],
        language=problem.language,
        k=min(problem.k, len(cols) - 1),
        row_bits=None if problem.row_bits is None else problem.row_bits[rows],
        col_bits=None if problem.col_bits is None else problem.col_bits[cols],
        cf=None if problem.cf is None else problem.cf[rows][:, cols],
        self_cols=np.where(cols[where] == rows, where, -1),
        content=content,
    )


def solve_rows(problem: nb.Problem) -> tuple[np.ndarray, np.ndarray]:
    """The exact search of a problem on this thread, in chunks: top-k columns and scores."""
    n, rows_n = problem.n, len(problem.queries)
    step = min(rows_n, max(1, min(nb.MAX_CHUNK_ROWS, nb.BUFFER_VALUES // n)))
    buffers = (np.empty((step, n), np.float32), np.empty((step, n), np.uint8))
    top = np.empty((rows_n, problem.k), np.int32)
    sims = np.empty((rows_n, problem.k), np.float32)
    for r0 in range(0, rows_n, step):
        best, sim = nb._chunk(problem, r0, min(rows_n, r0 + step), buffers)
        top[r0 : r0 + len(best)], sims[r0 : r0 + len(best)] = best, sim
    return top, sims


def solve(
    problem: nb.Problem, threads: int, stats: dict[str, float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's top-k columns (-1 pads) and scores among its candidates; `stats`, when
    given, receives the share of all pairs that were scored and the shared-feature limit D."""
    import scipy.linalg.blas  # noqa: F401  (its BLAS must be loaded for the limit to reach it)
    from threadpoolctl import threadpool_limits

    n, k = problem.n, problem.k
    with threadpool_limits(1):
        points = np.ascontiguousarray(problem.targets[:-1].T)  # the dense features
        centres = centroids(points, max(1, -(-n // BLOCK)))
        near = nearest(points, centres, PROBES)
        around = nearest(centres, centres, len(centres))  # each centre's, nearest first
    home = near[:, 0]
    order = np.argsort(home, kind="stable")
    members = np.split(order, np.searchsorted(home[order], np.arange(1, len(centres))))
    sizes = np.array([len(m) for m in members])
    x = problem.xt.T.tocsr()
    shared, most = _shared_features(x, PAIRS * n)
    # every feature shared (and the rows unscaled): the content product is the partners' one
    whole = shared is not None and shared[0].nnz == x.nnz and problem.x.nnz == x.nnz
    scored = 0

    def run(c: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        rows = np.sort(members[c])
        ring = around[c][: 1 + int(np.searchsorted(np.cumsum(sizes[around[c]]), RING))]
        cols = [members[b] for b in np.unique(np.r_[near[rows].ravel(), ring])]
        if problem.cf is not None:
            cols.append(problem.cf[rows].indices)
        product = None
        if whole:  # the shared features are all of them: one product gives both
            product = (problem.x[rows] @ problem.xt).tocsr()
            cols.append(_best(product, SHARED * k))
        elif shared is not None:
            cols.append(_best(shared[0][rows] @ shared[1], SHARED * k))
        cand = distinct(np.concatenate(cols), n)
        if product is None:
            sub = sub_problem(problem, x, rows, cand)
        else:
            sub = sub_problem(problem, None, rows, cand, product[:, cand])
        top, sims = solve_rows(sub)
        best = np.full((len(rows), k), -1, np.int32)
        scores = np.zeros((len(rows), k), np.float32)
        best[:, : top.shape[1]] = np.where(top >= 0, cand[np.maximum(top, 0)], -1)
        scores[:, : top.shape[1]] = sims
        return rows, best, scores, len(rows) * len(cand)

    top = np.full((n, k), -1, np.int32)
    sims = np.zeros((n, k), np.float32)
    blocks = [c for c in range(len(members)) if len(members[c])]
    with threadpool_limits(1), ThreadPoolExecutor(max_workers=threads) as pool:
        for rows, best, scores, pairs in pool.map(run, blocks) if threads > 1 else map(run, blocks):
            top[rows], sims[rows] = best, scores
            scored += pairs
    if stats is not None:
        stats.update(scored=scored / (float(n) * n), shared_max_df=float(most))
    return top, sims


def _shared_features(
    x: sp.csr_matrix, budget: float
) -> tuple[tuple[sp.csr_matrix, sp.csr_matrix] | None, int]:
    """x restricted to the features of at most D movies, as rows and as columns, D the largest
    count whose features cost Σ df² ≤ budget products; and D (0: none)."""
    import scipy.sparse as sp

    df = np.bincount(x.indices, minlength=x.shape[1])
    counts = np.sort(df)
    cost = np.cumsum(counts.astype(np.float64) ** 2)
    fits = int(np.searchsorted(cost, budget, "right"))
    if not x.nnz or fits == 0:
        return None, 0
    most = int(counts[fits - 1])
    keep = df[x.indices] <= most
    rows = sp.csr_matrix((x.data * keep, x.indices.copy(), x.indptr.copy()), shape=x.shape)
    rows.eliminate_zeros()
    return (rows, sp.csr_matrix(rows.T)), most


def _best(product: sp.csr_matrix, k: int) -> np.ndarray:
    """The columns of each row's about k highest values of a sparse product (all of a row's
    when it holds k or fewer), all rows together: those at or above the value that k of them
    reach, estimated from `BEST_SAMPLE` evenly spaced values of the row (ties at it all
    kept). Vectorised: one small sort for the whole block, not a partition per row."""
    product = product.tocsr()
    indptr, data, columns = product.indptr, product.data, np.asarray(product.indices)
    counts = np.diff(indptr)
    big = np.flatnonzero(counts > k)
    if not len(big):
        return columns
    many = counts[big]
    spots = indptr[big][:, None] + (np.arange(BEST_SAMPLE) * many[:, None]) // BEST_SAMPLE
    sample = np.sort(data[spots], axis=1)
    rank = np.minimum(BEST_SAMPLE - 1, (k * BEST_SAMPLE) // many)  # from the highest
    floor = np.full(len(counts), -np.inf, data.dtype)
    floor[big] = sample[np.arange(len(big)), BEST_SAMPLE - 1 - rank]
    chosen: np.ndarray = columns[data >= np.repeat(floor, counts)]
    return chosen
