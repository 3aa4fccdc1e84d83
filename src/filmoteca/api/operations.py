"""Operating the API: readiness, metrics, logs with request ids, CORS, the edge limits and
security headers (edge.py), and the catalog hot swap.

    install(app, rebuild)     everything below, on an app built by `create_app`
    GET  /listo               readiness: 200 once the catalog is loaded, 503 before
    GET  /metricas            Prometheus metrics (observability.py)
    POST /admin/recargar      hot swap (token in FILMOTECA_ADMIN_TOKEN): builds a scratch app
                              with `rebuild()` and runs its lifespan in a worker thread, so the
                              new catalog, recommender and web cards load and are checked
                              exactly as at start-up while the old ones keep serving; only
                              when that succeeds are they swapped in (the response cache follows
                              the catalog). A broken catalog is refused and the old one stays.

With several workers each process holds its own catalog: a reload reaches one worker; restart
the workers instead (uvicorn restarts them one by one on SIGHUP to its main process).
"""

from __future__ import annotations

import asyncio
import gc
import hmac
import logging
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any

import anyio.to_thread
from fastapi import FastAPI, Header, Request
from pydantic import BaseModel, Field
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse, Response

from ..config import Settings
from ..errors import CatalogMissing, FilmotecaError
from .edge import EdgeMiddleware
from .memory import release_memory
from .observability import Metrics, ObservabilityMiddleware, metrics_endpoint
from .responses import error_response, json_response
from .schemas import Error

logger = logging.getLogger("filmoteca.operaciones")
MAX_AUTHORIZATION = 512


class Listo(BaseModel):
    """El servicio puede responder consultas."""

    listo: bool = Field(description="Siempre true (si no, la respuesta es 503).")
    catalogo: str = Field(description="Versión del catálogo servido.")
    peliculas: int
    recomendador: bool = Field(description="Si hay recomendador cargado.")


class Recarga(BaseModel):
    """Resultado de una recarga del catálogo."""

    estado: str = Field(description="'recargado'.")
    anterior: str | None = Field(description="Versión del catálogo que se servía.")
    actual: str = Field(description="Versión del catálogo que se sirve ahora.")
    peliculas: int
    segundos: float = Field(description="Lo que tardó cargar y validar el catálogo nuevo.")


def install(app: FastAPI, rebuild: Callable[[], FastAPI]) -> None:
    """Add readiness, /metricas, reload, CORS (if configured) and the observability middleware."""
    settings: Settings = app.state.settings
    metrics = Metrics()
    metrics.watch_catalog(lambda: getattr(app.state, "catalog", None))
    app.state.metrics = metrics
    app.state.rebuild = rebuild
    app.state.reload_lock = threading.Lock()
    _add_routes(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET"],
            expose_headers=["X-Request-ID", "ETag", "X-Cache"],
            max_age=600,
        )
    app.add_middleware(EdgeMiddleware)  # body limit, shedding, security headers (edge.py)
    app.add_middleware(ObservabilityMiddleware, metrics=metrics, access_log=settings.access_log)


def _add_routes(app: FastAPI) -> None:
    """The three operations routes, documented in Spanish under the 'servicio' tag."""
    app.add_api_route(
        "/listo",
        listo,
        methods=["GET"],
        response_model=Listo,
        responses={503: {"model": Error, "description": "El catálogo todavía no está cargado."}},
        summary="Preparado para responder",
        description="Disponibilidad (readiness): 200 cuando el catálogo está cargado, 503 antes.",
        tags=["servicio"],
    )
    app.add_api_route(
        "/metricas",
        metrics_endpoint,
        methods=["GET"],
        response_class=PlainTextResponse,
        responses={200: {"content": {"text/plain": {}}, "description": "Formato Prometheus."}},
        summary="Métricas Prometheus",
        description="Peticiones por ruta y estado, histograma de latencia por ruta, errores, "
        "peticiones en curso y versión del catálogo servido, en formato de texto de Prometheus.",
        tags=["servicio"],
    )
    app.add_api_route(
        "/admin/recargar",
        recargar,
        methods=["POST"],
        response_model=Recarga,
        responses={
            401: {"model": Error, "description": "Falta el token o no es el correcto."},
            403: {"model": Error, "description": "La recarga por HTTP está desactivada."},
            409: {"model": Error, "description": "Catálogo nuevo rechazado, o recarga en curso."},
        },
        summary="Recargar el catálogo",
        description="Carga y valida el catálogo de FILMOTECA_CATALOG_DIR (p. ej. recién "
        "reconstruido con `filmoteca build`) mientras el actual sigue respondiendo, y lo "
        "sustituye solo si es válido. Requiere `Authorization: Bearer <FILMOTECA_ADMIN_TOKEN>`.",
        tags=["servicio"],
    )


async def listo(request: Request) -> Response:
    """Readiness: the catalog is loaded."""
    state = request.app.state
    catalog = getattr(state, "catalog", None)
    if catalog is None:
        raise CatalogMissing("El catálogo todavía no está cargado. Reintente en unos segundos.")
    recommender = getattr(state, "recommender", None) is not None
    body = Listo(
        listo=True,
        catalogo=catalog.version,
        peliculas=catalog.movie_count,
        recomendador=recommender,
    )
    return json_response(body)


async def recargar(
    request: Request,
    authorization: Annotated[str | None, Header(max_length=MAX_AUTHORIZATION)] = None,
) -> Response:
    """Load, check and swap in the catalog of FILMOTECA_CATALOG_DIR (admin token required)."""
    app: FastAPI = request.app
    denied = _check_token(app.state.settings, authorization)
    if denied is not None:
        return denied
    lock: threading.Lock = app.state.reload_lock
    if not lock.acquire(blocking=False):
        return error_response(409, "recarga_en_curso", "Ya hay una recarga en curso.")
    try:
        return await _reload(app)
    finally:
        lock.release()


def _check_token(settings: Settings, authorization: str | None) -> Response | None:
    """None when the bearer token matches FILMOTECA_ADMIN_TOKEN, else the error response."""
    expected = settings.admin_token.get_secret_value().strip() if settings.admin_token else ""
    if not expected:  # unset, empty or blank: the reload is off, whatever the request says
        message = "La recarga por HTTP está desactivada: defina FILMOTECA_ADMIN_TOKEN."
        return error_response(403, "recarga_desactivada", message)
    scheme, _, given = (authorization or "").partition(" ")
    matches = hmac.compare_digest(given.strip().encode(), expected.encode())  # constant time
    if scheme.lower() != "bearer" or not matches:
        response = error_response(
            401, "no_autorizado", "Falta el token de administración o no es válido."
        )
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    return None


async def _reload(app: FastAPI) -> Response:
    """Load the new state off the event loop; swap it in only when it is complete and valid."""
    metrics: Metrics = app.state.metrics
    catalog = getattr(app.state, "catalog", None)
    old = catalog.version if catalog is not None else None
    del catalog
    start = time.perf_counter()
    try:
        fresh = await anyio.to_thread.run_sync(load_state, app.state.rebuild)
    except Exception as exc:
        metrics.count_reload("rechazada")
        return _refused(exc, old)
    seconds = time.perf_counter() - start
    new = _swap(app, fresh)
    del fresh
    await anyio.to_thread.run_sync(release_old_state)
    metrics.count_reload("ok")
    logger.info("Catálogo recargado: %s -> %s", old, new.version)
    body = Recarga(
        estado="recargado",
        anterior=old,
        actual=new.version,
        peliculas=new.movie_count,
        segundos=round(seconds, 3),
    )
    return json_response(body)


def _refused(exc: Exception, served: str | None) -> Response:
    """The 409 of a refused reload (the old catalog keeps serving); logged."""
    reason = exc.message if isinstance(exc, FilmotecaError) else f"{type(exc).__name__}: {exc}"
    logger.error("Recarga rechazada: %s", reason, exc_info=not isinstance(exc, FilmotecaError))
    message = (
        f"Catálogo nuevo rechazado: {reason} Se sigue sirviendo el catálogo {served or 'ninguno'}."
    )
    return error_response(409, "recarga_rechazada", message)


def _swap(app: FastAPI, fresh: dict[str, Any]) -> Any:
    """Put the freshly loaded state on the app; return the new catalog."""
    for key, value in fresh.items():
        setattr(app.state, key, value)
    cache = getattr(app.state, "response_cache", None)
    if cache is not None:
        cache.bind(fresh["catalog"])  # drops the old catalog's responses (and its reference)
    return fresh["catalog"]


def load_state(rebuild: Callable[[], FastAPI]) -> dict[str, Any]:
    """Run a scratch app's lifespan (its own event loop; call from a worker thread) and return
    the state it loaded: catalog, recommender, web cards... Raises if the catalog is unusable."""
    scratch = rebuild()
    before = dict(_state(scratch))

    async def run() -> None:
        async with scratch.router.lifespan_context(scratch):
            pass

    try:
        asyncio.run(run())
        fresh = {k: v for k, v in _state(scratch).items() if before.get(k, _MISSING) is not v}
    finally:
        # The scratch app itself may outlive this call (FastAPI caches facts about endpoint
        # functions, closures over the app included): it must not keep what it loaded.
        scratch.state._state.clear()
    catalog = fresh.get("catalog")
    if catalog is None or catalog.movie_count <= 0:
        raise CatalogMissing("el catálogo nuevo no tiene películas.")
    return fresh


_MISSING = object()


def release_old_state() -> None:
    """After a swap: free the old catalog, recommender and cards, and their memory maps.

    Every lifespan ends in `gc.freeze()`, which moves what is alive then, the catalog about to
    be replaced included, to the permanent generation, which the collector never visits: the
    old state's reference cycles would keep it (and every file it maps) for ever, ~17 MB per
    reload on the 45,466-movie catalog. So thaw, collect, and freeze what is alive again."""
    gc.unfreeze()
    release_memory()
    gc.freeze()


def _state(app: FastAPI) -> dict[str, Any]:
    """The attributes set on `app.state` (Starlette keeps them in `State._state`)."""
    return dict(app.state._state)
