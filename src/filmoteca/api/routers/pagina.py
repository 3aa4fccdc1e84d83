"""The web page at /app: its static assets and the two JSON queries it needs beyond the API.

    GET /app                   the page (HTML; routes live in the URL hash: /app#/pelicula/19995)
    GET /app/{archivo}         app.css, app.js, icono.svg (ETag, revalidated on every load)
    GET /pelicula/{id}         a movie's full card (figures, genres, directors, cast, poster)
    GET /persona/{nombre}      an actor's or director's page: mission figures and films

The queries live in `filmoteca.catalog.cards`, the response schemas in `api.fichas`; this module
only parses, calls and shapes. `Cards` is opened once by this router's lifespan (merged into
the app's by `api.app._add_feature_routes`): a few small arrays, the records are read on demand.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi import Path as PathParam
from starlette.responses import Response

from ...catalog import MIN_VOTES, Catalog
from ...catalog.cards import Cards
from ...catalog.movies import MAX_ID
from ...config import Settings
from ...errors import CatalogError, NotFound
from ..fichas import FichaPelicula, PaginaPersona
from ..openapi import operation_id
from ..responses import json_response
from ..schemas import Error

logger = logging.getLogger("filmoteca.api")

_ASSETS = {
    "app.css": "text/css; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "icono.svg": "image/svg+xml",
}
_CSP = (
    "default-src 'self'; img-src 'self' data:{posters}; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
POSTER_HOST = "https://image.tmdb.org"
"""The only other host the page may load from, and only with FILMOTECA_POSTERS=1."""
_ID_EXAMPLES = {"Avatar": {"value": 19995}, "demo": {"value": 900001}}


# ---------------------------------------------------------------- static assets


@dataclass(frozen=True, slots=True)
class _Asset:
    """A static file held in memory with its validator."""

    body: bytes
    media_type: str
    etag: str


@cache
def _asset(name: str) -> _Asset:
    """Read a packaged file of `filmoteca/web` once."""
    media_type = "text/html; charset=utf-8" if name == "index.html" else _ASSETS[name]
    body = resources.files("filmoteca").joinpath("web", name).read_bytes()
    return _Asset(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:20] + '"')


def _asset_response(request: Request, asset: _Asset, headers: dict[str, str]) -> Response:
    """The file, or 304 when the browser already holds this version."""
    common = {"ETag": asset.etag, "Cache-Control": "no-cache", **headers}
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=common)
    return Response(asset.body, media_type=asset.media_type, headers=common)


# ---------------------------------------------------------------- state, dependencies, lifespan


async def get_cards(request: Request) -> Cards:
    """The cards (503, saying why, when they could not be loaded)."""
    cards: Cards | None = getattr(request.app.state, "cards", None)
    if cards is None:
        reason = getattr(request.app.state, "cards_error", None) or (
            "el catálogo servido no se pudo leer desde FILMOTECA_CATALOG_DIR. Reinicie el "
            "servidor con 'filmoteca serve'."
        )
        raise CatalogError(f"Las fichas de la página web no están disponibles: {reason}")
    return cards


CardsDep = Annotated[Cards, Depends(get_cards)]


def load_cards(catalog: Catalog | None, catalog_dir: Path) -> tuple[Cards | None, str | None]:
    """The cards of the catalog being served, or None and why (logged) when they cannot be
    opened or belong to another catalog."""
    if catalog is None:
        return None, "no hay ningún catálogo cargado."
    try:
        cards = Cards.load(catalog_dir, catalog)
    except CatalogError as exc:
        reason = exc.message
    else:
        if cards.version == catalog.version:
            return cards, None
        reason = (
            f"'{catalog_dir}' tiene el catálogo {cards.version} y se sirve el {catalog.version}. "
            "Reinicie el servidor con 'filmoteca serve'."
        )
    logger.warning("Sin fichas para la página web: %s", reason)
    return None, reason


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the cards after the app's lifespan loaded the catalog (milliseconds: see `cards`)."""
    settings: Settings = app.state.settings
    # No local name for the catalog: this frame lives as long as the app, and would keep
    # a catalog replaced by POST /admin/recargar in memory.
    app.state.cards, app.state.cards_error = load_cards(
        getattr(app.state, "catalog", None), settings.catalog_dir
    )
    yield


router = APIRouter(lifespan=lifespan, generate_unique_id_function=operation_id)


# ---------------------------------------------------------------- routes


@cache
def _page_with_posters() -> _Asset:
    """The page marked to show posters (`<html data-posters="si">`)."""
    plain = _asset("index.html")
    body = plain.body.replace(b'<html lang="es">', b'<html lang="es" data-posters="si">', 1)
    return _Asset(body, plain.media_type, '"' + hashlib.sha256(body).hexdigest()[:20] + '"')


@router.api_route("/app", methods=["GET", "HEAD"], include_in_schema=False)
async def page(request: Request) -> Response:
    """The web page (with TMDB posters only when the setting allows it)."""
    settings: Settings = request.app.state.settings
    if settings.posters:
        csp = _CSP.format(posters=" " + POSTER_HOST)
        return _asset_response(request, _page_with_posters(), {"Content-Security-Policy": csp})
    return _asset_response(
        request, _asset("index.html"), {"Content-Security-Policy": _CSP.format(posters="")}
    )


@router.api_route("/app/{archivo}", methods=["GET", "HEAD"], include_in_schema=False)
async def page_asset(request: Request, archivo: str) -> Response:
    """A static file of the page (stylesheet, script, icon)."""
    if archivo not in _ASSETS:
        raise NotFound(f"La página web no tiene ningún archivo '{archivo[:80]}'.")
    return _asset_response(request, _asset(archivo), {"X-Content-Type-Options": "nosniff"})


@router.get(
    "/pelicula/{id}",
    response_model=FichaPelicula,
    tags=["página web"],
    summary="Ficha completa de una película, por id",
    description=(
        "Todo lo que muestra la ficha de la página web (`/app`): título, año, popularidad, "
        f"votos y promedio (sólo con al menos {MIN_VOTES} votos, como `/votos_titulo`), "
        "presupuesto, recaudación, retorno, ganancia, géneros, dirección, reparto principal, "
        "colección y póster (si el catálogo lo tiene). Un id que no está en el catálogo "
        "responde 404."
    ),
    responses={
        404: {"model": Error, "description": "No hay ninguna película con ese id."},
        422: {"model": Error, "description": "El id no es un número entero positivo."},
    },
)
async def pelicula(
    cards: CardsDep,
    id: Annotated[
        int, PathParam(ge=1, le=MAX_ID, description="Id de TMDB.", openapi_examples=_ID_EXAMPLES)
    ],
) -> Response:
    """A movie's full card."""
    return json_response(FichaPelicula.from_card(cards.card(id)))


@router.get(
    "/persona/{nombre}",
    response_model=PaginaPersona,
    tags=["página web"],
    summary="Página de un actor o director: cifras y películas",
    description=(
        "Las cifras de la misión como intérprete (las de `/get_actor`) y como director (las de "
        "`/get_director`) y las películas de cada papel, por fecha de estreno. El nombre se "
        "compara completo, sin importar mayúsculas, tildes ni espacios repetidos; si nadie se "
        "llama así responde 404 con hasta 5 nombres parecidos en `sugerencias`."
    ),
    responses={
        404: {"model": Error, "description": "Nadie con ese nombre actúa ni dirige."},
        422: {"model": Error, "description": "Nombre de más de 200 caracteres."},
    },
)
async def persona(
    cards: CardsDep,
    nombre: Annotated[
        str,
        PathParam(
            max_length=200,
            description="Nombre completo, p. ej. Tom Hanks.",
            openapi_examples={"director": {"value": "Steven Spielberg"}},
        ),
    ],
) -> Response:
    """An actor's or director's page."""
    return json_response(PaginaPersona.from_page(cards.person(nombre)))
