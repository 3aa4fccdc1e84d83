"""Reading the catalog for the recommender, and saving / loading a fitted model.

A model directory (`<catalog>/recomendador/`) holds no pickle, only plain formats:

    model.json       parameters, weights, block layout, languages, summary
    arrays.npz       per-movie arrays and the neighbour lists (numpy, allow_pickle=False)
    features.npz     the weighted sparse feature matrix (scipy sparse .npz)
    names.parquet    display name of every feature column
    titles.parquet   title of every movie
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import scipy.sparse as sp

from .. import store
from ..errors import CatalogError, CatalogMissing
from .model import Recommender, era_table

if TYPE_CHECKING:
    import pandas as pd

MODEL_FORMAT = 1
_ARRAYS = (
    "movie_ids_",
    "years_",
    "vote_counts_",
    "vote_averages_",
    "prior_",
    "language_codes_",
    "neighbors_",
    "similarities_",
)
_COLUMNS = {
    "movies": [
        "id",
        "title",
        "overview",
        "tagline",
        "original_language",
        "release_year",
        "vote_count",
        "vote_average",
    ],
    "genres": ["movie_id", "genre_id", "name"],
    "keywords": ["movie_id", "keyword_id", "name"],
    "cast": ["movie_id", "person_id", "name", "order"],
    "crew": ["movie_id", "person_id", "name", "job", "department"],
    "companies": ["movie_id", "company_id", "name"],
    "collections": ["movie_id", "collection_id", "name"],
}


class Names(Sequence[str]):
    """A read-only list of strings kept in one Arrow array (compact in memory)."""

    def __init__(self, array: pa.Array) -> None:
        self._array = array

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [str(v) for v in self._array[index].to_pylist()]
        return str(self._array[index].as_py())

    def __len__(self) -> int:
        return len(self._array)


def _strings(path: Path, column: str) -> Names:
    """One string column of a Parquet file (ParquetFile: pq.read_table would import pandas)."""
    with pq.ParquetFile(path) as parquet:
        return Names(parquet.read(columns=[column])[column].combine_chunks())


def read_frames(catalog_dir: Path) -> dict[str, pd.DataFrame]:
    """The catalog tables the recommender uses, as DataFrames."""
    store.read_manifest(catalog_dir)
    return {
        name: store.read_table(catalog_dir, name, columns).to_pandas()
        for name, columns in _COLUMNS.items()
    }


def save(model: Recommender, out_dir: Path) -> None:
    """Write a fitted model into `out_dir` (created if needed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    np.savez(out_dir / "arrays.npz", **{name: getattr(model, name) for name in _ARRAYS})
    sp.save_npz(out_dir / "features.npz", model.features_, compressed=False)
    names = pa.table({"name": pa.array(list(model.feature_names_), pa.string())})
    pq.write_table(names, out_dir / "names.parquet")
    titles = pa.table({"title": pa.array(list(model.titles_), pa.string())})
    pq.write_table(titles, out_dir / "titles.parquet")
    meta = {
        "format": MODEL_FORMAT,
        "params": model.get_params(),
        "weights": model.weights_,
        "blocks": model.blocks_,
        "languages": model.languages_,
        "language_weight": model.language_weight_,
        "era_weight": model.era_weight_,
        "active_blocks": model.active_blocks_,
        "n_movies": len(model.movie_ids_),
    }
    (out_dir / "model.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def load(model_dir: Path) -> Recommender:
    """Read a model saved by `save`; CatalogMissing / CatalogError if absent or damaged."""
    meta_path = model_dir / "model.json"
    if not meta_path.is_file():
        raise CatalogMissing(
            f"No hay recomendador en '{model_dir}'. Construya el catálogo con 'filmoteca build' "
            "sin '--sin-recomendador'.",
            path=str(model_dir),
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != MODEL_FORMAT:
            raise ValueError(f"formato {meta.get('format')!r}")
        model = Recommender(**meta["params"])
        with np.load(model_dir / "arrays.npz", allow_pickle=False) as arrays:
            for name in _ARRAYS:
                setattr(model, name, arrays[name])
        model.features_ = sp.csr_matrix(sp.load_npz(model_dir / "features.npz"))
        model.features_.sort_indices()  # no-op for models saved by `save`
        model.feature_names_ = _strings(model_dir / "names.parquet", "name")
        model.titles_ = _strings(model_dir / "titles.parquet", "title")
        model.weights_ = meta["weights"]
        model.blocks_ = {name: (int(a), int(b)) for name, (a, b) in meta["blocks"].items()}
        model.languages_ = meta["languages"]
        model.language_weight_ = float(meta["language_weight"])
        model.era_weight_ = float(meta["era_weight"])
        model.era_table_ = era_table(model.era_scale, model.era_weight_)
        model.active_blocks_ = meta["active_blocks"]
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as exc:
        raise CatalogError(
            f"El recomendador de '{model_dir}' está dañado o es de otra versión: {exc!r}. "
            "Vuelva a construir el catálogo con 'filmoteca build'."
        ) from exc
    model.id_order_ = np.argsort(model.movie_ids_, kind="stable")
    return model


def build_model(catalog_dir: Path, out_dir: Path) -> dict[str, Any]:
    """Fit the recommender over a catalog and save it; a JSON-able summary for the manifest."""
    started = time.perf_counter()
    model = Recommender().fit(read_frames(catalog_dir))
    save(model, out_dir)
    return {
        "features": model.active_blocks_,
        "weights": model.weights_,
        "prior": {"weight": model.prior_weight, "votes": model.prior_votes},
        "n_movies": len(model.movie_ids_),
        "n_neighbors": int(model.neighbors_.shape[1]),
        "bytes": sum(p.stat().st_size for p in out_dir.iterdir()),
        "seconds": round(time.perf_counter() - started, 2),
    }
