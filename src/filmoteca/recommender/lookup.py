"""Recommendations asked by title: the catalog's title rules in front of the recommender."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..catalog import Catalog, MovieRef, TitleMatch
from ..errors import InvalidQuery, NotFound
from .model import Filters, Recommendation, Recommender

MAX_SUGGESTIONS = 5


@dataclass(frozen=True, slots=True)
class ForTitle:
    """The movie a title named, and what is recommended for it."""

    match: TitleMatch
    recommendations: list[Recommendation]


@dataclass(frozen=True, slots=True)
class ForMany:
    """The liked movies found, the titles / ids not found, and the recommendations."""

    liked: list[MovieRef]
    not_found: list[str | int]
    recommendations: list[Recommendation]


def for_title(
    catalog: Catalog,
    model: Recommender,
    title: str,
    year: int | None = None,
    k: int = 5,
    filters: Filters | None = None,
) -> ForTitle:
    """Recommendations for the movie a title names (NotFound with suggestions if none)."""
    match = catalog.find_title(title, year)
    return ForTitle(match, model.recommend(match.movie.id, k, filters))


def for_id(
    model: Recommender, movie_id: int, k: int = 5, filters: Filters | None = None
) -> tuple[MovieRef, list[Recommendation]]:
    """The movie with a TMDB id and its recommendations (NotFound if the model lacks it)."""
    title, year = model.title_of(movie_id)
    return MovieRef(movie_id, title, year), model.recommend(movie_id, k, filters)


def _resolve(
    catalog: Catalog, model: Recommender, items: Sequence[str | int]
) -> tuple[list[MovieRef], list[str | int], list[str]]:
    """Movies named by titles or ids; the ones not found; suggestions for those."""
    found: dict[int, MovieRef] = {}
    missing: list[str | int] = []
    suggestions: list[str] = []
    for item in items:
        if isinstance(item, int):
            if item in model:
                title, year = model.title_of(item)
                found.setdefault(item, MovieRef(item, title, year))
            else:
                missing.append(item)
            continue
        try:
            ref = catalog.title_ref(item)
        except NotFound as exc:
            missing.append(item)
            suggestions += exc.details.get("sugerencias", [])
            continue
        found.setdefault(ref.id, ref)
    return list(found.values()), missing, suggestions


def for_many(
    catalog: Catalog,
    model: Recommender,
    liked: Sequence[str | int],
    discard: Sequence[str | int] = (),
    k: int = 5,
    filters: Filters | None = None,
) -> ForMany:
    """Recommendations for several liked movies (titles or ids), avoiding discarded ones."""
    if not liked:
        raise InvalidQuery("Indique al menos una película que le guste en 'titulos' o 'ids'.")
    found, missing, suggestions = _resolve(catalog, model, liked)
    if not found:
        listed = ", ".join(repr(m) for m in missing)
        raise NotFound(
            f"Ninguna de las películas indicadas está en el catálogo: {listed}.",
            sugerencias=list(dict.fromkeys(suggestions))[:MAX_SUGGESTIONS],
            no_encontrados=missing,
        )
    avoided, missing_discards, _ = _resolve(catalog, model, discard)
    recs = model.recommend_many([m.id for m in found], [m.id for m in avoided], k, filters)
    return ForMany(found, missing + missing_discards, recs)
