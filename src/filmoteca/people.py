"""The catalog's people, built vectorised from the cast and crew tables.

A person is a normalised name (`text.normalize`): TMDB ids that share a name are one person,
as users ask by name, shown with the spelling most of their credits use. Acting is a row of
the cast table; directing, a crew row whose job is 'Director' (the caller filters the crew).
A film counts once per person and role, even when the person holds two credits in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .columns import to_numpy
from .text import normalize_many


class MovieArrays(Protocol):
    """The movie columns people are aggregated over (indexed by movie position)."""

    @property
    def ids(self) -> np.ndarray: ...
    @property
    def days(self) -> np.ndarray: ...
    @property
    def budget(self) -> np.ndarray: ...
    @property
    def returns(self) -> np.ndarray: ...


@dataclass(frozen=True, slots=True)
class People:
    """Per-person arrays; a person id indexes every array and list here."""

    index: dict[str, int]
    keys: list[str]
    names: list[str]
    acting: np.ndarray
    acting_return: np.ndarray
    acting_budgeted: np.ndarray
    directing_offsets: np.ndarray
    directing_movies: np.ndarray

    def directing(self, pid: int) -> np.ndarray:
        """Positions of the movies a person directed, by release date then id."""
        return self.directing_movies[self.directing_offsets[pid] : self.directing_offsets[pid + 1]]


def _person_ids(names: pa.ChunkedArray) -> tuple[np.ndarray, dict[str, int], list[str]]:
    """Per-row person id (-1 for no name), the normalised-name index, the most used spellings."""
    encoded = pc.dictionary_encode(names).combine_chunks()
    spellings: list[str] = encoded.dictionary.to_pylist()
    codes = to_numpy(encoded.indices, fill=-1)
    index: dict[str, int] = {}
    spelling_pid = np.fromiter(
        (index.setdefault(key, len(index)) for key in normalize_many(spellings)),
        dtype=np.int64,
        count=len(spellings),
    )
    uses = np.bincount(codes[codes >= 0], minlength=len(spellings))
    order = np.lexsort((-uses, spelling_pid))
    first = np.ones(len(order), dtype=bool)
    first[1:] = spelling_pid[order][1:] != spelling_pid[order][:-1]
    blank = index.get("", -2)
    row_pid = np.where(codes >= 0, spelling_pid[np.maximum(codes, 0)], -1)
    row_pid[row_pid == blank] = -1
    return row_pid, index, [spellings[i] for i in order[first].tolist()]


def _film_pairs(
    pid: np.ndarray, movie_ids: np.ndarray, ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (person id, movie position) pairs sorted by person; unknown movies dropped."""
    if len(ids) == 0 or len(pid) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    sorter = np.argsort(ids)
    slot = np.minimum(np.searchsorted(ids, movie_ids, sorter=sorter), len(ids) - 1)
    position = sorter[slot]
    keep = (ids[position] == movie_ids) & (pid >= 0)
    pairs = np.sort(pid[keep] * len(ids) + position[keep])
    distinct = np.ones(len(pairs), dtype=bool)
    distinct[1:] = pairs[1:] != pairs[:-1]
    pairs = pairs[distinct]
    return pairs // len(ids), pairs % len(ids)


def build_people(cast: pa.Table, crew: pa.Table, movies: MovieArrays) -> People:
    """Per-person acting aggregates and directed films, keyed by normalised name."""
    names = pa.chunked_array(cast["name"].chunks + crew["name"].chunks, pa.string())
    row_pid, index, spellings = _person_ids(names)
    n, n_cast = len(index), len(cast)
    movie_ids = np.concatenate([to_numpy(cast["movie_id"]), to_numpy(crew["movie_id"])])
    a_pid, a_pos = _film_pairs(row_pid[:n_cast], movie_ids[:n_cast], movies.ids)
    d_pid, d_pos = _film_pairs(row_pid[n_cast:], movie_ids[n_cast:], movies.ids)
    d_order = np.lexsort((movies.ids[d_pos], movies.days[d_pos], d_pid))
    budgeted = np.bincount(a_pid, weights=movies.budget[a_pos] > 0, minlength=n)
    return People(
        index=index,
        keys=list(index),
        names=spellings,
        acting=np.bincount(a_pid, minlength=n),
        acting_return=np.bincount(a_pid, weights=movies.returns[a_pos], minlength=n),
        acting_budgeted=budgeted.astype(np.int64),
        directing_offsets=np.concatenate([[0], np.cumsum(np.bincount(d_pid, minlength=n))]),
        directing_movies=d_pos[d_order],
    )
