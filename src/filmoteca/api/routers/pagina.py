"""The web page at /app: its static assets and the two JSON queries it needs beyond the API.

    GET /app                   the page (HTML; routes live in the URL hash: /app#/pelicula/19995)
    GET /app/{asset}           app.css, app.js, icono.svg (ETag, revalidated on every load)
    GET /pelicula/{id}         a movie's full card (figures, genres, directors, cast, poster)
    GET /persona/{nombre}      an actor's or director's page: mission figures and films

The queries live in `filmoteca.cards`; this module only parses, calls and shapes.
"""

from __future__ import annotations

import hashlib
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from fastapi.responses import Response

from ...cards import Cards, MovieCard, PersonFilm, PersonPage
from ...catalog import MIN_VOTES, Catalog, Movie
from ...errors import CatalogError, NotFound
from ..schemas_pagina import (
    CastMember,
    DirectorFigures,
    DirectorFilm,
    ActorFigures,
    ActorFilm,
    MovieCardOut,
    PersonOut,
    VotesOut,
)

_ASSETS = {
    "app.css": "text/css; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "icono.svg": "image/svg+xml",
}
_CSP = (
    "default-src 'self'; img-src 'self' data: https://image.tmdb.org; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


@dataclass(frozen=True, slots=True)
class _Asset:
    """A static file held in memory with its validator."""

    body: bytes
    media_type: str
    etag: str


@cache
def _asset(name: str) -> _Asset:
    """Read a packaged asset of `filmoteca/web` once."""
    media_type = "text/html; charset=utf-8" if name == "index.html" else _ASSETS[name]
    body = resources.files("filmoteca").joinpath("web", name).read_bytes()
    return _Asset(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:20] + '"')


def _asset_response(request: Request, asset: _Asset, **headers: str) -> Response:
    """The asset, or 304 when the browser already holds this version."""
    common = {"ETag": asset.etag, "Cache-Control": "no-cache", **headers}
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=common)
    return Response(asset.body, media_type=asset.media_type, headers=common)
