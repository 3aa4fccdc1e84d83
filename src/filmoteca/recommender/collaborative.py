"""The collaborative part: item-item co-likes with shrinkage, in scipy.sparse (fit time only).

Computed a block of movies at a time (their rows of LᵀL), so that memory stays bounded by
the kept values, not by all co-liked pairs.

With L the users x movies matrix of likes (rating >= 4) and C = LᵀL (C_ij: people who liked
both i and j), the co-like similarity is the shrunk cosine

    cf(i, j) = C_ij / sqrt(n_i · n_j) · C_ij / (C_ij + shrink)

(n_i: people who liked i). Shrinkage discounts pairs backed by few people. Each row keeps its
`top` best values only, so that the matrix stays bounded on big rating files. With `alpha` the
cosine becomes asymmetric, C_ij / (n_i^(1 - alpha) · n_j^alpha) (alpha = 0.5: the cosine; the
two exponents add up to 1, so it stays within 0-1): below 0.5 it leans toward candidates many
people liked, and a row's values shrink as the query movie's own likes grow.
`gate_by_genre` scales down the pairs that share no genre (co-likes alone, nothing in common).

With `user_beta` > 0 each person's likes weigh m_u^-user_beta (m_u: how many movies that person
liked; inverse user frequency): in the cosine, C_ij and n_i become sums of those weights, so
that someone who liked 800 movies is not 800 pieces of evidence about every pair of them. The
shrinkage and the counts shown to people stay in persons (the unweighted C_ij).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .ratings import LIKED_RATING


def like_matrix(ratings: pd.DataFrame, movie_ids: np.ndarray) -> sp.csr_matrix:
    """Users x movies (catalog order) binary likes; ratings of other movies are ignored."""
    liked = ratings["rating"].to_numpy() >= LIKED_RATING
    cols = pd.Index(movie_ids).get_indexer(ratings["movie_id"].to_numpy()[liked])
    keep = cols >= 0
    users, _ = pd.factorize(ratings["userId"].to_numpy()[liked][keep])
    matrix = sp.csr_matrix(
        (np.ones(int(keep.sum()), np.float32), (users, cols[keep])),
        shape=(int(users.max()) + 1 if users.size else 0, len(movie_ids)),
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def top_per_row(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, top: int) -> np.ndarray:
    """Positions of the `top` largest positive values of each row (ties: the lower column)."""
    lengths = np.bincount(rows)
    long = np.flatnonzero(lengths[rows] > top)
    if long.size == 0:
        return np.arange(len(rows))
    r, c, v = rows[long], cols[long], values[long]
    row_bits, col_bits = int(r.max()).bit_length(), int(c.max()).bit_length()
    if row_bits + col_bits + 32 <= 64:  # one sort of (row, value descending, column) keys
        # a positive float32's bits grow with its value: ~bits orders the values descending
        down = ~np.asarray(v, np.float32).view(np.uint32)
        key = (r.astype(np.uint64) << np.uint64(32 + col_bits)) | (
            down.astype(np.uint64) << np.uint64(col_bits)
        )
        order = np.argsort(key | c.astype(np.uint64))
    else:
        order = np.lexsort((c, -v, r))
    sorted_rows = r[order]
    rank = np.arange(len(order)) - np.searchsorted(sorted_rows, sorted_rows)
    kept = long[order[rank < top]]
    return np.sort(np.r_[np.flatnonzero(lengths[rows] <= top), kept])


def keep_top(matrix: sp.csr_matrix, top: int) -> sp.csr_matrix:
    """The `top` largest values of every row (ties: the lower column), the rest dropped."""
    lengths = np.diff(matrix.indptr)
    if lengths.size == 0 or lengths.max() <= top:
        return matrix
    rows = np.repeat(np.arange(matrix.shape[0]), lengths)
    kept = top_per_row(rows, matrix.indices, matrix.data, top)
    out = sp.csr_matrix((matrix.data[kept], (rows[kept], matrix.indices[kept])), shape=matrix.shape)
    out.sort_indices()
    return out


def _block(
    likes_t: sp.csr_matrix,
    likes: sp.csr_matrix,
    weighted: tuple[sp.csr_matrix | None, np.ndarray],
    r0: int,
    r1: int,
    shrink: float,
    top: int,
    alpha: float = 0.5,
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Rows r0..r1 of the similarity and of the co-like counts, `top` per row; `weighted`:
    the weighted likes (movies x users; None: unweighted) and the likes per movie (weighted)."""
    counts = sp.csr_matrix(likes_t[r0:r1] @ likes, dtype=np.float32)
    if weighted[0] is not None:
        counts.sort_indices()
    row = np.repeat(np.arange(r1 - r0), np.diff(counts.indptr))
    off = row + r0 != counts.indices  # the diagonal: a movie with itself
    row, col, c = row[off], counts.indices[off], counts.data[off]
    weighted_likes, per_movie = weighted
    cw = c
    if weighted_likes is not None:  # the pattern of `counts` (every weight is positive)
        product = sp.csr_matrix(weighted_likes[r0:r1] @ likes, dtype=np.float32)
        product.sort_indices()
        if not np.array_equal(product.indptr, counts.indptr):  # a weight rounded to 0
            raise ValueError("user weights too small to count: use a smaller user_beta")
        cw = product.data[off]
    norm = per_movie[row + r0] ** np.float32(1.0 - alpha) * per_movie[col] ** np.float32(alpha)
    values = (cw / np.maximum(norm, 1e-12) * c / (c + np.float32(shrink))).astype(np.float32)
    kept = top_per_row(row, col, values, top) if len(row) else np.zeros(0, np.int64)
    shape = (r1 - r0, likes.shape[1])
    row, col = row[kept], col[kept]
    return sp.csr_matrix((values[kept], (row, col)), shape=shape), sp.csr_matrix(
        (c[kept], (row, col)), shape=shape
    )


def fit(
    ratings: pd.DataFrame,
    movie_ids: np.ndarray,
    shrink: float,
    top: int,
    rows: int = 2048,
    alpha: float = 0.5,
    user_beta: float = 0.0,
) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray]:
    """(similarity, co-like counts of the kept pairs, likes per movie) of the catalog's
    movies, a block of `rows` movies at a time so that memory stays bounded."""
    likes = like_matrix(ratings, movie_ids)
    per_movie = np.asarray(likes.sum(axis=0)).ravel().astype(np.float32)
    likes_t = sp.csr_matrix(likes.T)
    if not len(movie_ids):
        empty = sp.csr_matrix((0, 0), dtype=np.float32)
        return empty, empty, per_movie
    weighted = _user_weighted(likes, user_beta) if user_beta else (None, per_movie)
    parts = [
        _block(likes_t, likes, weighted, r0, min(r0 + rows, len(movie_ids)), shrink, top, alpha)
        for r0 in range(0, len(movie_ids), rows)
    ]
    sim = sp.csr_matrix(sp.vstack([p[0] for p in parts], format="csr"), dtype=np.float32)
    counts = sp.csr_matrix(sp.vstack([p[1] for p in parts], format="csr"), dtype=np.float32)
    sim.sort_indices()
    counts.sort_indices()
    return sim, counts, per_movie


def _user_weighted(likes: sp.csr_matrix, beta: float) -> tuple[sp.csr_matrix, np.ndarray]:
    """(movies x users likes weighted by m_u^-beta, weighted likes per movie)."""
    per_user = np.maximum(np.diff(likes.indptr), 1).astype(np.float64)
    weighted = likes.multiply((per_user ** -float(beta)).astype(np.float32)[:, None])
    weighted_t = sp.csr_matrix(weighted.T, dtype=np.float32)
    return weighted_t, np.asarray(weighted_t.sum(axis=1), np.float32).ravel()


def gate_by_genre(sim: sp.csr_matrix, genres: sp.csr_matrix, factor: float) -> sp.csr_matrix:
    """`sim` with the pairs of movies that share no genre scaled by `factor` (0: dropped).
    Genres are packed into bits per movie: the check costs bytes per pair, not a matrix."""
    bits = np.packbits(np.asarray((genres > 0).toarray(), dtype=bool), axis=1)
    coo = sim.tocoo()
    shared = np.zeros(coo.nnz, dtype=bool)
    for byte in range(bits.shape[1]):
        shared |= (bits[coo.row, byte] & bits[coo.col, byte]) != 0
    data = np.where(shared, coo.data, coo.data * np.float32(factor)).astype(np.float32)
    out = sp.csr_matrix((data, (coo.row, coo.col)), shape=sim.shape)
    out.eliminate_zeros()
    return out
