"""How the hybrid's parameters were chosen: a grid on the tuning half of the users only.

The tuning half (same fixed split as `filmoteca evaluate`) is split again 50/50: the models
learn co-likes from the first part and are scored on the second, with the protocols of
`filmoteca.evaluation` (1: item to item, 2: personalised in time order). The held-out half is
never read. For every setting it prints NDCG@10, coverage and concentration next to item-item
CF and the most-liked list, i.e. the accuracy-diversity trade-off, and the chosen setting: the
best NDCG@10 whose coverage is no lower and concentration no higher than CF's, per protocol.

Run:  .venv/bin/python bench/tune_recommender.py --catalog /tmp/cat_real
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from filmoteca import evaluation as ev
from filmoteca.config import Settings
from filmoteca.recommender import features as ft
from filmoteca.recommender import read_frames
from filmoteca.recommender.model import Recommender

CF_WEIGHTS = (0.5, 1.0, 2.0, 4.0)
PENALTIES = (0.0, 0.05, 0.1, 0.2)
PRIORS = (0.0, 0.1)
PERSONAL = (0.0, 0.05, 0.1, 0.2, 0.3)


def _cache_features() -> None:
    """Content features do not depend on the tuned parameters: build them once."""
    original, cache = ft.build_features, {}

    def cached(*args: Any) -> ft.Features:
        if "f" not in cache:
            cache["f"] = original(*args)
        return cache["f"]

    ft.build_features = cached  # type: ignore[assignment]


def _scores(model: Recommender, users: dict, cases: list, n: int, pct: np.ndarray) -> list:
    """(NDCG, coverage, concentration) of protocols 1 and 2 for one fitted model."""
    ranker = ev._model(model)
    item, _ = ev._score_item(ranker, users, np.arange(n))
    personal, _ = ev._score_personal(ranker, cases, np.arange(n))
    out = []
    for tally in (item, personal):
        s = tally.summary(n, pct)
        out.append((s["ndcg_10"], s["cobertura"], s["concentracion"]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, required=True)
    args = parser.parse_args()
    raw = Settings().raw_dir
    _cache_features()
    frames = read_frames(args.catalog)
    ids = frames["movies"]["id"].to_numpy()
    rated = ev.load_ratings(raw / "ratings_small.csv", raw / "links_small.csv",
                            raw / "links.csv", ids)  # fmt: skip
    tuning_users, _ = ev.split_users(ev.rio.read_ratings(raw / "ratings_small.csv")["userId"])
    fit_users, score_users = ev.split_users(tuning_users, seed=1)
    fit_part = rated[rated["userId"].isin(fit_users)]
    users = ev.liked_sets(rated, score_users, 2)
    cases = ev.personal_cases(rated, score_users)
    n = len(ids)
    pct = ev.popularity_percentiles(frames["movies"]["vote_count"].fillna(0).to_numpy())
    rankers, _ = ev.fit_rows(frames, fit_part, 0)
    print(
        "| ajuste | P1 NDCG | P1 cobertura | P1 concentración | P2 NDCG | P2 cobertura | P2 conc. |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    base = {}
    for name in ("mas_gustadas", "cf_item_item", "solo_contenido"):
        item, _ = ev._score_item(rankers[name], users, np.arange(n))
        personal, _ = ev._score_personal(rankers[name], cases, np.arange(n))
        base[name] = [(t.summary(n, pct)["ndcg_10"], t.summary(n, pct)["cobertura"],
                       t.summary(n, pct)["concentracion"]) for t in (item, personal)]  # fmt: skip
        _row(name, base[name])
    cf = base["cf_item_item"]
    best: list[tuple[float, str]] = [(-1.0, ""), (-1.0, "")]
    started = time.perf_counter()
    data = {**frames, "ratings": fit_part}
    for w, pen, prior in itertools.product(CF_WEIGHTS, PENALTIES, PRIORS):
        model = Recommender(cf_weight=w, popularity_penalty=pen, prior_weight=prior).fit(data)
        for personal in PERSONAL:
            model.personal_penalty = personal
            got = _scores(model, users, cases, n, pct)
            label = f"cf={w} pen={pen} prior={prior} pers={personal}"
            _row(label, got)
            for p in (0, 1):
                nd, cov, conc = got[p]
                if cov >= cf[p][1] and conc <= cf[p][2] and nd > best[p][0]:
                    best[p] = (nd, label)
        sys.stdout.flush()
    print(
        f"\nelegido P1: {best[0]}\nelegido P2: {best[1]}  ({time.perf_counter() - started:.0f} s)"
    )


def _row(label: str, got: list) -> None:
    cells = [f"{nd:.3f} | {cov:.1%} | {conc:.1%}" for nd, cov, conc in got]
    print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
