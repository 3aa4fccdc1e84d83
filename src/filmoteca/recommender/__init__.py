"""Movie recommendations: a hybrid of content and co-likes learned from ratings.

features.py   the feature blocks (text, genres, keywords, people, saga, language, era)
ratings.py    MovieLens ratings + links, read and checked (build time)
collaborative.py  item-item co-likes with shrinkage (scipy.sparse, build time)
neighbors.py  all-pairs top-N neighbour lists at build time (content + co-likes + bonus)
model.py      the `Recommender` estimator (scikit-learn contract): parameters and fit
queries.py    what a fitted or loaded model answers (one movie, several liked movies)
metrics.py    ranking metrics and the paired bootstrap of the offline evaluation
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
