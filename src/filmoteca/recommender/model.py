"""The recommender estimator: fit over the catalog tables (and ratings), then answer from memory.

score(q, j) = content_weight · content(q, j) + cf_weight · cf(q, j) + bonus(j), where content is
the weighted cosine of the feature blocks (see `features`), cf the co-like similarity learned
from the ratings (see `collaborative`; 0 without ratings) and bonus(j) = prior_weight · prior(j)
- popularity_penalty · popularity(j): prior is the Bayesian average vote (vote_average shrunk
toward the catalog's median by `prior_votes` phantom votes, 0-1) and popularity log(1 + votes)
on a fixed 0-1 scale. Only movies sharing a feature, a genre or a co-like with q are
candidates: the bonus orders them, it never supplies one. `fit` stores each movie's
`n_neighbors` best-scoring candidates and their scores; a query answers from that list (several
liked movies: the mean of their lists' scores) and scores every movie by content only when
filters leave too few of them.

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
    "source": 1.33,  # split from "writer" (novels, comics...): as writer
    "crew": 1.176,
    "companies": 0.665,
    "collection": 2.66,  # not tunable here (the evaluation data has no collections): as cast
    "language": 0.75,
    "era": 0.75,
}
POPULAR_VOTES = 20_000  # popularity(j) = min(1, log(1 + votes) / log(1 + POPULAR_VOTES))
MIN_YEAR, MAX_YEAR, MAX_VOTES = 1870, 2100, 1e9
_PARAMS = (
    "weights",
    "content_weight",
    "cf_weight",
    "shrink",
    "cf_top",
    "popularity_penalty",
    "personal_penalty",
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
    similarity: float  # the score the list is ordered by, divided by score_scale() (0-1)
    reasons: tuple[str, ...]
    co_likes: int = 0  # people who liked both this and the (closest) query movie


class Recommender:
    """Hybrid item-to-item recommender: content + co-likes, a mild prior (scikit-learn contract)."""

    def __init__(
        self,
        weights: Mapping[str, float] | None = None,
        content_weight: float = 1.0,
        cf_weight: float = 2.0,
        shrink: float = 10.0,
        cf_top: int = 200,
        popularity_penalty: float = 0.0,
        personal_penalty: float = 0.05,
        prior_weight: float = 0.1,
        prior_votes: float = 2000.0,
        era_scale: float = 10.0,
        top_cast: int = 5,
        text_max_df: float = 0.02,
        n_neighbors: int = 50,
    ) -> None:
        self.weights = weights
        self.content_weight = content_weight
        self.cf_weight = cf_weight
        self.shrink = shrink
        self.cf_top = cf_top
        self.popularity_penalty = popularity_penalty
        self.personal_penalty = personal_penalty
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
        """Learn features, prior, co-likes and neighbour lists from the tables in `X`.

        X holds the catalog tables (`read_frames`) and, optionally, "ratings": a frame of
        userId, movie_id (TMDB), rating; without it the model is content-only."""
        from . import features as ft

        weights = {**DEFAULT_WEIGHTS, **(self.weights or {})}
        if set(weights) - set(DEFAULT_WEIGHTS) or min(weights.values()) < 0:
            raise InvalidQuery(f"Pesos del recomendador no válidos: {dict(weights)}.")
        movies = clean_movies(X["movies"])
        frames = {**X, "movies": movies}
        feats = ft.build_features(
            frames, weights, self.top_cast, self.text_max_df, self.era_scale, _genre_names()
        )
        self.weights_ = weights
        self.movie_ids_ = movies["id"].to_numpy(dtype=np.int64)
        self.id_order_ = np.argsort(self.movie_ids_, kind="stable")
        self.titles_: Sequence[str] = movies["title"].fillna("").astype(str).tolist()
        self.years_ = movies["release_year"].fillna(0).to_numpy(dtype=np.int16)
        self.vote_counts_ = movies["vote_count"].to_numpy(dtype=np.int64)
        self.vote_averages_ = movies["vote_average"].to_numpy(dtype=np.float32)
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
        cf, counts = self._fit_cf(X.get("ratings"))
        self._fit_neighbors(feats.matrix, feats.era, cf)
        self.co_likes_ = _pair_values(counts, self.neighbors_)
        return self

    def _fit_cf(self, ratings: pd.DataFrame | None) -> tuple[sp.csr_matrix | None, Any]:
        """Weighted co-like similarity and co-like counts (None, None without ratings)."""
        self.has_ratings_ = ratings is not None and len(ratings) > 0
        self.likes_ = np.zeros(len(self.movie_ids_), np.int32)
        if not self.has_ratings_:
            return None, None
        from . import collaborative

        assert ratings is not None
        sim, counts, likes = collaborative.fit(ratings, self.movie_ids_, self.shrink, self.cf_top)
        self.likes_ = likes.astype(np.int32)
        return (sim * np.float32(self.cf_weight) if self.cf_weight > 0 else None), counts

    def _prior(self, votes: np.ndarray, averages: np.ndarray) -> np.ndarray:
        """Bayesian average vote on a 0-1 scale, shrunk toward the median of the voted movies
        (a median: one extreme value cannot move every movie's prior)."""
        voted = votes > 0
        mean = float(np.median(averages[voted])) if voted.any() else 0.0
        bayes = (votes * averages + self.prior_votes * mean) / (votes + self.prior_votes)
        return np.asarray(bayes / 10.0, dtype=np.float32)

    def popularity(self, rows: np.ndarray | None = None) -> np.ndarray:
        """log(1 + votes) on a fixed 0-1 scale (1 from POPULAR_VOTES votes on)."""
        votes = self.vote_counts_ if rows is None else self.vote_counts_[rows]
        return np.asarray(np.minimum(np.log1p(votes) / np.log1p(POPULAR_VOTES), 1.0), np.float32)

    def bonus(self) -> np.ndarray:
        """The per-movie term added to every score: prior minus popularity penalty."""
        return self.bonus_of(np.arange(len(self.movie_ids_)))

    def _fit_neighbors(self, matrix: sp.csr_matrix, era: np.ndarray, cf: Any) -> None:
        """Neighbour lists; genres and era are the dense part (few and frequent features)."""
        from .neighbors import top_neighbors

        spans = [self.blocks_[b] for b in self.active_blocks_ if b in self.blocks_]
        sparse_cols = [np.arange(a, b) for a, b in spans if self.blocks_["genres"] != (a, b)]
        start, stop = self.blocks_["genres"]
        genres = matrix[:, start:stop].toarray()
        dense = np.hstack([genres, era])
        cols = np.concatenate([np.zeros(0, np.int64), *sparse_cols])
        neighbors, scores = top_neighbors(
            matrix[:, cols],
            dense,
            self.language_codes_,
            self.language_weight_,
            self.bonus(),
            self.n_neighbors,
            genres=genres.shape[1],
            content_weight=self.content_weight,
            cf=cf,
        )
        self.neighbors_ = neighbors
        self.similarities_ = scores.astype(np.float32)

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
        self, rows: np.ndarray, k: int, filters: Filters | None, skip: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Fallback over every movie that passes the filters and shares a feature with `rows`:
        top-k by mean content similarity plus the bonus; (movies, those scores, per-row
        similarities of those movies when computed)."""
        per_row = None
        n = len(self.movie_ids_)
        cand = np.flatnonzero(self._allowed(np.arange(n), filters))
        cand = cand[~np.isin(cand, skip)]
        if len(cand) > n // 8:  # one mat-vec over everything is cheaper than slicing
            sim = self.mean_similarity(rows)[cand]
        else:
            per_row = self.similarity(rows, cand)
            sim = per_row.mean(axis=0)
        shared = self._shares(rows, cand, per_row is not None)
        cand, sim = cand[shared], sim[shared]
        per_row = None if per_row is None else per_row[:, shared]
        score = self.content_weight * sim + self.bonus_of(cand)
        top = np.argpartition(-score, k - 1)[:k] if len(cand) > k else np.arange(len(cand))
        top = top[np.argsort(-score[top], kind="stable")]
        return cand[top], score[top], None if per_row is None else per_row[:, top]

    def _shares(self, rows: np.ndarray, candidates: np.ndarray, few: bool) -> np.ndarray:
        """Which candidates share a feature (a word, genre, keyword, person...) with some row:
        era and language alone are no evidence."""
        if few:
            return np.asarray(row_dots(self.features_, rows, candidates).max(axis=0) > 0)
        query = self.features_.mean_of_rows(rows)
        return np.asarray(self.features_.matvec(query)[candidates] > 0)

    def bonus_of(self, rows: np.ndarray) -> np.ndarray:
        """The bonus (prior minus popularity penalty) of some rows."""
        popularity = self.popularity(rows)
        bonus = self.prior_weight * self.prior_[rows] - self.popularity_penalty * popularity
        return np.asarray(bonus, dtype=np.float32)

    def recommend(
        self, movie_id: int, k: int = 5, filters: Filters | None = None
    ) -> list[Recommendation]:
        """The k best movies for one movie (never itself), with reasons."""
        row = self._position(movie_id)
        self._check_filters(filters)
        candidates = self.neighbors_[row]
        ok = (candidates >= 0) & self._allowed(np.maximum(candidates, 0), filters)
        best = candidates[ok][:k]
        sims = self.similarities_[row][ok][:k].astype(np.float32)
        listed = np.count_nonzero(candidates >= 0)
        if filters is not None and len(best) < k and listed < len(self.movie_ids_) - 1:
            best, sims, _ = self._best(np.array([row]), k, filters, np.array([row]))
        return [
            self._recommendation(row, int(j), float(s))
            for j, s in zip(best.tolist(), sims.tolist(), strict=True)
        ]

    def rank_many(
        self, rows: np.ndarray, skip: np.ndarray, k: int, filters: Filters | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Top-k rows for several liked rows by the mean of their stored lists' scores (a movie
        absent from a list counts 0) minus personal_penalty · popularity: (movies, those
        scores, the liked row each is closest to)."""
        lists = self.neighbors_[rows]
        scores = self.similarities_[rows].astype(np.float32)
        valid = lists >= 0
        cand, where = np.unique(lists[valid], return_inverse=True)
        per_row = np.zeros((len(rows), len(cand)), np.float32)
        per_row[np.nonzero(valid)[0], where] = scores[valid]
        keep = self._allowed(cand, filters) & ~np.isin(cand, skip)
        cand, per_row = cand[keep], per_row[:, keep]
        total = per_row.sum(axis=0) / len(rows)
        if self.personal_penalty:
            total -= np.float32(self.personal_penalty) * self.popularity(cand)
        top = np.argpartition(-total, k - 1)[:k] if len(cand) > k else np.arange(len(cand))
        top = top[np.lexsort((cand[top], -total[top]))]
        return cand[top], total[top], rows[np.argmax(per_row[:, top], axis=0)]

    def recommend_many(
        self,
        liked_ids: Iterable[int],
        exclude_ids: Iterable[int] = (),
        k: int = 5,
        filters: Filters | None = None,
    ) -> list[Recommendation]:
        """The k best movies for several liked movies (`rank_many`), with reasons.

        When filters leave fewer than k of the lists' movies, every movie is scored by its mean
        content similarity (plus the bonus)."""
        rows = np.unique([self._position(int(i)) for i in liked_ids]).astype(np.int64)
        if rows.size == 0:
            raise InvalidQuery("Indique al menos una película que le guste.")
        self._check_filters(filters)
        excluded = [self._position(int(i), strict=False) for i in exclude_ids]
        skip = np.r_[rows, [e for e in excluded if e >= 0]].astype(np.int64)
        best, sims, closest = self.rank_many(rows, skip, k, filters)
        if filters is not None and len(best) < k:
            best, sims, per_row = self._best(rows, k, filters, skip)
            if per_row is None:
                per_row = self.similarity(rows, best)
            closest = rows[np.argmax(per_row, axis=0)] if best.size else best
        many = rows.size > 1
        return [
            self._recommendation(int(q), int(j), float(s), many)
            for q, j, s in zip(closest.tolist(), best.tolist(), sims.tolist(), strict=True)
        ]

    def score_scale(self) -> float:
        """The largest score a pair can reach (all weights at their maximum): shown scores are
        divided by it, so that they stay within 0-1 in the same order as the list."""
        weights = self.content_weight + (self.cf_weight if self.has_ratings_ else 0.0)
        return max(weights + max(self.prior_weight, 0.0), 1e-9)

    def co_likes(self, query: int, item: int) -> int:
        """People who liked both movies (rows), when `item` is in the stored list of `query`."""
        at = np.flatnonzero(self.neighbors_[query] == item)
        return int(self.co_likes_[query, at[0]]) if at.size else 0

    def _recommendation(
        self, query: int, j: int, similarity: float, many: bool = False
    ) -> Recommendation:
        """Shape one result, with the reasons it shares with the query movie."""
        both = self.co_likes(query, j)
        found = reasons(self, query, j, both)
        if many:
            found = [f"parecida a: {self.titles_[query]}", *found]
        year = int(self.years_[j])
        return Recommendation(
            id=int(self.movie_ids_[j]),
            title=self.titles_[j],
            year=year or None,
            similarity=round(min(1.0, max(0.0, similarity / self.score_scale())), 4),
            reasons=tuple(found),
            co_likes=both,
        )

    def top_matrix(self, k: int) -> np.ndarray:
        """Unfiltered top-k rows for every movie (-1 pads; for the offline evaluation)."""
        return np.asarray(self.neighbors_[:, :k], dtype=np.int64)


def clean_movies(movies: pd.DataFrame) -> pd.DataFrame:
    """The movie columns the model reads, with every non-finite or out-of-range number made
    "unknown" (year 0 / NaN, no votes), so that one bad value cannot sway other movies."""
    import pandas as pd

    years = pd.to_numeric(movies["release_year"], errors="coerce")
    years = years.where((years >= MIN_YEAR) & (years <= MAX_YEAR))
    votes = pd.to_numeric(movies["vote_count"], errors="coerce")
    average = pd.to_numeric(movies["vote_average"], errors="coerce")
    good = np.isfinite(average) & (average >= 0) & (average <= 10)
    good &= np.isfinite(votes) & (votes >= 0) & (votes <= MAX_VOTES)
    return movies.assign(
        release_year=years,
        vote_count=votes.where(good, 0).fillna(0).round().astype(np.int64),
        vote_average=average.where(good, 0.0).fillna(0.0).astype(np.float32),
    )


def _pair_values(counts: Any, neighbors: np.ndarray) -> np.ndarray:
    """counts[i, neighbors[i, c]] for every stored pair (0 without counts or for -1), int32."""
    out = np.zeros(neighbors.shape, np.int32)
    if counts is None or neighbors.size == 0:
        return out
    rows = np.repeat(np.arange(neighbors.shape[0]), neighbors.shape[1])
    cols = neighbors.ravel()
    ok = cols >= 0
    values = np.asarray(counts[rows[ok], cols[ok]]).ravel()
    out.ravel()[np.flatnonzero(ok)] = values.astype(np.int32)
    return out


def era_table(scale: float, weight: float) -> np.ndarray:
    """Weighted era similarity by year gap 0..255: weight · exp(-(gap / scale)²)."""
    gaps = np.arange(256, dtype=np.float64)
    return np.asarray(weight * np.exp(-((gaps / scale) ** 2)), dtype=np.float32)


def _genre_names() -> dict[str, str]:
    """Spanish genre names (shared with the report)."""
    from ..report.labels import GENRES

    return dict(GENRES)
