"""Movies, people and collections by TMDB id, as TMDB names them (in Spanish).

    GET /pelicula/{id}/reparto          full cast and crew
    GET /pelicula/{id}/palabras_clave   keywords
    GET /persona/id/{person_id}         a TMDB person (homonyms apart) and their credits
    GET /coleccion/{coleccion_id}       a collection and its movies

The records are read from `<catalog>/creditos` (`filmoteca.catalog.credits`), opened once by
this router's lifespan; every answer depends only on the catalog version (cacheable).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from starlette.responses import Response

from ...catalog.credits import Credits
from ...catalog.movies import MAX_ID
from ..creditos import Coleccion, PalabrasClavePelicula, PersonaId, RepartoPelicula
from ..deps import open_beside_catalog, opened
from ..openapi import operation_id
from ..responses import json_response
from ..schemas import Error


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the credits beside the catalog the app's lifespan loaded (a few small arrays)."""
    catalog_dir = app.state.settings.catalog_dir
    open_beside_catalog(
        app, "credits", lambda catalog: Credits.load(catalog_dir, catalog), "Sin créditos por id"
    )
    yield


router = APIRouter(tags=["por id"], lifespan=lifespan, generate_unique_id_function=operation_id)


async def get_credits(request: Request) -> Credits:
    """The credits (503, saying why, when they could not be opened)."""
    found: Credits = opened(
        request, "credits", "Las rutas por id no están disponibles", "no hay catálogo cargado."
    )
    return found


CreditsDep = Annotated[Credits, Depends(get_credits)]


def _id(description: str, example: int) -> Any:
    return Path(ge=0, le=MAX_ID, description=description, openapi_examples={"": {"value": example}})


MovieId = Annotated[int, _id("Id de TMDB de la película.", 862)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Error, "description": "No hay nada con ese id en el catálogo."}
}


@router.get(
    "/pelicula/{id}/reparto",
    response_model=RepartoPelicula,
    responses=NOT_FOUND,
    summary="Reparto y equipo completos de una película",
    description="Todo el reparto (por orden de aparición, con su personaje) y todo el equipo "
    "(departamento y puesto) de la película, cada persona con su id de TMDB y su página "
    "`/persona/id/{id}`.",
)
async def reparto(id: MovieId, found: CreditsDep) -> Response:
    """A movie's full cast and crew."""
    return json_response(RepartoPelicula.of(found.movie_credits(id)))


@router.get(
    "/pelicula/{id}/palabras_clave",
    response_model=PalabrasClavePelicula,
    responses=NOT_FOUND,
    summary="Palabras clave de una película",
    description="Las palabras clave de TMDB de la película (vacía si el catálogo se construyó "
    "sin `--keywords`).",
)
async def palabras_clave(id: MovieId, found: CreditsDep) -> Response:
    """A movie's keywords."""
    return json_response(PalabrasClavePelicula.of(*found.keywords(id)))


@router.get(
    "/persona/id/{person_id}",
    response_model=PersonaId,
    responses=NOT_FOUND,
    summary="Una persona por su id de TMDB y sus créditos",
    description="Los créditos de reparto y de equipo de una persona de TMDB, por fecha de "
    "estreno. A diferencia de `/persona/{nombre}` y `/get_actor`, que suman a quienes se llaman "
    "igual, aquí cada id es una persona; `homonimos` lista los ids con el mismo nombre.",
)
async def persona_id(
    person_id: Annotated[int, _id("Id de TMDB de la persona.", 31)], found: CreditsDep
) -> Response:
    """A TMDB person's credits."""
    return json_response(PersonaId.of(found.person(person_id)))


@router.get(
    "/coleccion/{coleccion_id}",
    response_model=Coleccion,
    responses=NOT_FOUND,
    summary="Una colección (saga) y sus películas",
    description="Las películas del catálogo de una colección de TMDB, por fecha de estreno.",
)
async def coleccion(
    coleccion_id: Annotated[int, _id("Id de TMDB de la colección.", 10194)], found: CreditsDep
) -> Response:
    """A collection's movies."""
    return json_response(Coleccion.of(found.collection(coleccion_id)))
