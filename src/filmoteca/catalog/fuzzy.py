"""The closest names to an unknown one, by rapidfuzz's QRatio, without scoring every name.

    CloseNames(choices)     over normalised keys, in the order that breaks ties (heaviest first)
    .closest(key, limit)    up to `limit` keys with QRatio >= MIN_SCORE, best first

Scoring all 54,000 cast names of the 45,466-movie catalog with `process.extract` takes about
9 ms, on the event loop, per unknown name: a flood of distinct unknown names starved every
other request. Large choice lists are therefore scored in two steps: a character-trigram index
(built with numpy on first use) counts, for every name, the trigrams it shares with the asked
one, and only the names sharing the most (about CANDIDATES of them) are scored with QRatio,
by the same `process.extract` call as before, in the same order. A misspelt name shares most
of its trigrams with the right one ('jon depp' and 'johnny depp' share ' jo', ' de', 'dep',
'epp', 'pp '), so the answer is the full scan's; a string sharing nothing with any name may
get fewer suggestions than a full scan would find (they would be as unrelated as it is).
Lists of up to EXACT_UP_TO names are always scored whole.

The index is made at build time and saved with the catalog's index (`arrays`, `from_arrays`):
the server maps it and spends no CPU on it when starting; the names themselves are decoded
once, at the first unknown name (an object array, from which candidates are picked at once).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np

from . import mapped

MIN_SCORE = 50
EXACT_UP_TO = 2048
CANDIDATES = 512
COMMON = 4096  # a trigram of more names than this is not counted (unless all are)
_WIDTH = 48  # bytes of each padded key that are indexed (longer names: their first 46)
_BUCKETS = 1 << 16
FIELDS = ("order", "offsets", "owners", "sizes")
"""The arrays `arrays(prefix)` saves: the keys' order (positions in the key list), and the
trigram index (CSR offsets by bucket, owners, distinct buckets per name)."""
Index = tuple[np.ndarray, np.ndarray, np.ndarray]


class CloseNames:
    """Fuzzy suggestions over a fixed list of keys (see the module docstring): `keys` in the
    order that breaks ties, or `keys` taken at the positions `order`."""

    def __init__(
        self, keys: Sequence[str], order: np.ndarray | None = None, index: Index | None = None
    ) -> None:
        self._keys = keys
        self._order = np.arange(len(keys), dtype=np.int32) if order is None else order
        self._index_arrays = index

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, Any], prefix: str, keys: Sequence[str]) -> CloseNames:
        """The suggestions saved by `arrays(prefix)` over `keys` (the same key list)."""
        order, offsets, owners, sizes = (arrays[f"{prefix}_{field}"] for field in FIELDS)
        return cls(keys, order, (offsets, owners, sizes) if len(order) > EXACT_UP_TO else None)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The order and the trigram index, by name (for `mapped.save`; a list scored whole
        has no index: empty arrays)."""
        empty = np.zeros(0, np.int32)
        offsets, owners, sizes = self._index() if len(self) > EXACT_UP_TO else (empty,) * 3
        values = (self._order, offsets, owners, sizes)
        return {f"{prefix}_{field}": value for field, value in zip(FIELDS, values, strict=True)}

    def __len__(self) -> int:
        return len(self._order)

    @cached_property
    def _longest(self) -> int:
        """An upper bound of the choices' lengths in characters (their UTF-8 bytes)."""
        return mapped.longest(self._keys)

    @cached_property
    def _names(self) -> np.ndarray:
        """The choices as an object array, made at the first unknown name (~30 ms and ~4 MB
        for 54,000 names): picking 512 candidates from it takes 6 µs, decoding them from the
        mapped keys 160."""
        return np.array(mapped.take(self._keys, self._order), dtype=object)

    @cached_property
    def choices(self) -> list[str]:
        """Every key, in tie-breaking order (decoded at once, on first use)."""
        return mapped.take(self._keys, self._order)

    def prepare(self) -> None:
        """Build the trigram index now (e.g. in a background thread after start-up) rather
        than on the first unknown name."""
        if len(self) > EXACT_UP_TO:
            self._index()

    @property
    def prepared(self) -> bool:
        """Whether nothing is left to build before the first unknown name."""
        return len(self) <= EXACT_UP_TO or self._index_arrays is not None

    def closest(self, key: str, limit: int) -> list[str]:
        """Up to `limit` keys with QRatio >= MIN_SCORE against `key`, best first (ties in
        list order)."""
        if len(key) > 3 * self._longest:  # QRatio <= 200·b/(a + b) < MIN_SCORE for all
            return []  # (and scoring a 3,000-character key costs tens of ms)
        if len(self) > EXACT_UP_TO:
            choices = self._names[self._candidates(key)].tolist()
        else:
            choices = self.choices
        from rapidfuzz import fuzz, process  # at the first unknown name, not at start-up

        found = process.extract(
            key, choices, scorer=fuzz.QRatio, limit=limit, score_cutoff=MIN_SCORE
        )
        return [choice for choice, _, _ in found]

    def _candidates(self, key: str) -> np.ndarray:
        """Positions (ascending) of the CANDIDATES names most alike `key` by the Dice
        coefficient of their trigram sets (only names sharing a trigram are looked at)."""
        offsets, owners, sizes = self._index()
        wanted = _key_buckets(key)
        if not wanted:
            return np.zeros(0, np.int64)
        postings = [owners[offsets[b] : offsets[b + 1]] for b in wanted]
        rare = [names for names in postings if len(names) <= COMMON]
        postings = rare or postings  # the commonest trigrams say little: left out if others
        names, shared = _distinct(np.sort(np.concatenate(postings)))
        if names.size <= CANDIDATES:
            return names
        dice = shared / (sizes[names] + len(postings))
        return np.sort(names[np.argpartition(-dice, CANDIDATES)[:CANDIDATES]])

    def _index(self) -> Index:
        """The trigram index, built once: CSR offsets by bucket, the positions of the names
        having each bucket, and each name's number of distinct buckets."""
        if self._index_arrays is None:
            choices = self.choices
            padded = np.array([_padded(choice) for choice in choices], dtype=f"S{_WIDTH}")
            buckets = _buckets(padded.view(np.uint8).reshape(len(choices), _WIDTH))
            valid = buckets >= 0
            rows = np.broadcast_to(np.arange(len(choices), dtype=np.int32)[:, None], buckets.shape)
            flat, owners = buckets[valid], rows[valid]
            order = np.argsort(flat, kind="stable")
            offsets = np.zeros(_BUCKETS + 1, np.int32 if flat.size < 2**31 else np.int64)
            np.cumsum(np.bincount(flat, minlength=_BUCKETS), out=offsets[1:])
            sizes = valid.sum(axis=1, dtype=np.int32)
            self._index_arrays = (offsets, owners[order], sizes)
        return self._index_arrays


def _distinct(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a sorted array and how often each occurs: `np.unique(...,
    return_counts=True)` without its overhead on these small arrays."""
    if not len(ordered):
        return ordered, np.zeros(0, np.int64)
    first = np.empty(len(ordered), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.empty(len(starts), np.int64)
    np.subtract(starts[1:], starts[:-1], out=counts[:-1])
    counts[-1] = len(ordered) - starts[-1]
    return ordered[starts], counts


def _key_buckets(key: str) -> list[int]:
    """The distinct trigram buckets of one key (as `_buckets` computes them for a row)."""
    data = _padded(key)
    codes = {data[i] << 16 | data[i + 1] << 8 | data[i + 2] for i in range(len(data) - 2)}
    return sorted({(code * 2654435761 >> 13) % _BUCKETS for code in codes})


def _padded(key: str) -> bytes:
    """A key as indexed: between spaces (so word starts and ends count), UTF-8, cut to _WIDTH."""
    return f" {key} ".encode()[:_WIDTH]


def _buckets(matrix: np.ndarray) -> np.ndarray:
    """The trigram buckets of each row of padded keys (-1 where the trigram runs past the end),
    as int32 (the codes fit in 24 bits, their hash is taken in int64 one column at a time)."""
    m = matrix.astype(np.int32)
    codes = m[:, :-2] << 16 | m[:, 1:-1] << 8 | m[:, 2:]
    hashed = np.empty(codes.shape, np.int32)
    for column in range(codes.shape[1]):  # an int64 temporary of one column, not of all
        hashed[:, column] = (codes[:, column].astype(np.int64) * 2654435761 >> 13) % _BUCKETS
    hashed[m[:, 2:] == 0] = -1
    return hashed
