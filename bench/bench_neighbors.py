"""Neighbour search benchmark: filmoteca's exact and blocked searches, the plain dense one.

    python bench/bench_neighbors.py --catalog /tmp/cat45 [--ratings ratings.csv] [--no-dense]
    python bench/bench_neighbors.py --catalog /tmp/cat450 --no-dense --no-exact --sample 1000

Fits the recommender's features (and co-likes, with --ratings) on a built catalog, then runs on
the same inputs:

    filmoteca   `neighbors.top_neighbors` (one matrix product per chunk, sparse values added in
                place, evidence checked on the candidates only)
    dense       the plain way: per chunk of 256 rows, the whole score block as dense arrays
                (sparse product densified, genre and era products, evidence mask, language and
                bonus added, masked columns set to -inf) and a per-row argpartition

    por bloques `approximate.solve` (what catalogs above `neighbors.EXACT_MAX` movies use)

and prints wall and CPU seconds and the peak memory of each (resident memory above what the
process held before the step, sampled every 20 ms), the machine's load, how far the exact and
dense lists agree (scores equal to float32 precision, lists equal up to ties: a neighbour
missing from the other list counts as a tie when its score equals that list's last score within
1e-5), and the blocked search's recall@N against the exact search, with ties:

    recall = Σ_i min(m_i, #{j in A_i : j has evidence and s(i, j) ≥ s_i - 1e-5}) / Σ_i m_i

over the rows i (all, or a random `--sample`), A_i the blocked list, m_i the length of the exact
list (N, or fewer when fewer movies have evidence), s_i its last (m_i-th) exact score and s(i, j)
the exact score, recomputed here for every listed pair (not taken from the blocked search). A
movie tied with the exact list's last one counts as found: the scaled copies (bench/scale.py)
repeat every movie with fresh ids, so that many lists end in a run of equal scores.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from filmoteca.recommender import approximate, model, neighbors, storage
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


def _rss() -> int:
    """Resident memory of this process, bytes."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def timed(run: Callable[[], Any]) -> tuple[Any, float, float, float]:
    """Result, wall seconds, CPU seconds (all threads of this process) and peak resident
    memory above the one before the step (GB, sampled every 20 ms)."""
    base, peak, done = _rss(), [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _rss())

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        result = run()
    finally:
        done.set()
        watcher.join()
    peak[0] = max(peak[0], _rss())
    return result, time.perf_counter() - wall, time.process_time() - cpu, (peak[0] - base) / 1e9


def recall(
    call_args: tuple[Any, ...],
    call_kwargs: dict[str, Any],
    found: tuple[np.ndarray, np.ndarray],
    rows: np.ndarray,
    ats: tuple[int, ...] = (),
) -> tuple[dict[int, tuple[float, float]], float]:
    """recall@N with ties of the lists `found` (see the docstring) on `rows`, against the exact
    search of those rows, for N the lists' length and each of `ats` (their first N), with the
    share of rows with recall < 0.9; and the largest gap between a listed score and its exact
    value (the blocked search's scores, recomputed)."""
    from scipy.linalg.blas import sgemm  # noqa: F401  (loaded before the BLAS limit)
    from threadpoolctl import threadpool_limits

    sparse, dense, codes, language_weight, bonus, k = call_args[:6]
    weights = (
        language_weight,
        call_kwargs.get("content_weight", 1.0),
        call_kwargs.get("genres", 0),
    )
    order, problem = neighbors.ordered_problem(
        sparse, dense, codes, bonus, weights, k, call_kwargs.get("cf")
    )
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    rows_p = np.sort(position[rows])
    sub = approximate.sub_problem(problem, problem.xt.T.tocsr(), rows_p, np.arange(problem.n))
    step = max(1, min(neighbors.MAX_CHUNK_ROWS, neighbors.BUFFER_VALUES // problem.n))
    scores = np.empty((step, problem.n), np.float32)
    marks = np.empty((step, problem.n), np.uint8)
    ats = tuple(sorted({*[a for a in ats if 0 < a < problem.k], problem.k}))
    hits, wanted, low = dict.fromkeys(ats, 0), dict.fromkeys(ats, 0), dict.fromkeys(ats, 0)
    gap = 0.0
    with threadpool_limits(1):
        for r0 in range(0, len(rows_p), step):
            r1 = min(len(rows_p), r0 + step)
            neighbors._scores(sub, r0, r1, scores[: r1 - r0], marks[: r1 - r0])
            cand = neighbors._candidates(sub, scores[: r1 - r0], marks[: r1 - r0], r0)
            _, ref = neighbors._select(*cand, scores[cand], r1 - r0, problem.k)
            mine, claimed = found[0][order[rows_p[r0:r1]]], found[1][order[rows_p[r0:r1]]]
            cols = np.where(mine >= 0, position[np.maximum(mine, 0)], 0)
            local = np.repeat(np.arange(r1 - r0), mine.shape[1])
            ok = neighbors._evidence(sub, marks, r0, local, cols.ravel()).reshape(mine.shape)
            exact = scores[local, cols.ravel()].reshape(mine.shape)
            listed = (mine >= 0) & ok & np.isfinite(exact)
            if listed.any():
                gap = max(gap, float(np.abs(claimed - exact)[listed].max()))
            for at in ats:  # a list's first `at` against the exact `at` best
                m = np.bincount(cand[0], minlength=r1 - r0).clip(0, at)
                last = ref[np.arange(r1 - r0), np.maximum(m - 1, 0)] - TIE
                got = np.minimum((listed[:, :at] & (exact[:, :at] >= last[:, None])).sum(1), m)
                hits[at], wanted[at] = hits[at] + int(got.sum()), wanted[at] + int(m.sum())
                low[at] += int((got < 0.9 * m).sum())
    found_at = {at: (hits[at] / max(1, wanted[at]), low[at] / max(1, len(rows))) for at in ats}
    return found_at, gap


def agreement(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> str:
    """How far two searches' lists agree (b is the reference)."""
    (top, sims), (ref, ref_sims) = a, b
    score_gap = float(np.abs(np.sort(sims, 1) - np.sort(ref_sims, 1)).max())
    listed = np.array([np.isin(top[i], ref[i]) for i in range(len(top))]) | (top < 0)
    tie = sims >= ref_sims[:, -1:] - TIE
    same_order = float((top == ref).all(axis=1).mean())
    return (
        f"mayor diferencia de puntuación {score_gap:.1e}; listas idénticas (orden incluido) "
        f"{100 * same_order:.1f} %; vecinos distintos {int((~listed).sum()):,} de {top.size:,}; "
        f"todos empates: {'sí' if bool((listed | tie).all()) else 'NO'} "
        f"({int((~listed & ~tie).sum())} no explicados por empates)"
    ).translate(_SPANISH)


_SPANISH = str.maketrans({".": ",", ",": "."})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--ratings", type=Path, default=None)
    parser.add_argument("--no-dense", dest="dense", action="store_false")
    parser.add_argument("--no-exact", dest="exact", action="store_false")
    parser.add_argument("--sample", type=int, default=0, help="filas para el recall (0: todas)")
    args = parser.parse_args()
    call_args, call_kwargs = inputs(args.catalog, args.ratings)
    n = call_args[0].shape[0]
    print(f"{n:,} películas".replace(",", "."), f"({_uptime()})")
    print("| búsqueda | s | CPU s | pico GB |\n|---|---:|---:|---:|")
    mine = None
    if args.exact:
        mine, wall, cpu, peak = timed(
            lambda: neighbors.top_neighbors(*call_args, **call_kwargs, exact_max=n)
        )
        _row("filmoteca exacta (2 hilos)", wall, cpu, peak)
    stats: dict[str, float] = {}
    blocked, wall, cpu, peak = timed(
        lambda: neighbors.top_neighbors(*call_args, **call_kwargs, exact_max=0, stats=stats)
    )
    _row("filmoteca por bloques (2 hilos)", wall, cpu, peak)
    if args.dense:
        ref, wall, cpu, peak = timed(lambda: dense_search(*call_args, **call_kwargs))
        _row("densa por bloques (2 hilos)", wall, cpu, peak)
        if mine is not None:
            print("\nAcuerdo de la exacta con la densa:", agreement(mine, ref))
    rows = np.arange(n)
    if 0 < args.sample < n:
        rows = np.sort(np.random.default_rng(0).choice(n, args.sample, replace=False))
    found_at, gap = recall(call_args, call_kwargs, blocked, rows, (50,))
    at = "; ".join(
        f"recall@{k} con empates {hit:.4f} (filas con recall < 0.9: {100 * low:.2f} %)"
        for k, (hit, low) in found_at.items()
    )
    print(
        f"\nPor bloques en {len(rows):,} filas: {at}; pares puntuados "
        f"{100 * stats['scored']:.1f} % de n²; "
        f"rasgos compartidos de hasta {stats['shared_max_df']:,.0f} películas; mayor diferencia "
        f"entre una puntuación listada y la exacta {gap:.1e}".translate(_SPANISH)
    )
    print(f"({_uptime()})")


def _row(name: str, wall: float, cpu: float, peak: float) -> None:
    print(f"| {name} | {wall:.1f} | {cpu:.1f} | {peak:.2f} |".replace(".", ","))


def _uptime() -> str:
    """`uptime`'s line: the time, how long the machine is up and its load."""
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


if __name__ == "__main__":
    main()
