"""Dot products between a few rows of a CSR matrix and a few hundred others, in plain numpy.

At request time the recommender compares up to ~50 liked movies with a few hundred candidates.
scipy's sparse indexing and products cost ~50 µs of Python per call; this gathers the needed
entries with a handful of vectorised numpy operations instead (about 5x faster for such sizes).
"""

from __future__ import annotations

import numpy as np

from .csr import Csr


def row_dots(matrix: Csr, rows: np.ndarray, others: np.ndarray) -> np.ndarray:
    """matrix[rows] @ matrix[others].T as a dense float32 array (len(rows), len(others))."""
    out = np.zeros((len(rows), len(others)), dtype=np.float32)
    q_pos, q_owner = matrix.entries(rows)
    if q_pos.size == 0 or len(others) == 0:
        return out
    cols, slot = np.unique(matrix.indices[q_pos], return_inverse=True)
    queries = np.zeros((len(rows), len(cols)), dtype=np.float32)
    queries[q_owner, slot] = matrix.data[q_pos]
    o_pos, o_owner = matrix.entries(others)
    o_cols = matrix.indices[o_pos]
    at = np.minimum(np.searchsorted(cols, o_cols), len(cols) - 1)
    hit = cols[at] == o_cols
    values = queries[:, at[hit]] * matrix.data[o_pos[hit]]
    owner = o_owner[hit]
    for i in range(len(rows)):
        out[i] = np.bincount(owner, weights=values[i], minlength=len(others))
    return out
