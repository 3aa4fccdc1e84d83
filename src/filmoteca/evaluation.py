"""Offline evaluation of item-to-item recommendations against MovieLens ratings.

Protocol (issue 4): `ratings_small.csv` is mapped to TMDB ids through `links_small.csv`, then
`links.csv`; only catalog movies count; a rating >= 4.0 is "liked". The sorted user ids are split
50/50 with a fixed-seed permutation into a tuning half and a held-out half. For every user of a
half with >= 2 liked movies and every liked movie q, the top-10 for q (q excluded) is scored
against the user's other liked movies: hit-rate@5/@10 (per pair and averaged per user), NDCG@10
with binary relevance, catalog coverage@10 and the mean vote-count percentile of what is shown.

Also reported, catalog-wide like coverage: sequels@10, the share of (movie, sequel) pairs found
by title (`Toy Story` -> `Toy Story 2`, `Alien` -> `Alien: ...`) whose sequel is in the movie's
top-10; it checks that the quality prior does not drown content similarity.

Every ranker is a top-k matrix: row i holds the catalog indices recommended for catalog movie i
(-1 pads a short list), in the order of the catalog's `movies` table.
"""

from __future__ import annotations

import bisect
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import recommender
from .errors import InputError
from .text import normalize

LIKED_RATING = 4.0
SPLIT_SEED = 20171110
TOP_K = 10

TARGETS = {
    "ratio_hit_rate_10": 2.0,
    "ndcg_10": 0.25,
    "coverage_10": 0.70,
    "popularity_percentile": 90.0,
}


@dataclass(frozen=True)
class Split:
    """Liked catalog movies (as catalog indices) per user, for the two halves."""

    tuning: dict[int, np.ndarray]
    heldout: dict[int, np.ndarray]


def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    """Read the wanted columns of one CSV, with a Spanish message naming the file on failure."""
    if not path.is_file():
        raise InputError(f"No se encuentra el archivo '{path}'.", path=str(path))
    try:
        frame = pd.read_csv(path, usecols=lambda c: c in columns)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"No se puede leer '{path}' como CSV: {exc}", path=str(path)) from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"Al archivo '{path.name}' le faltan las columnas: {', '.join(missing)}.",
            path=str(path),
        )
    return frame


def _link_map(links_small: pd.DataFrame, links: pd.DataFrame) -> pd.Series:
    """MovieLens id -> TMDB id, from links_small first and links for the rest."""
    small = links_small.dropna(subset=["tmdbId"]).drop_duplicates("movieId")
    full = links.dropna(subset=["tmdbId"]).drop_duplicates("movieId")
    full = full[~full["movieId"].isin(small["movieId"])]
    both = pd.concat([small, full])
    return pd.Series(both["tmdbId"].astype("int64").to_numpy(), index=both["movieId"].to_numpy())


def liked_pairs(
    ratings: pd.DataFrame,
    links_small: pd.DataFrame,
    links: pd.DataFrame,
    movie_ids: np.ndarray,
) -> pd.DataFrame:
    """(user, catalog index) pairs of liked catalog movies, deduplicated."""
    tmdb = ratings["movieId"].map(_link_map(links_small, links))
    index = pd.Series(np.arange(len(movie_ids)), index=movie_ids)
    liked = ratings.assign(item=tmdb.map(index))
    liked = liked[(liked["rating"] >= LIKED_RATING) & liked["item"].notna()]
    liked = liked.assign(item=liked["item"].astype("int64"))
    return liked[["userId", "item"]].drop_duplicates().reset_index(drop=True)


def split_users(user_ids: np.ndarray, liked: pd.DataFrame, seed: int = SPLIT_SEED) -> Split:
    """Split sorted user ids 50/50 by a fixed-seed permutation; keep users with >= 2 liked."""
    users = np.sort(np.unique(user_ids))
    perm = np.random.default_rng(seed).permutation(users)
    half = len(perm) // 2
    groups = {int(u): np.sort(g["item"].to_numpy()) for u, g in liked.groupby("userId", sort=True)}

    def pick(chosen: np.ndarray) -> dict[int, np.ndarray]:
        return {int(u): groups[int(u)] for u in np.sort(chosen) if len(groups.get(int(u), ())) >= 2}

    return Split(tuning=pick(perm[:half]), heldout=pick(perm[half:]))


def load_split(
    ratings_path: Path,
    links_small_path: Path,
    links_path: Path,
    movie_ids: np.ndarray,
    seed: int = SPLIT_SEED,
) -> Split:
    """Read the MovieLens files and split the liked catalog movies into the two halves."""
    ratings = _read_csv(ratings_path, ["userId", "movieId", "rating"])
    links_small = _read_csv(links_small_path, ["movieId", "tmdbId"])
    links = _read_csv(links_path, ["movieId", "tmdbId"])
    liked = liked_pairs(ratings, links_small, links, movie_ids)
    return split_users(ratings["userId"].to_numpy(), liked, seed)


def popularity_percentiles(vote_count: np.ndarray) -> np.ndarray:
    """Percentile (0-100) of each catalog movie by vote count (ties share their mean rank)."""
    pct = pd.Series(vote_count).rank(method="average", pct=True).to_numpy()
    return np.asarray(pct * 100.0, dtype=np.float64)


def score(top: np.ndarray, users: Mapping[int, np.ndarray], pct: np.ndarray) -> dict[str, Any]:
    """Metrics of a top-k matrix for the given users' liked movies (see the module docstring)."""
    k = top.shape[1]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    hit5: list[np.ndarray] = []
    hit10: list[np.ndarray] = []
    ndcg: list[np.ndarray] = []
    user_hit10: list[float] = []
    shown: list[np.ndarray] = []
    for items in users.values():
        lists = top[items]
        rel = np.isin(lists, items) & (lists >= 0)
        ideal = np.cumsum(discounts)[min(len(items) - 1, k) - 1]
        hit5.append(rel[:, :5].any(axis=1))
        hit10.append(rel.any(axis=1))
        ndcg.append((rel @ discounts) / ideal)
        user_hit10.append(float(hit10[-1].mean()))
        shown.append(lists[lists >= 0])
    if not users:
        return {"usuarios": 0, "pares": 0}
    recommended = np.concatenate(shown)
    return {
        "usuarios": len(users),
        "pares": int(sum(len(h) for h in hit10)),
        "hit_rate_5": float(np.concatenate(hit5).mean()),
        "hit_rate_10": float(np.concatenate(hit10).mean()),
        "hit_rate_10_por_usuario": float(np.mean(user_hit10)),
        "ndcg_10": float(np.concatenate(ndcg).mean()),
        "popularity_percentile": float(pct[recommended].mean()) if recommended.size else 0.0,
    }


def coverage(top: np.ndarray) -> float:
    """Share of catalog movies that appear in the top-k list of some catalog movie."""
    shown = np.unique(top[top >= 0])
    return float(shown.size / top.shape[0]) if top.shape[0] else 0.0


_SEQUEL = re.compile(r"^(:| \d| ii\b| iii\b| iv\b| part\b| chapter\b)")


def sequel_pairs(titles: list[str]) -> np.ndarray:
    """(movie, sequel) index pairs: the sequel's title is the movie's plus ': ...', ' 2', ' II'..."""
    keys = [normalize(t or "") for t in titles]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    ordered = [keys[i] for i in order]
    pairs = []
    for i, key in enumerate(keys):
        if len(key) < 4:
            continue
        at = bisect.bisect_right(ordered, key)
        while at < len(ordered) and ordered[at].startswith(key):
            if _SEQUEL.match(ordered[at][len(key) :]):
                pairs.append((i, order[at]))
            at += 1
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def sequel_recall(top: np.ndarray, pairs: np.ndarray) -> float:
    """Share of (movie, sequel) pairs whose sequel is in the movie's top-k."""
    if not len(pairs):
        return 0.0
    return float((top[pairs[:, 0]] == pairs[:, 1][:, None]).any(axis=1).mean())


def random_top(n: int, k: int = TOP_K, seed: int = SPLIT_SEED) -> np.ndarray:
    """k distinct random other movies for each movie."""
    rng = np.random.default_rng(seed)
    top = np.full((n, k), -1, dtype=np.int64)
    for i in range(n):
        picks = rng.choice(n - 1, size=min(k, n - 1), replace=False)
        top[i, : len(picks)] = picks + (picks >= i)
    return top


def popular_top(vote_count: np.ndarray, k: int = TOP_K) -> np.ndarray:
    """The k most-voted movies for every movie, the movie itself excluded."""
    order = np.argsort(-vote_count, kind="stable")[: k + 1]
    top = np.full((len(vote_count), k), -1, dtype=np.int64)
    for i in range(len(vote_count)):
        row = order[order != i][:k]
        top[i, : len(row)] = row
    return top


def _drop_self(neighbors: np.ndarray, k: int) -> np.ndarray:
    """Remove each row's own index from a neighbour matrix and keep k columns."""
    n = neighbors.shape[0]
    top = np.full((n, k), -1, dtype=np.int64)
    for i in range(n):
        row = neighbors[i][neighbors[i] != i][:k]
        top[i, : len(row)] = row
    return top


def seed_top(frames: Mapping[str, pd.DataFrame], k: int = TOP_K) -> np.ndarray:
    """The replaced approach: CountVectorizer over overview+genres+companies, cosine brute KNN."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.neighbors import NearestNeighbors

    movies = frames["movies"]

    def names(table: str) -> pd.Series:
        joined = frames[table].groupby("movie_id")["name"].agg(lambda s: " ".join(s.astype(str)))
        lookup = joined.to_dict()
        return pd.Series([lookup.get(i, "") for i in movies["id"]], index=movies.index)

    text = movies["overview"].fillna("") + " " + names("genres") + " " + names("companies")
    matrix = CountVectorizer(stop_words="english", max_features=5000).fit_transform(text)
    knn = NearestNeighbors(metric="cosine", algorithm="brute").fit(matrix)
    _, neighbors = knn.kneighbors(matrix, n_neighbors=min(k + 1, len(movies)))
    return _drop_self(neighbors, k)


def meets_targets(rows: Mapping[str, Mapping[str, Any]], model: str) -> dict[str, Any]:
    """Check the issue's held-out targets for `model` against the baselines."""
    ours = rows[model]
    best = max(rows["mas_popular"]["hit_rate_10"], rows["semilla"]["hit_rate_10"])
    ratio = ours["hit_rate_10"] / best if best > 0 else float("inf")
    return {
        "ratio_hit_rate_10": {"valor": ratio, "objetivo": ">= 2.0", "cumple": ratio >= 2.0},
        "ndcg_10": {
            "valor": ours["ndcg_10"],
            "objetivo": ">= 0.25",
            "cumple": ours["ndcg_10"] >= 0.25,
        },
        "coverage_10": {
            "valor": ours["coverage_10"],
            "objetivo": ">= 0.70",
            "cumple": ours["coverage_10"] >= 0.70,
        },
        "popularity_percentile": {
            "valor": ours["popularity_percentile"],
            "objetivo": "<= 90",
            "cumple": ours["popularity_percentile"] <= 90.0,
        },
    }


def evaluate_rankers(
    rankers: Mapping[str, np.ndarray],
    split: Split,
    vote_count: np.ndarray,
    sequels: np.ndarray | None = None,
) -> dict[str, Any]:
    """Score every ranker's top-k matrix on both halves; check the targets on the held-out half."""
    pct = popularity_percentiles(vote_count)
    pairs = sequels if sequels is not None else np.empty((0, 2), np.int64)
    catalog_wide = {
        name: {"coverage_10": coverage(top), "secuelas_10": sequel_recall(top, pairs)}
        for name, top in rankers.items()
    }
    halves: dict[str, Any] = {}
    for half, users in (("ajuste", split.tuning), ("evaluacion", split.heldout)):
        halves[half] = {
            name: {**score(top, users, pct), **catalog_wide[name]} for name, top in rankers.items()
        }
    result: dict[str, Any] = {"mitades": halves}
    if "filmoteca" in rankers and {"mas_popular", "semilla"} <= rankers.keys():
        result["objetivos"] = meets_targets(halves["evaluacion"], "filmoteca")
    return result


_COLUMNS = [
    ("hit_rate_5", "hit@5", "{:.3f}"),
    ("hit_rate_10", "hit@10", "{:.3f}"),
    ("hit_rate_10_por_usuario", "hit@10 por usuario", "{:.3f}"),
    ("ndcg_10", "NDCG@10", "{:.3f}"),
    ("coverage_10", "cobertura@10", "{:.1%}"),
    ("popularity_percentile", "percentil de popularidad", "{:.1f}"),
    ("secuelas_10", "secuelas@10", "{:.1%}"),
]

ROW_LABELS = {
    "aleatorio": "aleatorio",
    "mas_popular": "más popular",
    "semilla": "semilla (CountVectorizer + KNN coseno)",
    "filmoteca": "filmoteca",
}


def to_markdown(result: Mapping[str, Any]) -> str:
    """Render the evaluation as Markdown tables (one per half) plus the targets."""
    lines: list[str] = []
    titles = {"ajuste": "Mitad de ajuste", "evaluacion": "Mitad de evaluación (reservada)"}
    for half, rows in result["mitades"].items():
        first = next(iter(rows.values()))
        lines += [
            f"**{titles[half]}** ({first['usuarios']} usuarios, {first['pares']} pares)",
            "",
            "| modelo | " + " | ".join(label for _, label, _ in _COLUMNS) + " |",
            "|---|" + "---:|" * len(_COLUMNS),
        ]
        for name, metrics in rows.items():
            cells = [fmt.format(metrics[key]) for key, _, fmt in _COLUMNS]
            lines.append(f"| {ROW_LABELS.get(name, name)} | " + " | ".join(cells) + " |")
        lines.append("")
    for key, check in result.get("objetivos", {}).items():
        mark = "cumple" if check["cumple"] else "NO cumple"
        lines.append(f"- {key}: {check['valor']:.3f} (objetivo {check['objetivo']}): {mark}")
    return "\n".join(lines).rstrip() + "\n"


def model_for(catalog_dir: Path, frames: Mapping[str, pd.DataFrame]) -> recommender.Recommender:
    """The catalog's saved model when it matches the catalog, else one fitted now."""
    ids = frames["movies"]["id"].to_numpy()
    saved = catalog_dir / "recomendador"
    if (saved / "model.json").is_file():
        model = recommender.Recommender.load(saved)
        if np.array_equal(model.movie_ids_, ids):
            return model
    return recommender.Recommender().fit(frames)


def evaluate(
    catalog_dir: Path, ratings: Path, links_small: Path, links: Path, seed: int = SPLIT_SEED
) -> dict[str, Any]:
    """Run the whole protocol on a built catalog: the four rows on both halves, plus targets."""
    started = time.perf_counter()
    frames = recommender.read_frames(catalog_dir)
    movies = frames["movies"]
    ids = movies["id"].to_numpy()
    votes = movies["vote_count"].fillna(0).to_numpy()
    split = load_split(ratings, links_small, links, ids, seed)
    model = model_for(catalog_dir, frames)
    rankers = {
        "aleatorio": random_top(len(ids), seed=seed),
        "mas_popular": popular_top(votes),
        "semilla": seed_top(frames),
        "filmoteca": model.top_matrix(TOP_K),
    }
    result = evaluate_rankers(rankers, split, votes, sequel_pairs(movies["title"].tolist()))
    result["protocolo"] = {
        "catalogo": str(catalog_dir),
        "peliculas": len(ids),
        "me_gusta": f"rating >= {LIKED_RATING}",
        "semilla_particion": seed,
        "k": TOP_K,
        "parametros_modelo": model.get_params(),
        "segundos": round(time.perf_counter() - started, 2),
    }
    return result
