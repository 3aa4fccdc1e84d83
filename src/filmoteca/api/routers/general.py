"""Service routes: what this is (`/`), health (`/salud`) and the EDA report (`/reporte`)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import FileResponse, Response

from ... import __version__
from ...errors import NotFound
from ..deps import CatalogDep, SettingsDep
from ..openapi import operation_id
from ..responses import json_response
from ..schemas import Error, Info, InfoCatalogo, Salud

router = APIRouter(tags=["servicio"], generate_unique_id_function=operation_id)

EXAMPLES = {
    "cantidad_filmaciones_mes": "/cantidad_filmaciones_mes/enero",
    "cantidad_filmaciones_dia": "/cantidad_filmaciones_dia/miercoles",
    "score_titulo": "/score_titulo/Toy%20Story",
    "votos_titulo": "/votos_titulo/Toy%20Story",
    "get_actor": "/get_actor/Tom%20Hanks",
    "get_director": "/get_director/Steven%20Spielberg",
    "buscar": "/buscar?q=toy",
    "pelicula": "/pelicula/862",
    "reparto": "/pelicula/862/reparto",
    "palabras_clave": "/pelicula/862/palabras_clave",
    "persona": "/persona/Tom%20Hanks",
    "persona_id": "/persona/id/31",
    "coleccion": "/coleccion/10194",
    "salud": "/salud",
    "reporte": "/reporte",
}


@router.get(
    "/",
    response_model=Info,
    summary="Información del servicio",
    description="Versión de filmoteca y del catálogo servido, sus cifras y un ejemplo de cada "
    "consulta. La documentación interactiva está en `/docs`.",
)
async def inicio(catalog: CatalogDep) -> Response:
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
            enlaces=EXAMPLES,
        )
    )


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
