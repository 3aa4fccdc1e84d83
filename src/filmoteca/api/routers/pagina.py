"""The web page at /app: its static assets and the two JSON queries it needs beyond the API.

    GET /app                   the page (HTML; routes live in the URL hash: /app#/pelicula/19995)
    GET /app/{archivo}         app.css, app.js, icono.svg (ETag, revalidated on every load)
    GET /pelicula/{id}         a movie's full card (figures, genres, directors, cast, poster)
    GET /persona/{nombre}      an actor's or director's page: mission figures and films

The queries live in `filmoteca.cards`; this module only parses, calls and shapes. `Cards` is
loaded once, by this router's lifespan (merged into the app's by `include_router`).
"""

from __future__ import annotations

import datetime as dt
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
from pydantic import BaseModel, Field
from starlette.responses import Response

from ...cards import Cards, MovieCard, PersonFilm, PersonPage
from ...catalog import MIN_VOTES, Catalog, Movie
from ...config import Settings
from ...errors import CatalogError, NotFound
from ..deps import CatalogDep
from ..responses import json_response
from ..schemas import Error

logger = logging.getLogger("filmoteca.api")

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


# ---------------------------------------------------------------- response models


class VotesOut(BaseModel):
    """Votes and average, reported only from the minimum number of votes on."""

    cumple_condicion: bool = Field(description="Si la película llega al mínimo de votos.")
    minimo: int = Field(description="Votos necesarios para informar votos y promedio.")
    votos: int | None = Field(description="Cantidad de votos (sólo si cumple la condición).")
    promedio: float | None = Field(description="Promedio de los votos, de 0 a 10 (ídem).")
    mensaje: str | None = Field(description="Por qué no se informan (si no la cumple).")


class CastOut(BaseModel):
    """A billed actor of a movie."""

    nombre: str
    personaje: str | None


class MovieCardOut(BaseModel):
    """A movie's full card."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "id": 19995,
                    "titulo": "Avatar",
                    "titulo_original": "Avatar",
                    "anio": 2009,
                    "fecha_lanzamiento": "2009-12-10",
                    "idioma_original": "en",
                    "duracion_minutos": 162.0,
                    "sinopsis": "In the 22nd century, a paraplegic Marine is dispatched...",
                    "lema": "Enter the World of Pandora.",
                    "pagina_web": "http://www.avatarmovie.com/",
                    "poster": None,
                    "imdb_id": "tt0499549",
                    "popularidad": 150.437577,
                    "votos": {
                        "cumple_condicion": True,
                        "minimo": 2000,
                        "votos": 11800,
                        "promedio": 7.2,
                        "mensaje": None,
                    },
                    "presupuesto": 237000000.0,
                    "recaudacion": 2787965087.0,
                    "retorno": 11.763566,
                    "ganancia": 2550965087.0,
                    "generos": ["Action", "Adventure", "Fantasy", "Science Fiction"],
                    "direccion": ["James Cameron"],
                    "reparto": [{"nombre": "Sam Worthington", "personaje": "Jake Sully"}],
                    "coleccion": "Avatar Collection",
                }
            ]
        }
    }

    id: int
    titulo: str
    titulo_original: str | None
    anio: int | None
    fecha_lanzamiento: dt.date | None = Field(description="AAAA-MM-DD.")
    idioma_original: str | None = Field(description="Código ISO 639-1 (en, es, fr...).")
    duracion_minutos: float | None
    sinopsis: str | None
    lema: str | None
    pagina_web: str | None
    poster: str | None = Field(description="URL del póster en TMDB, si el catálogo lo tiene.")
    imdb_id: str | None
    popularidad: float = Field(description="Puntuación de popularidad del conjunto de datos.")
    votos: VotesOut
    presupuesto: float = Field(description="Presupuesto en dólares (0: desconocido).")
    recaudacion: float = Field(description="Recaudación en dólares (0: desconocida).")
    retorno: float = Field(description="recaudación / presupuesto (0 sin presupuesto).")
    ganancia: float = Field(description="recaudación - presupuesto.")
    generos: list[str] = Field(description="Géneros, con sus nombres de TMDB.")
    direccion: list[str] = Field(description="Directores (trabajo 'Director').")
    reparto: list[CastOut] = Field(description="Reparto principal, por orden de aparición.")
    coleccion: str | None = Field(description="Saga o colección a la que pertenece.")


class FilmOut(BaseModel):
    """A film of a person's page."""

    id: int
    titulo: str
    anio: int | None
    fecha_lanzamiento: dt.date | None
    costo: float = Field(description="Presupuesto en dólares (0: desconocido).")
    recaudacion: float
    ganancia: float = Field(description="recaudación - presupuesto.")
    retorno: float = Field(description="recaudación / presupuesto (0 sin presupuesto).")
    personaje: str | None = Field(default=None, description="Su papel, si actúa en ella.")


class ActorOut(BaseModel):
    """The mission's figures of a person as an actor (the same as /get_actor)."""

    cantidad_peliculas: int
    retorno_total: float
    retorno_promedio: float
    peliculas_con_retorno: int


class DirectorOut(BaseModel):
    """The mission's figures of a person as a director (the same as /get_director)."""

    cantidad_peliculas: int
    retorno_total: float
    retorno_promedio: float
    peliculas: list[FilmOut] = Field(description="Películas que dirigió, por fecha.")


class PersonOut(BaseModel):
    """An actor's or director's page."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "nombre": "Sam Mendes",
                    "actor": None,
                    "director": {
                        "cantidad_peliculas": 1,
                        "retorno_total": 3.5,
                        "retorno_promedio": 3.5,
                        "peliculas": [
                            {
                                "id": 206647,
                                "titulo": "Spectre",
                                "anio": 2015,
                                "fecha_lanzamiento": "2015-10-26",
                                "costo": 245000000.0,
                                "recaudacion": 880674609.0,
                                "ganancia": 635674609.0,
                                "retorno": 3.594590,
                                "personaje": None,
                            }
                        ],
                    },
                    "peliculas_como_actor": [],
                }
            ]
        }
    }

    nombre: str
    actor: ActorOut | None = Field(description="Cifras como intérprete (null si no actúa).")
    director: DirectorOut | None = Field(description="Cifras como director (null si no dirige).")
    peliculas_como_actor: list[FilmOut] = Field(description="Películas en que actúa, por fecha.")


# ---------------------------------------------------------------- shaping


def _votes(card: MovieCard) -> VotesOut:
    """The vote figures under the MIN_VOTES rule."""
    message = None if card.votes.enough else f"Tiene menos de {MIN_VOTES} votos: no se informan."
    return VotesOut(
        cumple_condicion=card.votes.enough,
        minimo=MIN_VOTES,
        votos=card.votes.count,
        promedio=card.votes.average,
        mensaje=message,
    )


def _card_out(card: MovieCard) -> MovieCardOut:
    """Shape a movie card."""
    return MovieCardOut(
        id=card.id,
        titulo=card.title,
        titulo_original=card.original_title,
        anio=card.year,
        fecha_lanzamiento=card.release_date,
        idioma_original=card.language,
        duracion_minutos=card.runtime,
        sinopsis=card.overview,
        lema=card.tagline,
        pagina_web=card.homepage,
        poster=card.poster_url,
        imdb_id=card.imdb_id,
        popularidad=card.popularity,
        votos=_votes(card),
        presupuesto=card.budget,
        recaudacion=card.revenue,
        retorno=card.return_,
        ganancia=card.revenue - card.budget,
        generos=list(card.genres),
        direccion=list(card.directors),
        reparto=[CastOut(nombre=c.name, personaje=c.character) for c in card.cast],
        coleccion=card.collection,
    )


def _film_out(film: PersonFilm | Movie, character: str | None = None) -> FilmOut:
    """Shape one film of a person's page."""
    return FilmOut(
        id=film.id,
        titulo=film.title,
        anio=film.year,
        fecha_lanzamiento=film.release_date,
        costo=film.budget,
        recaudacion=film.revenue,
        ganancia=film.revenue - film.budget,
        retorno=film.return_,
        personaje=character,
    )


def _person_out(page: PersonPage) -> PersonOut:
    """Shape a person's page."""
    actor = director = None
    if page.actor is not None:
        actor = ActorOut(
            cantidad_peliculas=page.actor.films,
            retorno_total=page.actor.return_total,
            retorno_promedio=page.actor.return_mean,
            peliculas_con_retorno=page.actor.films_with_budget,
        )
    if page.director is not None:
        films = page.director.films
        director = DirectorOut(
            cantidad_peliculas=len(films),
            retorno_total=page.director.return_total,
            retorno_promedio=page.director.return_total / len(films) if films else 0.0,
            peliculas=[_film_out(film) for film in films],
        )
    acting = [_film_out(film, film.character) for film in page.acting]
    return PersonOut(nombre=page.name, actor=actor, director=director, peliculas_como_actor=acting)


# ---------------------------------------------------------------- state, dependencies, lifespan


async def get_cards(request: Request) -> Cards:
    """The cards loaded at start-up (503 when they could not be loaded)."""
    cards: Cards | None = getattr(request.app.state, "cards", None)
    if cards is None:
        raise CatalogError(
            "Las fichas de la página web no están disponibles: el catálogo servido no se pudo "
            "leer desde FILMOTECA_CATALOG_DIR. Reinicie el servidor con 'filmoteca serve'."
        )
    return cards


CardsDep = Annotated[Cards, Depends(get_cards)]


def load_cards(catalog: Catalog | None, catalog_dir: Path) -> Cards | None:
    """The cards of the catalog being served, or None when its directory holds another one."""
    try:
        cards = Cards.load(catalog_dir)
    except CatalogError as exc:
        logger.warning("Sin fichas para la página web: %s", exc.message)
        return None
    if catalog is not None and cards.version != catalog.version:
        logger.warning(
            "Sin fichas para la página web: '%s' tiene el catálogo %s y se sirve el %s.",
            catalog_dir,
            cards.version,
            catalog.version,
        )
        return None
    return cards


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the cards once, after the app's lifespan loaded the catalog (merged lifespans)."""
    if getattr(app.state, "cards", None) is None:
        settings: Settings = app.state.settings
        app.state.cards = load_cards(getattr(app.state, "catalog", None), settings.catalog_dir)
    yield


router = APIRouter(lifespan=lifespan)


# ---------------------------------------------------------------- routes


@router.api_route("/app", methods=["GET", "HEAD"], include_in_schema=False)
async def page(request: Request) -> Response:
    """The web page."""
    return _asset_response(request, _asset("index.html"), {"Content-Security-Policy": _CSP})


@router.api_route("/app/{archivo}", methods=["GET", "HEAD"], include_in_schema=False)
async def page_asset(request: Request, archivo: str) -> Response:
    """A static file of the page (stylesheet, script, icon)."""
    if archivo not in _ASSETS:
        raise NotFound(f"La página web no tiene ningún archivo '{archivo[:80]}'.")
    return _asset_response(request, _asset(archivo), {"X-Content-Type-Options": "nosniff"})


@router.get(
    "/pelicula/{id}",
    response_model=MovieCardOut,
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
        int, PathParam(ge=1, le=10**12, description="Id de TMDB.", openapi_examples=_ID_EXAMPLES)
    ],
) -> Response:
    """A movie's full card."""
    return json_response(_card_out(cards.card(id)))


@router.get(
    "/persona/{nombre}",
    response_model=PersonOut,
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
    catalog: CatalogDep,
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
    return json_response(_person_out(cards.person(catalog, nombre)))
