"""Fuzzy suggestions: the trigram prefilter scores few names and keeps the full scan's best."""

from __future__ import annotations

import random
import string
from typing import Any

import numpy as np
import pytest
from rapidfuzz import fuzz, process

from filmoteca.catalog import fuzzy
from filmoteca.catalog.fuzzy import CANDIDATES, EXACT_UP_TO, CloseNames


def _names(count: int, seed: int = 3) -> list[str]:
    rnd = random.Random(seed)
    syllables = ["ka", "ro", "mi", "lu", "se", "ta", "an", "de", "jo", "hn", "ny", "ep", "pp"]
    return list(
        dict.fromkeys(
            " ".join("".join(rnd.choices(syllables, k=rnd.randint(2, 4))) for _ in range(2))
            for _ in range(count)
        )
    )


def _full(key: str, names: list[str]) -> list[str]:
    found = process.extract(key, names, scorer=fuzz.QRatio, limit=5, score_cutoff=50)
    return [choice for choice, _, _ in found]


def _typo(text: str, rnd: random.Random) -> str:
    i = rnd.randrange(len(text))
    return text[:i] + rnd.choice(string.ascii_lowercase) + text[i + 1 :]


def test_small_lists_are_scored_whole() -> None:
    names = _names(500)
    close = CloseNames(names)
    for key in ["karo mise", "jon depp", names[7][:-1]]:
        assert close.closest(key, 5) == _full(key, names)


def test_large_lists_score_only_the_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    names = _names(20_000)
    assert len(names) > EXACT_UP_TO
    close = CloseNames([*names, "johnny depp"])
    scored: list[int] = []
    original = process.extract

    def spy(key: str, choices: Any, **kwargs: Any) -> Any:
        scored.append(len(choices))
        return original(key, choices, **kwargs)

    monkeypatch.setattr(process, "extract", spy)  # the module fuzzy imports at first use
    assert close.closest("jon depp", 5)[0] == "johnny depp"
    assert scored and max(scored) <= CANDIDATES


def test_misspelt_names_get_the_full_scans_first_suggestion() -> None:
    names = _names(20_000)
    close, rnd = CloseNames(names), random.Random(5)
    keys = [_typo(rnd.choice(names), rnd) for _ in range(100)]
    same = sum(close.closest(k, 5)[:1] == _full(k, names)[:1] for k in keys)
    assert same >= 97


def test_candidates_keep_list_order_for_ties() -> None:
    names = _names(5_000)
    close = CloseNames(names)
    positions = close._candidates("karo mise")
    assert list(positions) == sorted(positions)


def test_nothing_in_common_gives_no_suggestion() -> None:
    assert CloseNames(_names(5_000)).closest("\u00e6\u00e6", 5) == []


def test_prepare_builds_the_index_once() -> None:
    close = CloseNames(_names(5_000))
    close.prepare()
    built = close._index_arrays
    close.closest("karo", 5)
    assert built is not None and close._index_arrays is built


def test_saved_index_answers_as_the_one_made_in_memory(tmp_path: Any) -> None:
    """Made at build time and mapped by the server: the same suggestions, nothing left to make."""
    from filmoteca.catalog import mapped

    keys = _names(6_000)
    order = np.random.default_rng(2).permutation(len(keys)).astype(np.int32)
    made = CloseNames(mapped.Strings.from_list(keys), order)
    mapped.save(tmp_path, {"names": keys, **made.arrays("fuzzy_names")})
    names = [f"fuzzy_names_{field}" for field in fuzzy.FIELDS]
    opened = mapped.open_arrays(tmp_path, ["names", *names])
    loaded = CloseNames.from_arrays(opened, "fuzzy_names", mapped.strings(opened, "names"))
    assert loaded.prepared and not CloseNames(keys).prepared
    assert isinstance(opened["fuzzy_names_owners"], np.memmap | np.ndarray)
    rnd = random.Random(9)
    for key in [_typo(rnd.choice(keys), rnd) for _ in range(200)] + ["jon depp", "zz"]:
        assert loaded.closest(key, 5) == made.closest(key, 5)
    assert loaded.choices == [keys[i] for i in order]
