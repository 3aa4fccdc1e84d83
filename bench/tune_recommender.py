"""How the hybrid's parameters were chosen: a grid on the tuning half of the users only.

The tuning half (same fixed split as `filmoteca evaluate`) is split again into FOLDS parts;
every setting is fitted on all parts but one and scored on that one, for each part in turn, and
the users of all parts are pooled (as many users as the held-out half). Each fit learns from 4/5
of the tuning half, close to the evaluation (all of it): with two folds (half of it) the
co-likes were learned from a quarter of the users, and the advantage over CF measured there
shrank most on the held-out half. The protocols are those of `filmoteca.evaluation` (1: item to
item, 2: personalised in time order, 3: their long tail). The held-out half is never read. For
every setting it prints NDCG@10, coverage and concentration next to item-item CF (storing as
many neighbours per movie) and the most-liked list (the accuracy-diversity trade-off), and the
chosen setting: the best NDCG@10 of protocols 1 + 2 among the settings with sagas first
(`saga_weight` = SAGA, a product choice; the saga's share in the several-movie mean,
`personal_saga_weight`, is searched) whose concentration on protocol 1 is at least
MARGIN_CONCENTRATION below CF's and whose coverage on protocol 2 is at least MARGIN_COVERAGE
above CF's (both others no worse than CF's): margins so that the choice survives a new sample of
users.

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

FOLDS = 5
ALPHAS = (0.35, 0.4)
OFF_GENRE = (0.5, 1.0)
CF_WEIGHTS = (3.0, 4.5, 6.0)
USER_BETAS = (0.0, 0.5, 1.0)
SAGAS = (1.0,)
PERSONAL = (0.0, 0.05, 0.1)
# the saga's share in POST /recomendacion's mean (2+ movies; query time, the lists stay)
PERSONAL_SAGAS = (0.5, 0.75, 1.0)
NEIGHBORS = (50, 100)  # stored per movie; the lists are exact, so the first 50 of 100 are 50
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
    """(frames with the fit parts' ratings, scored users, personal cases, long tail) x FOLDS."""
    n = len(frames["movies"])
    parts = np.array_split(np.random.default_rng(1).permutation(np.sort(tuning)), FOLDS)
    out = []
    for scored in parts:
        score_users = np.sort(scored)
        fit_users = np.setdiff1d(tuning, score_users)
        part = rated[rated["userId"].isin(fit_users)]
        liked = part[part["rating"] >= ev.LIKED_RATING]["item"].to_numpy()
        head = np.lexsort((np.arange(n), -np.bincount(liked, minlength=n)))[: ev.LONG_TAIL_HEAD]
        users, cases = ev.liked_sets(rated, score_users, 2), ev.personal_cases(rated, score_users)
        out.append(({**frames, "ratings": part}, users, cases, np.setdiff1d(np.arange(n), head)))
    return out


def _pooled(
    rankers: list[ev.Ranker],
    folds: list[Fold],
    n: int,
    pct: np.ndarray,
    item: list[dict] | None = None,
) -> list[dict]:
    """Summaries of protocols 1, 2, 3a, 3b over the users of every fold; `item`: those of
    1 and 3a when already known (they depend on the stored lists' first 10 only)."""
    pooled = [metrics.Tally() for _ in range(4)]
    for ranker, (_, users, cases, tail) in zip(rankers, folds, strict=True):
        empty = (metrics.Tally(), metrics.Tally())
        items = ev._score_item(ranker, users, tail) if item is None else empty
        tallies = (*items, *ev._score_personal(ranker, cases, tail))
        for into, tally in zip(
            pooled, (tallies[0], tallies[2], tallies[1], tallies[3]), strict=True
        ):
            into.hit += tally.hit
            into.ndcg += tally.ndcg
            into.shown += tally.shown
    got = [tally.summary(n, pct) for tally in pooled]
    return got if item is None else [item[0], got[1], item[1], got[3]]


def _cf(folds: list[Fold], kept: int, n: int, pct: np.ndarray) -> list[dict]:
    """Item-item CF (the evaluation's row) storing `kept` neighbours per movie, as filmoteca."""
    models = [Recommender(**{**ev.CF_ONLY, "n_neighbors": kept}).fit(f[0]) for f in folds]
    return _pooled([ev._model(m) for m in models], folds, n, pct)


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
    cf = {kept: _cf(folds, kept, n, pct) for kept in NEIGHBORS}  # CF with as many stored
    for name, got in [*base.items(), *((f"cf_item_item, {k} vecinas", g) for k, g in cf.items())]:
        _row(name, got)
    best: tuple[float, str] = (-1.0, "")
    points: list[tuple[str, list[dict]]] = []
    started = time.perf_counter()
    grid = itertools.product(ALPHAS, OFF_GENRE, CF_WEIGHTS, USER_BETAS, SAGAS)
    for alpha, gate, weight, beta, saga in grid:
        params = {"cf_alpha": alpha, "cf_off_genre": gate, "cf_weight": weight,
                  "cf_user_beta": beta, "saga_weight": saga, "n_neighbors": max(NEIGHBORS)}  # fmt: skip
        models = [Recommender(**params).fit(fold[0]) for fold in folds]
        full = [(m.neighbors_, m.similarities_, m.sagas_) for m in models]
        item: list[dict] | None = None
        for psaga, personal, kept in itertools.product(PERSONAL_SAGAS, PERSONAL, NEIGHBORS):
            for model, (neighbors, similarities, sagas) in zip(models, full, strict=True):
                model.personal_penalty = personal
                model.personal_saga_weight = psaga
                model.neighbors_, model.similarities_ = neighbors[:, :kept], similarities[:, :kept]
                model.sagas_ = sagas[:, :kept]
            got = _pooled([ev._model(m) for m in models], folds, n, pct, item)
            item = [got[0], got[2]]
            label = (f"α={alpha} sin género={gate} gustos={weight} β={beta} saga={saga} "
                     f"pers={personal} saga_pers={psaga} vecinas={kept}")  # fmt: skip
            _row(label, got)
            points.append((label, got))
            total = got[0]["ndcg_10"] + got[1]["ndcg_10"]
            if saga == SAGA and _eligible(got, cf[kept]) and total > best[0]:
                best = (total, label)
    print(f"\nelegido: {best[1]} (P1 + P2 = {best[0]:.3f}; {time.perf_counter() - started:.0f} s)")
    if args.figure is not None:
        _figure(args.figure, points, base, best[1])


if __name__ == "__main__":
    main()
