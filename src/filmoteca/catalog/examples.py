"""Example values that exist in the served catalog, for `/`, the README and the Python API.

Chosen from the catalog's own indexes (no Parquet read), so the example links work on the
demo catalog and on the full data alike: the most voted title, the most voted title that
several movies share, a title below the votes threshold, the most credited actor and director,
the busiest month and weekday, and a word to search.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..text import MONTHS, WEEKDAYS, normalize
from .keys import TitleGroups
from .movies import Movies
from .people import People


@dataclass(frozen=True, slots=True)
class Examples:
    """Names and values that answer every query of this catalog."""

    title: str
    movie_id: int
    repeated_title: str | None
    few_votes_title: str | None
    actor: str | None
    director: str | None
    month: str
    weekday: str
    search: str


def pick(
    movies: Movies,
    titles: TitleGroups,
    people: People,
    directing: np.ndarray,
    counts: tuple[np.ndarray, np.ndarray],
    min_votes: int,
) -> Examples:
    """The examples of one catalog (deterministic: ties go to the lowest position)."""
    top = int(np.argmax(movies.votes))
    shared = titles.shared_firsts()  # the most voted movie of each repeated title
    repeated = int(shared[np.argmax(movies.votes[shared])]) if len(shared) else None
    few = np.flatnonzero(movies.votes < min_votes)
    few_votes = int(few[np.argmax(movies.votes[few])]) if len(few) else None
    words = [w for w in normalize(movies.titles[top]).split() if len(w) >= 3]
    months, weekdays = counts
    return Examples(
        title=movies.titles[top],
        movie_id=int(movies.ids[top]),
        repeated_title=movies.titles[repeated] if repeated is not None else None,
        few_votes_title=movies.titles[few_votes] if few_votes is not None else None,
        actor=_most(people, people.acting),
        director=_most(people, directing),
        month=MONTHS[int(np.argmax(months[1:]))],
        weekday=WEEKDAYS[int(np.argmax(weekdays))],
        search=words[0] if words else normalize(movies.titles[top]),
    )


def _most(people: People, counts: np.ndarray) -> str | None:
    """The name of the person with the highest count (None if nobody has any)."""
    if not len(counts) or int(counts.max()) == 0:
        return None
    return str(people.names[int(np.argmax(counts))])
