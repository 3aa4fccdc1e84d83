"""The catalog's movies in memory: numpy columns indexed by position, and what is built on them.

Movies          the columns the queries read (nulls as 0; a missing date as NO_DATE)
title_index     normalised title -> positions of the movies with it, most voted first
date_counts     releases per month and per weekday, all years
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .keys import TitleGroups

MAX_ID = 2**63 - 1
"""The largest id of a movie or person (ids are int64 in every table): the build keeps ids of
0..MAX_ID and the id routes of the API accept the same range."""

NO_DATE = np.iinfo(np.int32).max
FIELDS = (
    "ids",
    "titles",
    "years",
    "days",
    "budget",
    "revenue",
    "returns",
    "popularity",
    "votes",
    "vote_average",
)
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class MovieRef:
    """A movie named by title and year, to tell apart movies that share a title."""

    id: int
    title: str
    year: int | None


def _ref(movie_id: Any, title: str, year: Any) -> MovieRef:
    """A `MovieRef` from a movie's id, title and year (0: unknown) as stored."""
    return MovieRef(int(movie_id), title, int(year) or None)


@dataclass(slots=True)
class Movie:
    """The figures of one movie that the queries report (not frozen: a frozen dataclass takes
    six times longer to build, and a director's answer builds dozens)."""

    id: int
    title: str
    year: int | None
    release_date: dt.date | None
    popularity: float
    vote_count: int
    vote_average: float
    budget: float
    revenue: float
    return_: float


@dataclass(frozen=True, slots=True)
class Movies:
    """Movie columns as arrays; a movie's position indexes every array and list here."""

    ids: np.ndarray
    titles: Sequence[str]
    years: np.ndarray
    days: np.ndarray
    budget: np.ndarray
    revenue: np.ndarray
    returns: np.ndarray
    popularity: np.ndarray
    votes: np.ndarray
    vote_average: np.ndarray

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, Any]) -> Movies:
        """The movies from the arrays `arrays()` gave (e.g. opened with `mapped`)."""
        return cls(**{name: arrays[name] for name in FIELDS})

    def arrays(self) -> dict[str, Any]:
        """The columns by field name (for `mapped.save`)."""
        return {name: getattr(self, name) for name in FIELDS}

    def ref(self, position: int) -> MovieRef:
        """Title, year and id of the movie at a position."""
        return _ref(self.ids[position], self.titles[position], self.years[position])

    def refs(self) -> list[MovieRef]:
        """Every movie's `ref`, by position (the columns taken as lists once: indexing the
        arrays one value at a time costs more than the refs themselves)."""
        columns = zip(self.ids.tolist(), self.titles[:], self.years.tolist(), strict=True)
        return [_ref(movie_id, title, year) for movie_id, title, year in columns]

    def movie(self, position: int) -> Movie:
        """The full figures of the movie at a position."""
        days = int(self.days[position])
        return Movie(
            id=int(self.ids[position]),
            title=self.titles[position],
            year=int(self.years[position]) or None,
            release_date=None if days == NO_DATE else _EPOCH + dt.timedelta(days=days),
            popularity=float(self.popularity[position]),
            vote_count=int(self.votes[position]),
            vote_average=float(self.vote_average[position]),
            budget=float(self.budget[position]),
            revenue=float(self.revenue[position]),
            return_=float(self.returns[position]),
        )

    def movies(self, positions: np.ndarray) -> tuple[Movie, ...]:
        """The movies at some positions, gathered column by column (one numpy call each)."""
        days = self.days[positions]
        dates = np.where(days == NO_DATE, 0, days).astype("datetime64[D]").tolist()
        columns = zip(
            self.ids[positions].tolist(),
            [self.titles[p] for p in positions.tolist()],
            self.years[positions].tolist(),
            [None if d == NO_DATE else date for d, date in zip(days.tolist(), dates, strict=True)],
            self.popularity[positions].tolist(),
            self.votes[positions].tolist(),
            self.vote_average[positions].tolist(),
            self.budget[positions].tolist(),
            self.revenue[positions].tolist(),
            self.returns[positions].tolist(),
            strict=True,
        )
        return tuple(
            Movie(i, title, year or None, date, pop, votes, avg, budget, revenue, ret)
            for i, title, year, date, pop, votes, avg, budget, revenue, ret in columns
        )


def positions_of(ids: np.ndarray, sorter: np.ndarray, movie_ids: np.ndarray) -> np.ndarray:
    """Position of each of `movie_ids` in `ids` (sorted by `sorter`); -1 where absent."""
    if len(ids) == 0:
        return np.full(len(movie_ids), -1, dtype=np.int64)
    sorted_ids = ids[sorter]
    slot = np.minimum(np.searchsorted(sorted_ids, movie_ids), len(sorted_ids) - 1)
    return np.where(sorted_ids[slot] == movie_ids, sorter[slot], -1)


def title_index(keys: Sequence[str], movies: Movies) -> TitleGroups:
    """Normalised title -> movie positions, most voted first (then popularity, then id); the
    titles in the order of their most voted movie."""
    order = np.lexsort((movies.ids, -movies.popularity, -movies.votes))
    return TitleGroups.build(keys, order)


def date_counts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Release counts per month (index 1-12) and weekday (0 = lunes), all years."""
    dated = days[days != NO_DATE].astype(np.int64)
    months = dated.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1
    weekdays = (dated + 3) % 7  # 1970-01-01 was a Thursday
    return np.bincount(months, minlength=13), np.bincount(weekdays, minlength=7)
