"""The OpenAPI document: readable operation ids, one error schema, declared headers.

    operation_id(route)    `generate_unique_id_function` of the app: the endpoint's name
                           (`cantidad_filmaciones_mes`, `buscar`, `pelicula`...), stable
    install(app)           `app.openapi` returns FastAPI's document, then:

- HEAD is answered wherever GET is (`head.HeadAsGet`) and documented once, as the GET.
- Every error response is the one `Error` schema: FastAPI's `HTTPValidationError` (e.g. of
  `POST /admin/recargar`) is replaced; a 422 is declared wherever there are parameters or a
  body, 413/415 wherever there is a body, 503 on routes that need the catalog, and a `default`
  response for the rest (405 with `Allow`, 431, 500...).
- Response headers: `X-Request-ID` on every response; `ETag`, `Cache-Control`, `Vary` and
  `X-Cache` (and a 304) on the routes `cache.CACHED_PREFIXES` caches.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from . import cache

ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_CONTENT = {"application/json": {"schema": ERROR_REF}}
CATALOG_DEPENDENCIES = frozenset({"get_catalog", "get_cards", "get_credits", "get_recommender"})
"""Dependencies that answer 503 while the catalog (or its cards, or its recommender) is missing."""

_STRING = {"schema": {"type": "string"}}
HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "Identificador de la petición (el del cliente si es válido); sale en el "
        "registro.",
        **_STRING,
    },
    "ETag": {
        "description": 'Versión de la respuesta: `"<catálogo>-<filmoteca>"`. Con '
        "`If-None-Match` se responde 304.",
        **_STRING,
    },
    "Cache-Control": {"description": "Cuánto puede guardarse la respuesta.", **_STRING},
    "Vary": {"description": "`Accept-Encoding`: la respuesta puede ir comprimida.", **_STRING},
    "Retry-After": {
        "description": "En un 503 por saturación: segundos que conviene esperar.",
        "schema": {"type": "string"},
    },
    "X-Cache": {
        "description": "`HIT` si la respondió la caché del servidor, `MISS` si no.",
        "schema": {"type": "string", "enum": ["HIT", "MISS"]},
    },
}
CACHED_HEADERS = ("ETag", "Cache-Control", "Vary", "X-Cache")
GENERIC_ERRORS = {
    413: "El cuerpo de la petición es demasiado grande.",
    415: "El cuerpo no es JSON: envíe `Content-Type: application/json`.",
    422: "Parámetros o cuerpo no válidos; `errores` los enumera, con el nombre de cada campo.",
    503: "El catálogo (o la parte que esta ruta necesita) no está disponible.",
}


RENAMED = {"metrics_endpoint": "metricas"}
"""Endpoints whose function name is not the operation id (the route's Spanish name)."""


def operation_id(route: APIRoute) -> str:
    """The operation id of a route: its endpoint's name (unique in this API, checked by tests)."""
    return RENAMED.get(route.name, route.name)


def install(app: FastAPI) -> None:
    """Serve the completed document at /openapi.json (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document for `app`, completed as the module docstring says."""
    routes = app.routes
    spec = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=routes,
        tags=app.openapi_tags,
    )
    by_path = {
        (context.path_format, method.lower()): context.original_route
        for context in iter_route_contexts(routes)
        if isinstance(context.original_route, APIRoute)
        for method in context.methods or ()
    }
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            _complete(path, operation, by_path.get((path, method)))
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return spec


def _complete(path: str, operation: dict[str, Any], route: APIRoute | None) -> None:
    """One operation: errors as `Error`, the generic errors it can give, its headers."""
    responses: dict[str, Any] = operation.setdefault("responses", {})
    has_body = "requestBody" in operation
    wanted = {422} if operation.get("parameters") or has_body else set()
    wanted |= {413, 415} if has_body else set()
    wanted |= {503} if route is not None and _needs_catalog(route) else set()
    for code in sorted(wanted):
        responses.setdefault(str(code), {"description": GENERIC_ERRORS[code]})
    responses.setdefault(
        "default", {"description": "Cualquier otro error (405 con `Allow`, 431, 500…)."}
    )
    for status, response in responses.items():
        if status == "default" or int(status) >= 400:
            response["content"] = copy.deepcopy(ERROR_CONTENT)
        _add_headers(response, ("X-Request-ID",))
        if status in ("503", "default"):
            _add_headers(response, ("Retry-After",))
    if path.startswith(cache.CACHED_PREFIXES):
        _add_headers(responses.get("200", {}), CACHED_HEADERS)
        responses.setdefault("304", {"description": "No ha cambiado desde el `ETag` dado."})
        _add_headers(responses["304"], ("X-Request-ID", "ETag", "X-Cache"))


def _add_headers(response: dict[str, Any], names: tuple[str, ...]) -> None:
    """Declare some of HEADERS on a response."""
    headers = response.setdefault("headers", {})
    for name in names:
        headers.setdefault(name, copy.deepcopy(HEADERS[name]))


def _needs_catalog(route: APIRoute) -> bool:
    """Whether a route depends (directly or not) on the catalog, its cards or recommender."""
    pending = list(route.dependant.dependencies)
    while pending:
        dependant = pending.pop()
        if getattr(dependant.call, "__name__", "") in CATALOG_DEPENDENCIES:
            return True
        pending.extend(dependant.dependencies)
    return False
