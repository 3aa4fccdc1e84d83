"""How the hybrid's parameters were chosen: a grid on the tuning half of the users only.

The tuning half (same fixed split as `filmoteca evaluate`) is split again 50/50 into parts A and
B; every setting is fitted on A and scored on B, then fitted on B and scored on A, and the
users of both are pooled (two folds: about as many users as the held-out half). The protocols
are those of `filmoteca.evaluation` (1: item to item, 2: personalised in time order, 3: their
long tail). The held-out half is never read. For every setting it prints NDCG@10, coverage
and concentration next to item-item CF and the most-liked list (the accuracy-diversity
trade-off), and the chosen setting: the best NDCG@10 of protocols 1 + 2 among the settings
with sagas first (`saga_weight` = SAGA, a product choice: its cost is printed too) whose
concentration on protocol 1 is at least MARGIN_CONCENTRATION below CF's and whose coverage on
protocol 2 is at least MARGIN_COVERAGE above CF's (both others no worse than CF's): margins so
that the choice survives a new sample of users.

Run:  .venv/bin/python bench/tune_recommender.py --catalog /tmp/cat_real  (~6 min, 2 cores)
      [--figure docs/recomendador_equilibrio.svg]  (the trade-off curve, NDCG@10 against
      concentration on protocols 1 and 2: every setting, the chosen one and the baselines)
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from filmoteca import evaluation as ev
from filmoteca.config import Settings
from filmoteca.recommender import features as ft
from filmoteca.recommender import metrics, read_frames
from filmoteca.recommender.model import Recommender

ALPHAS = (0.35, 0.4, 0.5)
OFF_GENRE = (0.0, 0.5, 1.0)
CF_WEIGHTS = (2.0, 3.0)
SAGAS = (0.0, 0.5, 1.0)
PERSONAL = (0.0, 0.05, 0.1, 0.15)
SAGA = 1.0
MARGIN_CONCENTRATION = 0.01
MARGIN_COVERAGE = 0.003
Fold = tuple[dict[str, pd.DataFrame], dict[int, np.ndarray], list[ev.Case], np.ndarray]


def _cache_features() -> None:
    """Content features do not depend on the tuned parameters: build them once."""
    original, cache = ft.build_features, {}

    def cached(*args: Any) -> ft.Features:
        if "f" not in cache:
            cache["f"] = original(*args)
        return cache["f"]

    ft.build_features = cached  # type: ignore[assignment]


def _folds(frames: dict[str, pd.DataFrame], rated: pd.DataFrame, tuning: np.ndarray) -> list[Fold]:
    """(frames with the fit part's ratings, scored users, personal cases, long tail) x 2."""
    n = len(frames["movies"])
    a, b = ev.split_users(tuning, seed=1)
    out = []
    for fit_users, score_users in ((a, b), (b, a)):
        part = rated[rated["userId"].isin(fit_users)]
        liked = part[part["rating"] >= ev.LIKED_RATING]["item"].to_numpy()
        head = np.lexsort((np.arange(n), -np.bincount(liked, minlength=n)))[: ev.LONG_TAIL_HEAD]
        users, cases = ev.liked_sets(rated, score_users, 2), ev.personal_cases(rated, score_users)
        out.append(({**frames, "ratings": part}, users, cases, np.setdiff1d(np.arange(n), head)))
    return out


def _pooled(rankers: list[ev.Ranker], folds: list[Fold], n: int, pct: np.ndarray) -> list[dict]:
    """Summaries of protocols 1, 2, 3a, 3b over the users of both folds."""
    pooled = [metrics.Tally() for _ in range(4)]
    for ranker, (_, users, cases, tail) in zip(rankers, folds, strict=True):
        tallies = (*ev._score_item(ranker, users, tail), *ev._score_personal(ranker, cases, tail))
        for into, tally in zip(
            pooled, (tallies[0], tallies[2], tallies[1], tallies[3]), strict=True
        ):
            into.hit += tally.hit
            into.ndcg += tally.ndcg
            into.shown += tally.shown
    return [tally.summary(n, pct) for tally in pooled]


def _row(label: str, got: list[dict]) -> None:
    p1, p2, t1, t2 = got
    print(
        f"| {label} | {p1['ndcg_10']:.3f} | {p1['cobertura']:.1%} | {p1['concentracion']:.1%} | "
        f"{p2['ndcg_10']:.3f} | {p2['cobertura']:.2%} | {p2['concentracion']:.1%} | "
        f"{t1['hit_10']:.3f} | {t2['hit_10']:.3f} |",
        flush=True,
    )


def _eligible(got: list[dict], cf: list[dict]) -> bool:
    """No less diverse than CF on both protocols, with the margins."""
    p1, p2 = got[0], got[1]
    return (
        p1["concentracion"] <= cf[0]["concentracion"] - MARGIN_CONCENTRATION
        and p1["cobertura"] >= cf[0]["cobertura"]
        and p2["cobertura"] >= cf[1]["cobertura"] + MARGIN_COVERAGE
        and p2["concentracion"] <= cf[1]["concentracion"]
    )


def _figure(path: Path, points: list[tuple[str, list[dict]]], base: dict, chosen: str) -> None:
    """NDCG@10 against concentration, protocols 1 and 2: settings, chosen one, baselines."""
    import matplotlib

    matplotlib.use("svg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullFormatter

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), layout="constrained")
    names = {"cf_item_item": "CF ítem-ítem", "mas_gustadas": "más gustadas",
             "solo_contenido": "solo contenido"}  # fmt: skip
    for p, ax in enumerate(axes):
        xs = [got[p]["concentracion"] * 100 for _, got in points]
        ax.scatter(xs, [got[p]["ndcg_10"] for _, got in points], s=10, c="#9aa5b1",
                   label="filmoteca, cada ajuste")  # fmt: skip
        for label, got in points:
            if label == chosen:
                ax.scatter([got[p]["concentracion"] * 100], [got[p]["ndcg_10"]], s=70,
                           c="#b3261e", marker="*", label="filmoteca, elegido")  # fmt: skip
        for (name, got), marker in zip(base.items(), "s^o", strict=True):
            ax.scatter([got[p]["concentracion"] * 100], [got[p]["ndcg_10"]], s=40,
                       marker=marker, c="#1f4e79", label=names[name])  # fmt: skip
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g} %"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xticks([2, 5, 10, 20, 40, 90])
        ax.set_xlabel("concentración (escala logarítmica)")
        ax.set_ylabel("NDCG@10")
        ax.set_title(("1. ítem a ítem", "2. personalizado")[p])
    axes[0].legend(fontsize=7, loc="lower right")
    fig.savefig(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--figure", type=Path, default=None)
    args = parser.parse_args()
    raw = Settings().raw_dir
    _cache_features()
    frames = read_frames(args.catalog)
    ids = frames["movies"]["id"].to_numpy()
    rated = ev.load_ratings(raw / "ratings_small.csv", raw / "links_small.csv",
                            raw / "links.csv", ids)  # fmt: skip
    tuning, _ = ev.split_users(ev.rio.read_ratings(raw / "ratings_small.csv")["userId"])
    folds, n = _folds(frames, rated, tuning), len(ids)
    pct = ev.popularity_percentiles(frames["movies"]["vote_count"].fillna(0).to_numpy())
    print(
        "| ajuste | P1 NDCG | P1 cob. | P1 conc. | P2 NDCG | P2 cob. | P2 conc. | 3a hit | 3b hit |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    fitted = [ev.fit_rows(frames, fold[0]["ratings"], 0)[0] for fold in folds]
    base = {name: _pooled([f[name] for f in fitted], folds, n, pct)
            for name in ("mas_gustadas", "cf_item_item", "solo_contenido")}  # fmt: skip
    for name, got in base.items():
        _row(name, got)
    best: tuple[float, str] = (-1.0, "")
    points: list[tuple[str, list[dict]]] = []
    started = time.perf_counter()
    for alpha, gate, weight, saga in itertools.product(ALPHAS, OFF_GENRE, CF_WEIGHTS, SAGAS):
        params = {"cf_alpha": alpha, "cf_off_genre": gate, "cf_weight": weight, "saga_weight": saga}
        models = [Recommender(**params).fit(fold[0]) for fold in folds]
        for personal in PERSONAL:
            for model in models:
                model.personal_penalty = personal
            got = _pooled([ev._model(m) for m in models], folds, n, pct)
            label = f"α={alpha} sin género={gate} gustos={weight} saga={saga} pers={personal}"
            _row(label, got)
            points.append((label, got))
            total = got[0]["ndcg_10"] + got[1]["ndcg_10"]
            if saga == SAGA and _eligible(got, base["cf_item_item"]) and total > best[0]:
                best = (total, label)
    print(f"\nelegido: {best[1]} (P1 + P2 = {best[0]:.3f}; {time.perf_counter() - started:.0f} s)")
    if args.figure is not None:
        _figure(args.figure, points, base, best[1])


if __name__ == "__main__":
    main()
