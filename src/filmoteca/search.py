"""Word-prefix search over normalised keys, answered by binary search.

`WordIndex` keeps every word suffix of every key ('toy story' -> 'toy story', 'story') in one
sorted numpy byte-string array, with the key each came from. The keys with a word starting
with a query are then one contiguous range, found with two `searchsorted` calls: O(log n),
about 10 µs, where scanning every key (Arrow's `match_substring`) took milliseconds. Suffixes
are kept to their first WIDTH bytes; longer queries are checked against the full key.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

WIDTH = 24
EXACT, PREFIX, WORD = 0, 1, 2


class WordIndex:
    """The keys (by position) that have a word starting with a given text."""

    def __init__(self, keys: Sequence[str]) -> None:
        suffixes: list[bytes] = []
        owners: list[int] = []
        for owner, key in enumerate(keys):
            start = 0
            while start >= 0 and key:
                suffixes.append(key[start:].encode("utf-8"))
                owners.append(owner)
                start = key.find(" ", start) + 1 or -1
        array = np.array(suffixes, dtype=f"S{WIDTH}")
        order = np.argsort(array, kind="stable")
        lengths = np.fromiter((len(s) for s in suffixes), dtype=np.int32, count=len(suffixes))
        key_lengths = np.fromiter((len(k.encode("utf-8")) for k in keys), np.int32, len(keys))
        self._suffixes = array[order]
        self._owners = np.asarray(owners, dtype=np.int32)[order]
        self._at_start = (lengths == key_lengths[owners])[order] if owners else lengths.astype(bool)
        self._key_lengths = key_lengths
        self._keys = keys

    def find(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the keys having a word that starts with `key` (normalised), and
        their rank: EXACT (the whole key), PREFIX (its first word) or WORD (another word)."""
        query = key.encode("utf-8")
        lo = int(np.searchsorted(self._suffixes, query[:WIDTH], side="left"))
        hi = int(np.searchsorted(self._suffixes, _successor(query[:WIDTH]), side="left"))
        owners, at_start = self._owners[lo:hi], self._at_start[lo:hi]
        if len(query) > WIDTH:
            full = [f" {key}" in f" {self._keys[o]}" for o in owners.tolist()]
            owners, at_start = owners[full], at_start[full]
        rank = np.where(at_start, PREFIX, WORD)
        rank[at_start & (self._key_lengths[owners] == len(query))] = EXACT
        return _best_rank(owners, rank, len(self._keys))


def _successor(prefix: bytes) -> bytes:
    """The smallest byte string greater than every string that starts with `prefix`."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return b"\xff" * (WIDTH + 1)
    return trimmed[:-1] + bytes([trimmed[-1] + 1])


def _best_rank(owners: np.ndarray, rank: np.ndarray, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """One row per owner, in owner order, with its best rank (a key can hold the query in
    several words). A dense pass over all keys: measured 60 µs for 14,000 matches among
    45,000 keys, where sorting the matches took 400."""
    best = np.full(n_keys, WORD + 1, dtype=np.int8)
    np.minimum.at(best, owners, rank.astype(np.int8))
    found = np.flatnonzero(best <= WORD)
    return found, best[found].astype(np.int64)
