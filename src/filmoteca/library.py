"""The Python API: a built catalog opened for notebooks and scripts.

    import filmoteca
    cat = filmoteca.open_catalog("catalogo")
    cat.recommend("Toy Story", k=5)

`OpenCatalog` is a thin layer over the core, as the CLI and the HTTP routes are: the queries
come from `catalog.Catalog`, recommendations from `recommender`, tables from `catalog.store`
and figures from `report`. Results are dataclasses (or lists of them), so `pd.DataFrame(...)`
turns them into a table. Heavy modules are imported on first use: `import filmoteca` is cheap.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    from matplotlib.figure import Figure

    from .catalog import ActorStats, Catalog, DirectorStats, Movie, SearchHit
    from .recommender import Recommendation, Recommender

PathLike = str | os.PathLike[str]
UNKNOWN_WHEN_ZERO = ("budget", "revenue", "runtime")
"""Columns of `movies` where 0 means «unknown» in the catalog's rules."""


@dataclass(frozen=True, slots=True)
class Score:
    """`score_titulo`: a movie's popularity."""

    title: str
    year: int | None
    popularity: float
    id: int


@dataclass(frozen=True, slots=True)
class Votes:
    """`votos_titulo`: votes and mean vote, reported only from MIN_VOTES (2000) votes on."""

    title: str
    year: int | None
    id: int
    enough_votes: bool
    votes: int | None
    average: float | None


def open_catalog(path: PathLike = "catalogo") -> OpenCatalog:
    """Open a catalog built by `filmoteca build` (or `build_catalog`); checks every file's
    sha256 against its manifest (CatalogMissing / CatalogError if it is not usable)."""
    return OpenCatalog(Path(path))


def build_catalog(
    input: PathLike | None = None,
    output: PathLike = "catalogo",
    *,
    keywords: PathLike | None = None,
    recommender: bool = True,
    **options: Any,
) -> OpenCatalog:
    """Build a catalog from the Kaggle CSVs in `input` (None: the shipped demo), atomically,
    and open it. Other keyword options go to the build as they are (see `filmoteca build`)."""
    from .etl.pipeline import build_catalog as build

    out = Path(output)
    build(
        Path(input) if input is not None else None,
        out,
        fit_recommender=recommender,
        keywords=Path(keywords) if keywords is not None else None,
        **options,
    )
    return OpenCatalog(out)


class OpenCatalog:
    """A built catalog: the six queries, search, recommendations, tables and report figures."""

    def __init__(self, path: Path) -> None:
        from .catalog import Catalog

        self.path = path
        self.catalog: Catalog = Catalog.load(path)

    def __repr__(self) -> str:
        return f"<filmoteca.OpenCatalog '{self.path}': {len(self)} películas>"

    def __len__(self) -> int:
        return self.catalog.movie_count

    @property
    def version(self) -> str:
        """The build's version (changes whenever the catalog is rebuilt)."""
        return self.catalog.version

    @property
    def manifest(self) -> dict[str, Any]:
        """manifest.json: inputs, rows kept and dropped by reason, warnings, files."""
        return self.catalog.manifest

    # --- the six queries --------------------------------------------------------------------

    def films_in_month(self, month: str | int) -> int:
        """Movies released in a month of any year (`enero`, `Septiembre`, 9...)."""
        return self.catalog.count_by_month(str(month))[1]

    def films_on_weekday(self, day: str) -> int:
        """Movies released on a weekday (`lunes`, `miércoles`, `miercoles`...)."""
        return self.catalog.count_by_weekday(day)[1]

    def score(self, title: str, year: int | None = None) -> Score:
        """A movie's popularity; for a repeated title, the most voted (or the one of `year`)."""
        movie = self.catalog.find_title(title, year).movie
        return Score(movie.title, movie.year, movie.popularity, movie.id)

    def votes(self, title: str, year: int | None = None) -> Votes:
        """A movie's votes and mean vote (None below 2000 votes, as the API rules say)."""
        match = self.catalog.find_title(title, year)
        movie, enough = match.movie, match.enough_votes
        return Votes(
            movie.title,
            movie.year,
            movie.id,
            enough,
            movie.vote_count if enough else None,
            movie.vote_average if enough else None,
        )

    def actor(self, name: str) -> ActorStats:
        """An actor's films, total and mean return (0 for films without a budget)."""
        return self.catalog.actor(name)

    def director(self, name: str) -> DirectorStats:
        """A director's films (each with date, return, budget, revenue) and total return."""
        return self.catalog.director(name)

    # --- movies, search, recommendations ----------------------------------------------------

    def movie(self, title_or_id: str | int, year: int | None = None) -> Movie:
        """One movie by title (the query rules) or by TMDB id."""
        if isinstance(title_or_id, int):
            return self.catalog.films(_positions(self.catalog.position(title_or_id)))[0]
        return self.catalog.find_title(title_or_id, year).movie

    def search(self, query: str, limit: int = 10, page: int = 1) -> list[SearchHit]:
        """Titles and people with a word starting with `query`, best matches first."""
        return list(self.catalog.search(query, limit, page).hits)

    @cached_property
    def recommender(self) -> Recommender:
        """The catalog's fitted recommender (CatalogError if it was built without one)."""
        from .recommender import Recommender

        return Recommender.load(self.path / "recomendador")

    def recommend(
        self,
        titles: str | int | Sequence[str | int],
        k: int = 5,
        *,
        year: int | None = None,
        discard: Sequence[str | int] = (),
        since: int | None = None,
        until: int | None = None,
        min_votes: int | None = None,
        language: str | None = None,
    ) -> list[Recommendation]:
        """The `k` movies most similar to one title (or TMDB id) or to several, with reasons."""
        from .recommender import Filters
        from .recommender.lookup import for_many, for_title

        filters = Filters(since, until, min_votes, language)
        if isinstance(titles, str) and not discard:
            return for_title(
                self.catalog, self.recommender, titles, year, k, filters
            ).recommendations
        liked = [titles] if isinstance(titles, str | int) else list(titles)
        return for_many(self.catalog, self.recommender, liked, discard, k, filters).recommendations

    # --- tables -----------------------------------------------------------------------------

    @property
    def table_names(self) -> tuple[str, ...]:
        """The catalog's tables: movies, genres, companies, countries, languages, ..."""
        from .catalog import store

        return tuple(store.TABLES)

    def arrow(self, name: str = "movies") -> pa.Table:
        """A table as a pyarrow Table, with its column descriptions in the schema metadata."""
        from .catalog import store

        if name not in store.TABLES:
            from .errors import InvalidQuery

            raise InvalidQuery(f"No hay ninguna tabla '{name}': {', '.join(store.TABLES)}.")
        return store.read_table(self.path, name)

    def table(self, name: str = "movies", *, nulls: bool = False) -> pd.DataFrame:
        """A table as a pandas DataFrame. With `nulls=True`, the unknowns that the catalog's
        rules store as 0 (budget, revenue, runtime; return without budget or revenue) are NaN,
        so that means and medians are not fooled by them."""
        frame = self.arrow(name).to_pandas()
        return with_nulls(frame) if nulls and name == "movies" else frame

    def movies(self, *, nulls: bool = False) -> pd.DataFrame:
        """The movies table (see `table`)."""
        return self.table("movies", nulls=nulls)

    # --- report figures ---------------------------------------------------------------------

    @cached_property
    def _figures(self) -> dict[str, Figure]:
        from .report.figures import figures

        return figures(self.path)

    def figures(self) -> dict[str, Figure]:
        """Every figure of the exploratory report, by key, as matplotlib Figure objects."""
        return dict(self._figures)

    def figure(self, key: str) -> Figure:
        """One figure of the report by key (`list(cat.figures())` gives the keys)."""
        found = self._figures.get(key)
        if found is None:
            from .errors import NotFound

            raise NotFound(f"No hay ninguna figura '{key}': {', '.join(self._figures)}.")
        return found


def with_nulls(movies: pd.DataFrame) -> pd.DataFrame:
    """A copy of the movies table where the zeros that mean «unknown» are NaN."""
    out = movies.copy()
    for column in UNKNOWN_WHEN_ZERO:
        out[column] = out[column].where(out[column] > 0)
    out["return"] = out["return"].where(out["budget"].notna() & out["revenue"].notna())
    return out


def _positions(position: int) -> Any:
    import numpy as np

    return np.array([position], dtype=np.int64)
