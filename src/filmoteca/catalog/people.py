"""The catalog's people: per-person arrays, keyed by normalised name.

Built vectorised from the cast and crew tables at build time (`etl.serving.build_people`),
saved with `mapped` and opened by the server. A person is a normalised name
(`text.normalize`): TMDB ids that share a name are one person, as users ask by name, shown
with the spelling most of their credits use. Acting is a row of the cast table; directing, a
crew row whose job is 'Director'. A film counts once per person and role, even when the
person holds two credits in it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .keys import KeyIndex

INDEX = "people_index"
ARRAYS = (
    "acting",
    "acting_return",
    "acting_budgeted",
    "directing_offsets",
    "directing_movies",
)


@dataclass(frozen=True, slots=True)
class People:
    """Per-person arrays; a person id indexes every array and list here."""

    index: Mapping[str, int]
    keys: Sequence[str]
    names: Sequence[str]
    acting: np.ndarray
    acting_return: np.ndarray
    acting_budgeted: np.ndarray
    directing_offsets: np.ndarray
    directing_movies: np.ndarray

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, Any]) -> People:
        """The people from the arrays `arrays()` gave (e.g. memory-mapped: nothing decoded)."""
        keys = arrays["keys"]
        numbers = {name: arrays[name] for name in ARRAYS}
        index = KeyIndex.from_arrays(arrays, INDEX, keys)
        return cls(index=index, keys=keys, names=arrays["names"], **numbers)

    def arrays(self) -> dict[str, Any]:
        """Keys, names, the key index and per-person arrays (for `mapped.save`)."""
        index = self.index if isinstance(self.index, KeyIndex) else KeyIndex.build(self.keys)
        return (
            {"keys": self.keys, "names": self.names}
            | index.arrays(INDEX)
            | {n: getattr(self, n) for n in ARRAYS}
        )

    def directing(self, pid: int) -> np.ndarray:
        """Positions of the movies a person directed, by release date then id."""
        return self.directing_movies[self.directing_offsets[pid] : self.directing_offsets[pid + 1]]
