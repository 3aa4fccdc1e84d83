"""Word-prefix search over normalised keys, answered by binary search.

`WordIndex` keeps every word suffix of every key ('toy story' -> 'toy story', 'story') in one
sorted numpy byte-string array, with the key each came from. The keys with a word starting
with a query are then one contiguous range, found with two `searchsorted` calls: O(log n),
about 10 µs, where scanning every key (Arrow's `match_substring`) took milliseconds. Suffixes
are kept to their first WIDTH bytes; longer queries are checked against the full key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .mapped import find_sorted

WIDTH = 24
FIELDS = ("suffixes", "owners", "at_start", "key_lengths")
HEAD_FIELDS = ("head_texts", "head_totals", "head_offsets", "head_results")
EXACT, PREFIX, WORD = 0, 1, 2
FEW = 96
"""`WordIndex.find_few` answers when at most this many word suffixes match."""


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

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, Any], prefix: str, keys: Sequence[str]) -> WordIndex:
        """The index saved by `arrays(prefix)` (e.g. opened with `mapped`), over `keys`."""
        index = cls.__new__(cls)
        for field in FIELDS:
            setattr(index, f"_{field}", arrays[f"{prefix}_{field}"])
        index._keys = keys
        return index

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The index's arrays, named `<prefix>_<field>` (for `mapped.save`)."""
        return {f"{prefix}_{field}": getattr(self, f"_{field}") for field in FIELDS}

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

    def find_few(self, key: str, most: int = FEW) -> list[tuple[int, int]] | None:
        """`find` as (position, rank) pairs in position order, made without numpy's per-call
        cost when at most `most` word suffixes start with `key` (most queries: measured 4 µs
        against 13); None when more do."""
        query = key.encode("utf-8")
        cut = query[:WIDTH]
        lo, hi = self._suffixes.searchsorted((cut, _successor(cut))).tolist()
        if hi - lo > most:
            return None
        if lo == hi:  # nothing starts with it (no numpy call more)
            return []
        found = self._owners[lo:hi]
        owners: list[int] = found.tolist()
        starts: list[bool] = self._at_start[lo:hi].tolist()
        lengths: list[int] = self._key_lengths[found].tolist()
        size, whole = len(query), len(query) <= WIDTH
        best: dict[int, int] = {}
        for owner, start, length in zip(owners, starts, lengths, strict=True):
            if not whole and f" {key}" not in f" {self._keys[owner]}":
                continue
            rank = (EXACT if length == size else PREFIX) if start else WORD
            if rank < best.get(owner, WORD + 1):
                best[owner] = rank
        return sorted(best.items())


def _successor(prefix: bytes) -> bytes:
    """The smallest byte string greater than every string that starts with `prefix`."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return b"\xff" * (WIDTH + 1)
    return trimmed[:-1] + bytes([trimmed[-1] + 1])


def _best_rank(owners: np.ndarray, rank: np.ndarray, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """One row per owner, in owner order, with its best rank (a key can hold the query in
    several words, but starts with it at most once). Few matches are sorted; many take a
    dense pass over all keys (plain assignments: WORD first, then the start ranks, which are
    better): measured 25 µs for 13,500 matches among 45,000 keys, where `np.minimum.at`
    took 60 and sorting 400, while a handful of matches sort in 5 µs."""
    if len(owners) * 64 < n_keys:
        order = np.lexsort((rank, owners))
        owners, rank = owners[order], rank[order]
        first = np.ones(len(owners), dtype=bool)
        first[1:] = owners[1:] != owners[:-1]
        return owners[first].astype(np.int64), rank[first].astype(np.int64)
    best = np.full(n_keys, WORD + 1, dtype=np.int8)
    starts = rank < WORD
    best[owners[~starts]] = WORD
    best[owners[starts]] = rank[starts]
    found = np.flatnonzero(best <= WORD)
    return found, best[found].astype(np.int64)


HEAD_MATCHES = 500
"""A query prefix is a head query when this many word suffixes start with it."""
HEAD_KEEP = 1000
"""How many ranked results are kept per head query (pages beyond them are computed)."""


def head_prefixes(indexes: Sequence[WordIndex], threshold: int = HEAD_MATCHES) -> list[str]:
    """The query texts that begin more than `threshold` word suffixes of the indexes (e.g.
    'a', 'ma', 'the'): the searches whose ranking costs most, worth ranking at build time.
    Only texts a normalised query can be (whole characters, no edge or double spaces)."""
    suffixes = np.concatenate([index._suffixes for index in indexes])
    found: list[str] = []
    for length in range(1, WIDTH + 1):
        prefixes, counts = np.unique(suffixes.astype(f"S{length}"), return_counts=True)
        heads = prefixes[(counts > threshold) & (np.char.str_len(prefixes) == length)]
        if not len(heads):
            break
        for raw in heads.tolist():
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                continue  # cut inside a character
            if text == " ".join(text.split()):
                found.append(text)
    return found


class Heads:
    """Head queries ranked at build time: per query text, the total and the first HEAD_KEEP
    result keys in order (the keys `Catalog` sorts search results by)."""

    def __init__(self, arrays: Mapping[str, Any]) -> None:
        self._texts = arrays["head_texts"]
        self._totals = arrays["head_totals"]
        self._offsets = arrays["head_offsets"]
        self._results = arrays["head_results"]

    @classmethod
    def build(cls, texts: Sequence[str], rank: Callable[[str], np.ndarray]) -> Heads:
        """Rank each text with `rank` (all its result keys, unsorted)."""
        ordered = sorted(text.encode("utf-8") for text in texts)
        totals, kept = [], []
        for text in ordered:
            keys = rank(text.decode("utf-8"))
            totals.append(len(keys))
            kept.append(np.sort(keys)[:HEAD_KEEP])
        counts = [len(k) for k in kept]
        return cls(
            {
                "head_texts": np.array(ordered, dtype=f"S{WIDTH}"),
                "head_totals": np.array(totals, dtype=np.int64),
                "head_offsets": np.concatenate([[0], np.cumsum(counts, dtype=np.int64)]),
                "head_results": np.concatenate([np.zeros(0, np.int64), *kept]),
            }
        )

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays `Heads(arrays)` takes back (for `mapped.save`)."""
        return dict(
            zip(HEAD_FIELDS, (self._texts, self._totals, self._offsets, self._results), strict=True)
        )

    def get(self, key: str, count: int) -> tuple[int, np.ndarray] | None:
        """(total, first `count` result keys) of a head query, or None when `key` is not one
        or asks for more results than were kept."""
        at = find_sorted(self._texts, key.encode("utf-8"))
        if at < 0:
            return None
        start, stop = int(self._offsets[at]), int(self._offsets[at + 1])
        total = int(self._totals[at])
        if count > stop - start and total > stop - start:
            return None
        return total, self._results[start : min(stop, start + count)]
