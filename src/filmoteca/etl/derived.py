"""The parts of a catalog derived from its tables, built on both cores.

Once the Parquet tables are written, four things are computed from them and from nothing
else: the server's index (`serving.build_index`, with the precomputed answers), the web
page's cards (`serving.build_cards`), the id routes' records (`credits.build`) and the
recommender (`recommender.build_model`). They are independent, so on a big catalog they run
side by side, two of them in child processes:

    with the recommender     children: index | cards, credits   here: the recommender
    without it               child:    index                    here: the cards, the credits

(the recommender is the longest part by far and searches its neighbours on two threads: the
children fill the gaps). Without it, the index is the longest part (about as long as the other
two together): three processes would share the two cores three ways, and the index would finish
last, alone on one core with the other idle (measured on the 45,466-movie copy: 1.5 s more of the
whole build). A small catalog (under `PARALLEL_MOVIES` movies) builds everything
here, one after the other: starting processes would cost more than it saves. Each process reads
only the columns it needs.

The children come from a fork server started at the beginning of the build (`workers`), which
imports what they need while the tables are being written: the children start ready. One of
them already makes what the recommender derives from the movies alone (the TF-IDF of their
texts, the pairs of similar titles: `from_movies_ahead`) as soon as they are read, while the
other tables are still being written.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from functools import partial
from multiprocessing import forkserver
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import OutputError
from . import serving
from .progress import ProgressSink

CHILD_DIED = (
    "Un proceso auxiliar de la construcción terminó de forma inesperada (a menudo, por falta de "
    "memoria). No se ha escrito el catálogo nuevo; el anterior, si lo había, sigue intacto."
)
PARALLEL_MOVIES = 10_000
WARM_UP_BYTES = 8 * 2**20  # a movies file this big holds about PARALLEL_MOVIES movies or more
Recommend = Callable[[Path], dict[str, Any] | None]
# what the children import (in the fork server, once, while the tables are written), and what
# they import too when the build fits the recommender (to make `from_movies_ahead`)
PRELOAD = ["filmoteca.etl.serving", "filmoteca.api.answers"]
PRELOAD_RECOMMENDER = [
    "filmoteca.recommender.features",
    "filmoteca.recommender.sagas",
    "filmoteca.recommender.terms",
]
# what fitting the recommender imports (scipy: about half a second), imported here on a
# thread while the tables are written
# (`preload_recommender`), not after them
RECOMMENDER_MODULES = [
    "filmoteca.recommender.storage",
    "filmoteca.recommender.features",
    "filmoteca.recommender.sagas",
    "filmoteca.recommender.neighbors",
    "filmoteca.recommender.approximate",
    "filmoteca.report.labels",
    "scipy.linalg.blas",
    "threadpoolctl",
]

if TYPE_CHECKING:
    import pandas as pd

    from ..recommender.features import FromMovies

MOVIE_COLUMNS = ("overview", "tagline", "title")  # what `features.from_movies` reads
Parts = tuple[str, ...]
# (each child's parts, the parts built here: beside the recommender, when there is one)
WITHOUT_RECOMMENDER: tuple[tuple[Parts, ...], Parts] = ((("indice",),), ("fichas", "creditos"))
WITH_RECOMMENDER: tuple[tuple[Parts, ...], Parts] = ((("indice",), ("fichas", "creditos")), ())


def warm_up(recommender: bool = False) -> None:
    """Start the fork server the children will come from, importing what they need (it runs
    beside the rest of the build; a no-op if it already runs). Without the recommender, not
    what only it needs (scipy: about half a second of CPU while the tables are written)."""
    context = mp.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD + (PRELOAD_RECOMMENDER if recommender else []))
    forkserver.ensure_running()


@contextmanager
def workers(big: bool, recommender: bool = False) -> Iterator[ProcessPoolExecutor | None]:
    """The build's two child processes when the input is big (None otherwise), from the fork
    server (`warm_up`, started here); after an error they are stopped at once (the output
    folder they write in is about to be removed)."""
    if not big:
        yield None
        return
    warm_up(recommender)
    with ProcessPoolExecutor(2, mp_context=mp.get_context("forkserver")) as pool:
        try:
            yield pool
        except BaseException as exc:
            # the pool's lock: a child being started on another thread (`from_movies_ahead`)
            # is in the list once it is released
            with getattr(pool, "_shutdown_lock", None) or nullcontext():
                children = list((getattr(pool, "_processes", None) or {}).values())
            for process in children:
                process.terminate()
            if isinstance(exc, BrokenProcessPool):  # a child killed (out of memory, a signal)
                raise OutputError(CHILD_DIED) from exc
            raise


def from_movies_ahead(pool: ProcessPoolExecutor, movies: pd.DataFrame) -> Future[FromMovies]:
    """What the recommender derives from these movies alone (in the order of the movies
    table: `features.from_movies`), made in a child process (`Recommender.fit` takes it).
    Returns at once: the task is handed to the pool on a thread of its own, because the first
    task starts the children, which waits until the fork server has imported what they need
    (`warm_up`: a second or more, while the tables could already be written)."""
    frame = movies[list(MOVIE_COLUMNS)]
    made: Future[FromMovies] = Future()

    def submit() -> None:
        try:
            task = pool.submit(_from_movies, frame)
        except BaseException as exc:  # the pool was shut down (after an error)
            made.set_exception(exc)
            return
        task.add_done_callback(partial(_copy_outcome, made))

    threading.Thread(target=submit, name="from_movies_ahead", daemon=True).start()
    return made


def _copy_outcome(made: Future[Any], task: Future[Any]) -> None:
    if task.cancelled():
        made.cancel()
    elif task.exception() is not None:
        made.set_exception(task.exception())
    else:
        made.set_result(task.result())


def _from_movies(movies: pd.DataFrame) -> FromMovies:
    """In the child: `features.from_movies` with the build's (the default) text_max_df. The
    recommender is imported here, never by the build's main thread while the tables are
    written: `preload_recommender` may be importing the same modules on another thread, and
    two threads importing one package at once can deadlock, which Python breaks by handing one
    of them a partly initialised module (an ImportError, 1 build in about 80 before)."""
    from ..recommender.features import from_movies
    from ..recommender.model import Recommender

    return from_movies(movies, Recommender().text_max_df)


def preload_recommender() -> None:
    """Import what fitting the recommender needs (on a thread beside the tables; a module
    that fails to import is left for the fit to report). Nothing else may import these
    modules until it has returned (see `_from_movies`): the build waits for it first."""
    import importlib

    for name in RECOMMENDER_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            return


def build(
    catalog_dir: Path,
    movies: int,
    recommend: Recommend | None,
    progress: ProgressSink,
    pool: ProcessPoolExecutor | None = None,
) -> dict[str, Any]:
    """Index, cards and (when `recommend` is given) the recommender of a catalog whose tables
    are written; their manifest entries ('serving', 'recommender'). `pool`: the `workers`
    to use (else they are started here when needed)."""
    progress.start("servidor", "Índices y fichas del servidor", None)
    if recommend is not None:
        progress.start("recomendador", "Ajustando el recomendador", None)
    if movies < PARALLEL_MOVIES:
        return _one_by_one(catalog_dir, recommend, progress)
    if pool is not None:
        return _run(pool, catalog_dir, recommend, progress)
    with workers(True) as started:
        assert started is not None
        return _run(started, catalog_dir, recommend, progress)


def _one_by_one(
    catalog_dir: Path, recommend: Recommend | None, progress: ProgressSink
) -> dict[str, Any]:
    found: dict[str, Any] = {"serving": serving.build(catalog_dir)}
    progress.finish("servidor")
    if recommend is not None:
        found["recommender"] = recommend(catalog_dir)
        progress.finish("recomendador")
    return found


def _run(
    pool: ProcessPoolExecutor,
    catalog_dir: Path,
    recommend: Recommend | None,
    progress: ProgressSink,
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    children, here = WITHOUT_RECOMMENDER if recommend is None else WITH_RECOMMENDER
    futures: list[Future[dict[str, Any]]] = [
        pool.submit(serving.build_parts, catalog_dir, names) for names in children
    ]
    parts = serving.build_parts(catalog_dir, here)
    if recommend is not None:
        found["recommender"] = recommend(catalog_dir)
        progress.finish("recomendador")
    for future in futures:
        parts |= future.result()
    found["serving"] = {name: parts[name] for name in serving.PARTS}
    progress.finish("servidor")
    return found
