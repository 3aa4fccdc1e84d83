"""The built catalog held in memory, and the domain queries over it (no HTTP, no CLI).

Everything the queries need is computed once at load, vectorised over the Parquet tables
(numpy / pyarrow, no pandas): release counts per month and weekday, a title index, per-person
aggregates (`people`) and word-prefix indexes (`search`). A query is then a dictionary look-up
plus a few array reads.

Decisions (the README states them to users):
- Titles and names match exactly after `text.normalize` (case, accents, spaces); never by
  substring. Unknown ones raise NotFound with up to five close candidates (`sugerencias`).
- A person is a normalised name: different TMDB person ids with one name are one person,
  since users ask by name. Their display name is the spelling most credits use.
- An actor is a person in the cast table; a director, a crew row whose job is 'Director'.
  A film counts once per person even when the person holds two credits in it.
- Several movies with one title: the one with most votes answers (then popularity, then id);
  the others are listed, and a year chooses among them.
- Search (the one query where part of a text is enough) finds titles and names with a word
  that starts with the query.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..errors import InvalidQuery, NotFound
from ..text import MONTHS, WEEKDAYS, normalize, parse_month, parse_weekday
from . import keys, mapped
from .examples import Examples, pick
from .fuzzy import FIELDS as FUZZY_FIELDS
from .fuzzy import CloseNames
from .keys import TitleGroups
from .manifest import read_manifest, verify
from .movies import FIELDS as MOVIE_FIELDS
from .movies import Movie, MovieRef, Movies, date_counts, positions_of, title_index
from .people import ARRAYS as PEOPLE_ARRAYS
from .people import INDEX as PEOPLE_INDEX
from .people import People
from .search import FIELDS as WORD_FIELDS
from .search import HEAD_FIELDS, Heads, WordIndex, head_prefixes

__all__ = [
    "MAX_SUGGESTIONS",
    "MIN_VOTES",
    "ActorStats",
    "Catalog",
    "Directed",
    "DirectorStats",
    "Movie",
    "MovieRef",
    "SearchHit",
    "SearchPage",
    "TitleMatch",
]

MIN_VOTES = 2000
MAX_SUGGESTIONS = 5
INDEX = "indice"
TITLES = "titles"
FUZZY_TITLES, FUZZY_ACTORS, FUZZY_DIRECTORS = "fuzzy_titles", "fuzzy_actors", "fuzzy_directors"


@dataclass(frozen=True, slots=True)
class TitleMatch:
    """The movie that answers a title, and the other movies with the same title."""

    movie: Movie
    others: tuple[MovieRef, ...]

    @property
    def enough_votes(self) -> bool:
        """Whether the movie reaches MIN_VOTES, the threshold for reporting its votes."""
        return self.movie.vote_count >= MIN_VOTES


@dataclass(frozen=True, slots=True)
class ActorStats:
    """A person's films as an actor and the sum of their returns."""

    name: str
    films: int
    return_total: float
    films_with_budget: int

    @property
    def return_mean(self) -> float:
        """Mean return over all the films (0 for films without a budget)."""
        return self.return_total / self.films if self.films else 0.0


@dataclass(frozen=True, slots=True)
class DirectorStats:
    """A person's films as a director, ordered by release date (then id)."""

    name: str
    films: tuple[Movie, ...]

    @property
    def return_total(self) -> float:
        """Sum of the films' returns."""
        return float(sum(film.return_ for film in self.films))


@dataclass(frozen=True, slots=True)
class Directed:
    """A person's directed films as movie positions (see `Catalog.films`), by date then id."""

    name: str
    positions: np.ndarray
    return_total: float


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A search result: a movie, or a person with their film counts."""

    kind: Literal["movie", "person"]
    name: str
    movie: MovieRef | None = None
    acting: int = 0
    directing: int = 0


SearchRef = tuple[bool, int]
"""A search hit before it is made: whether it is a person, and its person id or movie
position (`Catalog.search_hit`)."""


def _movie_hit(ref: MovieRef) -> SearchHit:
    return SearchHit("movie", ref.title, movie=ref)


def _person_hit(name: str, acting: Any, directing: Any) -> SearchHit:
    return SearchHit("person", name, acting=int(acting), directing=int(directing))


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of search results and the total number of matches."""

    total: int
    hits: tuple[SearchHit, ...]


class Catalog:
    """The catalog in memory with its indexes; every query method answers from memory."""

    def __init__(
        self,
        manifest: dict[str, Any],
        movies: Movies,
        title_keys: Sequence[str],
        people: People,
        words: tuple[WordIndex, WordIndex] | None = None,
        heads: Heads | None = None,
        titles: TitleGroups | None = None,
        fuzzy: Mapping[str, Any] | None = None,
    ) -> None:
        """The catalog over its movies and people; `words` (title and people word indexes),
        `heads` (the head searches, ranked) and `titles` (the title index) are built when not
        given (at build time; the server opens them, memory-mapped), and so are the fuzzy
        suggestions' indexes (`fuzzy`: the arrays of `_fuzzy_arrays`)."""
        self.manifest = manifest
        self._fuzzy = fuzzy
        self._movies = movies
        self._id_order = np.argsort(movies.ids, kind="stable")
        self._title_keys = title_keys
        self._titles = titles if titles is not None else title_index(title_keys, movies)
        self._title_words, self._people_words = words or (
            WordIndex(title_keys),
            WordIndex(people.keys),
        )
        self._month_counts, self._weekday_counts = date_counts(self._movies.days)
        self._people = people
        self._directing = np.diff(people.directing_offsets)
        self._people_weight = people.acting + self._directing
        self._heads = heads or Heads.build(
            head_prefixes([self._title_words, self._people_words]), self._search_keys
        )

    @classmethod
    def load(cls, catalog_dir: str | os.PathLike[str]) -> Catalog:
        """Open a built catalog's index (`<catalog>/indice`, computed by `filmoteca build`);
        raises CatalogMissing / CatalogError if the catalog is unusable."""
        catalog_dir = Path(catalog_dir)
        manifest = cls.check(catalog_dir)
        arrays = mapped.open_arrays(catalog_dir / INDEX, _index_names())
        titles, people = mapped.strings(arrays, "title_keys"), People.from_arrays(arrays)
        return cls(
            manifest,
            Movies.from_arrays(arrays),
            titles,
            people,
            (
                WordIndex.from_arrays(arrays, "title_words", titles),
                WordIndex.from_arrays(arrays, "people_words", people.keys),
            ),
            Heads(arrays),
            TitleGroups.from_arrays(arrays, TITLES),
            arrays,
        )

    def index_arrays(self) -> dict[str, Any]:
        """What `load` opens, by name (for `mapped.save` at build time)."""
        return {
            **self._movies.arrays(),
            "title_keys": self._title_keys,
            **self._people.arrays(),
            **self._title_words.arrays("title_words"),
            **self._people_words.arrays("people_words"),
            **self._heads.arrays(),
            **self._titles.arrays(TITLES),
            **self._fuzzy_arrays(),
        }

    def _fuzzy_arrays(self) -> dict[str, np.ndarray]:
        """The fuzzy suggestions' order and trigram index of titles, actors and directors."""
        return {
            **self._title_choices.arrays(FUZZY_TITLES),
            **self._actor_choices.arrays(FUZZY_ACTORS),
            **self._director_choices.arrays(FUZZY_DIRECTORS),
        }

    @staticmethod
    def check(catalog_dir: str | os.PathLike[str]) -> dict[str, Any]:
        """Check that a catalog can be served: its manifest, and every file's size and sha256
        against it (a truncated or altered file is found here, before anything is served)."""
        catalog_dir = Path(catalog_dir)
        manifest = read_manifest(catalog_dir)
        verify(catalog_dir, manifest)
        return manifest

    @property
    def version(self) -> str:
        """The build's version string (changes whenever the catalog is rebuilt)."""
        return str(self.manifest.get("version", ""))

    @property
    def movie_count(self) -> int:
        """Number of movies."""
        return len(self._movies.ids)

    @property
    def actor_count(self) -> int:
        """Number of distinct actors (by normalised name)."""
        return int(np.count_nonzero(self._people.acting))

    @property
    def director_count(self) -> int:
        """Number of distinct directors (by normalised name)."""
        return int(np.count_nonzero(self._directing))

    # rapidfuzz choices, heaviest first so that ties go to the better known; their trigram
    # indexes are made at build time and mapped (`_fuzzy_arrays`), else on first use (or by
    # `prepare_suggestions`).
    @cached_property
    def _title_choices(self) -> CloseNames:
        return self._close_names(FUZZY_TITLES, self._titles.keys, None)

    @cached_property
    def _actor_choices(self) -> CloseNames:
        return self._close_names(FUZZY_ACTORS, self._people.keys, self._people.acting)

    @cached_property
    def _director_choices(self) -> CloseNames:
        return self._close_names(FUZZY_DIRECTORS, self._people.keys, self._directing)

    def _close_names(
        self, prefix: str, keys: Sequence[str], weights: np.ndarray | None
    ) -> CloseNames:
        """The suggestions over `keys` (heaviest first by `weights`; None: in their order)."""
        if self._fuzzy is not None:
            return CloseNames.from_arrays(self._fuzzy, prefix, keys)
        if weights is None:
            return CloseNames(keys, np.arange(len(keys), dtype=np.int32))
        ids = np.flatnonzero(weights)
        return CloseNames(keys, ids[np.argsort(-weights[ids], kind="stable")].astype(np.int32))

    @cached_property
    def examples(self) -> Examples:
        """Titles, names and values that exist in this catalog (for example links)."""
        counts = (self._month_counts, self._weekday_counts)
        return pick(self._movies, self._titles, self._people, self._directing, counts, MIN_VOTES)

    def count_by_month(self, month: str) -> tuple[str, int]:
        """Movies released in a month of any year: (Spanish month name, count)."""
        number = parse_month(month)
        return MONTHS[number - 1], int(self._month_counts[number])

    def count_by_weekday(self, day: str) -> tuple[str, int]:
        """Movies released on a weekday: (Spanish weekday name, count)."""
        index = parse_weekday(day)
        return WEEKDAYS[index], int(self._weekday_counts[index])

    def find_title(self, title: str, year: int | None = None) -> TitleMatch:
        """The movie a title names; a year chooses among the movies sharing it."""
        chosen, positions = self._title_positions(title, year)
        others = tuple(self._movies.ref(p) for p in positions if p != chosen)
        return TitleMatch(self._movies.movie(chosen), others)

    def title_ref(self, title: str, year: int | None = None) -> MovieRef:
        """Id, title and year of the movie a title names (as `find_title`, same errors),
        without the other movies sharing it or the figures."""
        return self._movies.ref(self._title_positions(title, year)[0])

    def _title_positions(self, title: str, year: int | None) -> tuple[int, tuple[int, ...]]:
        """The position of the movie a title names and of every movie sharing the title
        (NotFound with suggestions, or for a year none of them has)."""
        positions = self._titles.get(normalize(title))
        if positions is None:
            suggestions = [
                self._movies.titles[self._titles[k][0]] for k in self._close_titles(title)
            ]
            raise NotFound(f"No hay ninguna película titulada '{title}'.", sugerencias=suggestions)
        if year is None:
            return positions[0], positions
        in_year = [p for p in positions if self._movies.years[p] == year]
        if not in_year:
            years = sorted({int(self._movies.years[p]) for p in positions})
            raise _no_title_in_year(title, year, years)
        return in_year[0], positions

    def actor(self, name: str) -> ActorStats:
        """A person's films as an actor (cast credits only)."""
        people = self._people
        pid = people.index.get(normalize(name), -1)
        if pid < 0 or people.acting[pid] == 0:
            raise self._person_not_found(name, "actor", self._people.acting, self._actor_choices)
        return ActorStats(
            name=people.names[pid],
            films=int(people.acting[pid]),
            return_total=float(people.acting_return[pid]),
            films_with_budget=int(people.acting_budgeted[pid]),
        )

    def director(self, name: str) -> DirectorStats:
        """A person's films as a director, ordered by release date (then id)."""
        directed = self.directed(name)
        return DirectorStats(directed.name, self._movies.movies(directed.positions))

    def directed(self, name: str) -> Directed:
        """A person's directed films as positions, without building their `Movie`s."""
        people = self._people
        pid = people.index.get(normalize(name), -1)
        films = people.directing(pid) if pid >= 0 else np.zeros(0, np.int64)
        if not len(films):
            raise self._person_not_found(name, "director", self._directing, self._director_choices)
        total = float(sum(self._movies.returns[films].tolist()))  # as DirectorStats sums
        return Directed(people.names[pid], films, total)

    def position(self, movie_id: int) -> int:
        """Position (0 .. movie_count - 1) of a movie id; NotFound for an unknown id."""
        query = np.array([movie_id], dtype=np.int64)
        found = int(positions_of(self._movies.ids, self._id_order, query)[0])
        if found < 0:
            raise NotFound(f"No hay ninguna película con el id {movie_id} en el catálogo.")
        return found

    def films(self, positions: np.ndarray) -> tuple[Movie, ...]:
        """The movies at some positions (0 .. movie_count - 1)."""
        return self._movies.movies(positions)

    def refs(self, positions: Sequence[int] | np.ndarray) -> list[MovieRef]:
        """Id, title and year of the movies at some positions, gathered at once (for answers
        listing many movies, e.g. a person's credits)."""
        at = np.asarray(positions, dtype=np.int64)
        names = mapped.take(self._movies.titles, at)
        ids, years = self._movies.ids[at].tolist(), self._movies.years[at].tolist()
        return [MovieRef(i, t, y or None) for i, t, y in zip(ids, names, years, strict=True)]

    def search(self, query: str, limit: int, page: int) -> SearchPage:
        """Titles and people with a word that starts with the query, best matches first:
        exact, then first word, then another word; within each, most voted / most films."""
        total, shown = self.search_refs(query, limit, page)
        return SearchPage(total=total, hits=tuple(self.search_hit(*ref) for ref in shown))

    def search_refs(self, query: str, limit: int, page: int) -> tuple[int, list[SearchRef]]:
        """`search` without making the hits: the total and, for each hit shown, whether it
        is a person and its person id or movie position (`search_hit` makes it)."""
        key = normalize(query)
        if not key:
            raise InvalidQuery("La búsqueda está vacía: escriba parte de un título o de un nombre.")
        head = self._heads.get(key, page * limit)  # ranked at build time: 'a', 'the'...
        if head is not None:
            total, ranked = head[0], head[1].tolist()
        elif (few := self._search_few(key)) is not None:
            total, ranked = len(few), few[: page * limit]
        else:
            keys = self._search_keys(key)
            total, ranked = len(keys), _top(keys, page * limit)
        shown = ranked[(page - 1) * limit :]
        return total, [(bool(k & 1 << _REF_BITS), k & _REF_MASK) for k in shown]

    def search_hits(self) -> Iterator[tuple[SearchRef, SearchHit]]:
        """Every hit a search can show, with its ref: each movie, then each person (the hits
        of `search_hit`, from the columns taken as lists once: this is for the build, which
        makes them all)."""
        for position, ref in enumerate(self._movies.refs()):
            yield (False, position), _movie_hit(ref)
        people = self._people
        rows = zip(people.names[:], people.acting.tolist(),
                   np.diff(people.directing_offsets).tolist(), strict=True)  # fmt: skip
        for person, (name, acting, directing) in enumerate(rows):
            yield (True, person), _person_hit(name, acting, directing)

    def _search_few(self, key: str) -> list[int] | None:
        """`_search_keys` sorted, as Python ints, when few titles and people match (most
        queries; None otherwise): the same keys without numpy's cost per call."""
        titles = self._title_words.find_few(key)
        people = self._people_words.find_few(key) if titles is not None else None
        if titles is None or people is None:
            return None
        found = _few_keys(titles, self._movies.votes, False)
        found += _few_keys(people, self._people_weight, True)
        found.sort()
        return found

    def _search_keys(self, key: str) -> np.ndarray:
        """The sort key (see `_sort_key`) of every title and person matching a normalised
        query, unsorted."""
        movie_pos, movie_rank = self._title_words.find(key)
        person_ids, person_rank = self._people_words.find(key)
        order = _sort_key(movie_rank, self._movies.votes[movie_pos], movie_pos, person=False)
        people = _sort_key(person_rank, self._people_weight[person_ids], person_ids, person=True)
        return np.concatenate([order, people])

    def search_hit(self, is_person: bool, ref: int) -> SearchHit:
        """A search hit for a person id or a movie position."""
        if not is_person:
            return _movie_hit(self._movies.ref(ref))
        people = self._people
        return _person_hit(people.names[ref], people.acting[ref], len(people.directing(ref)))

    def _person_not_found(
        self, name: str, role: str, weights: np.ndarray, choices: CloseNames
    ) -> NotFound:
        """NotFound for an unknown actor or director, with close names as suggestions."""
        key = normalize(name)
        people = self._people
        found = self._people_words.find(key)[0] if key else np.zeros(0, np.int64)
        found = found[weights[found] > 0]
        heaviest = found[np.argsort(-weights[found], kind="stable")][:MAX_SUGGESTIONS]
        keys = _add_close(key, mapped.take(people.keys, heaviest), choices)
        return NotFound(
            f"No hay ningún {role} llamado '{name}' en el catálogo.",
            sugerencias=[people.names[people.index[k]] for k in keys],
        )

    def _close_titles(self, title: str) -> list[str]:
        """Normalised titles to suggest for an unknown one (see `_add_close`)."""
        key = normalize(title)
        found = self._title_words.find(key)[0] if key else np.zeros(0, np.int64)
        keys: list[str] = []
        for position in found[np.argsort(-self._movies.votes[found], kind="stable")].tolist():
            if self._title_keys[position] not in keys:
                keys.append(self._title_keys[position])
            if len(keys) == MAX_SUGGESTIONS:
                break
        return _add_close(key, keys, self._title_choices)

    def known_keys(self) -> dict[str, list[str]]:
        """The normalised keys the name queries answer: 'titles', 'actors', 'directors'."""
        return {
            "titles": self._title_choices.choices,
            "actors": self._actor_choices.choices,
            "directors": self._director_choices.choices,
        }

    def prepare_suggestions(self) -> None:
        """Build the fuzzy-suggestion indexes now instead of on the first unknown name."""
        for names in (self._title_choices, self._actor_choices, self._director_choices):
            names.prepare()

    @property
    def suggestions_prepared(self) -> bool:
        """Whether the fuzzy-suggestion indexes are ready (mapped from the catalog, or made)."""
        return all(
            names.prepared
            for names in (self._title_choices, self._actor_choices, self._director_choices)
        )


def _add_close(key: str, found: list[str], choices: CloseNames) -> list[str]:
    """Suggestions: the keys with a word starting with the text ('tom' -> 'tom hanks'), heaviest
    first, then, if fewer than MAX_SUGGESTIONS, the closest by rapidfuzz's QRatio (edit-distance
    similarity >= 50: 'jon depp' -> 'johnny depp'; WRatio ranked such misspellings worse),
    scored over the names sharing the most trigrams with it (`fuzzy.CloseNames`)."""
    if not key or len(found) >= MAX_SUGGESTIONS:
        return found[:MAX_SUGGESTIONS]
    close = choices.closest(key, MAX_SUGGESTIONS)
    return (found + [choice for choice in close if choice not in found])[:MAX_SUGGESTIONS]


_REF_BITS = 28  # movie positions and person ids stay below 2**28 (268 million)
_REF_MASK = (1 << _REF_BITS) - 1
_WEIGHT_MAX = (1 << 31) - 1


def _sort_key(rank: np.ndarray, weight: np.ndarray, ref: np.ndarray, person: bool) -> np.ndarray:
    """Search results packed in one int64 that sorts them: rank (0 exact, 1 first word,
    2 another word), then heavier first, then movies before people, then position or id."""
    lighter = _WEIGHT_MAX - np.minimum(weight.astype(np.int64), _WEIGHT_MAX)
    key: np.ndarray = rank.astype(np.int64) << 61 | lighter << 29 | int(person) << _REF_BITS | ref
    return key


def _few_keys(found: list[tuple[int, int]], weights: np.ndarray, person: bool) -> list[int]:
    """`_sort_key` of a few (position or id, rank) pairs, with Python ints."""
    if not found:
        return []
    heavy: list[int] = weights[[at for at, _ in found]].tolist()
    kind = int(person) << _REF_BITS
    return [
        rank << 61 | (_WEIGHT_MAX - min(weight, _WEIGHT_MAX)) << 29 | kind | at
        for (at, rank), weight in zip(found, heavy, strict=True)
    ]


def _top(keys: np.ndarray, count: int) -> list[int]:
    """The `count` smallest keys in order, without sorting all of them."""
    if count < len(keys):
        keys = np.partition(keys, count - 1)[:count]
    ordered: list[int] = np.sort(keys).tolist()
    return ordered


def _index_names() -> list[str]:
    """The arrays of a catalog's index folder (see `Catalog.index_arrays`)."""
    words = [f"{p}_{f}" for p in ("title_words", "people_words") for f in WORD_FIELDS]
    return [
        *MOVIE_FIELDS,
        "title_keys",
        "keys",
        "names",
        *keys.names(PEOPLE_INDEX),
        *PEOPLE_ARRAYS,
        *words,
        *HEAD_FIELDS,
        *keys.names(TITLES, keys.GROUP_FIELDS + keys.KEY_FIELDS),
        *(f"{p}_{f}" for p in (FUZZY_TITLES, FUZZY_ACTORS, FUZZY_DIRECTORS) for f in FUZZY_FIELDS),
    ]


def _no_title_in_year(title: str, year: int, years: list[int]) -> NotFound:
    """NotFound for a known title asked with a year none of its movies has."""
    return NotFound(
        f"No hay ninguna película titulada '{title}' estrenada en {year}. "
        f"Años con ese título: {', '.join(map(str, years))}.",
        anios_disponibles=years,
    )
