"""Load what the report needs from a catalog, with 'unknown' sentinels turned into NaN.

In the catalog a budget, revenue or runtime of 0 means "unknown" (ETL rule 2), `return` is 0
when it cannot be computed, and the vote average of a movie with few votes is noise. The report
reads those as missing (NaN) and says so in every caption.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from ..catalog import store
from ..errors import CatalogError

MIN_VOTES = 10
"""Vote averages of movies with fewer votes than this are left out (too noisy)."""


@dataclass(frozen=True)
class ReportData:
    """The catalog as the report sees it: movies plus the link tables it plots."""

    manifest: dict[str, Any]
    movies: pd.DataFrame
    genres: pd.DataFrame
    companies: pd.DataFrame
    countries: pd.DataFrame
    keywords: pd.DataFrame
    credited: dict[str, int]

    @property
    def n(self) -> int:
        """Number of movies in the catalog."""
        return len(self.movies)


def _read(catalog_dir: Path, name: str, columns: list[str]) -> pd.DataFrame:
    """Read some columns of one catalog table into pandas."""
    return store.read_table(catalog_dir, name, columns).to_pandas()


def _credited(catalog_dir: Path) -> dict[str, int]:
    """Number of distinct movies with at least one cast / crew credit."""
    counts = {}
    for name in ("cast", "crew"):
        ids = store.read_table(catalog_dir, name, ["movie_id"])["movie_id"]
        counts[name] = int(pc.count_distinct(ids).as_py())
    return counts


def _known(movies: pd.DataFrame) -> pd.DataFrame:
    """Add `*_k` columns where unknown sentinels (0, few votes) are NaN."""
    out = movies.copy()
    for col in ("budget", "revenue", "runtime"):
        out[f"{col}_k"] = out[col].where(out[col] > 0)
    both = (out["budget"] > 0) & (out["revenue"] > 0)
    out["return_k"] = out["return"].where(both)
    out["popularity_k"] = out["popularity"].where(out["popularity"] > 0)
    out["vote_average_k"] = out["vote_average"].where(out["vote_count"] >= MIN_VOTES)
    out["vote_count_k"] = out["vote_count"].where(out["vote_count"] > 0).astype("float64")
    dates = pd.to_datetime(out["release_date"])
    out["month"] = dates.dt.month
    out["weekday"] = dates.dt.day_of_week
    out["day"] = dates.dt.day
    out["decade"] = (out["release_year"] // 10 * 10).astype("int64")
    return out


def load(catalog_dir: Path) -> ReportData:
    """Read and check the catalog; raise CatalogMissing / CatalogError if it is not usable."""
    manifest = store.read_manifest(catalog_dir)
    movies = store.read_table(catalog_dir, "movies").to_pandas()
    if movies.empty:
        raise CatalogError(
            f"El catálogo '{catalog_dir}' no tiene películas: no hay nada que explicar."
        )
    for col in ("budget", "revenue", "return", "popularity", "runtime", "vote_average"):
        movies[col] = movies[col].astype("float64")
    movies["vote_count"] = movies["vote_count"].fillna(0).astype("int64")
    return ReportData(
        manifest=manifest,
        movies=_known(movies),
        genres=_read(catalog_dir, "genres", ["movie_id", "name"]),
        companies=_read(catalog_dir, "companies", ["movie_id", "name"]),
        countries=_read(catalog_dir, "countries", ["movie_id", "iso_3166_1", "name"]),
        keywords=_read(catalog_dir, "keywords", ["movie_id", "name"]),
        credited=_credited(catalog_dir),
    )


def finite(series: pd.Series) -> np.ndarray:
    """The finite values of a numeric series as a float array."""
    values: np.ndarray = series.to_numpy(dtype="float64", na_value=np.nan)
    kept: np.ndarray = values[np.isfinite(values)]
    return kept
