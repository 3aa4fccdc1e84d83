"""Word counts of short English texts, as scikit-learn's CountVectorizer makes them, without it.

The recommender's text block (TF-IDF of overview + tagline) and its title words (sagas) are
scikit-learn's `TfidfVectorizer` / `CountVectorizer` with their default analyzer: the text
lowercased (`str.lower`), its tokens the matches of `(?u)\\b\\w\\w+\\b` (runs of two or more
word characters), English stop words (`STOP_WORDS`, scikit-learn's list) left out. Importing
scikit-learn costs about 1.5 s of CPU and its analyzer runs a regular expression and a
dictionary update per document in Python (about 4 s on 45,000 overviews); here the ASCII
documents (about nine in ten) are split by Arrow's compute kernels, the others by the same
regular expression, and the counting is numpy's. The result is scikit-learn's, value for value
and in the same stored order (tests/test_terms.py compares them).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from ..text import ENGLISH_STOP_WORDS as STOP_WORDS

TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's token_pattern
_STOP_ARRAY = pa.array(sorted(STOP_WORDS))
DOCS_AT_ONCE = 100_000  # documents made one Arrow array at a time (`tokens`)


def _spacing_table() -> np.ndarray:
    """Byte -> its lowercase when it is an ASCII word character ([0-9A-Za-z_]), else a space."""
    table = np.full(256, ord(" "), np.uint8)
    word = np.frombuffer(b"0123456789_abcdefghijklmnopqrstuvwxyz", np.uint8)
    table[word] = word
    table[np.arange(ord("A"), ord("Z") + 1)] = np.arange(ord("a"), ord("z") + 1)
    return table


_SPACED = _spacing_table()


def tokens(docs: Sequence[str], at_once: int = DOCS_AT_ONCE) -> tuple[np.ndarray, pa.Array]:
    """Every token of the documents, in order (document by document): each one's document
    (int64) and its text. `at_once` documents at a time (an Arrow string array holds 2 GB)."""
    owners, words = [np.zeros(0, np.int64)], [pa.array([], pa.string())]
    for start in range(0, len(docs), at_once):
        owner, found = _tokens(docs[start : start + at_once])
        owners.append(owner + start)
        words.append(found)
    owner, every = np.concatenate(owners), pa.concat_arrays(words)
    kept = np.logical_not(pc.is_in(every, _STOP_ARRAY).to_numpy(zero_copy_only=False))
    order = np.flatnonzero(kept)[np.argsort(owner[kept], kind="stable")]
    return owner[order], every.take(pa.array(order))


def _tokens(docs: Sequence[str]) -> tuple[np.ndarray, pa.Array]:
    """The tokens of some documents with their document (an index into `docs`), stop words
    still in: the ASCII documents' split by Arrow (lowercased runs of [0-9a-z_] of two or
    more), then the others' found by scikit-learn's regular expression."""
    array = pa.array(docs, pa.string())
    ascii_ = pc.string_is_ascii(array).to_numpy(zero_copy_only=False)
    where, others = np.flatnonzero(ascii_), np.flatnonzero(~ascii_)
    split = pc.ascii_split_whitespace(_words_spaced(array.take(where)))
    words = pc.list_flatten(split)
    owner = where[pc.list_parent_indices(split).to_numpy()]
    longer = pc.greater_equal(pc.binary_length(words), 2).to_numpy(zero_copy_only=False)
    found = [TOKEN.findall(docs[i].lower()) for i in others.tolist()]
    extra = pa.array([word for doc_words in found for word in doc_words], pa.string())
    return (
        np.concatenate([owner[longer], np.repeat(others, [len(f) for f in found])]),
        pa.concat_arrays([words.filter(pa.array(longer)), extra]),
    )


def _words_spaced(array: pa.StringArray) -> pa.StringArray:
    """ASCII texts lowercased, every character but [0-9a-z_] made a space (byte by byte: the
    same offsets over new bytes)."""
    _, offsets, data = array.buffers()
    if data is None:  # no text at all
        return array
    spaced = pa.py_buffer(_SPACED[np.frombuffer(data, np.uint8)])
    return pa.StringArray.from_buffers(len(array), offsets, spaced, offset=array.offset)


def counts(
    docs: Sequence[str], low: int = 1, high: float | None = None
) -> tuple[sp.csr_matrix, list[str]]:
    """Document-term counts (float32) of the terms found in `low` .. `high` documents, and
    those terms in sorted order (a column per term): `CountVectorizer(stop_words="english",
    min_df=low, max_df=high, dtype=np.float32).fit_transform(docs)` and its feature names,
    with its entries in the same stored order. ValueError when no term is left, as there."""
    owner, words = tokens(docs)
    n = len(docs)
    if not len(words):
        raise ValueError("ningún documento tiene palabras")
    encoded = pc.dictionary_encode(words)
    seen = encoded.indices.to_numpy().astype(np.int64)  # first-seen order, as the vocabulary
    vocabulary = encoded.dictionary
    size = len(vocabulary)
    pairs, times = np.unique(owner * size + seen, return_counts=True)  # by document, then term
    rows, terms = pairs // size, pairs % size
    df = np.bincount(terms, minlength=size)
    mask = df >= low
    if high is not None:
        mask &= df <= high
    if not mask.any():
        raise ValueError("no queda ningún término")
    names = vocabulary.filter(pa.array(mask))
    alphabetical = pc.array_sort_indices(names)  # UTF-8 byte order: code point order
    rank = np.empty(len(names), np.int64)
    rank[alphabetical.to_numpy()] = np.arange(len(names))
    column = np.full(size, -1, np.int64)
    column[np.flatnonzero(mask)] = rank
    kept = mask[terms]
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(rows[kept], minlength=n), out=indptr[1:])
    index_dtype = np.int32 if indptr[-1] <= np.iinfo(np.int32).max else np.int64
    matrix = sp.csr_matrix(
        (times[kept].astype(np.float32), column[terms[kept]].astype(index_dtype),
         indptr.astype(index_dtype)),
        shape=(n, len(names)),
    )  # fmt: skip
    return matrix, names.take(alphabetical).to_pylist()


def tfidf(docs: Sequence[str], low: int, high: float) -> tuple[sp.csr_matrix, list[str]]:
    """`TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=low, max_df=high,
    dtype=np.float32).fit_transform(docs)` and its feature names: 1 + log of the counts, times
    the smoothed idf (1 + log((1 + n) / (1 + df))), rows scaled to unit L2 norm, float32."""
    matrix, names = counts(docs, low, high)
    n = matrix.shape[0]
    df = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.float32)
    df += 1.0
    idf = np.full_like(df, fill_value=n + 1, dtype=np.float32)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    data = matrix.data
    np.log(data, data)
    data += 1.0
    data *= idf[matrix.indices]
    _normalize_rows(matrix)
    return matrix, names


def _normalize_rows(matrix: sp.csr_matrix) -> None:
    """Scale each row to unit L2 norm in place, as scikit-learn's `normalize` does: the squares
    summed in stored order (a double sum), the values divided by its square root."""
    lengths = np.diff(matrix.indptr)
    data = matrix.data
    total = np.zeros(len(lengths), np.float64)
    rows, j = np.flatnonzero(lengths), 0
    while len(rows):  # the j-th value of every row that has one: sequential sums, vectorised
        value = data[matrix.indptr[rows] + j]
        total[rows] += value * value
        j += 1
        rows = rows[lengths[rows] > j]  # the rows still going (the work is their values)
    scale = np.sqrt(total)
    nonzero = np.repeat(scale, lengths)
    np.divide(data, nonzero, out=data, where=nonzero != 0.0, casting="unsafe")
