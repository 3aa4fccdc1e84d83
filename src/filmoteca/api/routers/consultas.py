"""The six queries over the catalog (public paths, kept as users know them).

Routes are `async def`: each answers from memory in microseconds, and a plain `def` route pays
FastAPI's thread-pool hop on every request. Measured in process on /get_actor: 66 µs of CPU per
request as `async def`, 153 µs as `def`. The one slow path, suggestions for an unknown name
(rapidfuzz, a few ms), holds the event loop that long; repeated misses come from the cache.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from ...catalog import MIN_VOTES
from ..deps import CatalogDep
from ..openapi import operation_id
from ..responses import json_response
from ..schemas import (
    Actor,
    CantidadDia,
    CantidadMes,
    Director,
    Error,
    ScoreTitulo,
    VotosInsuficientes,
    VotosTitulo,
    director_json,
    votos_from_match,
)

router = APIRouter(tags=["consultas"], generate_unique_id_function=operation_id)

MAX_TEXT = 200
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Error, "description": "No existe; `sugerencias` trae hasta 5 parecidos."},
    422: {"model": Error, "description": "Parámetro no válido (p. ej. más de 200 caracteres)."},
}
INVALID: dict[int | str, dict[str, Any]] = {
    422: {"model": Error, "description": "Valor no válido; `valores_validos` los enumera."},
}


def _text(description: str, *examples: str) -> Any:
    """A path parameter of at most MAX_TEXT characters, with examples."""
    return Path(
        max_length=MAX_TEXT,
        description=description,
        openapi_examples={value: {"value": value} for value in examples},
    )


Mes = Annotated[
    str,
    _text(
        "Mes en español (cualquier caja, tildes opcionales) o 1-12.",
        "enero",
        "Septiembre",
        "setiembre",
        "3",
    ),
]
Dia = Annotated[
    str, _text("Día de la semana en español, con o sin tilde.", "lunes", "miércoles", "sabado")
]
Titulo = Annotated[
    str,
    _text(
        "Título exacto (sin importar caja, tildes ni espacios).", "Toy Story", "toy story", "Batman"
    ),
]
Actor_ = Annotated[
    str, _text("Nombre exacto del actor o actriz.", "Tom Hanks", "tom hanks", "penelope cruz")
]
Director_ = Annotated[
    str, _text("Nombre exacto del director o directora.", "Steven Spielberg", "quentin tarantino")
]
Anio = Annotated[
    int | None,
    Query(
        ge=1870,
        le=2100,
        description="Año de estreno, para elegir entre películas con el mismo título.",
    ),
]


@router.get(
    "/cantidad_filmaciones_mes/{mes}",
    response_model=CantidadMes,
    responses=INVALID,
    summary="Películas estrenadas en un mes",
    description="Cuenta las películas del catálogo estrenadas en ese mes, sumando todos los años "
    "(según `release_date`). Acepta `enero`…`diciembre` (también `setiembre`) o 1-12.",
)
async def cantidad_filmaciones_mes(mes: Mes, catalog: CatalogDep) -> Response:
    """Movies released in a month, all years."""
    name, count = catalog.count_by_month(mes)
    return json_response(CantidadMes(mes=name, cantidad=count))


@router.get(
    "/cantidad_filmaciones_dia/{dia}",
    response_model=CantidadDia,
    responses=INVALID,
    summary="Películas estrenadas en un día de la semana",
    description="Cuenta las películas estrenadas en ese día de la semana (calculado a partir de "
    "`release_date`). Acepta `lunes`…`domingo`, con o sin tilde.",
)
async def cantidad_filmaciones_dia(dia: Dia, catalog: CatalogDep) -> Response:
    """Movies released on a weekday."""
    name, count = catalog.count_by_weekday(dia)
    return json_response(CantidadDia(dia=name, cantidad=count))


@router.get(
    "/score_titulo/{titulo:path}",
    response_model=ScoreTitulo,
    responses=NOT_FOUND,
    summary="Año y popularidad de una película",
    description="Título, año de estreno y popularidad (el «score» de TMDB). Si varias películas "
    "comparten el título responde la más votada y lista las demás en `otras_coincidencias`; "
    "`?anio=` elige una.",
)
async def score_titulo(titulo: Titulo, catalog: CatalogDep, anio: Anio = None) -> Response:
    """Year and popularity of a movie."""
    return json_response(ScoreTitulo.from_match(catalog.find_title(titulo, anio)))


@router.get(
    "/votos_titulo/{titulo:path}",
    response_model=VotosTitulo | VotosInsuficientes,
    responses=NOT_FOUND,
    summary="Votos y valoración media de una película",
    description=f"Con al menos {MIN_VOTES} votos: cantidad de votos y valoración media. Con menos, "
    "responde 200 con `cumple_condicion: false` y un mensaje, sin cifras. Mismo criterio que "
    "`/score_titulo` para títulos repetidos y `?anio=`.",
)
async def votos_titulo(titulo: Titulo, catalog: CatalogDep, anio: Anio = None) -> Response:
    """Votes and average rating of a movie with enough votes."""
    return json_response(votos_from_match(catalog.find_title(titulo, anio), MIN_VOTES))


@router.get(
    "/get_actor/{nombre_actor:path}",
    response_model=Actor,
    responses=NOT_FOUND,
    summary="Películas y retorno de un actor o actriz",
    description="Películas en cuyo reparto aparece la persona (dirigir no cuenta), la suma de su "
    "`return` (recaudación / presupuesto; 0 sin presupuesto), el promedio por película y cuántas "
    "tienen presupuesto. Cada película cuenta una vez; las personas con el mismo nombre se suman.",
)
async def get_actor(nombre_actor: Actor_, catalog: CatalogDep) -> Response:
    """A person's films as an actor and their return."""
    return json_response(Actor.from_stats(catalog.actor(nombre_actor)))


@router.get(
    "/get_director/{nombre_director:path}",
    response_model=Director,
    responses=NOT_FOUND,
    summary="Películas dirigidas y su retorno",
    description="Películas en las que la persona figura en el equipo con el puesto `Director`, "
    "ordenadas por fecha de estreno, con retorno, costo, recaudación y ganancia de cada una.",
)
async def get_director(nombre_director: Director_, catalog: CatalogDep) -> Response:
    """A person's directed films with their figures."""
    body = director_json(catalog).answer(catalog.directed(nombre_director))
    return Response(body, media_type="application/json")
