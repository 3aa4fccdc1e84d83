"""Browse the catalog: movies filtered by genre, years and votes, ordered and paginated.

    Discover.load(catalog_dir, catalog)   the genre masks precomputed at build time
                                          (`etl.serving.build_discover`) beside the catalog
    Discover.genres()                     every genre with its number of movies
    Discover.page(query)                  one page of movies matching a DiscoverQuery

The figures (year, votes, average, popularity) are the catalog's own arrays: nothing is read
from Parquet while serving. An average is reported only from MIN_VOTES votes on (the rule of
`/votos_titulo`), so ordering by average requires at least that many votes.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson

from ..errors import CatalogError, InvalidQuery, NotFound
from ..text import normalize
from .cards import FOLDER
from .movies import Movie
from .queries import MIN_VOTES, Catalog

GENRE_MASKS = "descubrir_generos.npy"
GENRE_NAMES = "descubrir_generos.json"
ORDERS = ("popularidad", "votos", "promedio", "recientes", "recaudacion")
"""Orders, all descending: TMDB popularity index, vote count, average, release date, revenue."""


@dataclass(frozen=True, slots=True)
class DiscoverQuery:
    """What to browse: every filter optional; `page` counts from 1."""

    genre: str | None = None
    since: int | None = None
    until: int | None = None
    min_votes: int | None = None
    order: str = "popularidad"
    page: int = 1
    limit: int = 20


@dataclass(frozen=True, slots=True)
class DiscoverPage:
    """One page of matching movies, with their genres, and how many match in all."""

    total: int
    page: int
    pages: int
    limit: int
    order: str
    min_votes: int
    genre: str | None
    movies: tuple[Movie, ...]
    genres: tuple[tuple[str, ...], ...]


class Discover:
    """Genre masks (one bit per genre, per movie position) over a loaded catalog."""

    def __init__(self, masks: np.ndarray, names: list[str], catalog: Catalog) -> None:
        if len(masks) != catalog.movie_count or len(names) > 63:
            raise CatalogError("Los géneros precalculados son de otro catálogo o están dañados.")
        self._masks = masks
        self._names = names
        self._keys = {normalize(name): bit for bit, name in enumerate(names)}
        self._catalog = catalog
        self._movies = catalog._movies  # the catalog's own columns (same package)

    @classmethod
    def load(cls, catalog_dir: Path, catalog: Catalog) -> Discover:
        """Open the masks saved at build time; raises CatalogError when they are missing."""
        folder = catalog_dir / FOLDER
        try:
            masks = np.load(folder / GENRE_MASKS, mmap_mode="r", allow_pickle=False)
            names = orjson.loads((folder / GENRE_NAMES).read_bytes())
        except (OSError, ValueError) as exc:
            raise CatalogError(
                f"El catálogo '{catalog_dir}' no tiene los géneros para explorar. Vuelva a "
                "construirlo con 'filmoteca build'."
            ) from exc
        return cls(np.asarray(masks, dtype=np.uint64), [str(n) for n in names], catalog)

    def genres(self) -> list[tuple[str, int]]:
        """Every genre with its number of movies, most movies first (then by name)."""
        counts = [
            int(np.count_nonzero(self._masks & np.uint64(1 << b))) for b in range(len(self._names))
        ]
        return sorted(zip(self._names, counts, strict=True), key=lambda item: (-item[1], item[0]))

    def page(self, query: DiscoverQuery) -> DiscoverPage:
        """One page of the movies matching `query`, in its order; raises InvalidQuery or
        NotFound (an unknown genre, with the closest names)."""
        min_votes = _check(query)
        keep = self._matching(query, min_votes)
        order = self._ordered(np.flatnonzero(keep), query.order)
        start = (query.page - 1) * query.limit
        chosen = order[start : start + query.limit]
        total = len(order)
        return DiscoverPage(
            total=total,
            page=query.page,
            pages=max(1, -(-total // query.limit)),
            limit=query.limit,
            order=query.order,
            min_votes=min_votes,
            genre=self._names[self._bit(query.genre)] if query.genre else None,
            movies=self._catalog.films(chosen),
            genres=tuple(self._genre_names(int(self._masks[p])) for p in chosen.tolist()),
        )

    def _matching(self, query: DiscoverQuery, min_votes: int) -> np.ndarray:
        """A boolean mask of the movies that pass every filter."""
        m = self._movies
        keep = np.asarray(m.votes) >= min_votes
        years = np.asarray(m.years)
        if query.since is not None:
            keep &= years >= query.since
        if query.until is not None:
            keep &= (years <= query.until) & (years > 0)
        if query.genre:
            keep &= (self._masks & np.uint64(1 << self._bit(query.genre))) != 0
        return keep

    def _ordered(self, positions: np.ndarray, order: str) -> np.ndarray:
        """Positions sorted by the order's figure, descending, ties by more votes then id."""
        m = self._movies
        figure = {
            "popularidad": m.popularity,
            "votos": m.votes,
            "promedio": m.vote_average,
            "recientes": m.days,
            "recaudacion": m.revenue,
        }[order]
        values = np.asarray(figure)[positions].astype(np.float64)
        if order == "recientes":
            values = np.where(values >= np.iinfo(np.int32).max, -np.inf, values)
        votes = np.asarray(m.votes)[positions]
        ids = np.asarray(m.ids)[positions]
        return positions[np.lexsort((ids, -votes, -values))]

    def _bit(self, genre: str | None) -> int:
        """The bit of a genre by name (any case or accents); NotFound with close names."""
        bit = self._keys.get(normalize(genre or ""))
        if bit is None:
            close = difflib.get_close_matches(genre or "", self._names, n=5, cutoff=0.5)
            raise NotFound(
                f"No hay ningún género '{(genre or '')[:80]}'. Consulte /generos.",
                sugerencias=close or self._names[:5],
            )
        return bit

    def _genre_names(self, mask: int) -> tuple[str, ...]:
        """The genre names of one movie's mask."""
        return tuple(name for bit, name in enumerate(self._names) if mask >> bit & 1)


def _check(query: DiscoverQuery) -> int:
    """The effective vote minimum; InvalidQuery for an order or year range that cannot be."""
    if query.order not in ORDERS:
        raise InvalidQuery(f"Orden '{query.order[:40]}' desconocido.", valores_validos=list(ORDERS))
    if query.since is not None and query.until is not None and query.since > query.until:
        raise InvalidQuery(f"'desde' ({query.since}) es posterior a 'hasta' ({query.until}).")
    min_votes = query.min_votes or 0
    if query.order == "promedio":
        if query.min_votes is not None and query.min_votes < MIN_VOTES:
            raise InvalidQuery(
                f"Para ordenar por promedio hacen falta al menos {MIN_VOTES:,} votos".replace(
                    ",", "."
                )
                + f" (min_votos={query.min_votes}): con menos, el promedio no se informa."
            )
        min_votes = max(min_votes, MIN_VOTES)
    return min_votes
