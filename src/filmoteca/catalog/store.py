"""The on-disk catalog format: table schemas, the manifest, and checked reading.

A catalog is a directory:

    manifest.json        what was built from what (see `Manifest`), format version, row counts
    movies.parquet       one row per movie (id is unique)
    genres.parquet       one row per movie-genre link      (movie_id, genre_id, name)
    companies.parquet    one row per movie-company link    (movie_id, company_id, name)
    countries.parquet    one row per movie-country link    (movie_id, iso_3166_1, name)
    languages.parquet    one row per movie-spoken-language (movie_id, iso_639_1, name)
    collections.parquet  one row per movie in a collection (movie_id, collection_id, name, ...)
    keywords.parquet     one row per movie-keyword link    (movie_id, keyword_id, name)
    cast.parquet         one row per acting credit         (movie_id, person_id, name, character, ...)
    crew.parquet         one row per crew credit           (movie_id, person_id, name, job, ...)

    fichas/              the web page's card indexes, computed at build time (`cards.build`)
    recomendador/        the fitted recommender (`recommender.storage`), unless left out

Link tables keep the order of the source lists (cast by billing order, genres as listed).
Format 2 added `fichas/` (memory-mapped by the server); format 3, the hash look-ups of people
and titles in `indice/` (`keys`).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import CatalogError
from .dictionary import DESCRIPTIONS
from .manifest import FORMAT_VERSION, MANIFEST, read_manifest

__all__ = [
    "FORMAT_VERSION",
    "MANIFEST",
    "MOVIES",
    "TABLES",
    "check_schema",
    "fields",
    "read_manifest",
    "read_table",
    "table_path",
    "table_rows",
    "write_table",
]


MOVIES = pa.schema(
    [
        ("id", pa.int64()),
        ("imdb_id", pa.string()),
        ("title", pa.string()),
        ("original_title", pa.string()),
        ("original_language", pa.string()),
        ("overview", pa.string()),
        ("tagline", pa.string()),
        ("homepage", pa.string()),
        ("poster_path", pa.string()),
        ("release_date", pa.date32()),
        ("release_year", pa.int32()),
        ("budget", pa.float64()),
        ("revenue", pa.float64()),
        ("return", pa.float64()),
        ("popularity", pa.float64()),
        ("runtime", pa.float64()),
        ("vote_average", pa.float64()),
        ("vote_count", pa.int64()),
        ("collection_id", pa.int64()),
    ]
)

TABLES: dict[str, pa.Schema] = {
    "movies": MOVIES,
    "genres": pa.schema(
        [("movie_id", pa.int64()), ("genre_id", pa.int64()), ("name", pa.string())]
    ),
    "companies": pa.schema(
        [("movie_id", pa.int64()), ("company_id", pa.int64()), ("name", pa.string())]
    ),
    "countries": pa.schema(
        [("movie_id", pa.int64()), ("iso_3166_1", pa.string()), ("name", pa.string())]
    ),
    "languages": pa.schema(
        [("movie_id", pa.int64()), ("iso_639_1", pa.string()), ("name", pa.string())]
    ),
    "collections": pa.schema(
        [
            ("movie_id", pa.int64()),
            ("collection_id", pa.int64()),
            ("name", pa.string()),
            ("poster_path", pa.string()),
            ("backdrop_path", pa.string()),
        ]
    ),
    "keywords": pa.schema(
        [("movie_id", pa.int64()), ("keyword_id", pa.int64()), ("name", pa.string())]
    ),
    "cast": pa.schema(
        [
            ("movie_id", pa.int64()),
            ("person_id", pa.int64()),
            ("name", pa.string()),
            ("character", pa.string()),
            ("order", pa.int32()),
            ("gender", pa.int8()),
        ]
    ),
    "crew": pa.schema(
        [
            ("movie_id", pa.int64()),
            ("person_id", pa.int64()),
            ("name", pa.string()),
            ("job", pa.string()),
            ("department", pa.string()),
            ("gender", pa.int8()),
        ]
    ),
}


def table_path(catalog_dir: Path, name: str) -> Path:
    """Where table `name` lives inside a catalog directory."""
    return catalog_dir / f"{name}.parquet"


def read_table(
    catalog_dir: Path,
    name: str,
    columns: list[str] | None = None,
    dictionary: tuple[str, ...] = (),
) -> pa.Table:
    """Read one table of a catalog (some `columns`, else all), checked against its declared
    schema before any data is read; `dictionary` columns come dictionary-encoded (decoded from
    the Parquet dictionary pages, not as one string per row)."""
    path = table_path(catalog_dir, name)
    wanted = fields(name, columns)
    try:
        # ParquetFile, not pq.read_table: the latter imports pyarrow.dataset, which imports
        # pandas (~40 MB of RSS nothing here needs).
        with pq.ParquetFile(path, read_dictionary=list(dictionary)) as parquet:
            check_schema(path, parquet.schema_arrow, wanted)
            return parquet.read(columns=columns)
    except FileNotFoundError as exc:
        raise CatalogError(f"Falta la tabla '{path.name}' en el catálogo '{catalog_dir}'.") from exc
    except (OSError, pa.ArrowException) as exc:
        raise CatalogError(f"La tabla '{path}' está dañada o truncada: {exc}") from exc


def fields(name: str, columns: list[str] | None = None) -> list[pa.Field]:
    """The declared fields of some columns of table `name` (all of them by default)."""
    schema = TABLES[name]
    return [schema.field(c) for c in columns] if columns else list(schema)


def check_schema(path: Path, found: pa.Schema, wanted: list[pa.Field]) -> None:
    """CatalogError unless `found` has every wanted column with its type (a dictionary column
    counts as its value type)."""
    for field in wanted:
        index = found.get_field_index(field.name)
        kind = found.field(index).type if index >= 0 else None
        if kind is not None and pa.types.is_dictionary(kind):
            kind = kind.value_type
        if kind is None or not kind.equals(field.type):
            raise CatalogError(
                f"La tabla '{path.name}' no tiene la columna '{field.name}' de tipo {field.type}."
            )


def table_rows(catalog_dir: Path, name: str) -> int:
    """Row count of a table, from its Parquet footer."""
    return int(pq.ParquetFile(table_path(catalog_dir, name)).metadata.num_rows)


def write_table(catalog_dir: Path, name: str, table: pa.Table) -> None:
    """Write one table of a catalog, cast to its declared schema."""
    described = table.cast(described_schema(name))
    pq.write_table(described, table_path(catalog_dir, name), compression="zstd")


def described_schema(name: str) -> pa.Schema:
    """Table `name`'s schema with each column's description (dictionary.py) as metadata."""
    notes = DESCRIPTIONS.get(name, {})
    return pa.schema(
        [
            field.with_metadata({"description": notes[field.name]})
            if field.name in notes
            else field
            for field in TABLES[name]
        ]
    )
