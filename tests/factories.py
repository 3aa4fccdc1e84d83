"""Factories for tests: build a small catalog directory from plain Python rows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from filmoteca.catalog import store
from filmoteca.catalog.manifest import file_digests
from filmoteca.etl import serving

_MOVIE_DEFAULTS: dict[str, Any] = {
    "imdb_id": None,
    "original_language": "en",
    "overview": None,
    "tagline": None,
    "homepage": None,
    "poster_path": None,
    "budget": 0.0,
    "revenue": 0.0,
    "popularity": 1.0,
    "runtime": 100.0,
    "vote_average": 6.0,
    "vote_count": 10,
    "collection_id": None,
}


def movie(id: int, title: str, release_date: str, **fields: Any) -> dict[str, Any]:
    """One movies row with sensible defaults; `return` and `release_year` are derived."""
    row = {**_MOVIE_DEFAULTS, "id": id, "title": title, "original_title": title, **fields}
    date = dt.date.fromisoformat(release_date)
    row["release_date"] = date
    row["release_year"] = date.year
    budget, revenue = float(row["budget"]), float(row["revenue"])
    row["budget"], row["revenue"] = budget, revenue
    row["return"] = revenue / budget if budget > 0 else 0.0
    return row


def make_catalog(
    directory: Path, movies: list[dict[str, Any]], **links: list[dict[str, Any]]
) -> Path:
    """Write a valid catalog (all tables + manifest) with the given rows; missing tables are empty."""
    directory.mkdir(parents=True, exist_ok=True)
    tables = {"movies": movies, **links}
    counts = {}
    for name, schema in store.TABLES.items():
        rows = tables.get(name, [])
        store.write_table(directory, name, pa.Table.from_pylist(rows, schema=schema))
        counts[name] = len(rows)
    manifest = {
        "format_version": store.FORMAT_VERSION,
        "version": "test",
        "built_at": "2026-01-01T00:00:00+00:00",
        "source": {"kind": "test", "demo": False},
        "tables": {name: {"rows": n} for name, n in counts.items()},
    }
    serving.build(directory)  # as `filmoteca build` does
    manifest["files"] = file_digests(directory)
    (directory / store.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return directory
