"""The build orchestrator: input directory in, catalog directory out, summary returned."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, suppress
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import __version__
from ..catalog import store
from ..catalog.manifest import file_digests
from ..errors import InputError
from . import clean, derived
from . import literals as lit
from .progress import NullProgress, ProgressSink
from .read import (
    BLOCK_BYTES,
    MOVIES_COLUMNS,
    OPTIONAL_MOVIE_COLUMNS,
    TMDB_MOVIES_COLUMNS,
    CsvStats,
    Source,
    locate,
    read_csv_chunks,
    read_link_chunks,
    sha256,
)
from .write import TableWriter, atomic_directory, write_manifest

# nested column -> (record spec, catalog table, renamed keys)
Link = tuple[lit.RecordSpec, str, dict[str, str]]
MOVIE_LINKS: dict[str, Link] = {
    "genres": (lit.GENRES, "genres", {"id": "genre_id"}),
    "production_companies": (lit.COMPANIES, "companies", {"id": "company_id"}),
    "production_countries": (lit.COUNTRIES, "countries", {}),
    "spoken_languages": (lit.LANGUAGES, "languages", {}),
    "belongs_to_collection": (lit.COLLECTION, "collections", {"id": "collection_id"}),
}
KEYWORD_LINKS: dict[str, Link] = {"keywords": (lit.KEYWORDS, "keywords", {"id": "keyword_id"})}
CREDIT_LINKS: dict[str, Link] = {
    "cast": (lit.CAST, "cast", {"id": "person_id"}),
    "crew": (lit.CREW, "crew", {"id": "person_id"}),
}
TEXT_COLUMNS = [
    "imdb_id", "title", "original_title", "original_language", "overview", "tagline",
    "homepage", "poster_path",
]  # fmt: skip


@dataclass
class Step:
    """Counts of one input: rows read, kept, and dropped by reason."""

    read: int = 0
    kept: int = 0

    def __post_init__(self) -> None:
        self.dropped = {key: clean.Dropped(key) for key in clean.REASONS}

    def as_dict(self) -> dict[str, Any]:
        """The manifest's view: only the reasons that dropped something."""
        dropped = {
            d.reason: {"rows": d.rows, "motivo": clean.REASONS[d.reason], "ejemplos": d.examples}
            for d in self.dropped.values()
            if d.rows
        }
        return {"read": self.read, "kept": self.kept, "dropped": dropped}


@dataclass
class BuildSummary:
    """What a build produced: where, and its manifest."""

    output: Path
    manifest: dict[str, Any]


def unnest(
    cells: pa.Array | pa.ChunkedArray | pd.Series,
    ids: np.ndarray,
    link: Link,
    *,
    json: bool,
    where: Callable[[int], str],
) -> pa.Table:
    """One nested column (of a frame or a batch) -> link table rows (movie_id + the record's
    keys)."""
    spec, _, renames = link
    if isinstance(cells, pd.Series):
        cells = pa.array(cells, pa.string(), from_pandas=True)
    table = lit.parse_column(cells, spec, json=json, where=where)
    movie_ids = pa.array(ids[table["cell"].to_numpy()] if table.num_rows else [], pa.int64())
    names = [renames.get(n, n) for n in table.column_names]
    return table.rename_columns(names).drop_columns(["cell"]).append_column("movie_id", movie_ids)


def _place(file: str, index: np.ndarray, ids: np.ndarray, column: str) -> Callable[[int], str]:
    return lambda i: f"'{file}', registro {index[i] + 1} (id {ids[i]}), columna '{column}'"


def unnest_chunk(
    file: str,
    columns: dict[str, pa.Array],
    ids: np.ndarray,
    index: np.ndarray,
    json: bool,
    links: dict[str, Link],
) -> dict[str, pa.Table]:
    """Unnest every nested column of one chunk (in a worker thread: Arrow lets go of the GIL)."""
    return {
        links[col][1]: unnest(cells, ids, links[col], json=json,
                              where=_place(file, index, ids, col))
        for col, cells in columns.items()
    }  # fmt: skip


def _drop_bad_lines(step: Step, stats: CsvStats) -> None:
    step.dropped["fila_malformada"].add(stats.bad_lines)
    step.read += len(stats.bad_lines)


def load_movies(
    source: Source, step: Step, warnings: dict[str, int], progress: ProgressSink | None = None
) -> pd.DataFrame:
    """Read and clean the movies file (rules 1-4); nested columns stay as text."""
    required = TMDB_MOVIES_COLUMNS if source.json else MOVIES_COLUMNS
    stats = CsvStats(on_bytes=_reporter(progress, source.movies))
    with closing(
        read_csv_chunks(source.movies, required, OPTIONAL_MOVIE_COLUMNS, stats=stats)
    ) as it:
        frames = list(it)
    step.read = stats.rows
    _drop_bad_lines(step, stats)
    if progress is not None:
        progress.finish(source.movies.name)
    if not stats.rows:
        raise InputError(f"'{source.movies.name}' no contiene ninguna película (solo la cabecera).")
    df = pd.concat(frames)
    df = clean.drop_non_integer_ids(df, "id", step.dropped["id_no_entero"])
    df = clean.drop_repeated_ids(df, "id", step.dropped["id_repetido"])
    df = clean.parse_release_dates(
        df, step.dropped["fecha_vacia"], step.dropped["fecha_invalida"],
        step.dropped["fecha_fuera_de_rango"],
    )  # fmt: skip
    df = clean.money_columns(df, warnings)
    df = clean.score_columns(df, warnings)
    df = clean.text_columns(df, TEXT_COLUMNS, warnings)
    step.kept = len(df)
    return df


def movies_table(df: pd.DataFrame, collections: pa.Table) -> pa.Table:
    """The movies table in catalog schema; collection_id from the collections links."""
    first = pd.Series(
        collections["collection_id"].to_numpy(zero_copy_only=False),
        index=collections["movie_id"].to_numpy(zero_copy_only=False),
    )
    first = first[~first.index.duplicated()]
    frame = df.assign(collection_id=df["id"].map(first).astype("Int64"))
    columns = {f.name: pa.array(frame[f.name], f.type, from_pandas=True) for f in store.MOVIES}
    return pa.Table.from_pydict(columns, schema=store.MOVIES)


def _member(values: np.ndarray, sorted_known: np.ndarray) -> np.ndarray:
    """Which values are in the sorted array (binary search: no hash table per chunk)."""
    pos = np.searchsorted(sorted_known, values).clip(0, max(len(sorted_known) - 1, 0))
    return sorted_known[pos] == values if len(sorted_known) else np.zeros(len(values), bool)


def _join_chunk(
    chunk: pd.DataFrame, id_col: str, known: np.ndarray, seen: set[int], step: Step
) -> pd.DataFrame:
    """Rules 1 and 6 on the ids of one chunk of a credits/keywords file: integer ids, first row
    wins, join. The rows kept (their index is their record number)."""
    chunk = clean.drop_non_integer_ids(chunk, id_col, step.dropped["id_no_entero"])
    earlier = np.fromiter((i in seen for i in chunk[id_col].tolist()), bool, len(chunk))
    repeated = chunk[id_col].duplicated() | earlier
    step.dropped["id_repetido"].add(chunk.loc[repeated, id_col])
    chunk = chunk.loc[~repeated]
    seen.update(chunk[id_col].tolist())
    unknown = ~_member(chunk[id_col].to_numpy(), known)
    step.dropped["pelicula_desconocida"].add(chunk.loc[unknown, id_col])
    return chunk.loc[~unknown]


Pending = deque[Future[dict[str, pa.Table]]]


class Unnester:
    """Nested columns parsed by two worker threads (the parsing is Arrow's C++ kernels, which
    let go of the GIL), their tables written here in the order they were submitted: a table's
    rows keep the order of its input file, and the first bad cell of a file is the one
    reported. At most `ahead` chunks wait, so memory stays flat however big the files are."""

    def __init__(self, writers: dict[str, TableWriter], ahead: int = 3) -> None:
        self.writers = writers
        self.ahead = ahead
        self.pending: Pending = deque()
        self.pool = ThreadPoolExecutor(min(2, os.cpu_count() or 1))

    def submit(self, *args: Any) -> Future[dict[str, pa.Table]]:
        """Unnest one chunk (`unnest_chunk`'s arguments); write what is ready meanwhile."""
        future = self.pool.submit(unnest_chunk, *args)
        self.pending.append(future)
        self.flush(self.ahead)
        return future

    def flush(self, keep: int = 0) -> None:
        """Write finished chunks, in order, until at most `keep` wait."""
        while len(self.pending) > keep:
            _write_parsed(self.writers, self.pending.popleft().result())

    def close(self) -> None:
        """Stop the workers (pending chunks are dropped: this is after an error)."""
        self.pool.shutdown(cancel_futures=True)


Item = TypeVar("Item")


class Prefetch(Generic[Item]):
    """Iterate a generator on a thread of its own, at most `depth` items ahead (Arrow's CSV
    reader lets go of the GIL: a file is read while the movies are cleaned). Its errors are
    raised where the items are consumed, in order."""

    def __init__(self, items: Generator[Item, None, None], depth: int = 2) -> None:
        self._queue: queue.Queue[tuple[bool, Any]] = queue.Queue(depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(items,), daemon=True)
        self._thread.start()

    def _put(self, entry: tuple[bool, Any]) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, items: Generator[Item, None, None]) -> None:
        try:
            for item in items:
                if not self._put((True, item)):
                    return
            self._put((False, None))
        except BaseException as exc:  # raised in the consumer
            self._put((False, exc))
        finally:
            items.close()

    def __iter__(self) -> Iterator[Item]:
        while True:
            more, item = self._queue.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item

    def close(self) -> None:
        """Stop reading (what was read is dropped) and wait for the thread."""
        self._stop.set()
        while self._thread.is_alive():
            with suppress(queue.Empty):
                self._queue.get(timeout=0.1)
        self._thread.join()


@dataclass
class LinkFile:
    """A credits / keywords file being read ahead: its batches and what reading them saw."""

    path: Path
    id_col: str
    links: dict[str, Link]
    stats: CsvStats
    batches: Prefetch[tuple[pa.RecordBatch, int]]

    @classmethod
    def open(cls, path: Path, id_col: str, links: dict[str, Link]) -> LinkFile:
        """Start reading `path` ahead."""
        stats = CsvStats()
        return cls(path, id_col, links, stats,
                   Prefetch(read_link_chunks(path, [id_col, *links], stats)))  # fmt: skip


def stream_links(
    file: LinkFile,
    unnester: Unnester,
    known: np.ndarray,
    step: Step,
    progress: ProgressSink,
    json: bool,
) -> set[int]:
    """Stream a credits / keywords file: join on id, unnest on the worker threads."""
    path, id_col, links, stats = file.path, file.id_col, file.links, file.stats
    seen: set[int] = set()
    report = _reporter(progress, path, "Desanidando")
    try:
        for batch, start in file.batches:
            if report is not None:  # a batch is what one block of the file held
                report(BLOCK_BYTES)
            ids = batch.select([id_col]).to_pandas()
            ids.index = pd.RangeIndex(start, start + batch.num_rows)
            chunk = _join_chunk(ids, id_col, known, seen, step)
            rows = pa.array(chunk.index.to_numpy() - start)
            columns = {c: batch.column(c).take(rows) for c in links}
            unnester.submit(path.name, columns, chunk[id_col].to_numpy(), chunk.index.to_numpy(),
                            json, links)  # fmt: skip
            step.kept += len(chunk)
    finally:
        file.batches.close()
    progress.finish(path.name)
    step.read = stats.rows
    _drop_bad_lines(step, stats)
    return seen & set(known.tolist())  # movies that have a credits row


def _reporter(
    progress: ProgressSink | None, path: Path, verb: str = "Leyendo"
) -> Callable[[int], None] | None:
    """Progress of reading a file, in bytes (its size is the bar's total)."""
    if progress is None or isinstance(progress, NullProgress):
        return None
    sink = progress
    sink.start(path.name, f"{verb} {path.name}", path.stat().st_size)
    return lambda amount: sink.advance(path.name, amount)


def _write_parsed(writers: dict[str, TableWriter], tables: dict[str, pa.Table]) -> None:
    for name, table in tables.items():
        writers[name].write(table)


def _version(inputs: list[dict[str, Any]], learned: list[str] | None) -> str:
    """The catalog's version: the format, filmoteca's version, the inputs' digests and what
    the recommender learned from (None: no recommender; else the digests of the ratings and
    links files, none for content only). Answers (ETags, the response cache) follow it, so
    two catalogs whose recommendations may differ never share a version."""
    digest = hashlib.sha256(f"{store.FORMAT_VERSION}:{__version__}".encode())
    for item in inputs:
        digest.update(f"{item['file']}:{item['sha256']}".encode())
    digest.update(b"sin recomendador" if learned is None else ":".join(learned).encode())
    return digest.hexdigest()[:12]


def _write_tables(
    source: Source,
    out: Path,
    progress: ProgressSink,
    warnings: dict[str, int],
    on_movies: Callable[[pd.DataFrame], None] | None = None,
) -> dict[str, Step]:
    """Write every table; `on_movies` is called with the clean movies (in the order of the
    movies table) as soon as they are read, before the other files are."""
    steps = {"movies": Step(), "credits": Step()}
    ahead = [LinkFile.open(source.credits, source.credits_id, CREDIT_LINKS)]
    if source.keywords is not None:
        ahead.append(LinkFile.open(source.keywords, "id", KEYWORD_LINKS))
    try:
        df = load_movies(source, steps["movies"], warnings, progress)
        if on_movies is not None:
            on_movies(df)
    except BaseException:
        for file in ahead:
            file.batches.close()
        raise
    ids = df["id"].to_numpy()
    known = np.sort(ids)
    writers = {name: TableWriter(out, name) for name in store.TABLES if name != "movies"}
    unnester = Unnester(writers)
    try:
        inline = {**MOVIE_LINKS, **(KEYWORD_LINKS if source.json else {})}
        parsed = {
            column: unnester.submit(source.movies.name, {column: df[column]}, ids,
                                    df.index.to_numpy(), source.json, inline)
            for column in inline
            if column in df
        }  # fmt: skip
        with_credits = stream_links(ahead[0], unnester, known, steps["credits"], progress,
                                    source.json)  # fmt: skip
        warnings["sin_creditos"] = len(df) - len(with_credits)
        if source.keywords is not None:
            steps["keywords"] = Step()
            stream_links(ahead[1], unnester, known, steps["keywords"], progress, json=False)
        unnester.flush()
    finally:
        unnester.close()
        for file in ahead:
            file.batches.close()
    empty = pa.table(
        {"movie_id": pa.array([], pa.int64()), "collection_id": pa.array([], pa.int64())}
    )
    collections = parsed.get("belongs_to_collection")
    store.write_table(
        out,
        "movies",
        movies_table(df, collections.result()["collections"] if collections else empty),
    )
    for writer in writers.values():
        writer.close()
    return steps


def _fit_recommender(
    out: Path,
    ratings: Path | None = None,
    links: Path | None = None,
    ahead: Future[Any] | None = None,
) -> dict[str, Any] | None:
    from .. import recommender

    made = ahead.result() if ahead is not None else None
    return recommender.build_model(out, out / "recomendador", ratings, links, made)


def _links_of(ratings: Path, links: Path | None) -> Path:
    """The links file the recommender reads for a ratings file (given, or beside it)."""
    from ..recommender import ratings as ratings_io

    return ratings_io.links_for(ratings, links)


def _check_ratings(ratings: Path | None, links: Path | None) -> None:
    """InputError before any work when a ratings or links file is missing or lacks columns."""
    if ratings is not None:
        from ..recommender import ratings as ratings_io

        ratings_io.check_files(ratings, links)


def build_catalog(
    input_dir: Path | None,
    output_dir: Path,
    progress: ProgressSink | None = None,
    fit_recommender: bool = True,
    keywords: Path | None = None,
    ratings: Path | None = None,
    links: Path | None = None,
) -> BuildSummary:
    """Build a catalog from Kaggle files in `input_dir` (None: the shipped demo), atomically;
    with `ratings` (MovieLens, + `links`) the recommender also learns from what people liked."""
    started = time.perf_counter()
    _check_ratings(ratings if fit_recommender else None, links)
    progress = progress or NullProgress()
    source = locate(input_dir, keywords)
    big = source.movies.stat().st_size >= derived.WARM_UP_BYTES
    warnings: dict[str, int] = {}
    learned_from = [] if ratings is None else [ratings, _links_of(ratings, links)]
    ahead: list[Future[Any]] = []  # what the recommender needs of the movies alone

    def on_movies(movies: pd.DataFrame) -> None:  # made while the other tables are written
        if pool is not None and fit_recommender:
            ahead.append(derived.from_movies_ahead(pool, movies))

    # the children of the derived parts come from `workers`, started here: ready when needed
    with (
        atomic_directory(output_dir) as out,
        derived.workers(big, fit_recommender) as pool,
        ThreadPoolExecutor(1) as hasher,
    ):
        # hashlib lets go of the GIL: the inputs are hashed on the other core meanwhile
        digests = hasher.map(sha256, source.files)
        learned = hasher.map(sha256, learned_from if fit_recommender else [])
        preloaded = None
        if big and fit_recommender:  # then its imports, while the tables are written
            preloaded = hasher.submit(derived.preload_recommender)
        steps = _write_tables(source, out, progress, warnings, on_movies)
        inputs = [
            {"file": p.name, "bytes": p.stat().st_size, "sha256": digest}
            for p, digest in zip(source.files, digests, strict=True)
        ]
        for item, step in zip(inputs, steps.values(), strict=True):
            item["rows"] = step.read
        tables = {
            name: {
                "rows": store.table_rows(out, name),
                "bytes": store.table_path(out, name).stat().st_size,
            }
            for name in store.TABLES
        }
        manifest: dict[str, Any] = {
            "format_version": store.FORMAT_VERSION,
            "version": _version(inputs, list(learned) if fit_recommender else None),
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "filmoteca_version": __version__,
            "source": {
                "kind": source.kind,
                "dir": str(source.directory),
                "demo": source.kind == "demo",
            },
            "inputs": inputs,
            "steps": {name: step.as_dict() for name, step in steps.items()},
            "warnings": {
                key: {"rows": n, "motivo": clean.WARNINGS[key]} for key, n in warnings.items()
            },
            "tables": tables,
        }
        write_manifest(out, manifest)  # the recommender reads a complete catalog
        if preloaded is not None:  # its imports done: no two threads import them at once
            preloaded.result()
        recommend = partial(
            _fit_recommender, ratings=ratings, links=links, ahead=ahead[0] if ahead else None
        )
        manifest |= derived.build(
            out, tables["movies"]["rows"], recommend if fit_recommender else None, progress, pool
        )
        manifest["build_seconds"] = round(time.perf_counter() - started, 2)
        manifest["files"] = file_digests(out)  # last: every file the catalog holds
        write_manifest(out, manifest)
    return BuildSummary(output=output_dir, manifest=manifest)
