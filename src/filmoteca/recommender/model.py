"""The recommender estimator: fit over the catalog tables, then answer from memory.

score(q, j) = similarity(q, j) + prior_weight · prior(j), where similarity is the weighted
cosine of the feature blocks (see `features`) and prior(j) is the movie's Bayesian average vote
(vote_average shrunk toward the catalog mean by `prior_votes` phantom votes) on a 0-1 scale.
`fit` stores each movie's `n_neighbors` best-scoring other movies; a query answers from that
list and falls back to scoring every movie when its filters leave too few of them.

The class follows the scikit-learn estimator contract (`__init__` only stores parameters,
`fit` returns self, learned attributes end in `_`, `get_params` / `set_params`, so that
`sklearn.base.clone` works) without inheriting `BaseEstimator`: importing scikit-learn costs
the server about 60 MB and 0.7 s, and serving never needs it. pandas, scipy and scikit-learn
are imported by `fit` only: the learned feature matrix is kept as a plain-numpy `Csr` (the
loaded model maps it from the catalog), so that fitted and loaded models answer alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidQuery, NotFound
from .csr import Csr
from .dots import row_dots
from .reasons import reasons

if TYPE_CHECKING:
    import pandas as pd
    import scipy.sparse as sp

# Found by bench/tune_recommender.py --uniforme on the tuning half of the MovieLens users only
# (the held-out half is never used to choose them); see README, "Recomendador".
DEFAULT_WEIGHTS: dict[str, float] = {
    "text": 2.66,
    "genres": 0.665,
    "keywords": 2.653,
    "cast": 2.66,
    "director": 0.053,  # directors mostly also write or share crew: those blocks carry it
    "writer": 1.33,
    "crew": 1.176,
    "companies": 0.665,
    "collection": 2.66,  # not tunable here (the evaluation data has no collections): as cast
    "language": 0.75,
    "era": 0.75,
}
_PARAMS = (
    "weights",
    "prior_weight",
    "prior_votes",
    "era_scale",
    "top_cast",
    "text_max_df",
    "n_neighbors",
)


@dataclass(frozen=True, slots=True)
class Filters:
    """Optional restrictions on what may be recommended."""

    since: int | None = None
    until: int | None = None
    min_votes: int | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One recommended movie, with its similarity to the query and the reasons for it."""

    id: int
    title: str
    year: int | None
    similarity: float
    reasons: tuple[str, ...]


class Recommender:
    """Content-based item-to-item recommender with a quality prior (scikit-learn contract)."""

    def __init__(
        self,
        weights: Mapping[str, float] | None = None,
        prior_weight: float = 0.667,
        prior_votes: float = 2000.0,
        era_scale: float = 10.0,
        top_cast: int = 5,
        text_max_df: float = 0.02,
        n_neighbors: int = 50,
    ) -> None:
        self.weights = weights
        self.prior_weight = prior_weight
        self.prior_votes = prior_votes
        self.era_scale = era_scale
        self.top_cast = top_cast
        self.text_max_df = text_max_df
        self.n_neighbors = n_neighbors

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor parameters (scikit-learn convention)."""
        return {name: getattr(self, name) for name in _PARAMS}

    def set_params(self, **params: Any) -> Recommender:
        """Change constructor parameters (scikit-learn convention); returns self."""
        unknown = set(params) - set(_PARAMS)
        if unknown:
            raise InvalidQuery(f"Parámetros desconocidos del recomendador: {sorted(unknown)}.")
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"Recommender({args})"

    def fit(self, X: Mapping[str, pd.DataFrame], y: None = None) -> Recommender:
        """Learn features, prior and neighbour lists from the catalog tables in `X`."""
        from . import features as ft

        weights = {**DEFAULT_WEIGHTS, **(self.weights or {})}
        if set(weights) - set(DEFAULT_WEIGHTS) or min(weights.values()) < 0:
            raise InvalidQuery(f"Pesos del recomendador no válidos: {dict(weights)}.")
        movies = X["movies"]
        feats = ft.build_features(
            X, weights, self.top_cast, self.text_max_df, self.era_scale, _genre_names()
        )
        self.weights_ = weights
        self.movie_ids_ = movies["id"].to_numpy(dtype=np.int64)
        self.id_order_ = np.argsort(self.movie_ids_, kind="stable")
        self.titles_: Sequence[str] = movies["title"].fillna("").astype(str).tolist()
        self.years_ = movies["release_year"].fillna(0).to_numpy(dtype=np.int16)
        self.vote_counts_ = movies["vote_count"].fillna(0).to_numpy(dtype=np.int64)
        self.vote_averages_ = movies["vote_average"].fillna(0).to_numpy(dtype=np.float32)
        self.prior_ = self._prior(self.vote_counts_, self.vote_averages_)
        self.features_ = Csr.of(feats.matrix)
        self.blocks_ = feats.blocks
        self.feature_names_: Sequence[str] = feats.names
        self.era_weight_ = feats.era_weight
        self.era_table_ = era_table(self.era_scale, self.era_weight_)
        self.language_codes_ = feats.language_codes
        self.languages_ = feats.languages
        self.language_weight_ = feats.language_weight
        self.active_blocks_ = [b for b in feats.present if weights.get(b, 0.0) > 0]
        self._fit_neighbors(feats.matrix, feats.era)
        return self

    def _prior(self, votes: np.ndarray, averages: np.ndarray) -> np.ndarray:
        """Bayesian average vote on a 0-1 scale."""
        voted = votes > 0
        mean = float(np.average(averages[voted], weights=votes[voted])) if voted.any() else 0.0
        bayes = (votes * averages + self.prior_votes * mean) / (votes + self.prior_votes)
        return np.asarray(bayes / 10.0, dtype=np.float32)

    def _fit_neighbors(self, matrix: sp.csr_matrix, era: np.ndarray) -> None:
        """Neighbour lists; genres and era are the dense part (few and frequent features)."""
        from .neighbors import top_neighbors

        spans = [self.blocks_[b] for b in self.active_blocks_ if b in self.blocks_]
        sparse_cols = [np.arange(a, b) for a, b in spans if self.blocks_["genres"] != (a, b)]
        start, stop = self.blocks_["genres"]
        dense = np.hstack([matrix[:, start:stop].toarray(), era])
        cols = np.concatenate([np.zeros(0, np.int64), *sparse_cols])
        neighbors, sims = top_neighbors(
            matrix[:, cols],
            dense,
            self.language_codes_,
            self.language_weight_,
            self.prior_weight * self.prior_,
            self.n_neighbors,
        )
        self.neighbors_ = neighbors
        self.similarities_ = sims.astype(np.float16)

    @classmethod
    def load(cls, model_dir: Path) -> Recommender:
        """Load a model saved in the catalog (`<catalog>/recomendador`)."""
        from .storage import load

        return load(model_dir)

    # ---- queries -------------------------------------------------------------------------

    def __contains__(self, movie_id: object) -> bool:
        return isinstance(movie_id, int) and self._position(movie_id, strict=False) >= 0

    def title_of(self, movie_id: int) -> tuple[str, int | None]:
        """Title and year of a movie of the model."""
        row = self._position(movie_id)
        return self.titles_[row], int(self.years_[row]) or None

    def _position(self, movie_id: int, strict: bool = True) -> int:
        """Row of a movie id (-1, or NotFound when strict, if it is not in the model)."""
        order = self.id_order_
        at = int(np.searchsorted(self.movie_ids_, movie_id, sorter=order))
        if at < len(order) and self.movie_ids_[order[at]] == movie_id:
            return int(order[at])
        if strict:
            raise NotFound(f"La película con id {movie_id} no está en el recomendador.")
        return -1

    def _allowed(self, rows: np.ndarray, filters: Filters | None) -> np.ndarray:
        """Which of `rows` pass the filters."""
        ok = np.ones(rows.shape, dtype=bool)
        if filters is None:
            return ok
        years = self.years_[rows]
        if filters.since is not None:
            ok &= years >= filters.since
        if filters.until is not None:
            ok &= (years <= filters.until) & (years > 0)
        if filters.min_votes is not None:
            ok &= self.vote_counts_[rows] >= filters.min_votes
        if filters.language is not None:
            ok &= self.language_codes_[rows] == self._language_code(filters.language)
        return ok

    def _language_code(self, language: str) -> int:
        """Code of an ISO 639-1 language of the catalog; InvalidQuery if none has it."""
        key = language.strip().lower()
        if key not in self.languages_:
            shown = ", ".join(self.languages_[:20])
            raise InvalidQuery(
                f"Ninguna película del catálogo tiene el idioma original '{language}'. "
                f"Use un código ISO 639-1 como: {shown}.",
                valores_validos=self.languages_,
            )
        return self.languages_.index(key)

    def _check_filters(self, filters: Filters | None) -> None:
        """Reject contradictory or unknown filters before answering."""
        if filters is None:
            return
        if (
            filters.since is not None
            and filters.until is not None
            and filters.since > filters.until
        ):
            raise InvalidQuery(
                f"El año 'desde' ({filters.since}) es posterior al año 'hasta' ({filters.until})."
            )
        if filters.language is not None:
            self._language_code(filters.language)

    def similarity(self, rows: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        """Similarity of each candidate to every movie at `rows`, shape (rows, candidates);
        exact, the same formula the neighbour lists were built with."""
        sim = row_dots(self.features_, rows, candidates)
        sim += self._era(rows, candidates)
        codes = self.language_codes_[candidates]
        same = (self.language_codes_[rows][:, None] == codes[None, :]) & (codes[None, :] >= 0)
        return np.asarray(sim + np.float32(self.language_weight_) * same, dtype=np.float32)

    def _era(self, rows: np.ndarray, candidates: np.ndarray | None) -> np.ndarray:
        """Era similarity (rows x candidates), from the year gap; 0 when a year is unknown."""
        years = self.years_.astype(np.int32)
        mine = years[rows][:, None]
        theirs = (years if candidates is None else years[candidates])[None, :]
        gap = np.minimum(np.abs(mine - theirs), len(self.era_table_) - 1)
        return np.where((mine > 0) & (theirs > 0), self.era_table_[gap], np.float32(0))

    def mean_similarity(self, rows: np.ndarray) -> np.ndarray:
        """Mean similarity of every movie to the movies at `rows` (one sparse mat-vec)."""
        query = self.features_.mean_of_rows(rows)
        sim = self.features_.matvec(query) + self._era(rows, None).mean(axis=0)
        codes = self.language_codes_[rows]
        share = np.bincount(codes[codes >= 0], minlength=len(self.languages_) + 1) / len(rows)
        lang = np.where(self.language_codes_ >= 0, share[self.language_codes_], 0.0)
        return np.asarray(sim + self.language_weight_ * lang, dtype=np.float32)

    def _best(
        self,
        rows: np.ndarray,
        candidates: np.ndarray | None,
        k: int,
        filters: Filters | None,
        skip: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Top-k movies by mean similarity to `rows` among candidates (None: all) minus skip:
        (movies, mean similarities, per-row similarities of those movies when computed)."""
        per_row = None
        if candidates is None:
            n = len(self.movie_ids_)
            cand = np.flatnonzero(self._allowed(np.arange(n), filters))
            cand = cand[~np.isin(cand, skip)]
            if len(cand) > n // 8:  # one mat-vec over everything is cheaper than slicing
                sim = self.mean_similarity(rows)[cand]
            else:
                per_row = self.similarity(rows, cand)
                sim = per_row.mean(axis=0)
        else:
            cand = candidates[self._allowed(candidates, filters) & ~np.isin(candidates, skip)]
            per_row = self.similarity(rows, cand)
            sim = per_row.mean(axis=0)
        score = sim + self.prior_weight * self.prior_[cand]
        top = np.argpartition(-score, k - 1)[:k] if len(cand) > k else np.arange(len(cand))
        top = top[np.argsort(-score[top], kind="stable")]
        return cand[top], sim[top], None if per_row is None else per_row[:, top]

    def recommend(
        self, movie_id: int, k: int = 5, filters: Filters | None = None
    ) -> list[Recommendation]:
        """The k best movies for one movie (never itself), with reasons."""
        row = self._position(movie_id)
        self._check_filters(filters)
        candidates = self.neighbors_[row]
        ok = self._allowed(candidates, filters)
        best = candidates[ok][:k]
        sims = self.similarities_[row][ok][:k].astype(np.float32)
        if len(best) < k and len(candidates) < len(self.movie_ids_) - 1:
            best, sims, _ = self._best(np.array([row]), None, k, filters, np.array([row]))
        return [
            self._recommendation(row, int(j), float(s))
            for j, s in zip(best.tolist(), sims.tolist(), strict=True)
        ]

    def recommend_many(
        self,
        liked_ids: Iterable[int],
        exclude_ids: Iterable[int] = (),
        k: int = 5,
        filters: Filters | None = None,
    ) -> list[Recommendation]:
        """The k best movies for several liked movies by mean similarity, with reasons.

        Candidates are the union of the liked movies' stored lists; when filters leave fewer
        than k of them, every movie is a candidate."""
        rows = np.unique([self._position(int(i)) for i in liked_ids]).astype(np.int64)
        if rows.size == 0:
            raise InvalidQuery("Indique al menos una película que le guste.")
        self._check_filters(filters)
        excluded = [self._position(int(i), strict=False) for i in exclude_ids]
        skip = np.r_[rows, [e for e in excluded if e >= 0]].astype(np.int64)
        pool = np.setdiff1d(np.unique(self.neighbors_[rows]), skip)
        everything = np.count_nonzero(self._allowed(pool, filters)) < k
        best, sims, per_row = self._best(rows, None if everything else pool, k, filters, skip)
        if per_row is None:
            per_row = self.similarity(rows, best)
        closest = rows[np.argmax(per_row, axis=0)] if best.size else best
        many = rows.size > 1
        return [
            self._recommendation(int(q), int(j), float(s), many)
            for q, j, s in zip(closest.tolist(), best.tolist(), sims.tolist(), strict=True)
        ]

    def _recommendation(
        self, query: int, j: int, similarity: float, many: bool = False
    ) -> Recommendation:
        """Shape one result, with the reasons it shares with the query movie."""
        found = reasons(self, query, j)
        if many:
            found = [f"parecida a: {self.titles_[query]}", *found]
        year = int(self.years_[j])
        return Recommendation(
            id=int(self.movie_ids_[j]),
            title=self.titles_[j],
            year=year or None,
            similarity=round(min(1.0, max(0.0, similarity)), 4),
            reasons=tuple(found),
        )

    def top_matrix(self, k: int) -> np.ndarray:
        """Unfiltered top-k rows for every movie (for the offline evaluation)."""
        return np.asarray(self.neighbors_[:, :k], dtype=np.int64)


def era_table(scale: float, weight: float) -> np.ndarray:
    """Weighted era similarity by year gap 0..255: weight · exp(-(gap / scale)²)."""
    gaps = np.arange(256, dtype=np.float64)
    return np.asarray(weight * np.exp(-((gaps / scale) ** 2)), dtype=np.float32)


def _genre_names() -> dict[str, str]:
    """Spanish genre names (shared with the report)."""
    from ..report.labels import GENRES

    return dict(GENRES)
