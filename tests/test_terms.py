"""recommender.terms: scikit-learn's word counts and TF-IDF, value for value, without it."""

from __future__ import annotations

import random

import numpy as np
import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer

from filmoteca.recommender import terms

DOCS = [
    "A young boy's adventure in the Woods of Sherwood, 1985.",
    "It’s the year 2000 — a café in Zürich… and «naïve» RÉSUMÉS",
    "",
    "the and of",  # only stop words
    "x y z 1 2",  # only one-character tokens
    "snake_case words_with_underscores and CamelCase ALLCAPS",
    "İstanbul ǅemal ﬁnding ß straße Σίσυφος ΣΊΣΥΦΟΣ",
    "emoji 😀 between👍words and tabs\tnew\nlines\r\nhere",
    "numbers 123 4567 3.14 1,000,000 2nd 3rd",
    "Boy meets girl. Boy loses girl. Boy gets girl back: the boy.",
    "non\u00a0breaking\u00adsoft hyphen \u200bzero width",
    "Adventure adventure ADVENTURE in the woods",
    "日本語のテキスト 中文 한국어 हिन्दी العربية",
    "Woods, woods and more woods; a boy",
]


def _sklearn_counts(docs: list[str], **kwargs: object) -> tuple[object, list[str]]:
    vectorizer = CountVectorizer(stop_words="english", dtype=np.float32, **kwargs)
    return vectorizer.fit_transform(docs), vectorizer.get_feature_names_out().tolist()


def _same(ours: object, ref: object) -> None:
    assert ours.shape == ref.shape
    assert np.array_equal(ours.indptr, ref.indptr)
    assert np.array_equal(ours.indices, ref.indices)  # the same stored order too
    assert ours.data.dtype == ref.data.dtype == np.float32
    assert np.array_equal(ours.data, ref.data)


def _random_docs(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    words = ["boy", "girl", "the", "woods", "café", "naïve", "of", "x", "2", "war", "İs",
             "über", "ﬁ", "a_b", "—", "’s", "Σ", "love", "LOVE", "1985", "日本"]  # fmt: skip
    seps = [" ", "  ", ", ", ".", "-", "\n", "'", "’", "…", ""]
    return [
        "".join(rng.choice(words) + rng.choice(seps) for _ in range(rng.randrange(0, 30)))
        for _ in range(n)
    ]


def test_stop_words_are_scikit_learns() -> None:
    assert terms.STOP_WORDS == ENGLISH_STOP_WORDS  # text.ENGLISH_STOP_WORDS, a copy


@pytest.mark.parametrize("docs", [DOCS, _random_docs(0, 400), _random_docs(1, 50)])
def test_counts_equal_count_vectorizer(docs: list[str]) -> None:
    ours, names = terms.counts(docs)
    ref, ref_names = _sklearn_counts(docs)
    assert names == ref_names
    _same(ours, ref)


LONG = " ".join(f"w{i}x" for i in range(3_000))  # a row far longer than the others


@pytest.mark.parametrize("docs", [DOCS * 3, _random_docs(2, 600), [LONG, LONG, *DOCS, *DOCS]])
def test_tfidf_equals_tfidf_vectorizer(docs: list[str]) -> None:
    most = max(2, int(0.2 * len(docs)))
    ours, names = terms.tfidf(docs, 2, most)
    vectorizer = TfidfVectorizer(
        stop_words="english", sublinear_tf=True, min_df=2, max_df=most, dtype=np.float32
    )
    ref = vectorizer.fit_transform(docs)
    assert names == vectorizer.get_feature_names_out().tolist()
    _same(ours, ref)
    norms = np.sqrt(np.asarray(ours.multiply(ours).sum(axis=1)).ravel())
    assert np.allclose(norms[norms > 0], 1.0, atol=1e-6)


def test_only_ascii_or_only_other_documents() -> None:
    for docs in (["plain words here", "more plain words"], ["café naïve", "naïve über café"]):
        ours, names = terms.counts(docs)
        ref, ref_names = _sklearn_counts(docs)
        assert names == ref_names
        _same(ours, ref)


def test_no_term_left_is_a_value_error_as_in_scikit_learn() -> None:
    for docs, kwargs in (([" ", "the of", "a"], {}), (["boy girl", "war love"], {"low": 2})):
        with pytest.raises(ValueError):
            terms.counts(docs, **kwargs)
    with pytest.raises(ValueError):
        _sklearn_counts(["boy girl", "war love"], min_df=2)


def test_tokens_a_few_documents_at_a_time_are_the_same() -> None:
    docs = DOCS + _random_docs(3, 40)
    owner, words = terms.tokens(docs)
    for at_once in (1, 3, 7):
        other_owner, other_words = terms.tokens(docs, at_once=at_once)
        assert np.array_equal(owner, other_owner)
        assert words.equals(other_words)
