"""Feature blocks of the recommender, built from the catalog tables.

Each block is a sparse matrix with one row per movie, L2-normalised, so that the dot product of
two rows is a cosine similarity in [0, 1]:

    text        TF-IDF of overview + tagline (English stop words, sublinear tf, rare terms only)
    genres      genres (idf-weighted)          keywords    keywords (idf-weighted)
    cast        top-billed cast (idf)          director    directors (idf)
    writer      screenplay / writer (idf)      source      the work it is based on (novel...)
    crew        producers, composer, photography, editor, other writing credits (story...)
    companies   production companies (idf)     collection  the saga the movie belongs to

Two more blocks are not sparse: `era`, exp(-(Δyears / era_scale)²) (at build time as Gaussian
radial features, whose dot product approximates it to ~1e-4, so that it is one matrix product),
and `language` (1 when the original languages are equal).
A block with weight w enters the combined similarity as w / Σw, so it stays in [0, 1]; a block
with no data in the catalog (e.g. no collections) is left out of Σw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

SPARSE_BLOCKS = (
    "text",
    "genres",
    "keywords",
    "cast",
    "director",
    "writer",
    "source",
    "crew",
    "companies",
    "collection",
)
WRITER_JOBS = ("Screenplay", "Writer")
SOURCE_JOBS = (
    "Novel",
    "Book",
    "Author",
    "Characters",
    "Comic Book",
    "Short Story",
    "Play",
    "Graphic Novel",
)
KEY_CREW_JOBS = (
    "Producer",
    "Executive Producer",
    "Original Music Composer",
    "Director of Photography",
    "Editor",
)
NO_LANGUAGE = -1


@dataclass(frozen=True)
class Features:
    """All blocks of a catalog, already weighted: the combined similarity is their dot product."""

    matrix: sp.csr_matrix  # sparse blocks side by side, each scaled by sqrt(w / Σw)
    blocks: dict[str, tuple[int, int]]  # block name -> [start, stop) columns of `matrix`
    names: list[str]  # one display name per column of `matrix`
    era: np.ndarray  # dense radial year features, scaled by sqrt(w_era / Σw)
    era_weight: float  # w_era / Σw
    language_codes: np.ndarray  # int16 code per movie, NO_LANGUAGE if unknown
    languages: list[str]  # code -> ISO 639-1
    language_weight: float  # w_language / Σw
    present: list[str]  # blocks with data in this catalog (the others are left out of Σw)


def normalize_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Scale every non-empty row to unit L2 norm (empty rows and blocks stay empty)."""
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sp.csr_matrix(sp.diags(scale.astype(np.float32)) @ matrix, dtype=np.float32)


def _positions(ids: np.ndarray, movie_ids: pd.Series) -> np.ndarray:
    """Row of each link's movie (-1 for a movie that is not in `ids`)."""
    return np.asarray(pd.Index(ids).get_indexer(movie_ids.to_numpy()), dtype=np.int64)


def incidence(
    ids: np.ndarray, links: pd.DataFrame, key: str, name: str = "name"
) -> tuple[sp.csr_matrix, list[str]]:
    """Movie x entity matrix, idf-weighted and row-normalised, with the entities' names."""
    rows = _positions(ids, links["movie_id"])
    links = links[rows >= 0]
    rows = rows[rows >= 0]
    codes, uniques = pd.factorize(links[key], sort=True)
    names = links.groupby(codes)[name].first().reindex(range(len(uniques))).fillna("")
    matrix = sp.csr_matrix(
        (np.ones(len(rows), np.float32), (rows, codes)), shape=(len(ids), len(uniques))
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    docs = np.bincount(matrix.indices, minlength=matrix.shape[1])
    idf = np.log((1.0 + len(ids)) / (1.0 + docs)) + 1.0
    weighted = matrix.multiply(idf.astype(np.float32)[None, :]).tocsr()
    return normalize_rows(weighted), [str(n) for n in names]


Block = tuple[sp.csr_matrix, list[str]]  # one block's matrix and its column names


@dataclass
class FromMovies:
    """What a fit derives from the movies table alone: the text block and the pairs of
    similar titles (`sagas.title_pairs`). A build makes it in a child process while the other
    tables are written (`from_movies`) and hands it to `Recommender.fit`, which takes each part
    once (`hand_over`): they are freed as soon as the fit is done with them (with 450,000
    movies, some 800 MB), not kept while it searches the neighbours."""

    text: Block | None
    title_pairs: sp.coo_matrix | None

    def hand_over(self) -> tuple[Block | None, sp.coo_matrix | None]:
        """Both parts, forgotten here (None the second time)."""
        parts = self.text, self.title_pairs
        self.text = self.title_pairs = None
        return parts


def movie_titles(movies: pd.DataFrame) -> list[str]:
    """Each movie's title as the model keeps it ('' when missing)."""
    titles: list[str] = movies["title"].fillna("").astype(str).tolist()
    return titles


def from_movies(movies: pd.DataFrame, max_df: float) -> FromMovies:
    """`FromMovies` of a movies table (it needs its overview, tagline and title)."""
    from .sagas import title_pairs

    return FromMovies(text_block(movies, max_df), title_pairs(movie_titles(movies)))


def text_block(movies: pd.DataFrame, max_df: float) -> Block:
    """TF-IDF over overview + tagline keeping terms found in 2 .. max_df·n documents
    (scikit-learn's `TfidfVectorizer`, made by `terms.tfidf`)."""
    from .terms import tfidf

    docs = (movies["overview"].fillna("") + " " + movies["tagline"].fillna("")).tolist()
    most = max(2, int(max_df * len(docs)))
    try:
        return tfidf(docs, 2, most)
    except ValueError:  # no term survives (tiny or text-less catalogs)
        return sp.csr_matrix((len(docs), 0), dtype=np.float32), []


def era_features(years: np.ndarray, scale: float) -> np.ndarray:
    """Unit radial features of the year: dot(a, b) ≈ exp(-((year_a - year_b) / scale)²)."""
    sigma = scale / 2.0
    known = years > 0
    if not known.any():
        return np.zeros((len(years), 1), np.float32)
    low, high = years[known].min() - 2 * sigma, years[known].max() + 2 * sigma
    centers = np.arange(low, high + sigma, sigma, dtype=np.float64)
    diff = years[:, None].astype(np.float64) - centers[None, :]
    feats = np.exp(-(diff**2) / (2 * sigma**2)) * known[:, None]
    norms = np.linalg.norm(feats, axis=1, keepdims=True)
    return np.asarray(np.divide(feats, norms, out=feats, where=norms > 0), dtype=np.float32)


def _crew(frames: Mapping[str, pd.DataFrame], block: str) -> pd.DataFrame:
    """The crew rows that make one block."""
    crew = frames["crew"]
    if block == "director":
        return crew[crew["job"] == "Director"]
    if block == "writer":
        return crew[crew["job"].isin(WRITER_JOBS)]
    if block == "source":
        return crew[crew["job"].isin(SOURCE_JOBS)]
    other_writing = (crew["department"] == "Writing") & ~crew["job"].isin(WRITER_JOBS + SOURCE_JOBS)
    return crew[crew["job"].isin(KEY_CREW_JOBS) | other_writing]


def _content_keywords(keywords: pd.DataFrame) -> pd.DataFrame:
    """Keywords without TMDB's production / release tags (`3d`, `duringcreditsstinger`...)."""
    from ..text import is_meta_keyword

    names = keywords["name"].astype(str)
    meta = {name for name in names.unique() if is_meta_keyword(name)}
    return keywords[~names.isin(meta)]


def raw_blocks(
    frames: Mapping[str, pd.DataFrame],
    top_cast: int,
    text_max_df: float,
    genre_names: dict[str, str],
    text: Block | None = None,
) -> dict[str, Block]:
    """Every sparse block (unweighted, row-normalised) with its column names; `text`, when
    given, is the text block already made (`text_block` of these movies, same max_df)."""
    movies = frames["movies"]
    if text is not None and text[0].shape[0] != len(movies):
        raise ValueError(f"el bloque de texto tiene {text[0].shape[0]} filas para {len(movies)}")
    ids = movies["id"].to_numpy()
    cast = frames["cast"]
    genres = frames["genres"].assign(name=lambda g: g["name"].map(lambda n: genre_names.get(n, n)))
    return {
        "text": text if text is not None else text_block(movies, text_max_df),
        "genres": incidence(ids, genres, "genre_id"),
        "keywords": incidence(ids, _content_keywords(frames["keywords"]), "keyword_id"),
        "cast": incidence(ids, cast[cast["order"] < top_cast], "person_id"),
        "director": incidence(ids, _crew(frames, "director"), "person_id"),
        "writer": incidence(ids, _crew(frames, "writer"), "person_id"),
        "source": incidence(ids, _crew(frames, "source"), "person_id"),
        "crew": incidence(ids, _crew(frames, "crew"), "person_id"),
        "companies": incidence(ids, frames["companies"], "company_id"),
        "collection": incidence(ids, frames["collections"], "collection_id"),
    }


def language_codes(movies: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Small integer code per original language (NO_LANGUAGE when empty)."""
    langs = movies["original_language"].fillna("").str.strip().str.lower()
    codes, uniques = pd.factorize(langs.where(langs != "", None), sort=True)
    return codes.astype(np.int16), [str(u) for u in uniques]


def build_features(
    frames: Mapping[str, pd.DataFrame],
    weights: Mapping[str, float],
    top_cast: int,
    text_max_df: float,
    era_scale: float,
    genre_names: dict[str, str],
    text: Block | None = None,
) -> Features:
    """Weighted feature blocks of the catalog in `frames` (movies in table order); `text` as
    in `raw_blocks`."""
    blocks = raw_blocks(frames, top_cast, text_max_df, genre_names, text)
    present = [b for b in SPARSE_BLOCKS if blocks[b][0].nnz] + ["era", "language"]
    total = float(sum(weights.get(b, 0.0) for b in present)) or 1.0
    parts, spans, names, start = [], {}, [], 0
    for block in SPARSE_BLOCKS:
        matrix, cols = blocks[block]
        parts.append(matrix * np.float32(np.sqrt(weights.get(block, 0.0) / total)))
        spans[block] = (start, start + matrix.shape[1])
        names += cols
        start += matrix.shape[1]
    years = frames["movies"]["release_year"].fillna(0).to_numpy(dtype=np.float64)
    era = era_features(years, era_scale) * np.float32(np.sqrt(weights.get("era", 0.0) / total))
    codes, languages = language_codes(frames["movies"])
    matrix = sp.csr_matrix(sp.hstack(parts, format="csr", dtype=np.float32))
    matrix.eliminate_zeros()  # blocks of weight 0 are no evidence (nor a reason)
    matrix.sort_indices()  # the reasons intersect rows by binary search
    return Features(
        matrix=matrix,
        blocks=spans,
        names=names,
        era=np.ascontiguousarray(era, dtype=np.float32),
        era_weight=weights.get("era", 0.0) / total,
        language_codes=codes,
        languages=languages,
        language_weight=weights.get("language", 0.0) / total,
        present=present,
    )
