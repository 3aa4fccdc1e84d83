"""What the server needs, computed at build time from the catalog's Parquet tables.

    build(catalog_dir)      both folders below; a summary for the manifest
    indice/                 the catalog's index (`Catalog.load` opens it): movie columns,
                            normalised titles, people with their aggregates, word indexes
    fichas/                 the web page's cards (`Cards` opens it): per-movie and per-person
                            JSON records read on demand, and small figure arrays
    creditos/               the id routes' records (`credits.build`, `catalog.credits`): full
                            credits, keywords, people and collections by TMDB id

The server opens these with `mapped`, reads no Parquet and imports no pyarrow: the
vectorised grouping, normalising and joining happens here, once.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..catalog import INDEX, Catalog, cards, discover, mapped, store
from ..catalog.cards import TEXT_COLUMNS, TOP_CAST, person_hash
from ..catalog.columns import order_by, to_numpy
from ..catalog.movies import NO_DATE, Movies, positions_of
from ..catalog.people import People
from ..errors import CatalogError
from ..text import normalize_many
from . import credits


def build(catalog_dir: Path) -> dict[str, Any]:
    """Compute and save the server's index and cards of a built catalog (manifest excepted)."""
    directors = _director_credits(catalog_dir)  # both need them: read once
    return {
        "indice": build_index(catalog_dir, directors),
        "fichas": build_cards(catalog_dir, directors),
        "creditos": credits.build(catalog_dir),
    }


PARTS = ("indice", "fichas", "creditos")
"""What `build` makes, in its order; `build_parts` makes some of them (each on its own)."""


def build_parts(catalog_dir: Path, names: tuple[str, ...]) -> dict[str, Any]:
    """Some parts of `build` (e.g. in another process while the rest is built here)."""
    makers = {"indice": build_index, "fichas": build_cards, "creditos": credits.build}
    return {name: makers[name](catalog_dir) for name in names}


# ---------------------------------------------------------------- the catalog's index

_COLUMNS = {
    "movies": [
        "id",
        "title",
        "release_date",
        "release_year",
        "budget",
        "revenue",
        "return",
        "popularity",
        "vote_count",
        "vote_average",
    ],
    "cast": ["movie_id", "name"],
}


def _director_credits(catalog_dir: Path) -> pa.Table:
    """The crew rows whose job is 'Director' (movie_id, name), read a batch at a time: the
    whole crew table is ten times larger (130 MB more on the 45,466-movie catalog)."""
    path = store.table_path(catalog_dir, "crew")
    columns = ["movie_id", "name", "job"]
    try:
        with pq.ParquetFile(path) as parquet:
            store.check_schema(path, parquet.schema_arrow, store.fields("crew", columns))
            batches = [
                batch.filter(pc.equal(batch.column("job"), "Director")).select(columns[:2])
                for batch in parquet.iter_batches(1 << 16, columns=columns)
            ]
    except (OSError, pa.ArrowException) as exc:
        raise CatalogError(f"La tabla '{path}' está dañada o truncada: {exc}") from exc
    return pa.Table.from_batches(batches, pa.schema(store.fields("crew", columns[:2])))


def movies_from_table(table: pa.Table) -> Movies:
    """Movie arrays from the movies table; nulls become 0 (dates: NO_DATE)."""
    return Movies(
        ids=to_numpy(table["id"]),
        titles=[title or "" for title in table["title"].to_pylist()],
        years=to_numpy(table["release_year"]),
        days=to_numpy(table["release_date"], fill=NO_DATE),
        budget=to_numpy(table["budget"]),
        revenue=to_numpy(table["revenue"]),
        returns=to_numpy(table["return"]),
        popularity=to_numpy(table["popularity"]),
        votes=to_numpy(table["vote_count"]),
        vote_average=to_numpy(table["vote_average"]),
    )


def catalog_from_tables(
    manifest: dict[str, Any], movies: pa.Table, cast: pa.Table, crew: pa.Table
) -> Catalog:
    """A catalog computed from its tables (crew: the director credits)."""
    arrays = movies_from_table(movies)
    return Catalog(
        manifest, arrays, normalize_many(arrays.titles), build_people(cast, crew, arrays)
    )


def build_index(catalog_dir: Path, directors: pa.Table | None = None) -> dict[str, Any]:
    """Compute the catalog's index into `<catalog>/indice` (`directors`: the director
    credits, read when not given); a summary."""
    movies = store.read_table(catalog_dir, "movies", _COLUMNS["movies"])
    cast = store.read_table(catalog_dir, "cast", _COLUMNS["cast"])
    if directors is None:
        directors = _director_credits(catalog_dir)
    catalog = catalog_from_tables({}, movies, cast, directors)
    folder = catalog_dir / INDEX
    mapped.save(folder, catalog.index_arrays())
    from ..api import answers  # the API's answers to every known name (api/answers.py)

    return {
        "movies": catalog.movie_count,
        "actors": catalog.actor_count,
        "directors": catalog.director_count,
        "bytes": sum(path.stat().st_size for path in folder.iterdir()),
        "answers": answers.build(catalog, catalog_dir / answers.FOLDER),
    }


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
    position = positions_of(ids, np.argsort(ids, kind="stable"), movie_ids)
    keep = (position >= 0) & (pid >= 0)
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


# ---------------------------------------------------------------- the web page's cards


def _grouped(keys: np.ndarray, size: int) -> _Grouped:
    """Row numbers grouped by an integer key 0..size-1 (negative keys dropped), in row order
    inside a group."""
    order = np.argsort(keys, kind="stable")
    order = order[keys[order] >= 0]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(keys[order], minlength=size))])
    return _Grouped(order.tolist(), bounds.tolist())


@dataclass(frozen=True, slots=True)
class _Grouped:
    """Rows by group as plain lists: group g is rows[bounds[g]:bounds[g + 1]] (list slices
    are cheaper than tens of thousands of small numpy arrays)."""

    rows: list[int]
    bounds: list[int]

    def __iter__(self) -> Iterator[list[int]]:
        rows = self.rows
        return (rows[a:b] for a, b in itertools.pairwise(self.bounds))


def _dictionary(column: pa.ChunkedArray) -> tuple[list[str | None], np.ndarray]:
    """A string column as (distinct values, int32 code per row; -1 for null)."""
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)
    unified = column.unify_dictionaries()
    if unified.num_chunks == 0:
        return [], np.zeros(0, np.int32)
    codes = [to_numpy(chunk.indices.cast(pa.int32()), fill=-1) for chunk in unified.chunks]
    values: list[str | None] = unified.chunk(0).dictionary.to_pylist()
    return values, np.concatenate(codes).astype(np.int32)


def _distinct(values: list[str | None]) -> list[str]:
    """Non-empty values, once each, in order."""
    return list(dict.fromkeys(value for value in values if value))


def _billed(names: list[str | None], characters: list[str | None]) -> list[list[str | None]]:
    """The first TOP_CAST billed people with their characters (a person's roles joined)."""
    roles: dict[str, list[str]] = {}
    for name, character in zip(names, characters, strict=True):
        if name and (name in roles or len(roles) < TOP_CAST):
            known = roles.setdefault(name, [])
            if character and character not in known:
                known.append(character)
    return [[name, " / ".join(chars) or None] for name, chars in roles.items()]


@dataclass(frozen=True, slots=True)
class _Cast:
    """The cast table at build time: per row the movie position, spelling code and billing."""

    spellings: list[str | None]
    spelling: np.ndarray
    characters: list[str]
    character: np.ndarray
    movie: np.ndarray
    order: np.ndarray

    @classmethod
    def read(cls, catalog_dir: Path, ids: np.ndarray, sorter: np.ndarray) -> _Cast:
        """Read the cast table, names dictionary-encoded."""
        columns = ["movie_id", "name", "character", "order"]
        cast = store.read_table(catalog_dir, "cast", columns, ("name", "character"))
        spellings, spelling = _dictionary(cast["name"])
        characters, character = _dictionary(cast["character"])
        blank = [i for i, value in enumerate(characters) if not value]
        character[np.isin(character, blank)] = -1  # '' is no character
        movie = positions_of(ids, sorter, to_numpy(cast["movie_id"]))
        texts = [value or "" for value in characters]
        return cls(spellings, spelling, texts, character, movie, to_numpy(cast["order"]))


def _links(
    catalog_dir: Path, ids: np.ndarray, sorter: np.ndarray, directors: pa.Table
) -> dict[str, list[list[str]]]:
    """Per link (genres, directors, collections) and movie position, its distinct names."""
    tables = {
        "genres": store.read_table(catalog_dir, "genres", ["movie_id", "name"]),
        "directors": directors,
        "collections": store.read_table(catalog_dir, "collections", ["movie_id", "name"]),
    }
    links = {}
    for link, table in tables.items():
        names = table["name"].to_pylist()
        groups = _grouped(positions_of(ids, sorter, to_numpy(table["movie_id"])), len(ids))
        links[link] = [_distinct([names[row] for row in rows]) for rows in groups]
    return links


_CHUNK = 8192


def _billing(cast: _Cast, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The first TOP_CAST * 3 billed cast rows of every movie position, as (rows in movie
    then billing order, per-movie bounds into them): selected vectorised, once."""
    order = order_by(cast.movie, cast.order)
    order = order[cast.movie[order] >= 0]
    movie = cast.movie[order]
    starts = np.searchsorted(movie, np.arange(n + 1))
    rank = np.arange(len(order)) - starts[movie]
    order, movie = order[rank < TOP_CAST * 3], movie[rank < TOP_CAST * 3]
    return order, np.searchsorted(movie, np.arange(n + 1))


def _write_movie_records(
    path: Path, texts: pa.Table, links: dict[str, list[list[str]]], cast: _Cast
) -> np.ndarray:
    """One JSON record per movie position (texts, genres, directors, saga, billed cast),
    written to `path` a chunk of movies at a time (memory stays flat however many movies);
    returns the records' byte offsets."""
    n = len(texts)
    rows, bounds = _billing(cast, n)
    lengths = np.zeros(n, dtype=np.int64)
    with path.open("wb") as out:
        for start in range(0, n, _CHUNK):
            stop = min(start + _CHUNK, n)
            chunk = {
                name: texts[name].slice(start, stop - start).to_pylist() for name in TEXT_COLUMNS
            }
            first, last = int(bounds[start]), int(bounds[stop])
            spelling = cast.spelling[rows[first:last]].tolist()
            character = cast.character[rows[first:last]].tolist()
            edges = (bounds[start : stop + 1] - first).tolist()
            for i, position in enumerate(range(start, stop)):
                a, b = edges[i], edges[i + 1]
                names = [cast.spellings[c] if c >= 0 else None for c in spelling[a:b]]
                roles = [cast.characters[c] if c >= 0 else None for c in character[a:b]]
                record = {name: chunk[name][i] or None for name in TEXT_COLUMNS}
                record |= {
                    "genres": links["genres"][position],
                    "directors": links["directors"][position],
                    "collection": next(iter(links["collections"][position]), None),
                    "cast": _billed(names, roles),
                }
                data = orjson.dumps(record)
                lengths[position] = len(data)
                out.write(data)
    return np.concatenate([[0], np.cumsum(lengths)])


def _person_records(cast: _Cast, ids: np.ndarray, days: np.ndarray) -> dict[str, np.ndarray]:
    """Per person (by sorted hash): the films they act in, once each, by date then id, as
    int32 pairs (movie position, character code of the first billed row; -1 for none), all
    persons' pairs in one array with byte offsets. Vectorised: no object per credit."""
    keys = normalize_many(cast.spellings)
    hashes = np.fromiter((person_hash(k) if k else 0 for k in keys), np.int64, len(keys))
    unique, person_of_spelling = np.unique(hashes, return_inverse=True)
    known = cast.spelling >= 0
    code = np.maximum(cast.spelling, 0)
    person = np.where(known & (hashes[code] != 0) & (cast.movie >= 0), person_of_spelling[code], -1)
    rows = np.flatnonzero(person >= 0)
    rows = rows[order_by(person[rows], cast.movie[rows], cast.order[rows])]
    first = np.ones(len(rows), dtype=bool)  # the first billed row of each (person, film)
    first[1:] = (person[rows][1:] != person[rows][:-1]) | (
        cast.movie[rows][1:] != cast.movie[rows][:-1]
    )
    rows = rows[first]
    films = cast.movie[rows]
    rows = rows[order_by(person[rows], days[films], ids[films])]
    pairs = np.stack([cast.movie[rows], cast.character[rows]], axis=1).astype(np.int32)
    bounds = np.searchsorted(person[rows], np.arange(len(unique) + 1)) * pairs.itemsize * 2
    return {"person_hashes": unique, "personas": bounds.astype(np.int64), "acting": pairs}


def build_cards(catalog_dir: Path, directors: pa.Table | None = None) -> dict[str, int]:
    """Compute the cards of a built catalog into `<catalog>/fichas` (`directors`: the director
    credits, read when not given); a summary."""
    movies = store.read_table(
        catalog_dir, "movies", ["id", "release_date", "runtime", *TEXT_COLUMNS]
    )
    ids = to_numpy(movies["id"])
    sorter = np.argsort(ids, kind="stable")
    days = to_numpy(movies["release_date"], fill=NO_DATE)
    arrays: dict[str, Any] = {"runtime": to_numpy(movies["runtime"])}
    texts = movies.select(TEXT_COLUMNS)
    del movies
    cast = _Cast.read(catalog_dir, ids, sorter)
    folder = catalog_dir / cards.FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    if directors is None:
        directors = _director_credits(catalog_dir)
    links = _links(catalog_dir, ids, sorter, directors)
    offsets = _write_movie_records(folder / "peliculas.json", texts, links, cast)
    np.save(folder / "peliculas.npy", offsets, allow_pickle=False)
    build_discover(folder, links["genres"])
    del texts, links
    acting = _person_records(cast, ids, days)
    arrays |= {"person_hashes": acting["person_hashes"], "characters": cast.characters}
    mapped.save(folder, arrays)
    (folder / "personas.bin").write_bytes(acting["acting"].tobytes())
    np.save(folder / "personas.npy", acting["personas"], allow_pickle=False)
    people = len(acting["person_hashes"])
    return {
        "movies": len(ids),
        "people": people,
        "bytes": int(offsets[-1]) + acting["acting"].nbytes,
    }


def build_discover(folder: Path, genres: list[list[str]]) -> int:
    """The browsing index (`catalog.discover`): one uint64 bit mask of genres per movie
    position, and the genre names by bit (alphabetical); the number of genres."""
    names = sorted({name for names in genres for name in names})[:63]
    bit = {name: 1 << i for i, name in enumerate(names)}
    masks = np.fromiter(
        (sum(bit.get(name, 0) for name in set(movie)) for movie in genres), np.uint64, len(genres)
    )
    np.save(folder / discover.GENRE_MASKS, masks, allow_pickle=False)
    (folder / discover.GENRE_NAMES).write_bytes(orjson.dumps(names))
    return len(names)
