"""The collaborative part: item-item co-likes with shrinkage, in scipy.sparse (fit time only).

With L the users x movies matrix of likes (rating >= 4) and C = LᵀL (C_ij: people who liked
both i and j), the co-like similarity is the shrunk cosine

    cf(i, j) = C_ij / sqrt(n_i · n_j) · C_ij / (C_ij + shrink)

(n_i: people who liked i). Shrinkage discounts pairs backed by few people. Each row keeps its
`top` best values only, so that the matrix stays bounded on big rating files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .ratings import LIKED_RATING


def like_matrix(ratings: pd.DataFrame, movie_ids: np.ndarray) -> sp.csr_matrix:
    """Users x movies (catalog order) binary likes; ratings of other movies are ignored."""
    liked = ratings[ratings["rating"].to_numpy() >= LIKED_RATING]
    cols = pd.Index(movie_ids).get_indexer(liked["movie_id"].to_numpy())
    keep = cols >= 0
    users, _ = pd.factorize(liked["userId"].to_numpy()[keep])
    matrix = sp.csr_matrix(
        (np.ones(int(keep.sum()), np.float32), (users, cols[keep])),
        shape=(int(users.max()) + 1 if users.size else 0, len(movie_ids)),
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def co_likes(likes: sp.csr_matrix) -> sp.csr_matrix:
    """Movies x movies: how many people liked both (diagonal removed), float32 counts."""
    counts = sp.csr_matrix(likes.T @ likes, dtype=np.float32)
    counts.setdiag(0)
    counts.eliminate_zeros()
    counts.sort_indices()
    return counts


def keep_top(matrix: sp.csr_matrix, top: int) -> sp.csr_matrix:
    """The `top` largest values of every row (ties: the lower column), the rest dropped."""
    lengths = np.diff(matrix.indptr)
    if lengths.size == 0 or lengths.max() <= top:
        return matrix
    rows = np.repeat(np.arange(matrix.shape[0]), lengths)
    order = np.lexsort((matrix.indices, -matrix.data, rows))
    rank = np.arange(len(order)) - np.repeat(matrix.indptr[:-1], lengths)
    kept = order[rank < top]
    out = sp.csr_matrix((matrix.data[kept], (rows[kept], matrix.indices[kept])), shape=matrix.shape)
    out.sort_indices()
    return out


def fit(
    ratings: pd.DataFrame, movie_ids: np.ndarray, shrink: float, top: int
) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray]:
    """(similarity, co-like counts, likes per movie) of the catalog's movies."""
    likes = like_matrix(ratings, movie_ids)
    per_movie = np.asarray(likes.sum(axis=0)).ravel().astype(np.float32)
    counts = co_likes(likes)
    coo = counts.tocoo()
    norm = np.sqrt(per_movie[coo.row] * per_movie[coo.col])
    values = coo.data / np.maximum(norm, 1.0) * coo.data / (coo.data + np.float32(shrink))
    sim = sp.csr_matrix((values.astype(np.float32), (coo.row, coo.col)), shape=counts.shape)
    sim.sort_indices()
    return keep_top(sim, top), counts, per_movie
