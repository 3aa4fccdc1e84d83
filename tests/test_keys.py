"""Exact key look-up over memory-mapped arrays (filmoteca.catalog.keys)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from filmoteca.catalog import keys, mapped
from filmoteca.catalog.keys import KeyIndex, TitleGroups

NAMES = ["tom hanks", "amelie", "宮崎 駿", "o'brien", "x" * 300, "tom hank"]


def _saved(tmp_path: Path, arrays: dict[str, Any], names: list[str]) -> dict[str, Any]:
    mapped.save(tmp_path, arrays)
    return dict(mapped.open_arrays(tmp_path, names))


def test_every_key_is_found_at_its_position_after_a_round_trip(tmp_path: Path) -> None:
    built = KeyIndex.build(NAMES)
    arrays = _saved(tmp_path, {"k": NAMES, **built.arrays("k")}, ["k", *keys.names("k")])
    opened = KeyIndex.from_arrays(arrays, "k", mapped.strings(arrays, "k"))
    for index in (built, opened):
        assert [index.get(name) for name in NAMES] == list(range(len(NAMES)))
        assert index["amelie"] == 1 and "宮崎 駿" in index and len(index) == len(NAMES)


def test_unknown_keys_are_not_found() -> None:
    index = KeyIndex.build(NAMES)
    for unknown in ("tom", "tom hanks ", "", "TOM HANKS", "x" * 299):
        assert index.get(unknown) == -1 and unknown not in index
    with pytest.raises(KeyError):
        index["nadie"]


def test_keys_sharing_a_hash_are_told_apart_by_the_key_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every key in one hash: the look-up must still compare the keys themselves.
    monkeypatch.setattr(keys, "key_hash", lambda key: 0)
    collided = KeyIndex.build(NAMES)
    assert [collided.get(name) for name in NAMES] == list(range(len(NAMES)))
    assert collided.get("nadie") == -1


def test_the_hash_is_the_same_in_every_process() -> None:
    # blake2b of the UTF-8 bytes, not Python's per-process salted hash()
    assert keys.key_hash("tom hanks") == -2011378587735269998


def test_title_groups_keep_positions_in_the_given_order(tmp_path: Path) -> None:
    titles = ["avatar", "", "heat", "avatar", "up", "heat", "avatar"]
    order = np.array([6, 2, 0, 1, 3, 4, 5])  # e.g. most voted first
    built = TitleGroups.build(titles, order)
    arrays = _saved(
        tmp_path, built.arrays("t"), keys.names("t", keys.GROUP_FIELDS + keys.KEY_FIELDS)
    )
    for groups in (built, TitleGroups.from_arrays(arrays, "t")):
        assert groups.get("avatar") == (6, 0, 3) and groups["heat"] == (2, 5)
        assert groups.get("up") == (4,) and groups.get("") is None and groups.get("x") is None
        assert groups.key_list() == ["avatar", "heat", "up"] and len(groups) == 3
        assert groups.shared_firsts().tolist() == [6, 2]
