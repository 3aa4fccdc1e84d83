"""Movies of one saga, found at fit time (scipy): item-to-item lists rank them first.

Two movies are of one saga when they share a collection, or when their titles share the words
of the shorter title (at least two of them, or its only word; one of them rare) and a person of
the cast, the direction, the writing or the source: "Toy Story" / "Toy Story 3" (Tom Hanks),
"Harry Potter and the Philosopher's Stone" / "... Chamber of Secrets" (Daniel Radcliffe),
"Alien" / "Alien: Resurrection" (Sigourney Weaver); "Frozen" / "Frozen River" share no one,
"American Beauty" / "Beauty Shop" share one word of two: neither is a saga. Words are those of
the title without English stop words and without the words of more than `COMMON_TITLES` of the
titles; a word is rare when at most `RARE_TITLES` of the titles have it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

RARE_TITLES = 0.005
COMMON_TITLES = 0.02
PEOPLE = ("cast", "director", "writer", "source")
PAIRS_AT_ONCE = 1_000_000


def _columns(
    matrix: sp.csr_matrix, blocks: Mapping[str, tuple[int, int]], names: Sequence[str]
) -> sp.csr_matrix:
    """The columns of some feature blocks as a 0/1 matrix."""
    spans = [blocks[b] for b in names if b in blocks]
    cols = np.concatenate([np.zeros(0, np.int64), *[np.arange(a, b) for a, b in spans]])
    part = sp.csr_matrix(matrix[:, cols], dtype=np.float32)
    part.data[:] = 1.0
    return part


def title_pairs(titles: Sequence[str], rows: int = 4096) -> sp.coo_matrix:
    """Pairs (i < j) whose titles share the words of the shorter one (two of them, or its only
    word), one of them rare; `rows` titles at a time, so that memory stays bounded."""
    from .terms import counts

    n = len(titles)
    try:
        words, _ = counts(titles)  # scikit-learn's CountVectorizer(stop_words="english")
    except ValueError:  # no title has a word
        return sp.coo_matrix((n, n), dtype=np.float32)
    words.data[:] = 1.0  # binary
    docs = np.bincount(words.indices, minlength=words.shape[1])
    kept = np.flatnonzero(docs <= max(2, COMMON_TITLES * n))
    words = sp.csr_matrix(words[:, kept], dtype=np.float32)
    docs = np.bincount(words.indices, minlength=words.shape[1])
    rare = sp.csr_matrix(words[:, np.flatnonzero(docs <= max(2, RARE_TITLES * n))])
    rare_t = sp.csr_matrix(rare.T)
    found = [_block_pairs(words, rare, rare_t, r0, min(n, r0 + rows)) for r0 in range(0, n, rows)]
    row = np.concatenate([np.zeros(0, np.int64), *[f[0] for f in found]])
    col = np.concatenate([np.zeros(0, np.int64), *[f[1] for f in found]])
    return sp.coo_matrix((np.ones(len(row), np.float32), (row, col)), shape=(n, n))


def _block_pairs(
    words: sp.csr_matrix, rare: sp.csr_matrix, rare_t: sp.csr_matrix, r0: int, r1: int
) -> tuple[np.ndarray, np.ndarray]:
    """The title pairs (i < j) of rows r0..r1: candidates share a rare word."""
    candidates = sp.csr_matrix(rare[r0:r1] @ rare_t).tocoo()
    row, col = candidates.row.astype(np.int64) + r0, candidates.col.astype(np.int64)
    row, col = row[row < col], col[row < col]
    shared = np.asarray(words[row].multiply(words[col]).sum(axis=1)).ravel()
    lengths = np.diff(words.indptr)
    need = np.minimum(2, np.minimum(lengths[row], lengths[col]))
    keep = shared >= need
    return row[keep], col[keep]


def _share(people: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Whether each pair (rows[i], cols[i]) shares a column of `people`."""
    return np.asarray(people[rows].multiply(people[cols]).sum(axis=1)).ravel() > 0


def saga_pairs(
    titles: Sequence[str],
    matrix: sp.csr_matrix,
    blocks: Mapping[str, tuple[int, int]],
    pairs: sp.coo_matrix | None = None,
) -> sp.csr_matrix:
    """Symmetric 0/1 matrix of the pairs of movies of one saga (no diagonal); `pairs`: the
    `title_pairs` of these titles, when already made."""
    n = matrix.shape[0]
    if pairs is None:
        pairs = title_pairs(titles)
    elif pairs.shape != (n, n):
        raise ValueError(f"los pares de títulos son de {pairs.shape[0]} películas, no de {n}")
    people = _columns(matrix, blocks, PEOPLE)
    both = np.concatenate(
        [np.zeros(0, bool)]
        + [  # a million pairs at a time: all of them at once can take gigabytes (copies)
            _share(people, pairs.row[a : a + PAIRS_AT_ONCE], pairs.col[a : a + PAIRS_AT_ONCE])
            for a in range(0, len(pairs.row), PAIRS_AT_ONCE)
        ]
    )
    titled = sp.csr_matrix((pairs.data[both], (pairs.row[both], pairs.col[both])), shape=(n, n))
    collections = _columns(matrix, blocks, ("collection",))
    upper = sp.csr_matrix(titled + sp.triu(collections @ collections.T, k=1))
    out = sp.csr_matrix(upper + upper.T, dtype=np.float32)
    out.data[:] = 1.0
    out.eliminate_zeros()
    return out
