"""The recommender estimator: fit over the catalog tables (and ratings), then answer from memory.

score(q, j) = content_weight · content(q, j) + cf_weight · g(q, j) · cf(q, j)
              + saga_weight · saga(q, j) + bonus(j)

where content is the weighted cosine of the feature blocks (see `features`), cf the asymmetric
co-like similarity learned from the ratings (see `collaborative`: exponent `cf_alpha`, each
person's likes weighed by m_u^-cf_user_beta; 0 without ratings), g = 1 when q and j share a
genre and `cf_off_genre` otherwise (co-likes with nothing in common count less), saga(q, j) = 1
for two movies of one saga (see `sagas`: they come first) and bonus(j) = prior_weight ·
prior(j) - popularity_penalty · popularity(j): prior is the Bayesian average vote (vote_average
shrunk toward the catalog's median by `prior_votes` phantom votes, 0-1) and popularity log(1 +
votes) on a fixed 0-1 scale. Only movies sharing a feature, a genre, a saga or a co-like with q
are candidates: the bonus orders them, it never supplies one. `fit` stores each movie's
`n_neighbors` best-scoring candidates and their scores; a query answers from that list (several
liked movies: the mean of their lists' scores, each pair of one saga counting
personal_saga_weight · saga_weight for it, minus personal_penalty · popularity) and scores
every movie by content only when filters leave too few of them.

The class follows the scikit-learn estimator contract (`__init__` only stores parameters,
`fit` returns self, learned attributes end in `_`, `get_params` / `set_params`, so that
`sklearn.base.clone` works) without inheriting `BaseEstimator`: importing scikit-learn costs
the server about 60 MB and 0.7 s, and serving never needs it. pandas, scipy and scikit-learn
are imported by `fit` only: the learned feature matrix is kept as a plain-numpy `Csr` (the
loaded model maps it from the catalog), so that fitted and loaded models answer alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidQuery
from .csr import Csr
from .queries import Filters, Queries, Recommendation

__all__ = ["DEFAULT_WEIGHTS", "Filters", "Recommendation", "Recommender", "era_table"]

if TYPE_CHECKING:
    import pandas as pd
    import scipy.sparse as sp

    from . import features as ft

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
MIN_YEAR, MAX_YEAR, MAX_VOTES = 1870, 2100, 1e9
_PARAMS = (
    "weights",
    "content_weight",
    "cf_weight",
    "shrink",
    "cf_top",
    "cf_alpha",
    "cf_user_beta",
    "cf_off_genre",
    "saga_weight",
    "popularity_penalty",
    "personal_penalty",
    "personal_saga_weight",
    "prior_weight",
    "prior_votes",
    "era_scale",
    "top_cast",
    "text_max_df",
    "n_neighbors",
)


class Recommender(Queries):
    """Hybrid item-to-item recommender: content + co-likes, a mild prior (scikit-learn contract)."""

    def __init__(
        self,
        weights: Mapping[str, float] | None = None,
        content_weight: float = 1.0,
        cf_weight: float = 3.0,
        shrink: float = 10.0,
        cf_top: int = 200,
        cf_alpha: float = 0.35,
        cf_user_beta: float = 0.5,
        cf_off_genre: float = 0.5,
        saga_weight: float = 1.0,
        popularity_penalty: float = 0.0,
        personal_penalty: float = 0.1,
        personal_saga_weight: float = 0.75,
        prior_weight: float = 0.1,
        prior_votes: float = 2000.0,
        era_scale: float = 10.0,
        top_cast: int = 5,
        text_max_df: float = 0.02,
        n_neighbors: int = 100,
    ) -> None:
        self.weights = weights
        self.content_weight = content_weight
        self.cf_weight = cf_weight
        self.shrink = shrink
        self.cf_top = cf_top
        self.cf_alpha = cf_alpha
        self.cf_user_beta = cf_user_beta
        self.cf_off_genre = cf_off_genre
        self.saga_weight = saga_weight
        self.popularity_penalty = popularity_penalty
        self.personal_penalty = personal_penalty
        self.personal_saga_weight = personal_saga_weight
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

    def fit(
        self, X: Mapping[str, pd.DataFrame], y: None = None, ahead: ft.FromMovies | None = None
    ) -> Recommender:
        """Learn features, prior, co-likes and neighbour lists from the tables in `X`.

        X holds the catalog tables (`read_frames`) and, optionally, "ratings": a frame of
        userId, movie_id (TMDB), rating; without it the model is content-only. `ahead` is
        what the fit derives from the movies alone when it was already made
        (`features.from_movies(X["movies"], text_max_df)`: a build makes it while the tables
        are written; the fit takes its parts, `FromMovies.hand_over`)."""
        from . import features as ft

        weights = {**DEFAULT_WEIGHTS, **(self.weights or {})}
        if set(weights) - set(DEFAULT_WEIGHTS) or min(weights.values()) < 0:
            raise InvalidQuery(f"Pesos del recomendador no válidos: {dict(weights)}.")
        text, titles = (None, None) if ahead is None else ahead.hand_over()
        movies = clean_movies(X["movies"])
        frames = {**X, "movies": movies}
        feats = ft.build_features(
            frames,
            weights,
            self.top_cast,
            self.text_max_df,
            self.era_scale,
            _genre_names(),
            text,
        )
        text = None  # its columns are in the feature matrix now
        self.weights_ = weights
        self.movie_ids_ = movies["id"].to_numpy(dtype=np.int64)
        self.id_order_ = np.argsort(self.movie_ids_, kind="stable")
        self.titles_: Sequence[str] = ft.movie_titles(movies)
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
        if cf is not None and self.cf_off_genre != 1.0:
            from .collaborative import gate_by_genre

            start, stop = self.blocks_["genres"]
            cf = gate_by_genre(cf, feats.matrix[:, start:stop], self.cf_off_genre)
        sagas, titles = self._fit_sagas(feats, titles), None
        if sagas is not None:
            weighted = sagas * np.float32(self.saga_weight)
            cf = weighted if cf is None else cf + weighted
        self._fit_neighbors(feats.matrix, feats.era, cf)
        self.co_likes_ = _pair_values(counts, self.neighbors_)
        self.sagas_ = (_pair_values(sagas, self.neighbors_) > 0).astype(np.int8)
        return self

    def _fit_cf(self, ratings: pd.DataFrame | None) -> tuple[sp.csr_matrix | None, Any]:
        """Weighted co-like similarity and co-like counts (None, None without ratings)."""
        self.has_ratings_ = ratings is not None and len(ratings) > 0
        self.likes_ = np.zeros(len(self.movie_ids_), np.int32)
        if not self.has_ratings_:
            return None, None
        from . import collaborative

        assert ratings is not None
        sim, counts, likes = collaborative.fit(
            ratings,
            self.movie_ids_,
            self.shrink,
            self.cf_top,
            alpha=self.cf_alpha,
            user_beta=self.cf_user_beta,
        )
        self.likes_ = likes.astype(np.int32)
        return (sim * np.float32(self.cf_weight) if self.cf_weight > 0 else None), counts

    def _fit_sagas(self, feats: Any, titles: sp.coo_matrix | None) -> sp.csr_matrix | None:
        """Pairs of movies of one saga (`sagas`; `titles`: the title pairs, when already
        made), None when they do not count (weight 0)."""
        if self.saga_weight <= 0:
            return None
        from .sagas import saga_pairs

        return saga_pairs(self.titles_, feats.matrix, feats.blocks, titles)

    def _prior(self, votes: np.ndarray, averages: np.ndarray) -> np.ndarray:
        """Bayesian average vote on a 0-1 scale, shrunk toward the median of the voted movies
        (a median: one extreme value cannot move every movie's prior)."""
        voted = votes > 0
        mean = float(np.median(averages[voted])) if voted.any() else 0.0
        bayes = (votes * averages + self.prior_votes * mean) / (votes + self.prior_votes)
        return np.asarray(bayes / 10.0, dtype=np.float32)

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
    if not ok.any():  # scipy answers an empty index with a matrix, not an array
        return out
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
