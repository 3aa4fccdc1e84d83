"""Short Spanish reasons for a recommendation, computed from the features two movies share."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .model import Recommender

# (block, label, how many names at most), most specific first
SHARED = (
    ("collection", "misma colección", 1),
    ("director", "mismo director", 2),
    ("cast", "reparto en común", 3),
    ("writer", "mismo guion", 2),
    ("keywords", "palabras clave", 3),
    ("genres", "géneros en común", 3),
)
ACCLAIM_AVERAGE = 7.5
ACCLAIM_VOTES = 1000
MAX_REASONS = 4


def _row(model: Recommender, row: int, block: str) -> tuple[np.ndarray, np.ndarray]:
    """Columns and values of one movie inside one feature block."""
    matrix = model.features_
    start, stop = model.blocks_[block]
    lo, hi = matrix.indptr[row], matrix.indptr[row + 1]
    cols, vals = matrix.indices[lo:hi], matrix.data[lo:hi]
    inside = (cols >= start) & (cols < stop)
    return cols[inside], vals[inside]


def shared_names(model: Recommender, a: int, b: int, block: str, limit: int) -> list[str]:
    """Names of the block's entities both movies have, the rarest first."""
    cols_a, vals_a = _row(model, a, block)
    cols_b, _ = _row(model, b, block)
    common, pos_a, _ = np.intersect1d(cols_a, cols_b, return_indices=True)
    ranked = common[np.argsort(-vals_a[pos_a], kind="stable")][:limit]
    return [model.feature_names_[c] for c in ranked.tolist()]


def _thousands(n: int) -> str:
    """12345 -> '12.345' (Spanish grouping)."""
    return f"{n:,}".replace(",", ".")


def reasons(model: Recommender, query: int, item: int) -> list[str]:
    """Why `item` is recommended for `query`: shared people, saga, keywords, genres, acclaim."""
    out = []
    for block, label, limit in SHARED:
        names = shared_names(model, query, item, block, limit)
        if names:
            out.append(f"{label}: {', '.join(names)}")
    votes, average = int(model.vote_counts_[item]), float(model.vote_averages_[item])
    if average >= ACCLAIM_AVERAGE and votes >= ACCLAIM_VOTES:
        out.append(f"muy valorada: {average:.1f}/10 con {_thousands(votes)} votos")
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
