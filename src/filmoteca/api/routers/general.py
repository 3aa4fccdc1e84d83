"""Service routes: what this is (`/`), health (`/salud`) and the EDA report (`/reporte`)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, Response

from ... import __version__
from ...catalog import Catalog
from ...catalog.credits import Credits
from ...errors import NotFound
from ..deps import CatalogDep, SettingsDep
from ..openapi import operation_id
from ..responses import json_response
from ..schemas import Error, Info, InfoCatalogo, Salud

router = APIRouter(tags=["servicio"], generate_unique_id_function=operation_id)


def example_links(
    catalog: Catalog, recommender: bool = True, credits: Credits | None = None
) -> dict[str, str]:
    """One link per query, with titles and names that exist in the served catalog (the
    recommendation and the id routes only when they can answer)."""
    ex = catalog.examples
    movie = ex.movie_id
    links = {
        "cantidad_filmaciones_mes": f"/cantidad_filmaciones_mes/{ex.month}",
        "cantidad_filmaciones_dia": f"/cantidad_filmaciones_dia/{quote(ex.weekday, safe='')}",
        "score_titulo": f"/score_titulo/{quote(ex.title, safe='')}",
        "votos_titulo": f"/votos_titulo/{quote(ex.title, safe='')}",
        "get_actor": f"/get_actor/{quote(ex.actor, safe='')}" if ex.actor else None,
        "get_director": f"/get_director/{quote(ex.director, safe='')}" if ex.director else None,
        "titulo_repetido": f"/score_titulo/{quote(ex.repeated_title, safe='')}"
        if ex.repeated_title
        else None,
        "votos_insuficientes": f"/votos_titulo/{quote(ex.few_votes_title, safe='')}"
        if ex.few_votes_title
        else None,
        "buscar": f"/buscar?q={quote(ex.search, safe='')}",
        "pelicula": f"/pelicula/{movie}",
        "persona": f"/persona/{quote(ex.actor, safe='')}" if ex.actor else None,
        "recomendacion": f"/recomendacion/{quote(ex.title, safe='')}" if recommender else None,
        "descubrir": "/descubrir",
        "generos": "/generos",
        "salud": "/salud",
        "reporte": "/reporte",
        "app": "/app",
    }
    if credits is not None:
        links |= _id_links(credits, movie)
    return {name: link for name, link in links.items() if link is not None}


def _id_links(credits: Credits, movie: int) -> dict[str, str | None]:
    """The id routes' examples: the most voted movie, its first billed actor, a collection."""
    cast = credits.movie_credits(movie).cast
    collection = credits.example_collection()
    return {
        "reparto": f"/pelicula/{movie}/reparto",
        "palabras_clave": f"/pelicula/{movie}/palabras_clave",
        "persona_id": f"/persona/id/{cast[0].person_id}" if cast else None,
        "coleccion": f"/coleccion/{collection}" if collection is not None else None,
    }


@router.get(
    "/",
    response_model=Info,
    summary="Información del servicio",
    description="Versión de filmoteca y del catálogo servido, sus cifras y un ejemplo de cada "
    "consulta con títulos y nombres de ese catálogo (el título más votado, uno repetido, el "
    "actor y el director con más películas…). La documentación interactiva está en `/docs`.",
)
async def inicio(catalog: CatalogDep, request: Request) -> Response:
    """Service information and one example link per query."""
    source = catalog.manifest.get("source") or {}
    info = InfoCatalogo(
        version=catalog.version,
        construido=catalog.manifest.get("built_at"),
        fuente=source.get("kind"),
        demo=bool(source.get("demo", False)),
        peliculas=catalog.movie_count,
        actores=catalog.actor_count,
        directores=catalog.director_count,
    )
    return json_response(
        Info(
            nombre="filmoteca",
            descripcion="API en español sobre un catálogo limpio de películas.",
            version=__version__,
            catalogo=info,
            documentacion="/docs",
            enlaces=example_links(
                catalog, _has_recommender(request), getattr(request.app.state, "credits", None)
            ),
        )
    )


def _has_recommender(request: Request) -> bool:
    return getattr(request.app.state, "recommender", None) is not None


@router.get(
    "/salud",
    response_model=Salud,
    summary="Salud del servicio",
    description="Responde 200 cuando el catálogo está cargado y el servicio puede responder.",
)
async def salud(catalog: CatalogDep) -> Response:
    """Health: the catalog is loaded."""
    return json_response(
        Salud(estado="ok", catalogo=catalog.version, peliculas=catalog.movie_count)
    )


@router.get(
    "/reporte",
    response_class=FileResponse,
    responses={
        200: {"content": {"text/html": {}}, "description": "El informe HTML."},
        404: {"model": Error, "description": "Todavía no se generó el informe."},
    },
    summary="Informe exploratorio (HTML)",
    description="El informe EDA generado con `filmoteca report` (`index.html` de la carpeta "
    "del informe, FILMOTECA_REPORT_DIR).",
)
async def reporte(settings: SettingsDep) -> Response:
    """The EDA report's index.html, if it was generated."""
    index = settings.report_dir / "index.html"
    if not index.is_file():
        raise NotFound(
            "Todavía no se generó el informe. Genérelo con 'filmoteca report' y recargue."
        )
    return FileResponse(index, media_type="text/html")
