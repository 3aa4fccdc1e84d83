"""The recommender's queries: what a fitted or loaded model answers, from its learned arrays.

Kept apart from `model` (parameters and fitting) so that serving reads only this: it needs
numpy and the mapped arrays, never pandas, scipy or scikit-learn.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidQuery, NotFound
from .csr import Csr
from .dots import row_dots
from .reasons import reasons

POPULAR_VOTES = 20_000  # popularity(j) = min(1, log(1 + votes) / log(1 + POPULAR_VOTES))


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


class Queries:
    """Recommendations from the learned attributes of a `Recommender` (its base class)."""

    content_weight: float
    cf_weight: float
    saga_weight: float
    popularity_penalty: float
    personal_penalty: float
    personal_saga_weight: float
    prior_weight: float
    movie_ids_: np.ndarray
    id_order_: np.ndarray
    titles_: Sequence[str]
    years_: np.ndarray
    vote_counts_: np.ndarray
    vote_averages_: np.ndarray
    prior_: np.ndarray
    features_: Csr
    blocks_: dict[str, tuple[int, int]]
    feature_names_: Sequence[str]
    era_table_: np.ndarray
    language_codes_: np.ndarray
    languages_: list[str]
    language_weight_: float
    neighbors_: np.ndarray
    similarities_: np.ndarray
    co_likes_: np.ndarray
    sagas_: np.ndarray
    has_ratings_: bool

    def popularity(self, rows: np.ndarray | None = None) -> np.ndarray:
        """log(1 + votes) on a fixed 0-1 scale (1 from POPULAR_VOTES votes on)."""
        votes = self.vote_counts_ if rows is None else self.vote_counts_[rows]
        return np.asarray(np.minimum(np.log1p(votes) / np.log1p(POPULAR_VOTES), 1.0), np.float32)

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
        scores, the liked row each is closest to). With two or more rows, a stored pair of one
        saga counts personal_saga_weight · saga_weight for the saga instead of saga_weight
        (one row: the stored list as it is)."""
        lists = self.neighbors_[rows]
        scores = self.similarities_[rows].astype(np.float32)
        cut = (1.0 - self.personal_saga_weight) * self.saga_weight
        if len(rows) > 1 and cut:
            scores -= np.float32(cut) * self.sagas_[rows]
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
        weights += self.saga_weight
        return max(weights + max(self.prior_weight, 0.0), 1e-9)

    def co_likes(self, query: int, item: int) -> int:
        """People who liked both movies (rows), when `item` is in the stored list of `query`."""
        at = np.flatnonzero(self.neighbors_[query] == item)
        return int(self.co_likes_[query, at[0]]) if at.size else 0

    def same_saga(self, query: int, item: int) -> bool:
        """Whether both movies (rows) are of one saga, when `item` is in the list of `query`."""
        at = np.flatnonzero(self.neighbors_[query] == item)
        return bool(at.size and self.sagas_[query, at[0]])

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
