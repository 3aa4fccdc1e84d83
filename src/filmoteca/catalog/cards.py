"""Movie cards and person pages for the web page: details the mission queries do not carry.

`Cards` holds what a movie card shows (figures, synopsis, poster, genres, directors, billed
cast, saga) and, per person, the films they act in. `etl.serving.build_cards` computes all of
it at build time from the catalog tables into `<catalog>/fichas/`:

    peliculas.json / peliculas.npy   one JSON record per movie (texts, genres, directors,
                                     billed cast, saga) and the byte offsets of the records
    personas.bin / personas.npy      per person, the films they act in by date: int32 pairs
                                     (movie position, character code); and byte offsets
    *.npy                            runtimes, characters (UTF-8 + offsets), sorted person
                                     hashes

Movie positions are the catalog's (both are built from movies.parquet in its order): a card's
figures (title, dates, votes, budget, revenue, return) are the `Catalog`'s own, so the page and
the API never disagree and nothing is stored twice. The server keeps only the small arrays (a
few MB for 45,000 movies) and reads a record with one
`os.pread` when a card or a person page is asked for: the record files stay in the operating
system's file cache, not in the process (memory-mapping them made whole files resident on this
kernel, whose page cache maps large folios). Nothing here imports pandas or pyarrow.

Decisions:
- The average is reported only from `catalog.MIN_VOTES` votes on, as the API's
  `/votos_titulo` does; below that the card says so. The vote count is always shown.
- People are matched as `Catalog` matches them (one person per `text.normalize`d name),
  looked up by a stable 64-bit hash of the normalised name (a sorted int64 array, no
  dictionary of strings). A person's mission figures (films, total and mean return) and their
  directed films come from `Catalog` itself, so the page and the API never disagree.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from hashlib import blake2b
from pathlib import Path

import numpy as np
import orjson

from ..errors import CatalogError, NotFound
from ..text import normalize
from . import mapped
from .manifest import read_manifest
from .queries import MAX_SUGGESTIONS, MIN_VOTES, ActorStats, Catalog, DirectorStats

TOP_CAST = 8
POSTER_BASE = "https://image.tmdb.org/t/p/w342"
FOLDER = "fichas"
TEXT_COLUMNS = [
    "original_title",
    "original_language",
    "overview",
    "tagline",
    "homepage",
    "poster_path",
    "imdb_id",
]
ARRAYS = ("runtime", "person_hashes")
RECORDS = {"peliculas": "peliculas.json", "personas": "personas.bin"}


@dataclass(frozen=True, slots=True)
class CastCredit:
    """A billed actor of a movie and the character they play."""

    name: str
    character: str | None


@dataclass(frozen=True, slots=True)
class Votes:
    """Votes (always) and average (only from MIN_VOTES votes on: the API's rule)."""

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


def person_hash(key: str) -> int:
    """A stable 64-bit hash of a normalised name (the same in every process, unlike `hash`)."""
    return int.from_bytes(blake2b(key.encode(), digest_size=8).digest(), "little", signed=True)


# ---------------------------------------------------------------- serving


class Cards:
    """Cards and person pages: the figures of the catalog being served, and the records of
    `<catalog>/fichas` read on demand."""

    def __init__(self, folder: Path, catalog: Catalog, version: str = "") -> None:
        self.version = version
        self._catalog = catalog
        arrays = mapped.open_arrays(folder, [*ARRAYS, *RECORDS, "characters"])
        self._characters = mapped.strings(arrays, "characters")
        del arrays["characters"]
        self._np: dict[str, np.ndarray] = {
            k: a for k, a in arrays.items() if isinstance(a, np.ndarray)
        }
        if len(self._np) != len(arrays) or len(self._np["runtime"]) != catalog.movie_count:
            raise CatalogError(f"Las fichas de '{folder}' están dañadas o son de otro catálogo.")
        self._files = {
            name: _RecordFile(folder / file, self._np[name]) for name, file in RECORDS.items()
        }

    @classmethod
    def load(cls, catalog_dir: Path, catalog: Catalog) -> Cards:
        """Open the cards saved by `etl.serving.build_cards` beside `catalog` (loaded from the
        same directory: a card's figures are the catalog's); raises CatalogMissing /
        CatalogError."""
        manifest = read_manifest(catalog_dir)
        if not (catalog_dir / FOLDER).is_dir():
            raise CatalogError(
                f"El catálogo '{catalog_dir}' no tiene las fichas de la página web "
                f"('{FOLDER}/'). Vuelva a construirlo con 'filmoteca build'."
            )
        return cls(catalog_dir / FOLDER, catalog, version=str(manifest.get("version", "")))

    def card(self, movie_id: int) -> MovieCard:
        """The card of a movie by id; raises NotFound for an unknown id."""
        position = self._catalog.position(movie_id)
        (movie,) = self._catalog.films(np.array([position]))
        record = orjson.loads(self._files["peliculas"].read(position))
        poster = record["poster_path"]
        enough = movie.vote_count >= MIN_VOTES
        return MovieCard(
            id=movie.id,
            title=movie.title,
            original_title=record["original_title"],
            year=movie.year,
            release_date=movie.release_date,
            language=record["original_language"],
            runtime=float(self._np["runtime"][position]) or None,
            overview=record["overview"],
            tagline=record["tagline"],
            homepage=record["homepage"],
            poster_url=f"{POSTER_BASE}/{poster.lstrip('/')}" if poster else None,
            imdb_id=record["imdb_id"],
            popularity=movie.popularity,
            votes=Votes(
                enough,
                movie.vote_count,  # the count is always shown; the rule withholds the average
                movie.vote_average if enough else None,
            ),
            budget=movie.budget,
            revenue=movie.revenue,
            return_=movie.return_,
            genres=tuple(record["genres"]),
            directors=tuple(record["directors"]),
            cast=tuple(CastCredit(name, character) for name, character in record["cast"]),
            collection=record["collection"],
        )

    def acting(self, name: str) -> tuple[PersonFilm, ...]:
        """Films a person acts in (once per film, first billed character), by date then id."""
        key = normalize(name)
        if not key:
            return ()
        hashes, wanted = self._np["person_hashes"], person_hash(key)
        slot = int(np.searchsorted(hashes, wanted))
        if slot >= len(hashes) or hashes[slot] != wanted:
            return ()
        pairs = np.frombuffer(self._files["personas"].read(slot), dtype=np.int32).reshape(-1, 2)
        movies = self._catalog.films(pairs[:, 0])
        characters = self._characters
        return tuple(
            PersonFilm(
                id=movie.id,
                title=movie.title,
                year=movie.year,
                release_date=movie.release_date,
                budget=movie.budget,
                revenue=movie.revenue,
                return_=movie.return_,
                character=characters[code] if code >= 0 else None,
            )
            for movie, code in zip(movies, pairs[:, 1].tolist(), strict=True)
        )

    def person(self, name: str) -> PersonPage:
        """A person's page: mission figures from the catalog, acted films from here."""
        actor = director = None
        missing: list[NotFound] = []
        try:
            actor = self._catalog.actor(name)
        except NotFound as exc:
            missing.append(exc)
        try:
            director = self._catalog.director(name)
        except NotFound as exc:
            missing.append(exc)
        if actor is None and director is None:
            raise _person_not_found(name, missing)
        display = actor.name if actor else director.name if director else name
        return PersonPage(display, actor, director, self.acting(name) if actor else ())


class _RecordFile:
    """Records in one file (JSON, or int32 pairs), read one at a time with `os.pread` (no
    mapping, no buffer); the file's size and offsets are checked on opening, and the whole
    file's sha256 against the manifest before serving (`Catalog.check`)."""

    def __init__(self, path: Path, offsets: np.ndarray) -> None:
        self._path, self._offsets, self._fd = path, offsets, -1
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            raise CatalogError(f"Falta o no se puede leer '{path}': {exc}") from exc
        if (
            len(offsets) == 0
            or os.fstat(fd).st_size != int(offsets[-1])
            or np.any(np.diff(offsets) < 0)
        ):
            os.close(fd)
            raise CatalogError(
                f"El archivo '{path}' está truncado o no corresponde a sus índices. "
                "Vuelva a construir el catálogo con 'filmoteca build'."
            )
        self._fd = fd

    def read(self, index: int) -> bytes:
        """The bytes of the record at `index`."""
        start, stop = int(self._offsets[index]), int(self._offsets[index + 1])
        return os.pread(self._fd, stop - start, start)

    def __del__(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)


RecordFile = _RecordFile
"""Records read one at a time with `os.pread` (also used by `credits`)."""


def _person_not_found(name: str, errors: list[NotFound]) -> NotFound:
    """NotFound for a name that is neither an actor nor a director, with both suggestion lists."""
    from rapidfuzz import fuzz  # at the first unknown name, not at start-up

    names = list(dict.fromkeys(s for e in errors for s in e.details.get("sugerencias", [])))
    key = normalize(name)
    ranked = sorted(names, key=lambda candidate: -fuzz.WRatio(key, normalize(candidate)))
    return NotFound(
        f"No hay ningún actor ni director llamado '{name}' en el catálogo.",
        sugerencias=ranked[:MAX_SUGGESTIONS],
    )
