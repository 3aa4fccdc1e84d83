"""Reading the input files (I/O only): locate them, check them, stream them as text columns."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import warnings
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from ..errors import InputError

MOVIES_COLUMNS = [
    "budget",
    "genres",
    "id",
    "imdb_id",
    "original_language",
    "original_title",
    "overview",
    "popularity",
    "poster_path",
    "production_companies",
    "production_countries",
    "release_date",
    "revenue",
    "runtime",
    "spoken_languages",
    "title",
    "vote_average",
    "vote_count",
]
OPTIONAL_MOVIE_COLUMNS = ("belongs_to_collection", "homepage", "tagline", "keywords")
TMDB_MOVIES_COLUMNS = [c for c in MOVIES_COLUMNS if c not in ("imdb_id", "poster_path")]


@dataclass(frozen=True)
class Source:
    """The input files found in a directory, and their flavour."""

    kind: str  # "movies_dataset" | "tmdb_5000" | "demo"
    directory: Path
    movies: Path
    credits: Path
    keywords: Path | None
    json: bool  # nested values are JSON (TMDB 5000) rather than Python literals
    credits_id: str  # the credits column holding the movie id

    @property
    def files(self) -> list[Path]:
        """Every input file, movies first."""
        return [p for p in (self.movies, self.credits, self.keywords) if p is not None]


def demo_dir() -> Path:
    """The demo source shipped inside the package."""
    return Path(str(resources.files("filmoteca") / "demo"))


def locate(directory: Path | None, keywords: Path | None = None) -> Source:
    """Find the input files in `directory` (None: the demo); raise InputError if incomplete.

    `keywords` names a keywords.csv kept elsewhere (it wins over one inside `directory`).
    """
    source = _locate(directory)
    if keywords is None:
        return source
    if source.json:
        raise InputError("El par TMDB 5000 ya trae las palabras clave: no use --keywords con él.")
    return dataclasses.replace(source, keywords=_required(keywords))


def _locate(directory: Path | None) -> Source:
    kind = "demo" if directory is None else "movies_dataset"
    directory = demo_dir() if directory is None else directory
    try:
        if not directory.is_dir():
            raise InputError(f"La carpeta de entrada '{directory}' no existe.")
        return _find(kind, directory)
    except OSError as exc:
        raise InputError(
            f"No se puede leer la carpeta de entrada '{directory}': {exc.strerror}."
        ) from exc


def _find(kind: str, directory: Path) -> Source:
    tmdb_movies, tmdb_credits = (
        directory / "tmdb_5000_movies.csv",
        directory / "tmdb_5000_credits.csv",
    )
    for name in ("movies_metadata.csv", "movies_dataset.csv"):
        if (directory / name).is_file():
            credits = _required(directory / "credits.csv")
            keywords = directory / "keywords.csv"
            return Source(kind, directory, directory / name, credits,
                          keywords if keywords.is_file() else None, json=False, credits_id="id")  # fmt: skip
    if tmdb_movies.is_file():
        return Source("tmdb_5000", directory, tmdb_movies, _required(tmdb_credits), None,
                      json=True, credits_id="movie_id")  # fmt: skip
    raise InputError(
        f"No se encontró 'movies_metadata.csv' (ni 'movies_dataset.csv', ni el par "
        f"'tmdb_5000_movies.csv' / 'tmdb_5000_credits.csv') en '{directory}'."
    )


def _required(path: Path) -> Path:
    if not path.is_file():
        raise InputError(f"Falta el archivo '{path.name}' en '{path.parent}'.")
    return path


def sha256(path: Path) -> str:
    """The sha256 of an input file, read in blocks (InputError if it cannot be read)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise InputError(f"No se pudo leer '{path}': {exc.strerror}.") from exc
    return digest.hexdigest()


@dataclass
class CsvStats:
    """What reading one file saw: data records read and malformed lines skipped."""

    rows: int = 0
    bad_lines: list[str] = field(default_factory=list)
    on_bytes: Callable[[int], None] | None = None  # told how many more bytes were read


class _CountingFile:
    """A binary file that reports the bytes read through it (for progress bars)."""

    def __init__(self, path: Path, report: Callable[[int], None]) -> None:
        self._file = path.open("rb")
        self._report = report
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        self._report(len(data))
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self._file.close()
        self.closed = True


def _opened(path: Path, stats: CsvStats) -> Path | _CountingFile:
    return path if stats.on_bytes is None else _CountingFile(path, stats.on_bytes)


def read_csv_chunks(
    path: Path,
    required: list[str],
    optional: tuple[str, ...] = (),
    chunk_rows: int = 20_000,
    stats: CsvStats | None = None,
) -> Generator[pd.DataFrame, None, None]:
    """Stream a CSV as text columns (empty cells are ''), checking its header first.

    Lines with too many fields are skipped and listed in `stats.bad_lines`; short lines are
    padded with '' (as pandas does). Any parser failure becomes an InputError naming the file.
    """
    stats = stats if stats is not None else CsvStats()
    header = _check_columns(path, required)
    wanted = [c for c in header if c in required or c in optional]
    source = _opened(path, stats)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pd.read_csv(
                source, dtype=str, keep_default_na=False, na_filter=False,
                chunksize=chunk_rows, on_bad_lines="warn", encoding="utf-8-sig", engine="c",
            ) as reader:  # fmt: skip
                for chunk in reader:
                    stats.rows += len(chunk)
                    yield chunk[wanted]
                    _collect_bad_lines(caught, stats)
                _collect_bad_lines(caught, stats)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as exc:
        raise InputError(_parser_message(path, exc)) from exc
    finally:
        if isinstance(source, _CountingFile):
            source.close()


BLOCK_BYTES = 8 << 20  # what Arrow's CSV reader parses at a time (one batch)


def read_link_chunks(
    path: Path, required: list[str], stats: CsvStats, block_bytes: int = BLOCK_BYTES
) -> Generator[tuple[pa.RecordBatch, int], None, None]:
    """Stream a credits / keywords CSV with Arrow's multi-threaded reader, as text columns:
    (batch, record number of its first row).

    Lines with a wrong number of fields are skipped and listed in `stats.bad_lines`.
    """
    header = _check_columns(path, required)
    offset = 0

    def skip(row: pa_csv.InvalidRow) -> str:
        stats.bad_lines.append(
            f"línea {row.number}: se esperaban {row.expected_columns} campos y hay {row.actual_columns}"
        )
        return "skip"

    try:
        reader = pa_csv.open_csv(
            path,
            read_options=pa_csv.ReadOptions(block_size=block_bytes),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True, invalid_row_handler=skip),
            convert_options=pa_csv.ConvertOptions(
                include_columns=required,
                column_types=dict.fromkeys(header, pa.string()),
                strings_can_be_null=False,
            ),
        )
        for batch in reader:
            start = offset
            offset += batch.num_rows
            stats.rows += batch.num_rows
            if stats.on_bytes is not None:  # a batch is what one block of the file held
                stats.on_bytes(block_bytes)
            yield batch, start
    except (pa.ArrowInvalid, UnicodeDecodeError, OSError) as exc:
        raise InputError(_parser_message(path, exc)) from exc
    if stats.bad_lines and not _ends_with_newline(path):
        raise InputError(
            f"'{path.name}' está truncado: la última línea está incompleta ({stats.bad_lines[-1]})."
        )


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(0, 2)
        if fh.tell() == 0:
            return False
        fh.seek(-1, 2)
        return fh.read(1) == b"\n"


def _check_columns(path: Path, required: list[str]) -> list[str]:
    header = _header(path)
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise InputError(
            f"'{path.name}': la cabecera repite la columna {', '.join(map(repr, repeated))} "
            "(cada columna debe aparecer una sola vez)."
        )
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"'{path.name}' no tiene las columnas requeridas: {', '.join(missing)} "
            f"(columnas encontradas: {', '.join(header[:30]) or 'ninguna'})."
        )
    return header


def _collect_bad_lines(caught: list[warnings.WarningMessage], stats: CsvStats) -> None:
    for w in caught:
        text = str(w.message)
        stats.bad_lines.extend(line.strip() for line in text.splitlines() if line.strip())
    caught.clear()


def _header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:  # a leading BOM is dropped
            first = fh.readline()
    except UnicodeDecodeError as exc:
        raise InputError(
            f"'{path.name}' no es un archivo de texto UTF-8 (byte {exc.start} de la cabecera): "
            "guárdelo como UTF-8."
        ) from exc
    except OSError as exc:
        raise InputError(f"No se pudo leer '{path}': {exc.strerror}.") from exc
    if not first.strip():
        raise InputError(f"'{path.name}' está vacío.")
    if "\0" in first:
        raise InputError(f"'{path.name}' no es un archivo CSV (contiene datos binarios).")
    return next(csv.reader([first]))


def _parser_message(path: Path, exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, UnicodeDecodeError):
        return f"'{path.name}' no es un archivo de texto UTF-8 (byte {exc.start})."
    if "EOF inside string" in text or "EOF following" in text or "quoted" in text.lower():
        return f"'{path.name}' está truncado: termina dentro de un valor entre comillas ({text})."
    if isinstance(exc, pd.errors.EmptyDataError):
        return f"'{path.name}' está vacío."
    return f"No se pudo leer '{path.name}' como CSV: {text}"
