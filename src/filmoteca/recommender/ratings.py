"""MovieLens-style ratings for the collaborative part, read and checked at build time only.

    ratings.csv   userId,movieId,rating[,timestamp]   (Kaggle's ratings.csv / ratings_small.csv)
    links.csv     movieId,imdbId,tmdbId               (MovieLens id -> TMDB id)

A rating >= LIKED_RATING is a "like". Only movies of the catalog count. A file that cannot be
read, lacks a column, or holds a value that is not a finite number in range raises InputError
with a Spanish message naming the file (and the row when it is known).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

LIKED_RATING = 4.0
MAX_RATING = 5.0
RATINGS_COLUMNS = ("userId", "movieId", "rating")
LINK_COLUMNS = ("movieId", "tmdbId")
_ROW = re.compile(r"Row #(\d+)")


def _read(
    path: Path, columns: tuple[str, ...], optional: tuple[str, ...] = ()
) -> dict[str, np.ndarray]:
    """The numeric columns of one CSV as float64 arrays (pyarrow's reader; it names bad rows),
    converted one at a time so that the file is never held twice in memory."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if not path.is_file():
        raise InputError(f"No se encuentra el archivo de valoraciones '{path}'.", path=str(path))
    wanted = [*columns, *optional]
    convert = pacsv.ConvertOptions(
        column_types=dict.fromkeys(wanted, pa.float64()),
        include_columns=wanted,
        include_missing_columns=True,
    )
    try:
        table = pacsv.read_csv(path, convert_options=convert)
    except (pa.ArrowInvalid, OSError, ValueError) as exc:
        row = _ROW.search(str(exc))
        line = int(row.group(1)) + 1 if row else _bad_line(path, wanted)
        where = f" (fila {line} contando la cabecera)" if line else ""
        raise InputError(
            f"No se puede leer '{path.name}'{where}: no es un CSV con números en "
            f"{', '.join(wanted)}.",
            path=str(path),
        ) from exc
    _check_columns(path, columns)
    out: dict[str, np.ndarray] = {}
    for name in wanted:
        column = table.column(name)
        out[name] = np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)
        table = table.drop_columns([name])
    return out


def _bad_line(path: Path, columns: list[str]) -> int | None:
    """Line (header = 1) of the first value of `columns` that is not a number, if any is found
    (the slow reader, only once the fast one has failed)."""
    try:
        frame = pd.read_csv(path, dtype=str, usecols=lambda c: c in columns, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError):
        return None
    for column in frame.columns:
        text = frame[column].str.strip()
        bad = (pd.to_numeric(text, errors="coerce").isna() & (text != "")).to_numpy()
        if bad.any():
            return int(np.flatnonzero(bad)[0]) + 2
    return None


def _check_columns(path: Path, columns: tuple[str, ...]) -> None:
    """InputError when a required column is absent (pyarrow then fills it with nulls)."""
    import csv

    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        header = {c.strip() for c in next(csv.reader(handle), [])}
    missing = [c for c in columns if c not in header]
    if missing:
        raise InputError(
            f"Al archivo '{path.name}' le faltan las columnas: {', '.join(missing)}.",
            path=str(path),
        )


def check_files(ratings: Path, links: Path | None) -> None:
    """Before any work: InputError unless both files exist and have the needed columns."""
    for path, columns in ((ratings, RATINGS_COLUMNS), (links_for(ratings, links), LINK_COLUMNS)):
        if not path.is_file():
            raise InputError(f"No se encuentra el archivo '{path}'.", path=str(path))
        _check_columns(path, columns)


def links_for(ratings: Path, links: Path | None) -> Path:
    """The links file of a ratings file: the one given, or links.csv beside it."""
    return links or ratings.with_name("links.csv")


def _first_bad(path: Path, columns: dict[str, np.ndarray], ok: np.ndarray, what: str) -> None:
    """InputError naming the first row where `ok` is False."""
    if ok.all():
        return
    row = int(np.flatnonzero(~ok)[0])
    values = {name: float(array[row]) for name, array in columns.items()}
    raise InputError(
        f"El archivo '{path.name}' tiene {what} en la fila {row + 2} (contando la cabecera): "
        f"{values}.",
        path=str(path),
        fila=row + 2,
    )


def _whole(values: np.ndarray) -> np.ndarray:
    """Which values are finite integers (as float64 stores them exactly)."""
    with np.errstate(invalid="ignore"):  # NaN compares False, as it should
        ok = np.abs(values) < 2**53  # False for NaN and ±inf
        ok &= np.round(values) == values
    return np.asarray(ok, dtype=bool)


def read_ratings(path: Path) -> pd.DataFrame:
    """userId, movieId (int64), rating (float32) and timestamp (float64; 0 when absent)."""
    columns = _read(path, RATINGS_COLUMNS, ("timestamp",))
    ids_ok = _whole(columns["userId"]) & _whole(columns["movieId"])
    _first_bad(path, columns, ids_ok, "un id vacío o que no es un entero")
    rating = columns["rating"]
    _first_bad(path, columns, np.isfinite(rating) & (rating >= 0) & (rating <= MAX_RATING),
               f"una valoración vacía o fuera de 0-{MAX_RATING:g}")  # fmt: skip
    stamp = columns.pop("timestamp")  # pyarrow may hand out a read-only view: then copy
    stamp = np.nan_to_num(stamp, copy=not stamp.flags.writeable, nan=0.0, posinf=np.inf,
                          neginf=-np.inf)  # fmt: skip
    _first_bad(path, {**columns, "timestamp": stamp}, np.isfinite(stamp),
               "una marca de tiempo no finita")  # fmt: skip
    frame = pd.DataFrame(
        {
            "userId": columns.pop("userId").astype(np.int64),
            "movieId": columns.pop("movieId").astype(np.int64),
            "rating": columns.pop("rating").astype(np.float32),
            "timestamp": stamp,
        },
        copy=False,
    )
    return frame


def read_links(path: Path) -> pd.Series:
    """MovieLens movieId -> TMDB id (rows without a TMDB id are left out)."""
    frame = pd.DataFrame(_read(path, LINK_COLUMNS)).dropna()
    frame = frame[(frame["tmdbId"] == frame["tmdbId"].round()) & (frame["tmdbId"].abs() < 2**53)]
    frame = frame.drop_duplicates("movieId")
    return pd.Series(frame["tmdbId"].to_numpy(np.int64), index=frame["movieId"].to_numpy(np.int64))


def to_catalog(ratings: pd.DataFrame, links: pd.Series, movie_ids: np.ndarray) -> pd.DataFrame:
    """Ratings of catalog movies: userId, movie_id (TMDB), rating, timestamp."""
    tmdb = links.to_numpy()
    known = np.isin(tmdb, movie_ids)  # per link, not per rating: the links table is small
    at = pd.Index(links.index).get_indexer(ratings["movieId"].to_numpy())
    keep = at >= 0
    keep[keep] = known[at[keep]]
    chosen = np.flatnonzero(keep)
    columns = {
        "userId": ratings["userId"].to_numpy()[chosen],
        "movie_id": tmdb[at[chosen]],
        "rating": ratings["rating"].to_numpy()[chosen],
        "timestamp": ratings["timestamp"].to_numpy()[chosen],
    }
    return pd.DataFrame(columns, copy=False)


def load(ratings_path: Path, links_path: Path | None, movie_ids: np.ndarray) -> pd.DataFrame:
    """Read a ratings file and its links (default: links.csv beside it) for a catalog."""
    ratings = read_ratings(ratings_path)
    return to_catalog(ratings, read_links(links_for(ratings_path, links_path)), movie_ids)
