"""The built catalog, on disk and in memory.

    queries     `Catalog`: the catalog opened for serving, and the domain queries over it
    movies      movie columns, title index, release counts
    people      per-person aggregates (actors, directors)
    search      word-prefix indexes and ranked head queries
    cards       the web page's movie cards and person pages
    store       the Parquet tables' schemas, read and checked
    manifest    manifest.json: format, inputs, counts, every file's size and sha256
    mapped      numpy arrays and strings saved at build time, memory-mapped when served
    columns     Arrow -> numpy column helpers

Nothing here knows about HTTP or the command line.
"""

from __future__ import annotations

from .queries import (
    INDEX,
    MAX_SUGGESTIONS,
    MIN_VOTES,
    ActorStats,
    Catalog,
    Directed,
    DirectorStats,
    Movie,
    MovieRef,
    SearchHit,
    SearchPage,
    TitleMatch,
)

__all__ = [
    "INDEX",
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
