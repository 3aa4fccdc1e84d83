"""Offline evaluation of the recommender against MovieLens ratings (`filmoteca evaluate`).

Data: `ratings_small.csv` mapped to TMDB ids through `links_small.csv`, then `links.csv`; only
catalog movies count; a rating >= 4.0 is "liked". The sorted user ids are split 50/50 with a
fixed-seed permutation into a tuning half and a held-out half. Every model that learns from
ratings is fitted on the tuning half's ratings only; the tables report the held-out half.

Protocols (k = 10, metrics in `recommender.metrics`):
    item       item-to-item: for every held-out user with >= 2 liked movies and every liked
               movie q, the list for q is scored against the user's other liked movies.
    personal   for every held-out user with >= 6 liked movies, the earliest 5 liked (by
               timestamp) go through the same code path as POST /recomendacion; every later
               liked movie is a target; everything the user rated up to the 5th is excluded.
    *_cola     the same two with targets outside the tuning half's 100 most-liked movies.

Rows: random, most-voted (TMDB vote_count), most-liked in the tuning half, the Bayesian prior
alone, the previous configuration (content + strong prior), content only, item-item co-likes
alone (tuning half) and filmoteca (the hybrid). Paired bootstrap intervals: filmoteca minus
the best other row, and minus item-item CF, over users.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import recommender
from .recommender import metrics
from .recommender import ratings as rio
from .recommender.model import Recommender

LIKED_RATING = rio.LIKED_RATING
SPLIT_SEED = 20171110
TOP_K = metrics.K
HISTORY = 5
LONG_TAIL_HEAD = 100
ROWS = {
    "aleatorio": "aleatorio",
    "mas_popular": "más votadas (vote_count)",
    "mas_gustadas": "más gustadas (mitad de ajuste)",
    "prior_bayesiano": "solo el prior bayesiano",
    "configuracion_anterior": "configuración anterior (contenido + prior)",
    "solo_contenido": "solo contenido",
    "cf_item_item": "CF ítem-ítem (mitad de ajuste)",
    "filmoteca": "filmoteca (híbrido)",
}
PROTOCOLS = {
    "item": "1. ítem a ítem",
    "personal": "2. personalizado, en orden temporal",
    "item_cola": "3a. cola larga, ítem a ítem",
    "personal_cola": "3b. cola larga, personalizado",
}
# the previous configuration: content + a strong Bayesian prior, no ratings
Case = tuple[np.ndarray, np.ndarray, np.ndarray]  # history, excluded, targets
PREVIOUS: dict[str, Any] = {"prior_weight": 0.667, "personal_penalty": 0.0, "saga_weight": 0.0}
CONTENT_ONLY: dict[str, Any] = {"prior_weight": 0.0, "personal_penalty": 0.0}
# plain item-item CF: shrunk cosine co-likes (cf_alpha 0.5, every person weighs 1, no genre
# gate), nothing else; it stores as many neighbours per movie as filmoteca
CF_ONLY: dict[str, Any] = {
    "content_weight": 0.0,
    "prior_weight": 0.0,
    "personal_penalty": 0.0,
    "saga_weight": 0.0,
    "cf_alpha": 0.5,
    "cf_user_beta": 0.0,
    "cf_off_genre": 1.0,
}


@dataclass(frozen=True)
class Ranker:
    """Top-k lists: `item(rows)` one per query movie, `personal(history, skip)` one list."""

    item: Callable[[np.ndarray], np.ndarray]
    personal: Callable[[np.ndarray, np.ndarray], np.ndarray]


def load_ratings(
    ratings_path: Path, links_small_path: Path, links_path: Path, movie_ids: np.ndarray
) -> pd.DataFrame:
    """Catalog ratings: userId, movie_id, item (catalog row), rating, timestamp."""
    raw = rio.read_ratings(ratings_path)
    small, full = rio.read_links(links_small_path), rio.read_links(links_path)
    links = pd.concat([small, full[~full.index.isin(small.index)]])
    frame = rio.to_catalog(raw, links, movie_ids)
    return frame.assign(item=pd.Index(movie_ids).get_indexer(frame["movie_id"].to_numpy()))


def split_users(user_ids: np.ndarray, seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """(tuning, held-out) user ids: sorted ids split 50/50 by a fixed-seed permutation."""
    perm = np.random.default_rng(seed).permutation(np.sort(np.unique(user_ids)))
    half = len(perm) // 2
    return np.sort(perm[:half]), np.sort(perm[half:])


def _global(order: np.ndarray, k: int = TOP_K) -> Ranker:
    """The same ranking for everyone (the query / history and the skipped removed)."""
    head = order[: k + 1]

    def item(rows: np.ndarray) -> np.ndarray:
        return np.stack([head[head != r][:k] for r in rows.tolist()])

    def personal(history: np.ndarray, skip: np.ndarray) -> np.ndarray:
        return np.asarray(order[~np.isin(order, skip)][:k])

    return Ranker(item, personal)


def _random(n: int, seed: int, k: int = TOP_K) -> Ranker:
    """k distinct random movies, never the query or a skipped one."""
    rng = np.random.default_rng(seed)

    def personal(history: np.ndarray, skip: np.ndarray) -> np.ndarray:
        picks = rng.choice(n, size=min(n, k + len(skip)), replace=False)
        return picks[~np.isin(picks, skip)][:k]

    def item(rows: np.ndarray) -> np.ndarray:
        return np.stack([personal(np.array([r]), np.array([r])) for r in rows.tolist()])

    return Ranker(item, personal)


def _model(model: Recommender, k: int = TOP_K) -> Ranker:
    """A fitted recommender: its stored lists, and `rank_many` (POST /recomendacion's path)."""
    top = model.top_matrix(k)

    def personal(history: np.ndarray, skip: np.ndarray) -> np.ndarray:
        best, _, _ = model.rank_many(np.unique(history), skip, k)
        return np.asarray(np.r_[best, np.full(k - len(best), -1)], dtype=np.int64)

    return Ranker(lambda rows: top[rows], personal)


def fit_rows(
    frames: Mapping[str, pd.DataFrame], tuning: pd.DataFrame, seed: int
) -> tuple[dict[str, Ranker], Recommender]:
    """Every row's ranker (models fitted on the tuning half's ratings only) and filmoteca."""
    n = len(frames["movies"])
    with_ratings = {**frames, "ratings": tuning}
    ours = Recommender().fit(with_ratings)
    liked = tuning[tuning["rating"] >= LIKED_RATING]
    like_counts = np.bincount(liked["item"].to_numpy(), minlength=n)
    votes = ours.vote_counts_
    rows = {
        "aleatorio": _random(n, seed),
        "mas_popular": _global(np.lexsort((np.arange(n), -votes))),
        "mas_gustadas": _global(np.lexsort((-votes, -like_counts))),
        "prior_bayesiano": _global(np.lexsort((np.arange(n), -ours.prior_))),
        "configuracion_anterior": _model(Recommender(**PREVIOUS).fit(frames)),
        "solo_contenido": _model(Recommender(**CONTENT_ONLY).fit(frames)),
        "cf_item_item": _model(Recommender(**CF_ONLY).fit(with_ratings)),
        "filmoteca": _model(ours),
    }
    return rows, ours


def liked_sets(frame: pd.DataFrame, users: np.ndarray, least: int) -> dict[int, np.ndarray]:
    """Sorted liked catalog rows of each of `users` with at least `least` liked movies."""
    liked = frame[(frame["rating"] >= LIKED_RATING) & frame["userId"].isin(users)]
    groups = liked.groupby("userId")["item"].agg(lambda s: np.unique(s.to_numpy()))
    return {int(u): items for u, items in groups.items() if len(items) >= least}


def personal_cases(frame: pd.DataFrame, users: np.ndarray) -> list[Case]:
    """(history, excluded, targets) of each held-out user with >= HISTORY + 1 liked movies."""
    cases = []
    mine = frame[frame["userId"].isin(users)].sort_values(["userId", "timestamp", "item"])
    for _, rated in mine.groupby("userId", sort=True):
        liked = rated[rated["rating"] >= LIKED_RATING].drop_duplicates("item")
        if len(liked) <= HISTORY:
            continue
        cutoff = liked["timestamp"].iloc[HISTORY - 1]
        history = liked["item"].to_numpy()[:HISTORY]
        skip = np.unique(np.r_[history, rated.loc[rated["timestamp"] <= cutoff, "item"]])
        targets = np.setdiff1d(liked["item"].to_numpy()[HISTORY:], skip)
        if targets.size:
            cases.append((history, skip.astype(np.int64), targets))
    return cases


Tallies = tuple[metrics.Tally, metrics.Tally]


def _score_item(ranker: Ranker, users: Mapping[int, np.ndarray], tail: np.ndarray) -> Tallies:
    """Tallies of protocol 1 and its long-tail variant."""
    full, cola = metrics.Tally(), metrics.Tally()
    for items in users.values():
        lists = ranker.item(items)
        full.add(lists, items, np.full(len(items), len(items) - 1))
        targets = items[np.isin(items, tail)]
        sizes = len(targets) - np.isin(items, targets)
        if (sizes > 0).any():
            cola.add(lists[sizes > 0], targets, sizes[sizes > 0])
    return full, cola


def _score_personal(ranker: Ranker, cases: list[Case], tail: np.ndarray) -> Tallies:
    """Tallies of protocol 2 and its long-tail variant."""
    full, cola = metrics.Tally(), metrics.Tally()
    for history, skip, targets in cases:
        lists = ranker.personal(history, skip)[None, :]
        full.add(lists, targets)
        in_tail = targets[np.isin(targets, tail)]
        if in_tail.size:
            cola.add(lists, in_tail)
    return full, cola


def _tables(
    rankers: Mapping[str, Ranker],
    users: Mapping[int, np.ndarray],
    cases: list[Case],
    tail: np.ndarray,
    n: int,
    percentiles: np.ndarray,
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, list[float]]]]:
    """Metrics per protocol and row, and the per-user NDCG@10 / hit@10 (for the bootstrap)."""
    tables: dict[str, dict[str, Any]] = {p: {} for p in PROTOCOLS}
    per_user: dict[str, dict[str, list[float]]] = {p: {} for p in PROTOCOLS}
    for name, ranker in rankers.items():
        item, item_cola = _score_item(ranker, users, tail)
        personal, personal_cola = _score_personal(ranker, cases, tail)
        for protocol, tally in zip(
            PROTOCOLS, (item, personal, item_cola, personal_cola), strict=True
        ):
            tables[protocol][name] = tally.summary(n, percentiles)
            key = "hit" if protocol.endswith("cola") else "ndcg"
            per_user[protocol][name] = getattr(tally, key)
        tables["item"][name]["cobertura_catalogo"] = metrics.coverage(ranker.item(np.arange(n)))
    return tables, per_user


def _comparisons(
    tables: Mapping[str, Mapping[str, Any]], per_user: Mapping[str, Mapping[str, list[float]]]
) -> dict[str, Any]:
    """Per protocol: the best other row, bootstrap intervals, and the targets against CF."""
    out: dict[str, Any] = {}
    for protocol, rows in tables.items():
        key = "hit_10" if protocol.endswith("cola") else "ndcg_10"
        others = [r for r in rows if r != "filmoteca"]
        best = max(others, key=lambda r: rows[r].get(key, 0.0))
        ours, cf = rows["filmoteca"], rows["cf_item_item"]
        dominates = ours.get(key, 0) > cf.get(key, 0)
        if not protocol.endswith("cola"):
            dominates &= ours.get("cobertura", 0) >= cf.get("cobertura", 0)
            dominates &= ours.get("concentracion", 1) <= cf.get("concentracion", 1)
        users = per_user[protocol]
        out[protocol] = {
            "metrica": key,
            "mejor_otra_fila": best,
            "menos_mejor_otra": metrics.paired_bootstrap(users["filmoteca"], users[best]),
            "menos_cf": metrics.paired_bootstrap(users["filmoteca"], users["cf_item_item"]),
            "domina_a_cf": bool(dominates),
        }
    coverage = tables["item"]["filmoteca"].get("cobertura_catalogo", 0.0)
    out["cobertura_catalogo_item"] = {"valor": coverage, "objetivo": ">= 0.70",
                                      "cumple": coverage >= 0.70}  # fmt: skip
    return out


def evaluate(
    catalog_dir: Path, ratings: Path, links_small: Path, links: Path, seed: int = SPLIT_SEED
) -> dict[str, Any]:
    """Run every row on every protocol (held-out half; fitted and chosen on the tuning half)."""
    started = time.perf_counter()
    frames = recommender.read_frames(catalog_dir)
    ids = frames["movies"]["id"].to_numpy()
    rated = load_ratings(ratings, links_small, links, ids)
    all_users = rio.read_ratings(ratings)["userId"].to_numpy()
    tuning_users, heldout_users = split_users(all_users, seed)
    tuning = rated[rated["userId"].isin(tuning_users)]
    rankers, ours = fit_rows(frames, tuning, seed)
    liked = tuning[tuning["rating"] >= LIKED_RATING]
    counts = np.bincount(liked["item"].to_numpy(), minlength=len(ids))
    head = np.lexsort((np.arange(len(ids)), -counts))[:LONG_TAIL_HEAD]
    tail = np.setdiff1d(np.arange(len(ids)), head)
    users = liked_sets(rated, heldout_users, 2)
    cases = personal_cases(rated, heldout_users)
    pct = popularity_percentiles(ours.vote_counts_)
    tables, per_user = _tables(rankers, users, cases, tail, len(ids), pct)
    return {
        "protocolos": tables,
        "comparaciones": _comparisons(tables, per_user),
        "protocolo": {
            "catalogo": str(catalog_dir),
            "peliculas": len(ids),
            "me_gusta": f"rating >= {LIKED_RATING}",
            "semilla_particion": seed,
            "k": TOP_K,
            "historial": HISTORY,
            "cola_larga": f"fuera de las {LONG_TAIL_HEAD} más gustadas de la mitad de ajuste",
            "usuarios_ajuste": len(tuning_users),
            "usuarios_evaluacion": len(heldout_users),
            "parametros_filmoteca": ours.get_params(),
            "segundos": round(time.perf_counter() - started, 2),
        },
    }


def popularity_percentiles(vote_count: np.ndarray) -> np.ndarray:
    """Percentile (0-100) of each catalog movie by vote count (ties share their mean rank)."""
    pct = pd.Series(vote_count).rank(method="average", pct=True).to_numpy()
    return np.asarray(pct * 100.0, dtype=np.float64)


_COLUMNS = [
    ("hit_10", "hit@10", "{:.3f}"),
    ("ndcg_10", "NDCG@10", "{:.3f}"),
    ("recall_10", "recall@10", "{:.3f}"),
    ("cobertura", "cobertura", "{:.1%}"),
    ("concentracion", "concentración", "{:.1%}"),
    ("percentil_popularidad", "percentil de popularidad", "{:.1f}"),
]


def _cell(value: float, fmt: str) -> str:
    """One number in Spanish format (decimal comma)."""
    text = fmt.format(value)
    return text.replace(".", ",").replace("%", " %")


def _table(protocol: str, rows: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One protocol's Markdown table."""
    first = rows["filmoteca"]
    extra = protocol == "item"
    head = [label for _, label, _ in _COLUMNS] + (["cobertura del catálogo"] if extra else [])
    lines = [
        f"**{PROTOCOLS[protocol]}** ({first.get('usuarios', 0)} usuarios, "
        f"{first.get('consultas', 0)} consultas)",
        "",
        "| fila | " + " | ".join(head) + " |",
        "|---|" + "---:|" * len(head),
    ]
    for name, m in rows.items():
        if not m.get("usuarios"):
            continue
        cells = [_cell(m[key], fmt) for key, _, fmt in _COLUMNS]
        if extra:
            cells.append(_cell(m["cobertura_catalogo"], "{:.1%}"))
        lines.append(f"| {ROWS[name]} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def to_markdown(result: Mapping[str, Any]) -> str:
    """Every protocol's table (held-out half) plus the comparisons with their intervals."""
    lines: list[str] = []
    for protocol, rows in result["protocolos"].items():
        lines += _table(protocol, rows)
        comp = result["comparaciones"][protocol]
        for label, key in (("la mejor otra fila", "menos_mejor_otra"), ("CF", "menos_cf")):
            b = comp[key]
            other = ROWS[comp["mejor_otra_fila"]] if key == "menos_mejor_otra" else "CF"
            lines.append(
                f"- filmoteca − {label} ({other}), {comp['metrica']}: "
                f"{_cell(b['diferencia'], '{:+.3f}')} "
                f"[IC 95 %: {_cell(b['ic95_bajo'], '{:+.3f}')}, {_cell(b['ic95_alto'], '{:+.3f}')}]"
            )
        mark = "sí" if comp["domina_a_cf"] else "no"
        lines += [f"- ¿domina a CF (más precisión sin menos diversidad)?: {mark}", ""]
    cov = result["comparaciones"]["cobertura_catalogo_item"]
    lines.append(f"- cobertura del catálogo ítem a ítem: {_cell(cov['valor'], '{:.1%}')} "
                 f"(objetivo ≥ 70 %): {'cumple' if cov['cumple'] else 'NO cumple'}")  # fmt: skip
    return "\n".join(lines).rstrip() + "\n"
