"""The parts of a catalog derived from its tables, built on both cores.

Once the Parquet tables are written, three things are computed from them and from nothing
else: the server's index (`serving.build_index`), the web page's cards (`serving.build_cards`)
and the recommender (`recommender.build_model`). They are independent, so on a big catalog one
of them runs in a child process while the others run here:

    with the recommender     child: index, cards, credits   here: the recommender
    without it               child: index, credits          here: the cards

A small catalog (under `PARALLEL_MOVIES` movies) builds everything here, one after the other:
starting a process would cost more than it saves. Each process reads only the columns it
needs, so peak memory is the larger of the two sides plus the smaller, not their sum.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from . import serving
from .progress import ProgressSink

PARALLEL_MOVIES = 10_000
Recommend = Callable[[Path], dict[str, Any] | None]


CARDS = ("fichas",)  # what stays here when there is no recommender: the longest part


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
    with ProcessPoolExecutor(1, mp_context=mp.get_context("forkserver")) as pool:
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
    child: Future[dict[str, Any]]
    found: dict[str, Any] = {}
    if recommend is None:
        rest = tuple(name for name in serving.PARTS if name not in CARDS)
        child = pool.submit(serving.build_parts, catalog_dir, rest)
        here = serving.build_parts(catalog_dir, CARDS)
        parts = {**child.result(), **here}
        found["serving"] = {name: parts[name] for name in serving.PARTS}
        progress.finish("servidor")
        return found
    child = pool.submit(serving.build, catalog_dir)
    child.add_done_callback(lambda _: progress.finish("servidor"))
    found["recommender"] = recommend(catalog_dir)
    progress.finish("recomendador")
    found["serving"] = child.result()
    return found
