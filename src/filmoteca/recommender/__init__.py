"""Movie recommendations: a content-based item-to-item model with a quality prior.

features.py   the feature blocks (text, genres, keywords, people, saga, language, era)
neighbors.py  all-pairs top-N neighbour lists at build time
model.py      the `Recommender` estimator (scikit-learn contract) and its queries
csr.py        the read-only sparse feature matrix the queries use, in plain numpy (no scipy)
dots.py       dot products between a few rows of it
reasons.py    short Spanish reasons ("mismo director: ...") computed from shared features
storage.py    `build_model` (fit + save into the catalog) and `Recommender.load` (mapped)
lookup.py     recommendations asked by title (the catalog's title rules), for the API
"""

from __future__ import annotations

from .model import DEFAULT_WEIGHTS, Filters, Recommendation, Recommender
from .storage import build_model, load, read_frames

__all__ = [
    "DEFAULT_WEIGHTS",
    "Filters",
    "Recommendation",
    "Recommender",
    "build_model",
    "load",
    "read_frames",
]
