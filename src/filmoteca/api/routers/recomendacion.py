"""Recommendations: similar movies for one title, or for several liked movies.

The recommender fitted by `filmoteca build` (`<catalog>/recomendador`) is loaded once, by this
router's lifespan (merged into the app's), and reached through `RecommenderDep`. A catalog built
with `--sin-recomendador` is still served: these routes then answer 503 with the reason.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from ...catalog.movies import MAX_ID
from ...errors import CatalogError, CatalogMissing
from ...recommender import Filters, Recommendation, Recommender
from ...recommender.lookup import for_id, for_many, for_title
from ..deps import CatalogDep
from ..openapi import operation_id
from ..responses import json_response
from ..schemas import Coincidencia, Error

logger = logging.getLogger("filmoteca.api")
MODEL_DIR = "recomendador"
MAX_TEXT = 200
MAX_ITEMS = 50


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the recommender beside the catalog (unless one was set on app.state already)."""
    if getattr(app.state, "recommender", None) is None:
        try:
            app.state.recommender = Recommender.load(app.state.settings.catalog_dir / MODEL_DIR)
        except CatalogError as exc:  # served without recommendations, and said so
            logger.warning("Recomendador no disponible: %s", exc.message)
            app.state.recommender = None
            app.state.recommender_error = exc.message
    yield


router = APIRouter(
    tags=["recomendación"], lifespan=lifespan, generate_unique_id_function=operation_id
)


async def get_recommender(request: Request) -> Recommender:
    """The recommender loaded at start-up (503 if the catalog has none)."""
    model: Recommender | None = getattr(request.app.state, "recommender", None)
    if model is None:
        reason = getattr(request.app.state, "recommender_error", "no está cargado")
        raise CatalogMissing(f"El recomendador no está disponible: {reason}")
    return model


RecommenderDep = Annotated[Recommender, Depends(get_recommender)]


def _examples(*examples: Any) -> ConfigDict:
    """Model config carrying OpenAPI examples."""
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class Recomendacion(BaseModel):
    """Una película recomendada."""

    titulo: str
    anio: int | None = Field(description="Año de estreno.")
    id: int = Field(description="Id de TMDB.")
    similitud: float = Field(
        description="Puntuación por la que se ordena la lista, de 0 a 1: parecido de contenido "
        "y de gustos (quienes valoraron bien una también valoraron bien la otra), con un ligero "
        "ajuste por valoración. Con varias películas, la media sobre ellas."
    )
    personas_en_comun: int = Field(
        default=0,
        description="Personas de las valoraciones de MovieLens a las que les gustaron esta "
        "película y la consultada (con varias: la más parecida); 0 si no hay valoraciones.",
    )
    motivos: list[str] = Field(description="Qué comparte con la consulta, calculado de los datos.")

    @classmethod
    def of(cls, rec: Recommendation) -> Recomendacion:
        """From a domain recommendation."""
        return cls(
            titulo=rec.title,
            anio=rec.year,
            id=rec.id,
            similitud=rec.similarity,
            personas_en_comun=rec.co_likes,
            motivos=list(rec.reasons),
        )


_TOY_STORY_2 = {
    "titulo": "Toy Story 2",
    "anio": 1999,
    "id": 863,
    "similitud": 0.97,
    "personas_en_comun": 61,
    "motivos": [
        "mismo director: John Lasseter",
        "a quienes les gustó «Toy Story», también les gustó esta: 61 personas",
        "reparto en común: Don Rickles, Tim Allen, Tom Hanks",
        "palabras clave: toy comes to life, friendship",
    ],
}


class RecomendacionesTitulo(BaseModel):
    """Películas parecidas a una película."""

    model_config = _examples(
        {"titulo": "Toy Story", "anio": 1995, "id": 862, "recomendaciones": [_TOY_STORY_2]}
    )
    titulo: str
    anio: int | None = Field(description="Año de estreno.")
    id: int = Field(description="Id de TMDB.")
    recomendaciones: list[Recomendacion] = Field(description="Nunca incluye la propia película.")
    otras_coincidencias: list[Coincidencia] | None = Field(
        default=None,
        description="Solo si hay otras películas con el mismo título: elija una con `?anio=`.",
    )


class Preferencias(BaseModel):
    """Películas que gustan (por título o id) y películas a evitar."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"titulos": ["Toy Story", "Up"], "ids": [12], "descartar": ["Cars"]}]
        },
    )
    titulos: list[Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Títulos que le gustan."
    )
    ids: list[int] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Ids de TMDB que le gustan."
    )
    descartar: list[Annotated[str, Field(max_length=MAX_TEXT)] | int] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="Títulos (texto) o ids (números) que no quiere ver recomendados.",
    )


class RecomendacionesVarias(BaseModel):
    """Recomendaciones para varias películas a la vez."""

    model_config = _examples(
        {
            "titulos": [{"titulo": "Toy Story", "anio": 1995, "id": 862}],
            "no_encontrados": ["Toy Storyy"],
            "recomendaciones": [{**_TOY_STORY_2, "motivos": ["parecida a: Toy Story"]}],
        }
    )
    titulos: list[Coincidencia] = Field(description="Las películas encontradas que le gustan.")
    no_encontrados: list[str | int] = Field(
        description="Títulos o ids (de 'titulos', 'ids' o 'descartar') que no están en el catálogo."
    )
    recomendaciones: list[Recomendacion] = Field(
        description="Ni las que le gustan ni las descartadas; el primer motivo dice a cuál se parece."
    )


def _filters(
    desde: int | None, hasta: int | None, min_votos: int | None, idioma: str | None
) -> Filters:
    """The domain filters from the query parameters."""
    return Filters(since=desde, until=hasta, min_votes=min_votos, language=idioma)


K = Annotated[int, Query(ge=1, le=20, description="Cuántas recomendaciones (1-20).")]
Desde = Annotated[int | None, Query(ge=1870, le=2100, description="Estrenadas desde este año.")]
Hasta = Annotated[int | None, Query(ge=1870, le=2100, description="Estrenadas hasta este año.")]
MinVotos = Annotated[int | None, Query(ge=0, description="Con al menos estos votos en TMDB.")]
Idioma = Annotated[
    str | None,
    Query(
        min_length=2,
        max_length=8,
        description="Idioma original, código ISO 639-1 (`en`, `es`, `fr`...).",
    ),
]
Anio = Annotated[
    int | None,
    Query(ge=1870, le=2100, description="Año de estreno, para elegir entre títulos repetidos."),
]
Titulo = Annotated[
    str,
    Path(
        max_length=MAX_TEXT,
        description="Título exacto (sin importar caja, tildes ni espacios).",
        openapi_examples={v: {"value": v} for v in ("Toy Story", "the dark knight")},
    ),
]
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": Error, "description": "Título desconocido; `sugerencias` trae parecidos."},
    422: {"model": Error, "description": "Parámetro no válido (k, años, idioma...)."},
    503: {"model": Error, "description": "El catálogo se construyó sin recomendador."},
}


@router.get(
    "/recomendacion/{titulo:path}",
    response_model=RecomendacionesTitulo,
    responses=ERRORS,
    summary="Películas parecidas a una película",
    description="Las `k` películas más parecidas (5 por defecto, hasta 20) por contenido "
    "(sinopsis, géneros, palabras clave, reparto, dirección, guion, saga, idioma y época) y "
    "por gustos (a quienes les gustó una también les gustó la otra, si el catálogo se construyó "
    "con valoraciones), con un ligero ajuste por valoración; cada una con sus `motivos` y "
    "ordenadas por `similitud`. Mismas reglas de "
    "título que `/score_titulo` (`?anio=` para títulos repetidos). Filtros opcionales: "
    "`desde`, `hasta`, `min_votos`, `idioma`.",
)
async def recomendacion(
    titulo: Titulo,
    catalog: CatalogDep,
    model: RecommenderDep,
    anio: Anio = None,
    k: K = 5,
    desde: Desde = None,
    hasta: Hasta = None,
    min_votos: MinVotos = None,
    idioma: Idioma = None,
) -> Response:
    """Similar movies for one title."""
    found = for_title(catalog, model, titulo, anio, k, _filters(desde, hasta, min_votos, idioma))
    movie = found.match.movie
    extra = {}
    if found.match.others:
        extra["otras_coincidencias"] = [Coincidencia.from_ref(r) for r in found.match.others]
    return json_response(
        RecomendacionesTitulo(
            titulo=movie.title,
            anio=movie.year,
            id=movie.id,
            recomendaciones=[Recomendacion.of(r) for r in found.recommendations],
            **extra,
        )
    )


@router.post(
    "/recomendacion",
    response_model=RecomendacionesVarias,
    responses=ERRORS,
    summary="Recomendaciones a partir de varias películas",
    description='Recibe `{"titulos": [...], "ids": [...], "descartar": [...]}` y recomienda '
    "las `k` películas más parecidas al conjunto (similitud media), sin repetir las indicadas "
    "ni las descartadas. Los títulos o ids que no existen se informan en `no_encontrados`; "
    "solo si no se encuentra ninguno responde 404. Mismos filtros que la ruta GET.",
)
async def recomendacion_varias(
    preferencias: Preferencias,
    catalog: CatalogDep,
    model: RecommenderDep,
    k: K = 5,
    desde: Desde = None,
    hasta: Hasta = None,
    min_votos: MinVotos = None,
    idioma: Idioma = None,
) -> Response:
    """Recommendations for several liked movies."""
    liked: list[str | int] = [*preferencias.titulos, *preferencias.ids]
    found = for_many(
        catalog,
        model,
        liked,
        preferencias.descartar,
        k,
        _filters(desde, hasta, min_votos, idioma),
    )
    return json_response(
        RecomendacionesVarias(
            titulos=[Coincidencia.from_ref(r) for r in found.liked],
            no_encontrados=found.not_found,
            recomendaciones=[Recomendacion.of(r) for r in found.recommendations],
        )
    )


MovieId = Annotated[int, Path(ge=1, le=MAX_ID, description="Id de TMDB de la película.")]


@router.get(
    "/pelicula/{id}/similares",
    response_model=RecomendacionesTitulo,
    responses=ERRORS,
    summary="Películas parecidas a una película, por su id",
    description="La misma respuesta que `/recomendacion/{titulo}`, eligiendo la película por "
    "su id de TMDB. Mismos filtros: `k`, `desde`, `hasta`, `min_votos`, `idioma`.",
)
async def similares(
    id: MovieId,
    model: RecommenderDep,
    k: K = 5,
    desde: Desde = None,
    hasta: Hasta = None,
    min_votos: MinVotos = None,
    idioma: Idioma = None,
) -> Response:
    """Similar movies for one TMDB id."""
    movie, recs = for_id(model, id, k, _filters(desde, hasta, min_votos, idioma))
    return json_response(
        RecomendacionesTitulo(
            titulo=movie.title,
            anio=movie.year,
            id=movie.id,
            recomendaciones=[Recomendacion.of(r) for r in recs],
        )
    )
