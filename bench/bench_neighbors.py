"""Neighbour search benchmark: filmoteca's exact search next to the plain dense one, same inputs.

    python bench/bench_neighbors.py --catalog /tmp/cat45 [--ratings ratings.csv] [--no-dense]

Fits the recommender's features (and co-likes, with --ratings) on a built catalog, then runs on
the same inputs:

    filmoteca   `neighbors.top_neighbors` (one matrix product per chunk, sparse values added in
                place, evidence checked on the candidates only)
    dense       the plain way: per chunk of 256 rows, the whole score block as dense arrays
                (sparse product densified, genre and era products, evidence mask, language and
                bonus added, masked columns set to -inf) and a per-row argpartition

and prints wall and CPU seconds of each, the machine's load, and how far the lists agree:
scores equal to float32 precision, lists equal up to ties (a neighbour missing from the other
list counts as a tie when its score equals that list's last score within 1e-5).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from filmoteca.recommender import model, neighbors, storage
from filmoteca.recommender import ratings as ratings_io

TIE = 1e-5


class _Captured(Exception):
    """Raised to stop `fit` once the neighbour search's inputs are known."""


def inputs(catalog: Path, ratings: Path | None) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The arguments `Recommender.fit` passes to `top_neighbors` on this catalog."""
    frames = storage.read_frames(catalog)
    if ratings is not None:
        frames["ratings"] = ratings_io.load(ratings, None, frames["movies"]["id"].to_numpy())
    seen: dict[str, Any] = {}

    def capture(*args: Any, **kwargs: Any) -> Any:
        seen.update(args=args, kwargs=kwargs)
        raise _Captured

    original = neighbors.top_neighbors
    neighbors.top_neighbors = capture
    try:
        model.Recommender().fit(frames)
    except _Captured:
        pass
    finally:
        neighbors.top_neighbors = original
    return seen["args"], seen["kwargs"]


def dense_search(
    sparse: Any, dense: np.ndarray, codes: np.ndarray, language_weight: float,
    bonus: np.ndarray, k: int, threads: int = 2, genres: int = 0, content_weight: float = 1.0,
    cf: Any = None,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """The plain dense search (what filmoteca did before), chunks of 256 rows on 2 threads."""
    n = sparse.shape[0]
    x = sparse.tocsr().astype(np.float32)
    xt = x.T.tocsr()
    top = np.empty((n, k), np.int32)
    sims = np.empty((n, k), np.float32)

    def chunk(r0: int) -> None:
        r1 = min(n, r0 + 256)
        sim = (x[r0:r1] @ xt).toarray()
        genre = dense[r0:r1, :genres] @ dense[:, :genres].T
        evidence = (sim > 0) | (genre > 0)
        sim += genre + dense[r0:r1, genres:] @ dense[:, genres:].T
        same = (codes[r0:r1, None] == codes[None, :]) & (codes[r0:r1, None] >= 0)
        sim += np.float32(language_weight) * same
        sim *= np.float32(content_weight)
        if cf is not None:
            block = cf[r0:r1].toarray()
            evidence |= block > 0
            sim += block
        sim += bonus[None, :]
        sim[~evidence] = -np.inf
        sim[np.arange(r1 - r0), np.arange(r0, r1)] = -np.inf
        part = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        values = np.take_along_axis(sim, part, axis=1)
        order = np.argsort(-values, axis=1, kind="stable")
        best, values = np.take_along_axis(part, order, 1), np.take_along_axis(values, order, 1)
        missing = ~np.isfinite(values)
        best[missing], values[missing] = -1, 0.0
        top[r0:r1], sims[r0:r1] = best, values

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(chunk, range(0, n, 256)))
    return top, sims


def timed(run: Callable[[], Any]) -> tuple[Any, float, float]:
    """Result, wall seconds and CPU seconds (all threads of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def agreement(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> str:
    """How far two searches' lists agree (b is the reference)."""
    (top, sims), (ref, ref_sims) = a, b
    score_gap = float(np.abs(np.sort(sims, 1) - np.sort(ref_sims, 1)).max())
    listed = np.array([np.isin(top[i], ref[i]) for i in range(len(top))]) | (top < 0)
    tie = sims >= ref_sims[:, -1:] - TIE
    same_order = float((top == ref).all(axis=1).mean())
    return (
        f"mayor diferencia de puntuación {score_gap:.1e}; listas idénticas (orden incluido) "
        f"{100 * same_order:.1f} %; vecinos distintos {int((~listed).sum()):,} de {top.size:,}, "
        f"todos empates: {'sí' if bool((listed | tie).all()) else 'NO'} "
        f"({int((~listed & ~tie).sum())} no explicados por empates)"
    ).translate(_SPANISH)


_SPANISH = str.maketrans({".": ",", ",": "."})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--ratings", type=Path, default=None)
    parser.add_argument("--no-dense", dest="dense", action="store_false")
    args = parser.parse_args()
    call_args, call_kwargs = inputs(args.catalog, args.ratings)
    n = call_args[0].shape[0]
    load = ", ".join(f"{x:.2f}".replace(".", ",") for x in os.getloadavg())
    print(f"{n:,} películas".replace(",", "."), f"(carga media 1/5/15 min: {load})")
    print("| búsqueda | s | CPU s |\n|---|---:|---:|")
    mine, wall, cpu = timed(lambda: neighbors.top_neighbors(*call_args, **call_kwargs))
    print(f"| filmoteca (exacta, 2 hilos) | {wall:.1f} | {cpu:.1f} |".replace(".", ","))
    if args.dense:
        ref, wall, cpu = timed(lambda: dense_search(*call_args, **call_kwargs))
        print(f"| densa por bloques (2 hilos) | {wall:.1f} | {cpu:.1f} |".replace(".", ","))
        print("\nAcuerdo con la densa:", agreement(mine, ref))
    load = ", ".join(f"{x:.2f}".replace(".", ",") for x in os.getloadavg())
    print(f"(carga media al terminar: {load})")


if __name__ == "__main__":
    main()
