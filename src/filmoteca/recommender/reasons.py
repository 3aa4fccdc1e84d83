"""Short Spanish reasons for a recommendation, computed from the features two movies share."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..text import is_meta_keyword

if TYPE_CHECKING:
    from .queries import Queries as Recommender

# (block, label, how many names at most), most specific first
SHARED = (
    ("collection", "misma colección", 1),
    ("director", "mismo director", 2),
    ("cast", "reparto en común", 3),
    ("writer", "mismo guion", 2),
    ("source", "basada en la obra de", 2),
    ("keywords", "palabras clave", 3),
    ("genres", "géneros en común", 3),
    ("text", "temas de la sinopsis", 3),
)
ACCLAIM_AVERAGE = 7.5
ACCLAIM_VOTES = 1000
MAX_REASONS = 4


def shared(model: Recommender, a: int, b: int) -> dict[str, list[str]]:
    """Names of the entities of each SHARED block that both movies have, rarest first."""
    matrix = model.features_
    lo_a, hi_a = matrix.indptr[a], matrix.indptr[a + 1]
    lo_b, hi_b = matrix.indptr[b], matrix.indptr[b + 1]
    cols_a, cols_b = matrix.indices[lo_a:hi_a], matrix.indices[lo_b:hi_b]
    if not len(cols_a) or not len(cols_b):
        return {}
    at = np.minimum(np.searchsorted(cols_b, cols_a), len(cols_b) - 1)
    both = cols_b[at] == cols_a  # CSR rows hold sorted, unique column indices
    common, weights = cols_a[both], matrix.data[lo_a:hi_a][both]
    spans = [model.blocks_[block] for block, _, _ in SHARED]
    bounds = np.searchsorted(common, np.array(spans).ravel()).reshape(-1, 2)
    out: dict[str, list[str]] = {}
    for (block, _, limit), (lo, hi) in zip(SHARED, bounds.tolist(), strict=True):
        if hi > lo:
            order = np.argsort(-weights[lo:hi], kind="stable")
            names = _first_names(model, common[lo:hi][order].tolist(), limit)
            if names:
                out[block] = names
    return out


def _first_names(model: Recommender, columns: list[int], limit: int) -> list[str]:
    """The names of the first `limit` feature columns that are not meta-tags (decoded one at
    a time: a synopsis may share dozens of words, of which three are shown)."""
    names: list[str] = []
    for column in columns:
        name = model.feature_names_[column]
        if not is_meta_keyword(name):
            names.append(name)
            if len(names) == limit:
                break
    return names


def _thousands(n: int) -> str:
    """12345 -> '12.345' (Spanish grouping)."""
    return f"{n:,}".replace(",", ".")


def _label(block: str, label: str, names: list[str]) -> str:
    """'mismo director: A, B'; the source reads as a phrase: 'basada en la obra de A'."""
    joined = ", ".join(names)
    return f"{label} {joined}" if block == "source" else f"{label}: {joined}"


def reasons(model: Recommender, query: int, item: int, co_likes: int = 0) -> list[str]:
    """Why `item` is recommended for `query`: co-likes, shared people, saga, keywords, genres,
    words of the synopsis; acclaim only next to one of those (it is never a reason alone)."""
    names = shared(model, query, item)
    out = [_label(b, label, names[b]) for b, label, _ in SHARED if b in names]
    if "collection" not in names and model.same_saga(query, item):
        out.insert(0, "misma saga")
    if co_likes > 0:
        people = "1 persona" if co_likes == 1 else f"{_thousands(co_likes)} personas"
        title = model.titles_[query]
        out.insert(
            min(1, len(out)), f"a quienes les gustó «{title}», también les gustó esta: {people}"
        )
    out = out[: MAX_REASONS - 1]
    votes, average = int(model.vote_counts_[item]), float(model.vote_averages_[item])
    if out and average >= ACCLAIM_AVERAGE and votes >= ACCLAIM_VOTES:
        score = f"{average:.1f}".replace(".", ",")
        out.append(f"muy valorada: {score}/10 con {_thousands(votes)} votos")
    if not out:
        out += _context(model, query, item)
    return out[:MAX_REASONS]


def _context(model: Recommender, query: int, item: int) -> list[str]:
    """Weaker reasons (era, language) for when nothing else is shared."""
    out = []
    year_q, year_i = int(model.years_[query]), int(model.years_[item])
    if year_q and year_i and abs(year_q - year_i) <= 5:
        out.append(f"misma época: {year_i}")
    code = int(model.language_codes_[item])
    if code >= 0 and code == int(model.language_codes_[query]):
        out.append(f"mismo idioma original: {model.languages_[code]}")
    return out
