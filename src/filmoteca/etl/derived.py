"""The parts of a catalog derived from its tables, built on both cores.

Once the Parquet tables are written, four things are computed from them and from nothing
else: the server's index (`serving.build_index`, with the precomputed answers), the web
page's cards (`serving.build_cards`), the id routes' records (`credits.build`) and the
recommender (`recommender.build_model`). They are independent, so on a big catalog they run
side by side, two of them in child processes:

    with the recommender     children: index | cards, credits   here: the recommender
    without it               children: index | credits          here: the cards

(the recommender is the longest part by far and searches its neighbours on two threads: the
children fill the gaps). A small catalog (under `PARALLEL_MOVIES` movies) builds everything
here, one after the other: starting processes would cost more than it saves. Each process reads
only the columns it needs.

The children come from a fork server started at the beginning of the build (`warm_up`), which
imports what they need while the tables are being written: the children start ready.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import forkserver
from pathlib import Path
from typing import Any

from . import serving
from .progress import ProgressSink

PARALLEL_MOVIES = 10_000
WARM_UP_BYTES = 8 * 2**20  # a movies file this big holds about PARALLEL_MOVIES movies or more
Recommend = Callable[[Path], dict[str, Any] | None]
# what the children import (in the fork server, once, while the tables are written)
PRELOAD = ["filmoteca.etl.serving", "filmoteca.api.answers"]
# what fitting the recommender imports (scikit-learn, scipy: over a second), imported here on a
# thread while the tables are written (`preload_recommender`), not after them
RECOMMENDER_MODULES = [
    "filmoteca.recommender.storage",
    "filmoteca.recommender.features",
    "filmoteca.recommender.sagas",
    "filmoteca.recommender.neighbors",
    "filmoteca.recommender.approximate",
    "filmoteca.report.labels",
    "sklearn.cluster",
    "scipy.linalg.blas",
    "threadpoolctl",
]

Parts = tuple[str, ...]
# (each child's parts, the parts built here: beside the recommender, when there is one)
WITHOUT_RECOMMENDER: tuple[tuple[Parts, ...], Parts] = ((("indice",), ("creditos",)), ("fichas",))
WITH_RECOMMENDER: tuple[tuple[Parts, ...], Parts] = ((("indice",), ("fichas", "creditos")), ())


def warm_up() -> None:
    """Start the fork server the children will come from, importing what they need (it runs
    beside the rest of the build; a no-op if it already runs)."""
    context = mp.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    forkserver.ensure_running()


def preload_recommender() -> None:
    """Import what fitting the recommender needs (on a thread beside the tables; a module
    that fails to import is left for the fit to report)."""
    import importlib

    for name in RECOMMENDER_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            return


def build(
    catalog_dir: Path, movies: int, recommend: Recommend | None, progress: ProgressSink
) -> dict[str, Any]:
    """Index, cards and (when `recommend` is given) the recommender of a catalog whose tables
    are written; their manifest entries ('serving', 'recommender')."""
    progress.start("servidor", "Índices y fichas del servidor", None)
    if recommend is not None:
        progress.start("recomendador", "Ajustando el recomendador", None)
    if movies < PARALLEL_MOVIES:
        found = _one_by_one(catalog_dir, recommend, progress)
    else:
        found = _side_by_side(catalog_dir, recommend, progress)
    return found


def _one_by_one(
    catalog_dir: Path, recommend: Recommend | None, progress: ProgressSink
) -> dict[str, Any]:
    found: dict[str, Any] = {"serving": serving.build(catalog_dir)}
    progress.finish("servidor")
    if recommend is not None:
        found["recommender"] = recommend(catalog_dir)
        progress.finish("recomendador")
    return found


def _side_by_side(
    catalog_dir: Path, recommend: Recommend | None, progress: ProgressSink
) -> dict[str, Any]:
    with ProcessPoolExecutor(2, mp_context=mp.get_context("forkserver")) as pool:
        try:
            return _run(pool, catalog_dir, recommend, progress)
        except BaseException:
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()  # its output folder is about to be removed
            raise


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
