"""Movie cards and person pages for the web page: details the mission queries do not carry.

`Cards` holds what a movie card shows (figures, synopsis, poster, genres, directors, billed
cast, saga) and, per person, the films they act in. It is read once from the catalog
directory and kept as Arrow / numpy arrays (no per-row Python objects); a card or a person
page is then a few array slices. Nothing here imports pandas (see `columns`).

Decisions:
- Votes and average are reported only from `catalog.MIN_VOTES` votes on, as the API's
  `/votos_titulo` does; below that the card says so instead of showing figures.
- People are matched as `Catalog` matches them (one person per `text.normalize`d name),
  looked up by a 64-bit hash of the normalised name (a sorted int64 array, no dictionary of
  strings). A person's mission figures (films, total and mean return) and their directed
  films come from `Catalog` itself, so the page and the API never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz

from . import store
from .catalog import MAX_SUGGESTIONS, MIN_VOTES, ActorStats, Catalog, DirectorStats
from .columns import to_numpy
from .errors import NotFound
from .text import normalize, normalize_many

TOP_CAST = 8
POSTER_BASE = "https://image.tmdb.org/t/p/w342"
_TEXT_COLUMNS = [
    "title",
    "original_title",
    "original_language",
    "overview",
    "tagline",
    "homepage",
    "poster_path",
    "imdb_id",
]
_NUMBER_COLUMNS = [
    "budget",
    "revenue",
    "return",
    "popularity",
    "runtime",
    "vote_count",
    "vote_average",
]
_NO_DATE = np.iinfo(np.int32).max
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class CastCredit:
    """A billed actor of a movie and the character they play."""

    name: str
    character: str | None


@dataclass(frozen=True, slots=True)
class Votes:
    """Votes and average, known only from MIN_VOTES votes on (the API's rule)."""

    enough: bool
    count: int | None
    average: float | None


@dataclass(frozen=True, slots=True)
class MovieCard:
    """Everything a movie's card shows."""

    id: int
    title: str
    original_title: str | None
    year: int | None
    release_date: dt.date | None
    language: str | None
    runtime: float | None
    overview: str | None
    tagline: str | None
    homepage: str | None
    poster_url: str | None
    imdb_id: str | None
    popularity: float
    votes: Votes
    budget: float
    revenue: float
    return_: float
    genres: tuple[str, ...]
    directors: tuple[str, ...]
    cast: tuple[CastCredit, ...]
    collection: str | None


@dataclass(frozen=True, slots=True)
class PersonFilm:
    """One film of a person with its figures, and the character when they act in it."""

    id: int
    title: str
    year: int | None
    release_date: dt.date | None
    budget: float
    revenue: float
    return_: float
    character: str | None = None


@dataclass(frozen=True, slots=True)
class PersonPage:
    """A person's mission figures as actor and as director, and the films of each role."""

    name: str
    actor: ActorStats | None
    director: DirectorStats | None
    acting: tuple[PersonFilm, ...]


@dataclass(frozen=True, slots=True)
class _Groups:
    """Row numbers grouped by an integer key: group g is rows[offsets[g]:offsets[g + 1]]."""

    offsets: np.ndarray
    rows: np.ndarray

    @classmethod
    def build(cls, keys: np.ndarray, size: int, then: np.ndarray | None = None) -> _Groups:
        """Group row numbers by key (negative keys dropped), ordered by `then` inside a group."""
        order = np.lexsort((then, keys)) if then is not None else np.argsort(keys, kind="stable")
        order = order[keys[order] >= 0]
        counts = np.bincount(keys[order], minlength=size)
        return cls(np.concatenate([[0], np.cumsum(counts)]), order)

    def of(self, group: int) -> np.ndarray:
        """Row numbers of one group."""
        return self.rows[self.offsets[group] : self.offsets[group + 1]]


def _index_array(rows: np.ndarray) -> pa.Array:
    """Row numbers as an Arrow int64 array (for `take`; `pa.array` would import pandas)."""
    values = np.ascontiguousarray(rows, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


def _person_codes(names: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row person code (-1 for no name) and the sorted hashes of the normalised names."""
    encoded = pc.dictionary_encode(names).combine_chunks()
    keys = normalize_many(encoded.dictionary.to_pylist())
    hashes = np.fromiter((hash(key) if key else 0 for key in keys), np.int64, len(keys))
    unique, spelling_code = np.unique(hashes, return_inverse=True)
    spelling_code[hashes == 0] = -1
    codes = to_numpy(encoded.indices, fill=-1)
    return np.where(codes >= 0, spelling_code[np.maximum(codes, 0)], -1), unique


class Cards:
    """The details behind movie cards and person pages, in memory."""

    def __init__(
        self,
        movies: pa.Table,
        genres: pa.Table,
        cast: pa.Table,
        directors: pa.Table,
        collections: pa.Table,
        version: str = "",
    ) -> None:
        self.version = version
        self._text = movies.select(_TEXT_COLUMNS).combine_chunks()
        self._numbers = {name: to_numpy(movies[name]) for name in _NUMBER_COLUMNS}
        self._ids = to_numpy(movies["id"])
        self._years = to_numpy(movies["release_year"])
        self._days = to_numpy(movies["release_date"], fill=_NO_DATE)
        self._sorter = np.argsort(self._ids, kind="stable")
        self._links = {
            "genres": self._grouped(genres),
            "directors": self._grouped(directors),
            "collections": self._grouped(collections),
        }
        self._cast = cast.select(["name", "character"]).combine_chunks()
        cast_pos = self._positions(to_numpy(cast["movie_id"]))
        self._billing = _Groups.build(cast_pos, len(self._ids), then=to_numpy(cast["order"]))
        person, self._person_hashes = _person_codes(cast["name"])
        self._cast_movie = cast_pos
        self._acting = _Groups.build(
            np.where(cast_pos >= 0, person, -1),
            len(self._person_hashes),
            then=to_numpy(cast["order"]),
        )

    @classmethod
    def load(cls, catalog_dir: Path) -> Cards:
        """Read what cards need from a built catalog; raises CatalogMissing / CatalogError."""
        manifest = store.read_manifest(catalog_dir)
        movies = store.read_table(
            catalog_dir,
            "movies",
            ["id", "release_date", "release_year", *_TEXT_COLUMNS, *_NUMBER_COLUMNS],
        )
        crew = store.read_table(catalog_dir, "crew", ["movie_id", "name", "job"])
        directors = crew.filter(pc.match_substring_regex(crew["job"], "^Director$"))
        return cls(
            movies=movies,
            genres=store.read_table(catalog_dir, "genres", ["movie_id", "name"]),
            cast=store.read_table(catalog_dir, "cast", ["movie_id", "name", "character", "order"]),
            directors=directors.select(["movie_id", "name"]),
            collections=store.read_table(catalog_dir, "collections", ["movie_id", "name"]),
            version=str(manifest.get("version", "")),
        )

    def _positions(self, movie_ids: np.ndarray) -> np.ndarray:
        """Movie position of each id (-1 when the id is not a catalog movie)."""
        if len(self._ids) == 0:
            return np.full(len(movie_ids), -1, dtype=np.int64)
        sorted_ids = self._ids[self._sorter]
        slot = np.minimum(np.searchsorted(sorted_ids, movie_ids), len(sorted_ids) - 1)
        return np.where(sorted_ids[slot] == movie_ids, self._sorter[slot], -1)

    def _grouped(self, table: pa.Table) -> tuple[pa.Array, _Groups]:
        """A link table's names grouped by movie position, in the source order."""
        positions = self._positions(to_numpy(table["movie_id"]))
        return table["name"].combine_chunks(), _Groups.build(positions, len(self._ids))

    def position(self, movie_id: int) -> int:
        """Position of a movie id; raises NotFound when the catalog has no such movie."""
        found = int(self._positions(np.array([movie_id], dtype=np.int64))[0])
        if found < 0:
            raise NotFound(f"No hay ninguna película con el id {movie_id} en el catálogo.")
        return found

    def _string(self, column: str, position: int) -> str | None:
        """A text cell of a movie ('' counts as missing)."""
        value: str | None = self._text[column][position].as_py()
        return value or None

    def _date(self, position: int) -> dt.date | None:
        """Release date of the movie at a position."""
        days = int(self._days[position])
        return None if days == _NO_DATE else _EPOCH + dt.timedelta(days=days)

    def _names(self, link: str, position: int) -> tuple[str, ...]:
        """Distinct non-empty names a link table gives a movie, in the source order."""
        names, groups = self._links[link]
        rows = groups.of(position)
        values = names.take(_index_array(rows)).to_pylist() if len(rows) else []
        return tuple(dict.fromkeys(value for value in values if value))

    def _number(self, column: str, position: int) -> float:
        """A numeric cell of a movie (missing values read as 0)."""
        return float(self._numbers[column][position])

    def card(self, movie_id: int) -> MovieCard:
        """The card of a movie by id; raises NotFound for an unknown id."""
        position = self.position(movie_id)
        poster = self._string("poster_path", position)
        votes = int(self._numbers["vote_count"][position])
        enough = votes >= MIN_VOTES
        average = self._number("vote_average", position)
        return MovieCard(
            id=movie_id,
            title=self._string("title", position) or "",
            original_title=self._string("original_title", position),
            year=int(self._years[position]) or None,
            release_date=self._date(position),
            language=self._string("original_language", position),
            runtime=self._number("runtime", position) or None,
            overview=self._string("overview", position),
            tagline=self._string("tagline", position),
            homepage=self._string("homepage", position),
            poster_url=f"{POSTER_BASE}/{poster.lstrip('/')}" if poster else None,
            imdb_id=self._string("imdb_id", position),
            popularity=self._number("popularity", position),
            votes=Votes(enough, votes if enough else None, average if enough else None),
            budget=self._number("budget", position),
            revenue=self._number("revenue", position),
            return_=self._number("return", position),
            genres=self._names("genres", position),
            directors=self._names("directors", position),
            cast=self._credits(self._billing.of(position)),
            collection=next(iter(self._names("collections", position)), None),
        )

    def _credits(self, rows: np.ndarray) -> tuple[CastCredit, ...]:
        """The first TOP_CAST billed people of some cast rows; a person's roles are joined."""
        if not len(rows):
            return ()
        taken = self._cast.take(_index_array(rows[: TOP_CAST * 3]))
        roles: dict[str, list[str]] = {}
        pairs = zip(taken["name"].to_pylist(), taken["character"].to_pylist(), strict=True)
        for name, character in pairs:
            if name and (name in roles or len(roles) < TOP_CAST):
                known = roles.setdefault(name, [])
                if character and character not in known:
                    known.append(character)
        return tuple(CastCredit(name, " / ".join(chars) or None) for name, chars in roles.items())

    def acting(self, name: str) -> tuple[PersonFilm, ...]:
        """Films a person acts in (once per film, first billed character), by date then id."""
        key = normalize(name)
        slot = int(np.searchsorted(self._person_hashes, hash(key))) if key else -1
        if slot < 0 or slot >= len(self._person_hashes):
            return ()
        if self._person_hashes[slot] != hash(key):
            return ()
        rows = self._acting.of(slot)
        positions, first = np.unique(self._cast_movie[rows], return_index=True)
        rows = rows[first]
        order = np.lexsort((self._ids[positions], self._days[positions]))
        characters = self._cast["character"].take(_index_array(rows[order])).to_pylist()
        return tuple(
            self._film(int(p), character or None)
            for p, character in zip(positions[order].tolist(), characters, strict=True)
        )

    def _film(self, position: int, character: str | None = None) -> PersonFilm:
        """A film of a person's page."""
        return PersonFilm(
            id=int(self._ids[position]),
            title=self._string("title", position) or "",
            year=int(self._years[position]) or None,
            release_date=self._date(position),
            budget=self._number("budget", position),
            revenue=self._number("revenue", position),
            return_=self._number("return", position),
            character=character,
        )

    def person(self, catalog: Catalog, name: str) -> PersonPage:
        """A person's page: mission figures from the catalog, acted films from here."""
        actor = director = None
        missing: list[NotFound] = []
        try:
            actor = catalog.actor(name)
        except NotFound as exc:
            missing.append(exc)
        try:
            director = catalog.director(name)
        except NotFound as exc:
            missing.append(exc)
        if actor is None and director is None:
            raise _person_not_found(name, missing)
        display = actor.name if actor else director.name if director else name
        return PersonPage(display, actor, director, self.acting(name) if actor else ())


def _person_not_found(name: str, errors: list[NotFound]) -> NotFound:
    """NotFound for a name that is neither an actor nor a director, with both suggestion lists."""
    names = list(dict.fromkeys(s for e in errors for s in e.details.get("sugerencias", [])))
    key = normalize(name)
    ranked = sorted(names, key=lambda candidate: -fuzz.WRatio(key, normalize(candidate)))
    return NotFound(
        f"No hay ningún actor ni director llamado '{name}' en el catálogo.",
        sugerencias=ranked[:MAX_SUGGESTIONS],
    )
