"""Browse the catalog: by genre, years and votes, ordered and paginated.

    GET /descubrir      movies filtered by `genero`, `desde`, `hasta`, `min_votos`, ordered by
                        `orden` (popularidad, votos, promedio, recientes, recaudacion), by pages
    GET /generos        every genre with its number of movies

The query lives in `filmoteca.catalog.discover`; the genre masks it reads are precomputed at
build time and opened once by this router's lifespan.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from ...catalog import MIN_VOTES
from ...catalog.discover import Discover, DiscoverPage, DiscoverQuery
from ...config import Settings
from ..deps import open_beside_catalog, opened
from ..openapi import operation_id
from ..responses import json_response
from ..schemas import Error


class PeliculaDescubierta(BaseModel):
    """Una película de una lista para explorar."""

    id: int = Field(description="Id de TMDB.")
    titulo: str
    anio: int | None = Field(description="Año de estreno.")
    popularidad: float = Field(description="Índice de actividad de TMDB (no es una nota).")
    votos: int = Field(description="Cantidad de votos en TMDB.")
    promedio: float | None = Field(
        description=f"Promedio de los votos; null con menos de {MIN_VOTES} votos."
    )
    recaudacion: float = Field(description="Recaudación en dólares; 0 si no se conoce.")
    generos: list[str]


class Descubrir(BaseModel):
    """Una página de películas que cumplen los filtros, en el orden pedido."""

    total: int = Field(description="Películas que cumplen los filtros.")
    pagina: int
    paginas: int
    limite: int
    orden: str
    min_votos: int = Field(description="Mínimo de votos aplicado (al menos 2000 con promedio).")
    genero: str | None = Field(description="Género filtrado, tal como lo escribe el catálogo.")
    resultados: list[PeliculaDescubierta]

    @classmethod
    def from_page(cls, page: DiscoverPage) -> Descubrir:
        """From a domain page."""
        results = [
            PeliculaDescubierta(
                id=m.id,
                titulo=m.title,
                anio=m.year,
                popularidad=m.popularity,
                votos=m.vote_count,
                promedio=m.vote_average if m.vote_count >= MIN_VOTES else None,
                recaudacion=m.revenue,
                generos=list(genres),
            )
            for m, genres in zip(page.movies, page.genres, strict=True)
        ]
        return cls(
            total=page.total,
            pagina=page.page,
            paginas=page.pages,
            limite=page.limit,
            orden=page.order,
            min_votos=page.min_votes,
            genero=page.genre,
            resultados=results,
        )


class Genero(BaseModel):
    """Un género y cuántas películas lo tienen."""

    nombre: str
    peliculas: int


class Generos(BaseModel):
    """Todos los géneros del catálogo, de más a menos películas."""

    generos: list[Genero]


async def get_discover(request: Request) -> Discover:
    """The browsing index (503, saying why, when it could not be loaded)."""
    found: Discover = opened(
        request, "discover", "Explorar el catálogo no está disponible", "no hay catálogo."
    )
    return found


DiscoverDep = Annotated[Discover, Depends(get_discover)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the genre masks beside the catalog the app loaded."""
    settings: Settings = app.state.settings
    open_beside_catalog(
        app,
        "discover",
        lambda catalog: Discover.load(settings.catalog_dir, catalog),
        "Sin exploración del catálogo",
    )
    yield


router = APIRouter(lifespan=lifespan, tags=["explorar"], generate_unique_id_function=operation_id)

Orden = Literal["popularidad", "votos", "promedio", "recientes", "recaudacion"]
ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": Error, "description": "Género desconocido; `sugerencias` trae parecidos."},
    422: {"model": Error, "description": "Parámetro no válido (años, orden, página...)."},
}


@router.get(
    "/descubrir",
    response_model=Descubrir,
    responses=ERRORS,
    summary="Explorar películas por género, años y votos",
    description=(
        "Películas que cumplen todos los filtros dados (todos opcionales), ordenadas de mayor a "
        "menor por `orden`: `popularidad` (índice de actividad de TMDB), `votos`, `promedio` "
        f"(sólo películas con al menos {MIN_VOTES} votos, la regla de `/votos_titulo`), "
        "`recientes` (fecha de estreno) o `recaudacion`; empates por más votos. `genero` se "
        "compara sin importar mayúsculas ni tildes (ver `/generos`). Por páginas de `limite`."
    ),
)
async def descubrir(
    discover: DiscoverDep,
    genero: Annotated[
        str | None, Query(max_length=60, description="Género, p. ej. Drama (ver /generos).")
    ] = None,
    desde: Annotated[int | None, Query(ge=1870, le=2100, description="Desde este año.")] = None,
    hasta: Annotated[int | None, Query(ge=1870, le=2100, description="Hasta este año.")] = None,
    min_votos: Annotated[
        int | None, Query(ge=0, le=10**9, description="Con al menos estos votos.")
    ] = None,
    orden: Annotated[Orden, Query(description="Cifra por la que se ordena.")] = "popularidad",
    pagina: Annotated[int, Query(ge=1, le=10**6, description="Página, desde 1.")] = 1,
    limite: Annotated[int, Query(ge=1, le=50, description="Películas por página.")] = 20,
) -> Response:
    """One page of browsed movies."""
    query = DiscoverQuery(genero or None, desde, hasta, min_votos, orden, pagina, limite)
    return json_response(Descubrir.from_page(discover.page(query)))


@router.get(
    "/generos",
    response_model=Generos,
    summary="Géneros del catálogo",
    description="Cada género con su cantidad de películas, de más a menos.",
)
async def generos(discover: DiscoverDep) -> Response:
    """Every genre with its number of movies."""
    items = [Genero(nombre=name, peliculas=count) for name, count in discover.genres()]
    return json_response(Generos(generos=items))
