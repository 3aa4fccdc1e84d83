"""What the server needs, computed at build time from the catalog's Parquet tables.

    build(catalog_dir)      both folders below; a summary for the manifest
    indice/                 the catalog's index (`Catalog.load` opens it): movie columns,
                            normalised titles, people with their aggregates, word indexes
    fichas/                 the web page's cards (`Cards` opens it): per-movie and per-person
                            JSON records read on demand, and small figure arrays

The server opens these with `mapped`, reads no Parquet and imports no pyarrow: the
vectorised grouping, normalising and joining happens here, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import cards, mapped, store
from ..cards import NO_DATE, NUMBER_COLUMNS, TEXT_COLUMNS, TOP_CAST, person_hash
from ..catalog import INDEX, Catalog
from ..columns import bool_array, to_numpy
from ..errors import CatalogError
from ..movies import Movies, positions_of
from ..people import People
from ..text import normalize_many


def build(catalog_dir: Path) -> dict[str, Any]:
    """Compute and save the server's index and cards of a built catalog (manifest excepted)."""
    return {"indice": build_index(catalog_dir), "fichas": build_cards(catalog_dir)}


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
    "crew": ["movie_id", "name", "job"],
}


def _check_columns(catalog_dir: Path, name: str, columns: list[str]) -> None:
    """Raise CatalogError unless table `name` has `columns` with their declared types."""
    path = store.table_path(catalog_dir, name)
    try:
        schema = pq.read_schema(path)
    except FileNotFoundError as exc:
        raise CatalogError(f"Falta la tabla '{path.name}' en '{catalog_dir}'.") from exc
    except (OSError, pa.ArrowException) as exc:
        raise CatalogError(f"La tabla '{path}' está dañada o truncada: {exc}") from exc
    for column in columns:
        expected = store.TABLES[name].field(column).type
        if column not in schema.names or not schema.field(column).type.equals(expected):
            raise CatalogError(
                f"La tabla '{path.name}' no tiene la columna '{column}' de tipo {expected}. "
                "Vuelva a construir el catálogo con 'filmoteca build'."
            )


def _director_credits(catalog_dir: Path) -> pa.Table:
    """The crew rows whose job is 'Director', read a batch at a time: reading the whole crew
    table first took 130 MB more at start-up on the 45,466-movie catalog."""
    path = store.table_path(catalog_dir, "crew")
    try:
        with pq.ParquetFile(path) as parquet:
            batches = [
                batch.filter(pc.match_substring_regex(batch.column("job"), "^Director$"))
                for batch in parquet.iter_batches(1 << 16, columns=_COLUMNS["crew"])
            ]
    except (OSError, pa.ArrowException) as exc:
        raise CatalogError(f"La tabla '{path}' está dañada o truncada: {exc}") from exc
    schema = store.TABLES["crew"]
    return pa.Table.from_batches(batches, pa.schema([schema.field(c) for c in _COLUMNS["crew"]]))


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


def build_index(catalog_dir: Path) -> dict[str, Any]:
    """Compute the catalog's index into `<catalog>/indice`; a summary."""
    for name, columns in _COLUMNS.items():
        _check_columns(catalog_dir, name, columns)
    movies = store.read_table(catalog_dir, "movies", _COLUMNS["movies"])
    cast = store.read_table(catalog_dir, "cast", _COLUMNS["cast"])
    catalog = catalog_from_tables({}, movies, cast, _director_credits(catalog_dir))
    folder = catalog_dir / INDEX
    mapped.save(folder, catalog.index_arrays())
    return {
        "movies": catalog.movie_count,
        "actors": catalog.actor_count,
        "directors": catalog.director_count,
        "bytes": sum(path.stat().st_size for path in folder.iterdir()),
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


# ---------------------------------------------------------------- the web page's cards


def _groups(keys: np.ndarray, size: int, then: np.ndarray | None = None) -> list[np.ndarray]:
    """Row numbers grouped by an integer key (negative keys dropped), ordered by `then` inside
    a group, as a list indexed by key."""
    order = np.lexsort((then, keys)) if then is not None else np.argsort(keys, kind="stable")
    order = order[keys[order] >= 0]
    bounds = np.cumsum(np.bincount(keys[order], minlength=size))[:-1]
    return np.split(order, bounds) if size else []


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
    wanted = [i for i, job in enumerate(jobs) if job == "Director"]
    keep = np.isin(codes, wanted)
    return crew.select(["movie_id", "name"]).filter(bool_array(keep))


def _write_records(folder: Path, name: str, records: list[bytes]) -> int:
    """Concatenated JSON records `<name>.json` and their offsets `<name>.npy`; bytes written."""
    offsets = np.zeros(len(records) + 1, np.int64)
    np.cumsum([len(r) for r in records], out=offsets[1:])
    (folder / f"{name}.json").write_bytes(b"".join(records))
    np.save(folder / f"{name}.npy", offsets, allow_pickle=False)
    return int(offsets[-1])


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
    characters: list[str | None]
    movie: np.ndarray
    order: np.ndarray

    @classmethod
    def read(cls, catalog_dir: Path, ids: np.ndarray, sorter: np.ndarray) -> _Cast:
        """Read the cast table, names dictionary-encoded."""
        cast = _read(catalog_dir, "cast", ["movie_id", "name", "character", "order"], ("name",))
        spellings, spelling = _dictionary(cast["name"])
        movie = positions_of(ids, sorter, to_numpy(cast["movie_id"]))
        return cls(
            spellings, spelling, cast["character"].to_pylist(), movie, to_numpy(cast["order"])
        )


def _links(catalog_dir: Path, ids: np.ndarray, sorter: np.ndarray) -> dict[str, list[list[str]]]:
    """Per link (genres, directors, collections) and movie position, its distinct names."""
    crew = _read(catalog_dir, "crew", ["movie_id", "name", "job"], dictionary=("job",))
    tables = {
        "genres": _read(catalog_dir, "genres", ["movie_id", "name"]),
        "directors": _directors(crew),
        "collections": _read(catalog_dir, "collections", ["movie_id", "name"]),
    }
    links = {}
    for link, table in tables.items():
        names = table["name"].to_pylist()
        groups = _groups(positions_of(ids, sorter, to_numpy(table["movie_id"])), len(ids))
        links[link] = [_distinct([names[row] for row in rows.tolist()]) for rows in groups]
    return links


def _movie_records(
    texts: dict[str, list[Any]], links: dict[str, list[list[str]]], cast: _Cast
) -> list[bytes]:
    """One JSON record per movie position: texts, genres, directors, saga, billed cast."""
    records = []
    billing = _groups(cast.movie, len(texts[TEXT_COLUMNS[0]]), then=cast.order)
    for position, billed in enumerate(billing):
        rows = billed[: TOP_CAST * 3].tolist()
        codes = cast.spelling[rows].tolist()
        names = [cast.spellings[code] if code >= 0 else None for code in codes]
        record = {name: texts[name][position] or None for name in TEXT_COLUMNS}
        record |= {
            "genres": links["genres"][position],
            "directors": links["directors"][position],
            "collection": next(iter(links["collections"][position]), None),
            "cast": _billed(names, [cast.characters[row] for row in rows]),
        }
        records.append(orjson.dumps(record))
    return records


def _person_records(
    cast: _Cast, ids: np.ndarray, days: np.ndarray
) -> tuple[np.ndarray, list[bytes]]:
    """Sorted person hashes and, per person, the JSON list of [movie position, character] of
    the films they act in (once per film, first billed character), by date then id."""
    keys = normalize_many(cast.spellings)
    hashes = np.fromiter((person_hash(k) if k else 0 for k in keys), np.int64, len(keys))
    unique, person_of_spelling = np.unique(hashes, return_inverse=True)
    known = cast.spelling >= 0
    code = np.maximum(cast.spelling, 0)
    person = np.where(known & (hashes[code] != 0) & (cast.movie >= 0), person_of_spelling[code], -1)
    records = []
    for rows in _groups(person, len(unique), then=cast.order):
        films, first = np.unique(cast.movie[rows], return_index=True)
        chosen = np.lexsort((ids[films], days[films]))
        pairs = zip(films[chosen].tolist(), rows[first][chosen].tolist(), strict=True)
        records.append(orjson.dumps([[p, cast.characters[r] or None] for p, r in pairs]))
    return unique, records


def build_cards(catalog_dir: Path) -> dict[str, int]:
    """Compute the cards of a built catalog into `<catalog>/fichas`; a summary."""
    first = ["id", "title", "release_date", "release_year"]
    movies = _read(catalog_dir, "movies", [*first, *TEXT_COLUMNS, *NUMBER_COLUMNS])
    ids = to_numpy(movies["id"])
    sorter = np.argsort(ids, kind="stable")
    arrays = {name: to_numpy(movies[name]) for name in NUMBER_COLUMNS}
    arrays |= {
        "ids": ids,
        "years": to_numpy(movies["release_year"]).astype(np.int32),
        "days": to_numpy(movies["release_date"], fill=NO_DATE),
    }
    arrays["titles"] = movies["title"].to_pylist()
    texts = {name: movies[name].to_pylist() for name in TEXT_COLUMNS}
    del movies
    cast = _Cast.read(catalog_dir, ids, sorter)
    movie_records = _movie_records(texts, _links(catalog_dir, ids, sorter), cast)
    arrays["person_hashes"], person_records = _person_records(cast, ids, arrays["days"])
    folder = catalog_dir / cards.FOLDER
    mapped.save(folder, arrays)
    size = _write_records(folder, "peliculas", movie_records)
    size += _write_records(folder, "personas", person_records)
    return {"movies": len(movie_records), "people": len(person_records), "bytes": size}
