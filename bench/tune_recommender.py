"""How the recommender's weights were chosen: coordinate ascent on the tuning half only.

Uses the evaluation protocol of `filmoteca.evaluation` (same split, same metrics) but only the
tuning half of the MovieLens users; the held-out half is never read here. For a catalog of up
to ~6,000 movies it holds one dense similarity matrix per feature block, so that a weighting
is scored in well under a second:

    score(q, j) = Σ_b w_b·sim_b(q, j) / Σ_b w_b + prior_weight · prior(j)

and maximises, over the block weights, prior_weight, prior_votes and era_scale,

    hit@10 + 0.5·NDCG@10 + 0.5·sequels@10 - 5·max(0, 0.80 - coverage@10)
           - 0.05·max(0, popularity_percentile - 85)

(hit-rate and NDCG are what users' tastes reward; sequels@10 keeps the content similarity from
being drowned by the prior; the penalties keep coverage and the popularity percentile inside
the issue's targets with a margin). Each round tries x0.5, x0.75, x1.33, x2 on every weight
and keeps any change that improves the objective; it stops when a round changes nothing.

Run:  .venv/bin/python bench/tune_recommender.py --catalog /tmp/cat_real [--rounds 4]
(the catalog should have keywords: build it with `--keywords ../shared/data/raw/keywords.csv`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from filmoteca import evaluation as ev
from filmoteca.config import Settings
from filmoteca.recommender import DEFAULT_WEIGHTS, read_frames
from filmoteca.recommender import features as ft
from filmoteca.recommender.model import _genre_names

STEPS = (0.5, 0.75, 1.33, 2.0)
PRIOR_VOTES = (500.0, 1000.0, 2000.0, 4000.0)
ERA_SCALES = (5.0, 10.0, 20.0, 40.0)


class Harness:
    """Dense per-block similarities of one catalog and the tuning half of the users."""

    def __init__(self, catalog: Path, raw: Path) -> None:
        frames = read_frames(catalog)
        movies = frames["movies"]
        self.n = len(movies)
        if self.n > 6000:
            raise SystemExit("Este ajuste guarda matrices densas: use un catálogo de <= 6000.")
        blocks = ft.raw_blocks(frames, 5, 0.02, _genre_names())
        self.sims = {
            name: (m @ m.T).toarray().astype(np.float32) for name, (m, _) in blocks.items() if m.nnz
        }
        codes, _ = ft.language_codes(movies)
        same = (codes[:, None] == codes[None, :]) & (codes[:, None] >= 0)
        self.sims["language"] = same.astype(np.float32)
        self.years = movies["release_year"].fillna(0).to_numpy(dtype=np.float64)
        self.votes = movies["vote_count"].fillna(0).to_numpy(dtype=np.float64)
        self.averages = movies["vote_average"].fillna(0).to_numpy(dtype=np.float64)
        split = ev.load_split(
            raw / "ratings_small.csv",
            raw / "links_small.csv",
            raw / "links.csv",
            movies["id"].to_numpy(),
        )
        self.users = split.tuning  # the held-out half is never used here
        self.pct = ev.popularity_percentiles(self.votes)
        self.sequels = ev.sequel_pairs(movies["title"].tolist())

    def era(self, scale: float) -> np.ndarray:
        """exp(-(Δyears / scale)²), 0 when a year is unknown."""
        known = self.years > 0
        gap = self.years[:, None] - self.years[None, :]
        return (np.exp(-((gap / scale) ** 2)) * (known[:, None] & known[None, :])).astype(
            np.float32
        )

    def prior(self, votes: float) -> np.ndarray:
        """Bayesian average vote / 10, as the model computes it."""
        mean = np.average(self.averages, weights=self.votes)
        bayes = (self.votes * self.averages + votes * mean) / (self.votes + votes)
        return (bayes / 10.0).astype(np.float32)

    def evaluate(self, state: dict[str, Any]) -> dict[str, float]:
        """Metrics of one configuration on the tuning half."""
        weights = state["weights"]
        present = {b: w for b, w in weights.items() if b in self.sims or b == "era"}
        total = sum(present.values())
        score = np.zeros((self.n, self.n), np.float32)
        for block, weight in present.items():
            sim = self.era(state["era_scale"]) if block == "era" else self.sims[block]
            score += np.float32(weight / total) * sim
        score += state["prior_weight"] * self.prior(state["prior_votes"])[None, :]
        np.fill_diagonal(score, -np.inf)
        part = np.argpartition(-score, 10, axis=1)[:, :10]
        order = np.argsort(-np.take_along_axis(score, part, axis=1), axis=1)
        top = np.take_along_axis(part, order, axis=1)
        out = ev.score(top, self.users, self.pct)
        out["coverage_10"] = ev.coverage(top)
        out["secuelas_10"] = ev.sequel_recall(top, self.sequels)
        return out


def objective(m: dict[str, float]) -> float:
    """What the search maximises (see the module docstring)."""
    return (
        m["hit_rate_10"]
        + 0.5 * m["ndcg_10"]
        + 0.5 * m["secuelas_10"]
        - 5 * max(0.0, 0.80 - m["coverage_10"])
        - 0.05 * max(0.0, m["popularity_percentile"] - 85)
    )


Move = tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]


def moves(blocks: list[str]) -> list[Move]:
    """Every one-step change, applied to whatever the current configuration is."""

    def scale(block: str, step: float) -> Callable[[dict[str, Any]], dict[str, Any]]:
        return lambda s: {**s, "weights": {**s["weights"], block: s["weights"][block] * step}}

    def put(key: str, value: float) -> Callable[[dict[str, Any]], dict[str, Any]]:
        return lambda s: {**s, key: value}

    def times(key: str, step: float) -> Callable[[dict[str, Any]], dict[str, Any]]:
        return lambda s: {**s, key: s[key] * step}

    out: list[Move] = [(f"{b} x{step}", scale(b, step)) for b in blocks for step in STEPS]
    out += [(f"prior_weight x{step}", times("prior_weight", step)) for step in STEPS]
    out += [(f"prior_votes={v:g}", put("prior_votes", v)) for v in PRIOR_VOTES]
    out += [(f"era_scale={v:g}", put("era_scale", v)) for v in ERA_SCALES]
    return out


def line(m: dict[str, float]) -> str:
    """One line of metrics."""
    return (
        f"hit@10={m['hit_rate_10']:.3f} NDCG@10={m['ndcg_10']:.3f} "
        f"cobertura={m['coverage_10']:.1%} percentil={m['popularity_percentile']:.1f} "
        f"secuelas={m['secuelas_10']:.1%}"
    )


def main() -> None:
    """Run the search from the shipped defaults (or uniform weights) and print the path."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--raw", type=Path, default=Settings().raw_dir)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--uniforme", action="store_true", help="Empezar con todos los pesos a 1.")
    args = parser.parse_args()
    harness = Harness(args.catalog, args.raw)
    weights = {b: 1.0 for b in DEFAULT_WEIGHTS} if args.uniforme else dict(DEFAULT_WEIGHTS)
    state: dict[str, Any] = {"weights": weights, "prior_weight": 0.667, "prior_votes": 2000.0,
                             "era_scale": 10.0}  # fmt: skip
    metrics = harness.evaluate(state)
    best = objective(metrics)
    print(f"inicio: {line(metrics)} objetivo={best:.4f}", flush=True)
    for round_ in range(args.rounds):
        changed = False
        for label, move in moves(list(state["weights"])):
            candidate = move(state)
            metrics = harness.evaluate(candidate)
            value = objective(metrics)
            if value > best + 1e-4:
                best, state, changed = value, candidate, True
                print(f"ronda {round_}: {label}: {line(metrics)} objetivo={best:.4f}", flush=True)
        if not changed:
            break
    weights = {b: round(w, 3) for b, w in state["weights"].items()}
    print(f"final: pesos={weights} prior_weight={state['prior_weight']:.3f} "
          f"prior_votes={state['prior_votes']:g} era_scale={state['era_scale']:g}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
