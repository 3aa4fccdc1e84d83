"""The app factory: settings in, a FastAPI app out; heavy state loads once in the lifespan.

    create_app(settings)          the FastAPI app (uvicorn: `filmoteca.api.app:create_app`,
                                  factory=True; reads Settings() from the environment)

Feature routers are listed in ROUTERS; state a router needs (the catalog, later the
recommender) is loaded in `lifespan` and reached through the aliases in `deps`.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI

from .. import __version__
from ..catalog import Catalog
from ..config import Settings
from . import answers, docs, errors, openapi, operations, slashes
from .cache import ResponseCache, ResponseCacheMiddleware
from .compression import CompressionMiddleware
from .fastpath import FastPathMiddleware
from .head import HeadAsGet
from .lane import FastLane
from .memory import keep_large_blocks_mapped
from .routers import busqueda, consultas, creditos, descubrir, general, pagina, recomendacion
from .schemas import director_json

Lifespan = Callable[[Any], AbstractAsyncContextManager[Any]]

API_ROUTERS = (consultas.router, busqueda.router, general.router)
"""The API's own routers: plain (no prefix, dependencies or lifespan); see `_add_routes`."""
ROUTERS = (pagina.router, creditos.router, recomendacion.router, descubrir.router)
"""Further feature routers, with a lifespan of their own (see `_add_feature_routes`)."""

DESCRIPTION = """
Consultas sobre el catálogo de películas construido con `filmoteca build` (Kaggle
«The Movies Dataset»).

- Títulos y nombres se comparan **exactos tras normalizar** mayúsculas, tildes y espacios
  (`tom hanks` encuentra a Tom Hanks; `Tom` no encuentra a nadie). Si no hay coincidencia,
  la respuesta 404 trae hasta cinco `sugerencias`.
- Si varias películas comparten título, responde la más votada y las demás van en
  `otras_coincidencias`; `?anio=` elige una.
- Todos los errores tienen la misma forma: `{"codigo", "mensaje", ...}`.
"""

TAGS = [
    {"name": "consultas", "description": "Las seis consultas sobre el catálogo."},
    {"name": "búsqueda", "description": "Buscar títulos y personas por parte del texto."},
    {"name": "por id", "description": "Películas, personas y colecciones por su id de TMDB."},
    {"name": "servicio", "description": "Información, salud e informe."},
]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the catalog once (unless one was given to create_app); nothing is parsed from CSV."""
    settings: Settings = app.state.settings
    keep_large_blocks_mapped()
    if app.state.catalog is None:
        app.state.catalog = Catalog.load(settings.catalog_dir)
    answers.attach(app.state.catalog, settings.catalog_dir)  # made at build time (answers.py)
    # The catalog's objects live as long as the process: keep them out of the garbage
    # collector's full passes, which took 40 ms on the 45,466-movie catalog (p99 spikes);
    # `serve` pauses the collector while starting (cli.py): it runs again from here.
    gc.freeze()
    gc.enable()
    # A catalog built by this version brings its answers and suggestion indexes made at build
    # time. Otherwise (a catalog given to create_app) the director answers' fragments and the
    # fuzzy-suggestion indexes (about 0.5 s of CPU on the 45,466-movie catalog) are made off
    # the start-up path, in a background thread: /listo does not wait for them (an answer
    # that needs a part not yet made makes it).
    # (no local name for the catalog: this suspended generator would keep it past a reload)
    if answers.attached(app.state.catalog) is None or not app.state.catalog.suggestions_prepared:
        threading.Thread(target=_prepare, args=(app.state.catalog,), daemon=True).start()
    # Further heavy state (e.g. the recommender) loads here, beside the catalog.
    yield


def _prepare(catalog: Catalog) -> None:
    """Make what answers will need, after start-up (see `lifespan`): the director fragments
    only when no answers made at build time serve the known directors (answers.py; without
    them, about 12 MB resident on the 45,466-movie catalog)."""
    if answers.attached(catalog) is None:
        director_json(catalog).prepare()
    catalog.prepare_suggestions()


def create_app(
    settings: Settings | None = None,
    *,
    catalog: Catalog | None = None,
    response_cache: bool = True,
    fast_path: bool = True,
    fast_lane: bool = True,
    routers: tuple[APIRouter, ...] = ROUTERS,
) -> FastAPI:
    """The API over `settings.catalog_dir` (or over `catalog`, already loaded).

    `response_cache=False` leaves out the response cache, `fast_path=False` the direct calls
    of plain GET routes (fastpath.py) and the fast lane in front of the stack (lane.py), e.g.
    to compare their answers with FastAPI's; `fast_lane=False` the lane alone (the stack as
    it answers without it); `routers`
    picks the further feature routers (all of ROUTERS by default), e.g. to measure the API
    without the web page's state.
    """
    app = FastAPI(
        title="filmoteca",
        version=__version__,
        summary="API en español sobre un catálogo limpio de películas.",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        telemetry={"tracing": False, "metrics": False, "logs": False},
        generate_unique_id_function=openapi.operation_id,
        docs_url=None,  # /docs and /redoc without a CDN: docs.py
        redoc_url=None,
    )
    docs.install(app)
    app.state.settings = settings or Settings()
    app.state.catalog = catalog
    app.state.response_cache = ResponseCache(max_entries=4096 if response_cache else 0)
    errors.install(app)
    slashes.install(app)
    for router in reversed(API_ROUTERS):
        _add_routes(app, router)
    for router in routers:
        _add_feature_routes(app, router)
    if fast_path:
        app.add_middleware(FastPathMiddleware)
    if response_cache:
        app.add_middleware(ResponseCacheMiddleware, cache=app.state.response_cache)
    app.add_middleware(CompressionMiddleware)  # gzip for the rest: the cache does its own
    app.add_middleware(HeadAsGet)  # outside cache and gzip: HEAD gets GET's headers
    # /listo, /metricas, POST /admin/recargar, CORS, request ids and JSON logs (operations.py).
    operations.install(
        app, rebuild=lambda: create_app(app.state.settings, response_cache=False, routers=routers)
    )
    if fast_path and fast_lane:  # outermost: the query routes' requests in one layer (lane.py)
        app.add_middleware(FastLane)
    openapi.install(app)
    return app


def _add_feature_routes(app: FastAPI, router: APIRouter) -> None:
    """Append a feature router's routes to the app's table, its lifespan nested in the app's.

    What `include_router` does for a router with no prefix, without analysing every route a
    second time: FastAPI 0.165 keeps an included router as one composite route, and makes its
    routes again (their parameters, their response models) on the first request that reaches
    them, the first /listo included: about 50 ms of CPU at every start. The routes were made
    when their module declared them, with the router's tags and operation ids (each feature
    router names the app's `operation_id`, which an included router would have inherited), and
    the router's lifespan enters after the app's and ends before it, as `include_router` nests
    it. Like the API's own routes (`_add_routes`), they are the routers' objects, shared by
    every app made here (a reload makes a second one): `app.dependency_overrides` does not
    reach them, as it reached an included router's (nothing in filmoteca overrides them)."""
    app.router.routes.extend(router.routes)
    app.router.lifespan_context = _nested(app.router.lifespan_context, router.lifespan_context)


def _nested(outer: Lifespan, inner: Lifespan) -> Lifespan:
    """A lifespan that enters `outer`, then `inner` (their states merged, the outer's first)."""

    @asynccontextmanager
    async def both(app: Any) -> AsyncIterator[Mapping[str, Any] | None]:
        async with outer(app) as outer_state, inner(app) as inner_state:
            if outer_state is None and inner_state is None:
                yield None
            else:
                yield {**(inner_state or {}), **(outer_state or {})}

    return both


def _add_routes(app: FastAPI, router: APIRouter) -> None:
    """Put a plain router's routes at the head of the app's route table.

    `include_router` (FastAPI 0.165) keeps a router as one composite route that matches each
    request twice, once to pick the router and once inside it: measured, about 15 µs of a
    query's 50 µs in the app. Copied routes are matched once, and before the docs routes.
    """
    app.router.routes[0:0] = router.routes
