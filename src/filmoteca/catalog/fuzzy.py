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
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz, process

MIN_SCORE = 50
EXACT_UP_TO = 2048
CANDIDATES = 512
COMMON = 4096  # a trigram of more names than this is not counted (unless all are)
_WIDTH = 48  # bytes of each padded key that are indexed (longer names: their first 46)
_BUCKETS = 1 << 16


class CloseNames:
    """Fuzzy suggestions over a fixed list of keys (see the module docstring)."""

    def __init__(self, choices: Sequence[str]) -> None:
        self.choices = list(choices)
        self._index_arrays: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._name_array: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.choices)

    def prepare(self) -> None:
        """Build the trigram index now (e.g. in a background thread after start-up) rather
        than on the first unknown name."""
        if len(self.choices) > EXACT_UP_TO:
            self._index()
            self._names()

    def closest(self, key: str, limit: int) -> list[str]:
        """Up to `limit` keys with QRatio >= MIN_SCORE against `key`, best first (ties in
        list order)."""
        choices: Sequence[str] = self.choices
        if len(choices) > EXACT_UP_TO:
            choices = self._names()[self._candidates(key)].tolist()
        found = process.extract(
            key, choices, scorer=fuzz.QRatio, limit=limit, score_cutoff=MIN_SCORE
        )
        return [choice for choice, _, _ in found]

    def _names(self) -> np.ndarray:
        """The choices as an object array (candidates are picked from it in one step)."""
        if self._name_array is None:
            self._name_array = np.array(self.choices, dtype=object)
        return self._name_array

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

    def _index(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The trigram index, built once: CSR offsets by bucket, the positions of the names
        having each bucket, and each name's number of distinct buckets."""
        if self._index_arrays is None:
            padded = np.array([_padded(choice) for choice in self.choices], dtype=f"S{_WIDTH}")
            matrix = padded.view(np.uint8).reshape(len(self.choices), _WIDTH)
            buckets = _buckets(matrix)
            valid = buckets >= 0
            rows = np.broadcast_to(
                np.arange(len(self.choices), dtype=np.int32)[:, None], buckets.shape
            )
            flat, owners = buckets[valid], rows[valid]
            order = np.argsort(flat, kind="stable")
            counts = np.bincount(flat, minlength=_BUCKETS)
            sizes = valid.sum(axis=1).astype(np.float64)
            self._index_arrays = (np.concatenate(([0], np.cumsum(counts))), owners[order], sizes)
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
    """The trigram buckets of each row of padded keys (-1 where the trigram runs past the end)."""
    m = matrix.astype(np.int64)
    codes = m[:, :-2] << 16 | m[:, 1:-1] << 8 | m[:, 2:]
    hashed = (codes * 2654435761 >> 13) % _BUCKETS
    hashed[m[:, 2:] == 0] = -1
    return hashed
