"""WordIndex: keys with a word starting with a text, ranked exact / first word / other word."""

from __future__ import annotations

import numpy as np

from filmoteca.catalog.search import (
    EXACT,
    HEAD_KEEP,
    PREFIX,
    WIDTH,
    WORD,
    Heads,
    WordIndex,
    head_prefixes,
)

KEYS = ["toy story", "toy story 2", "story of toys", "the toy", "tom hanks", "", "toy", "astoy"]


def found(index: WordIndex, text: str) -> dict[str, int]:
    owners, ranks = index.find(text)
    return {KEYS[o]: int(r) for o, r in zip(owners.tolist(), ranks.tolist(), strict=True)}


def test_finds_keys_with_a_word_starting_with_the_text() -> None:
    index = WordIndex(KEYS)
    assert found(index, "toy") == {
        "toy": EXACT,
        "toy story": PREFIX,
        "toy story 2": PREFIX,
        "story of toys": WORD,
        "the toy": WORD,
    }


def test_no_match_inside_a_word() -> None:
    assert "astoy" not in found(WordIndex(KEYS), "toy")
    assert found(WordIndex(KEYS), "oy") == {}


def test_multi_word_text_and_exact_key() -> None:
    assert found(WordIndex(KEYS), "toy story") == {"toy story": EXACT, "toy story 2": PREFIX}
    assert found(WordIndex(KEYS), "hanks") == {"tom hanks": WORD}


def test_each_key_once_with_its_best_rank() -> None:
    index = WordIndex(["star wars star", "wars star"])
    owners, ranks = index.find("star")
    assert owners.tolist() == [0, 1]
    assert ranks.tolist() == [PREFIX, WORD]


def test_texts_longer_than_the_stored_width_are_checked_in_full() -> None:
    long_a = "a" * WIDTH + " uno"
    long_b = "a" * WIDTH + " dos"
    index = WordIndex([long_a, long_b])
    owners, ranks = index.find(long_b)
    assert owners.tolist() == [1]
    assert ranks.tolist() == [EXACT]
    assert index.find("a" * WIDTH)[0].tolist() == [0, 1]


def test_non_ascii_keys_and_empty_index() -> None:
    index = WordIndex(["宮崎 駿", "arbol de la vida"])
    assert index.find("駿")[0].tolist() == [0]
    assert index.find("vida")[0].tolist() == [1]
    owners, ranks = WordIndex([]).find("x")
    assert len(owners) == 0 and len(ranks) == 0
    assert isinstance(owners, np.ndarray)


def test_head_prefixes_are_frequent_whole_normalised_texts() -> None:
    keys = ["the man", "the dog", "them", "ñu uno", "ñu dos", "ñu tres"]
    heads = head_prefixes([WordIndex(keys)], threshold=2)
    assert {"t", "th", "the", "ñ", "ñu"} <= set(heads)
    assert "the " not in heads and "ñu " not in heads  # a query never ends with a space
    assert all(len(h.encode()) <= WIDTH for h in heads)
    assert "d" not in heads  # only 'dog', 'dos': not more than 2


def test_heads_keep_the_first_results_of_each_head_query() -> None:
    ranked = {"a": np.array([5, 3, 9, 1]), "b": np.arange(HEAD_KEEP + 5)[::-1].copy()}
    heads = Heads.build(["b", "a"], lambda text: ranked[text])
    assert heads.get("c", 10) is None
    total, first = heads.get("a", 3)  # type: ignore[misc]
    assert (total, first.tolist()) == (4, [1, 3, 5])
    total, first = heads.get("a", 50)  # type: ignore[misc]
    assert (total, first.tolist()) == (4, [1, 3, 5, 9])  # all there is
    total, first = heads.get("b", HEAD_KEEP)  # type: ignore[misc]
    assert (total, first[:2].tolist()) == (HEAD_KEEP + 5, [0, 1])
    assert heads.get("b", HEAD_KEEP + 1) is None  # beyond what was kept: computed instead
    again = Heads(heads.arrays())
    assert again.get("a", 2)[1].tolist() == [1, 3]  # type: ignore[index]


def test_few_matches_are_found_as_find_finds_them() -> None:
    keys = [*KEYS, "a" * WIDTH + " uno", "a" * WIDTH + " dos", "宮崎 駿", "star wars star"]
    keys += [f"toy {i}" for i in range(60)]
    index = WordIndex(keys)
    index_few = 30
    texts = {key[start:end] for key in keys for start in range(len(key)) for end in
             range(start + 1, len(key) + 1)} | {"\U0010ffff", "a" * (WIDTH + 2)}  # fmt: skip
    checked = 0
    for text in sorted(texts):
        few = index.find_few(text, most=index_few)
        owners, ranks = index.find(text)
        if few is None:
            assert len(owners) > 0
            continue
        checked += 1
        assert few == list(zip(owners.tolist(), ranks.tolist(), strict=True)), text
    assert checked > 100
    assert index.find_few("toy", most=index_few) is None  # 61 keys start with it
    assert index.find_few("toy", most=100) is not None
