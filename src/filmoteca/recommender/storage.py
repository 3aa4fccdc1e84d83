"""Reading the catalog for the recommender, and saving / loading a fitted model.

A model directory (`<catalog>/recomendador/`) holds no pickle, only plain formats, one file
per array (see `mapped`: the server maps them instead of reading them):

    model.json                  parameters, weights, block layout, languages, matrix shape
    <name>.npy                  per-movie arrays and the neighbour lists (`_ARRAYS`)
    features_{data,indices,indptr}.npy   the weighted sparse feature matrix (CSR)
    feature_names.{utf8,offsets}.npy     display name of every feature column
    titles.{utf8,offsets}.npy            title of every movie

Loading imports neither scipy nor pyarrow nor pandas: those are for fitting and saving.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..catalog import mapped
from ..errors import CatalogError, CatalogMissing
from .csr import Csr
from .model import Recommender, era_table

if TYPE_CHECKING:
    import pandas as pd

    from .features import FromMovies

MODEL_FORMAT = 4
# learned per-movie array -> its dtype (`save` casts to it, `load` accepts nothing else)
_ARRAYS: dict[str, np.dtype[Any]] = {
    "movie_ids_": np.dtype(np.int64),
    "years_": np.dtype(np.int16),
    "vote_counts_": np.dtype(np.int64),
    "vote_averages_": np.dtype(np.float32),
    "prior_": np.dtype(np.float32),
    "language_codes_": np.dtype(np.int16),
    "neighbors_": np.dtype(np.int32),
    "similarities_": np.dtype(np.float32),
    "co_likes_": np.dtype(np.int32),
    "sagas_": np.dtype(np.int8),
    "likes_": np.dtype(np.int32),
}
_CSR = ("features_data", "features_indices", "features_indptr")
_STRINGS = ("feature_names", "titles")
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


def read_frames(catalog_dir: Path) -> dict[str, pd.DataFrame]:
    """The catalog tables the recommender uses, as DataFrames."""
    from ..catalog import store

    store.read_manifest(catalog_dir)
    return {
        name: store.read_table(catalog_dir, name, columns).to_pandas()
        for name, columns in _COLUMNS.items()
    }


def _file(attribute: str) -> str:
    """File name (without extension) of a learned attribute: 'years_' -> 'years'."""
    return attribute.rstrip("_")


def save(model: Recommender, out_dir: Path) -> None:
    """Write a fitted model into `out_dir` (created if needed)."""
    features = model.features_
    arrays: dict[str, Any] = {
        _file(name): np.asarray(getattr(model, name), dtype=dtype)
        for name, dtype in _ARRAYS.items()
    }
    arrays["features_data"] = np.asarray(features.data, dtype=np.float32)
    arrays["features_indices"] = np.asarray(features.indices)
    arrays["features_indptr"] = np.asarray(features.indptr)
    arrays["feature_names"] = mapped.Strings.from_list(model.feature_names_)
    arrays["titles"] = mapped.Strings.from_list(model.titles_)
    mapped.save(out_dir, arrays)
    meta = {
        "format": MODEL_FORMAT,
        "params": model.get_params(),
        "weights": model.weights_,
        "blocks": model.blocks_,
        "languages": model.languages_,
        "language_weight": model.language_weight_,
        "era_weight": model.era_weight_,
        "active_blocks": model.active_blocks_,
        "has_ratings": bool(model.has_ratings_),
        "n_movies": len(model.movie_ids_),
        "features_shape": list(features.shape),
    }
    (out_dir / "model.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def _read_meta(model_dir: Path) -> dict[str, Any]:
    """model.json of a model of this format (CatalogMissing if absent, ValueError if foreign)."""
    meta_path = model_dir / "model.json"
    if not meta_path.is_file():
        raise CatalogMissing(
            f"No hay recomendador en '{model_dir}'. Construya el catálogo con 'filmoteca build' "
            "sin '--no-recommender'.",
            path=str(model_dir),
        )
    meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
    found = meta.get("format") if isinstance(meta, dict) else None
    if found != MODEL_FORMAT:
        raise ValueError(f"formato {found!r}, se esperaba {MODEL_FORMAT}")
    return meta


def _movie_array(found: dict[str, Any], name: str, n: int) -> np.ndarray:
    """The mapped per-movie array of attribute `name`, checked against its dtype and length."""
    array, dtype = found[_file(name)], _ARRAYS[name]
    if not isinstance(array, np.ndarray) or array.dtype != dtype or len(array) != n:
        raise ValueError(f"'{_file(name)}' no es un arreglo {dtype} de {n} filas")
    return array


def _features(found: dict[str, Any], shape: tuple[int, int]) -> Csr:
    """The mapped feature matrix, checked against its shape."""
    data, indices, indptr = (found[name] for name in _CSR)
    if not all(isinstance(a, np.ndarray) and a.dtype.kind in "fi" for a in (data, indices, indptr)):
        raise ValueError("la matriz de rasgos no es numérica")
    matrix = Csr(data, indices, indptr, shape)
    matrix.check()
    return matrix


def _strings(found: dict[str, Any], name: str, length: int) -> mapped.Strings:
    """The mapped list of strings `name`, checked against its length."""
    strings = found[name]
    if not isinstance(strings, mapped.Strings) or len(strings) != length:
        raise ValueError(f"'{name}' no son {length} textos")
    return strings


def _attach_arrays(model: Recommender, model_dir: Path, meta: dict[str, Any]) -> None:
    """Map the saved arrays onto `model` (no copies), checking their types and lengths."""
    names = [_file(name) for name in _ARRAYS] + [*_CSR, *_STRINGS]
    found: dict[str, Any] = dict(mapped.open_arrays(model_dir, names))
    n = int(meta["n_movies"])
    for name in _ARRAYS:
        setattr(model, name, _movie_array(found, name, n))
    shape = model.neighbors_.shape
    if model.neighbors_.ndim != 2 or {
        model.similarities_.shape,
        model.co_likes_.shape,
        model.sagas_.shape,
    } != {shape}:
        raise ValueError("las listas de vecinos no tienen la forma esperada")
    rows, cols = (int(x) for x in meta["features_shape"])
    if rows != n:
        raise ValueError(f"la matriz de rasgos tiene {rows} filas para {n} películas")
    model.features_ = _features(found, (rows, cols))
    model.feature_names_ = _strings(found, "feature_names", cols)
    model.titles_ = _strings(found, "titles", n)


def load(model_dir: Path) -> Recommender:
    """Map a model saved by `save`; CatalogMissing / CatalogError if absent or damaged."""
    try:
        meta = _read_meta(model_dir)
        model = Recommender(**meta["params"])
        _attach_arrays(model, model_dir, meta)
        model.weights_ = meta["weights"]
        model.blocks_ = {name: (int(a), int(b)) for name, (a, b) in meta["blocks"].items()}
        model.languages_ = meta["languages"]
        model.language_weight_ = float(meta["language_weight"])
        model.era_weight_ = float(meta["era_weight"])
        model.era_table_ = era_table(model.era_scale, model.era_weight_)
        model.active_blocks_ = meta["active_blocks"]
        model.has_ratings_ = bool(meta["has_ratings"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CatalogError(
            f"El recomendador de '{model_dir}' está dañado o es de otra versión. "
            "Vuelva a construir el catálogo con 'filmoteca build'."
        ) from exc
    model.id_order_ = np.argsort(model.movie_ids_, kind="stable")
    return model


def build_model(
    catalog_dir: Path,
    out_dir: Path,
    ratings: Path | None = None,
    links: Path | None = None,
    ahead: FromMovies | None = None,
) -> dict[str, Any]:
    """Fit the recommender over a catalog (and a ratings file, with its links: by default the
    links.csv beside it) and save it; a JSON-able summary for the manifest. `ahead`: what the
    fit derives from the movies alone, when already made (`Recommender.fit`)."""
    from . import ratings as ratings_io

    started = time.perf_counter()
    frames = read_frames(catalog_dir)
    used: dict[str, Any] = {"modo": "solo contenido (sin valoraciones)"}
    if ratings is not None:
        ids = frames["movies"]["id"].to_numpy()
        frames["ratings"] = ratings_io.load(ratings, links, ids)
        used = _ratings_summary(frames["ratings"], ratings, links)
    model = Recommender().fit(frames, ahead=ahead)
    save(model, out_dir)
    return {
        "features": model.active_blocks_,
        "weights": model.weights_,
        "params": model.get_params(),
        "ratings": used,
        "n_movies": len(model.movie_ids_),
        "n_neighbors": int(model.neighbors_.shape[1]),
        "bytes": sum(p.stat().st_size for p in out_dir.iterdir()),
        "seconds": round(time.perf_counter() - started, 2),
    }


def _ratings_summary(frame: pd.DataFrame, ratings: Path, links: Path | None) -> dict[str, Any]:
    """What the manifest says about the ratings the model learned from."""
    return {
        "modo": "híbrido (contenido + valoraciones)",
        "archivo": ratings.name,
        "enlaces": (links or ratings.with_name("links.csv")).name,
        "valoraciones_del_catalogo": len(frame),
        "usuarios": int(frame["userId"].nunique()),
        "peliculas_valoradas": int(frame["movie_id"].nunique()),
    }
