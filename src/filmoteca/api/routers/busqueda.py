"""Search over titles and people (the one route where part of a name is enough)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from ...catalog import Catalog
from ..answers import attached
from ..deps import CatalogDep
from ..openapi import operation_id
from ..responses import JSON
from ..schemas import MAX_PAGE, Busqueda, Error, busqueda_json

router = APIRouter(tags=["búsqueda"], generate_unique_id_function=operation_id)


@router.get(
    "/buscar",
    response_model=Busqueda,
    responses={422: {"model": Error, "description": "Parámetros no válidos."}},
    summary="Buscar títulos y personas",
    description="Películas y personas cuyo título o nombre normalizado contiene `q`. Primero las "
    "coincidencias exactas, luego las que empiezan por `q`, luego las que tienen una palabra que "
    "empieza por `q`; dentro de cada grupo, las películas más votadas y las personas con más "
    "películas. Cada resultado trae su ficha (`/pelicula/{id}` o `/persona/{nombre}`) y las rutas "
    "que responden sobre él. `total_paginas`, `siguiente` y `anterior` recorren las páginas; "
    "una página más allá de la última responde 200 sin resultados, con `anterior` apuntando a "
    "la última.",
)
async def buscar(
    catalog: CatalogDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="Parte de un título o de un nombre.",
            openapi_examples={"título": {"value": "toy story"}, "persona": {"value": "hanks"}},
        ),
    ],
    limite: Annotated[int, Query(ge=1, le=50, description="Resultados por página.")] = 10,
    pagina: Annotated[
        int, Query(ge=1, le=MAX_PAGE, description=f"Página, desde 1 (hasta {MAX_PAGE}).")
    ] = 1,
) -> Response:
    """Titles and people containing the query, paginated."""
    return Response(search_body(catalog, q, limite, pagina), media_type=JSON)


def search_body(catalog: Catalog, q: str, limite: int, pagina: int) -> bytes:
    """The body of `buscar`'s answer (its arguments already validated): from the hits' JSON
    made at build time when the catalog has it, else made here. The fast path calls it too
    (`fastpath._searched`). Raises InvalidQuery for a query that normalises to nothing."""
    saved = attached(catalog)
    body = saved.search(catalog, q, limite, pagina) if saved is not None else None
    if body is None:
        body = busqueda_json(q, catalog.search(q, limite, pagina), pagina, limite)
    return body
