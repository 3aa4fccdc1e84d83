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
import pyarrow.parquet as pq
from rapidfuzz import fuzz

from . import store
from .catalog import MAX_SUGGESTIONS, MIN_VOTES, ActorStats, Catalog, DirectorStats
from .columns import bool_array, to_numpy
from .errors import CatalogError, NotFound
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


def _dictionary(column: pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """A string column as (distinct values, int32 code per row; -1 for null)."""
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)
    unified = column.unify_dictionaries()
    if unified.num_chunks == 0:
        return pa.array([], pa.string()), np.zeros(0, np.int32)
    codes = [to_numpy(chunk.indices.cast(pa.int32()), fill=-1) for chunk in unified.chunks]
    return unified.chunk(0).dictionary, np.concatenate(codes).astype(np.int32)


def _person_keys(spellings: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Person code of each spelling (-1 if blank) and the sorted hashes of the normalised names."""
    keys = normalize_many(spellings.to_pylist())
    hashes = np.fromiter((hash(key) if key else 0 for key in keys), np.int64, len(keys))
    unique, person = np.unique(hashes, return_inverse=True)
    person[hashes == 0] = -1
    return person.astype(np.int32), unique


def _read(
    catalog_dir: Path, name: str, columns: list[str], dictionary: tuple[str, ...] = ()
) -> pa.Table:
    """Some columns of a catalog table, checked against its schema; `dictionary` ones come
    dictionary-encoded (decoded from the Parquet dictionary pages, not as one string per row).
    """
    path = store.table_path(catalog_dir, name)
    expected = [store.TABLES[name].field(c) for c in columns]
    try:
        with pq.ParquetFile(path, read_dictionary=list(dictionary)) as parquet:
            found = parquet.schema_arrow
            for field in expected:
                index = found.get_field_index(field.name)
                kind = found.field(index).type if index >= 0 else None
                if kind is not None and pa.types.is_dictionary(kind):
                    kind = kind.value_type
                if kind is None or not kind.equals(field.type):
                    raise CatalogError(
                        f"La tabla '{path.name}' no tiene la columna '{field.name}' "
                        f"de tipo {field.type}."
                    )
            return parquet.read(columns=columns)
    except FileNotFoundError as exc:
        raise CatalogError(f"Falta la tabla '{path.name}' en el catálogo '{catalog_dir}'.") from exc
    except (OSError, pa.ArrowException) as exc:
        raise CatalogError(f"La tabla '{path}' está dañada o truncada: {exc}") from exc


def _directors(crew: pa.Table) -> pa.Table:
    """Director credits (movie_id, name) of a crew table whose job column may be a dictionary."""
    jobs, codes = _dictionary(crew["job"])
    wanted = np.flatnonzero(to_numpy(pc.match_substring_regex(jobs, "^Director$")))
    keep = np.isin(codes, wanted)
    return crew.select(["movie_id", "name"]).filter(bool_array(keep))


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
        self._set_cast(cast)

    def _set_cast(self, cast: pa.Table) -> None:
        """Index the cast: billing per movie, films per person, names kept once per spelling."""
        self._spellings, self._cast_spelling = _dictionary(cast["name"])
        self._characters = cast["character"].combine_chunks()
        person_of_spelling, self._person_hashes = _person_keys(self._spellings)
        self._cast_movie = self._positions(to_numpy(cast["movie_id"])).astype(np.int32)
        order = to_numpy(cast["order"])
        self._billing = _Groups.build(self._cast_movie, len(self._ids), then=order)
        spelling = self._cast_spelling
        person = np.where(spelling >= 0, person_of_spelling[np.maximum(spelling, 0)], -1)
        person[self._cast_movie < 0] = -1
        self._acting = _Groups.build(person, len(self._person_hashes), then=order)

    @classmethod
    def load(cls, catalog_dir: Path) -> Cards:
        """Read what cards need from a built catalog; raises CatalogMissing / CatalogError."""
        manifest = store.read_manifest(catalog_dir)
        movie_columns = ["id", "release_date", "release_year", *_TEXT_COLUMNS, *_NUMBER_COLUMNS]
        cast_columns = ["movie_id", "name", "character", "order"]
        crew = _read(catalog_dir, "crew", ["movie_id", "name", "job"], dictionary=("job",))
        cards = cls(
            movies=_read(catalog_dir, "movies", movie_columns),
            genres=_read(catalog_dir, "genres", ["movie_id", "name"]),
            cast=_read(catalog_dir, "cast", cast_columns, dictionary=("name",)),
            directors=_directors(crew),
            collections=_read(catalog_dir, "collections", ["movie_id", "name"]),
            version=str(manifest.get("version", "")),
        )
        del crew
        pa.default_memory_pool().release_unused()
        return cards

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
        rows = rows[: TOP_CAST * 3]
        spelling = self._cast_spelling[rows]
        names = self._spellings.take(_index_array(np.maximum(spelling, 0))).to_pylist()
        names = [name if code >= 0 else None for name, code in zip(names, spelling, strict=True)]
        characters = self._characters.take(_index_array(rows)).to_pylist()
        roles: dict[str, list[str]] = {}
        pairs = zip(names, characters, strict=True)
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
        characters = self._characters.take(_index_array(rows[order])).to_pylist()
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
