"""Exact look-up of normalised keys without a Python dict of every key in memory.

    KeyIndex.build(keys)         at build time: each key's 64-bit hash, and the keys' order
                                 by hash; saved with `mapped`, opened (memory-mapped) by the
                                 server
    index.get(key, -1)           the position of a key: binary search on the sorted hashes,
                                 confirmed against the key itself (keys sharing a hash are all
                                 tried), a few µs
    TitleGroups.build(keys, order)
                                 keys shared by several positions (titles): the distinct keys
                                 in first-seen order of `order`, each with its positions

A dict of the 250,000 people names of the 45,466-movie catalog took about 0.25 s of CPU to
build at every start (decoding every key) and tens of MB of memory; these arrays cost nothing
at start and are paged in on use. The hash is blake2b (8 bytes) of the key's UTF-8 bytes: the
same in every process (Python's `hash` of a str is not).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from .mapped import Strings, take

KEY_FIELDS = ("hashes", "order")
GROUP_FIELDS = ("keys", "offsets", "members")


def key_hash(key: str) -> int:
    """The 64-bit hash of a key (signed, to fit an int64 array)."""
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


class KeyIndex(Mapping[str, int]):
    """Position of each of a fixed list of distinct keys, looked up by hash (a read-only
    mapping key -> position, like the dict it replaces)."""

    def __init__(self, keys: Sequence[str], hashes: np.ndarray, order: np.ndarray) -> None:
        self._keys, self._hashes, self._order = keys, hashes, order

    @classmethod
    def build(cls, keys: Sequence[str]) -> KeyIndex:
        """The index of `keys` (distinct; computed at build time)."""
        hashes = np.fromiter((key_hash(k) for k in keys), np.int64, len(keys))
        order = np.argsort(hashes, kind="stable").astype(np.int32)
        return cls(keys, hashes[order], order)

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, Any], prefix: str, keys: Sequence[str]) -> KeyIndex:
        """The index saved by `arrays(prefix)`, over `keys`."""
        return cls(keys, arrays[f"{prefix}_hashes"], arrays[f"{prefix}_order"])

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The index's arrays, named `<prefix>_<field>` (for `mapped.save`)."""
        return {f"{prefix}_hashes": self._hashes, f"{prefix}_order": self._order}

    def get(self, key: str, default: int = -1) -> int:  # type: ignore[override]
        """The position of `key`, or `default`."""
        if not isinstance(key, str):
            return default
        wanted = key_hash(key)
        at = int(self._hashes.searchsorted(wanted))
        while at < len(self._hashes) and int(self._hashes[at]) == wanted:
            position = int(self._order[at])
            if self._keys[position] == key:
                return position
            at += 1
        return default

    def __getitem__(self, key: str) -> int:
        position = self.get(key)
        if position < 0:
            raise KeyError(key)
        return position

    def __len__(self) -> int:
        return len(self._hashes)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) >= 0


class TitleGroups:
    """Positions sharing a key (e.g. a normalised title), by key; groups in first-seen order."""

    def __init__(
        self, keys: Sequence[str], offsets: np.ndarray, members: np.ndarray, index: KeyIndex
    ) -> None:
        self.keys, self._index = keys, index
        self._offsets, self._members = offsets, members

    @classmethod
    def build(cls, keys: Sequence[str], order: np.ndarray) -> TitleGroups:
        """Group the positions of `keys` (one key per position; empty keys left out), taken
        in `order`: group g holds its positions in that order."""
        groups: dict[str, list[int]] = {}
        for position in order.tolist():
            if key := keys[position]:
                groups.setdefault(key, []).append(position)
        sizes = [len(members) for members in groups.values()]
        offsets = np.zeros(len(groups) + 1, np.int64)
        np.cumsum(sizes, out=offsets[1:])
        members: Any = [p for group in groups.values() for p in group]
        members = np.asarray(members, np.int64)
        return cls(Strings.from_list(groups), offsets, members, KeyIndex.build(list(groups)))

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, Any], prefix: str) -> TitleGroups:
        """The groups saved by `arrays(prefix)` (e.g. opened with `mapped`)."""
        keys = arrays[f"{prefix}_keys"]
        index = KeyIndex.from_arrays(arrays, prefix, keys)
        return cls(keys, arrays[f"{prefix}_offsets"], arrays[f"{prefix}_members"], index)

    def arrays(self, prefix: str) -> dict[str, Any]:
        """The groups' arrays and their key index, named `<prefix>_<field>`."""
        named = {f"{prefix}_{field}": getattr(self, f"_{field}") for field in GROUP_FIELDS[1:]}
        return {f"{prefix}_keys": self.keys, **named, **self._index.arrays(prefix)}

    def get(self, key: str) -> tuple[int, ...] | None:
        """The positions with `key` (in group order), or None."""
        group = self._index.get(key)
        return None if group < 0 else self._group(group)

    def __getitem__(self, key: str) -> tuple[int, ...]:
        return self._group(self._index[key])

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def shared_firsts(self) -> np.ndarray:
        """The first position of every group of more than one, in group order."""
        starts = self._offsets[:-1][np.diff(self._offsets) > 1]
        return np.asarray(self._members[starts], np.int64)

    def key_list(self) -> list[str]:
        """The distinct keys, in group order."""
        return take(self.keys, np.arange(len(self)))

    def _group(self, group: int) -> tuple[int, ...]:
        start, stop = int(self._offsets[group]), int(self._offsets[group + 1])
        return tuple(self._members[start:stop].tolist())


def names(prefix: str, fields: tuple[str, ...] = KEY_FIELDS) -> list[str]:
    """The array names `arrays(prefix)` saves (KEY_FIELDS, or GROUP_FIELDS + KEY_FIELDS)."""
    return [f"{prefix}_{field}" for field in fields]
