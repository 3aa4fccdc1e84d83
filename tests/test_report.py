"""The EDA report: every section and figure is there, findings are computed, errors are clean."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from factories import make_catalog, movie
from filmoteca import store
from filmoteca.cli import cli
from filmoteca.config import Settings
from filmoteca.errors import CatalogError, CatalogMissing
from filmoteca.report import PLANS, build_report

GENRES = ["Drama", "Comedy", "Action", "Thriller", "Horror", "Science Fiction", "Animation"]
COMPANIES = ["Warner Bros.", "Paramount", "Universal", "Studio Canal", "Toho"]
COUNTRIES = [("US", "United States of America"), ("ES", "Spain"), ("FR", "France"), ("JP", "Japan")]
WORDS = ["detective", "family", "love", "war", "robot", "city", "secret", "journey", "ghost"]


def _movie(rng: np.random.Generator, i: int) -> dict[str, Any]:
    """One plausible random movie; some budgets, revenues and runtimes unknown (0)."""
    date = dt.date(1950, 1, 1) + dt.timedelta(days=int(rng.integers(0, 26000)))
    budget = float(rng.choice([0, 10 ** rng.uniform(5, 8.4)]))
    revenue = float(rng.choice([0, budget * 10 ** rng.normal(0.2, 0.5)])) if budget else 0.0
    votes = int(rng.integers(0, 3000))
    words = " ".join(rng.choice(WORDS, 6))
    return movie(
        i, f"The {rng.choice(WORDS).title()} of El Dorado {i}", date.isoformat(),
        budget=round(budget), revenue=round(revenue), runtime=float(rng.choice([0, rng.normal(100, 20)])),
        vote_count=votes, vote_average=round(float(np.clip(rng.normal(6.2, 1.1), 0, 10)), 1) if votes else 0.0,
        popularity=float(votes / 100 + rng.uniform(0, 3)), original_language=str(rng.choice(["en", "es", "fr", "ja"])),
        overview=None if i % 17 == 0 else f"A {words} and the story of a {rng.choice(WORDS)}.",
    )  # fmt: skip


def random_catalog(directory: Path, n: int = 300, seed: int = 5) -> Path:
    """A factory-built catalog of n random movies with every link table filled."""
    rng = np.random.default_rng(seed)
    movies = [_movie(rng, i) for i in range(1, n + 1)]
    links: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("genres", "companies", "countries", "keywords", "cast", "crew")
    }
    for m in movies:
        i = m["id"]
        for g in rng.choice(GENRES, int(rng.integers(1, 4)), replace=False):
            links["genres"].append({"movie_id": i, "genre_id": GENRES.index(g), "name": g})
        c = str(rng.choice(COMPANIES))
        links["companies"].append({"movie_id": i, "company_id": COMPANIES.index(c), "name": c})
        code, name = COUNTRIES[int(rng.integers(0, len(COUNTRIES)))]
        links["countries"].append({"movie_id": i, "iso_3166_1": code, "name": name})
        if i % 3:
            links["keywords"].append({"movie_id": i, "keyword_id": 1, "name": "based on novel"})
            links["keywords"].append(
                {"movie_id": i, "keyword_id": 2, "name": str(rng.choice(WORDS))}
            )
        links["cast"].append(
            {
                "movie_id": i,
                "person_id": i,
                "name": "Ana",
                "character": "X",
                "order": 0,
                "gender": 1,
            }
        )
        if i % 4:
            links["crew"].append(
                {
                    "movie_id": i,
                    "person_id": i,
                    "name": "Luis",
                    "job": "Director",
                    "department": "Directing",
                    "gender": 2,
                }
            )
    make_catalog(directory, movies, **links)
    manifest = json.loads((directory / store.MANIFEST).read_text())
    manifest["steps"] = {
        "movies": {"read": n + 7, "kept": n, "dropped": {
            "id_no_entero": {"rows": 3, "motivo": "id no entero (fila desplazada)", "ejemplos": ["1997-08-20"]},
            "id_repetido": {"rows": 4, "motivo": "id repetido: se conserva la primera fila", "ejemplos": [15]},
        }},
        "credits": {"read": n + 2, "kept": n, "dropped": {"pelicula_desconocida": {"rows": 2, "motivo": "créditos de una película que no está"}}},
    }  # fmt: skip
    manifest["warnings"] = {"sin_creditos": {"rows": n // 4, "motivo": "película sin créditos"}}
    (directory / store.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return directory
