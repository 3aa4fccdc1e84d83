"""The one mapping from errors to HTTP responses.

Every error leaves the API in one JSON shape (`schemas.Error`):
`{"codigo": ..., "mensaje": ..., "sugerencias" | "valores_validos" | "anios_disponibles" | "errores"}`.
The status code comes from the `filmoteca.errors` class (NotFound 404, InvalidQuery 422,
CatalogError 503...). FastAPI's own errors (invalid parameters, unknown routes) are turned into
the same classes first, and anything unexpected becomes a Spanish 500 without a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from ..errors import CatalogError, FilmotecaError, InvalidQuery, NotFound
from .responses import error_response

logger = logging.getLogger("filmoteca.api")

CODES: dict[type[FilmotecaError], str] = {
    NotFound: "no_encontrado",
    InvalidQuery: "consulta_invalida",
    CatalogError: "catalogo_no_disponible",
}
PUBLIC_DETAILS = ("sugerencias", "valores_validos", "anios_disponibles", "errores")
_PARAM_MESSAGES = {
    "string_too_long": "no puede tener más de {max_length} caracteres",
    "string_too_short": "debe tener al menos {min_length} caracteres",
    "greater_than_equal": "debe ser mayor o igual que {ge}",
    "less_than_equal": "debe ser menor o igual que {le}",
    "int_parsing": "debe ser un número entero",
    "int_from_float": "debe ser un número entero",
    "missing": "es obligatorio",
}


def error_code(exc: FilmotecaError) -> str:
    """The `codigo` of an error: the nearest class in CODES along its hierarchy."""
    for cls in type(exc).__mro__:
        if cls in CODES:
            return CODES[cls]
    return "error"


async def filmoteca_error(request: Request, exc: Exception) -> Response:
    """Handler for every FilmotecaError: its class gives the status code and the `codigo`."""
    assert isinstance(exc, FilmotecaError)
    details = {key: exc.details[key] for key in PUBLIC_DETAILS if key in exc.details}
    return error_response(exc.status_code, error_code(exc), exc.message, **details)


async def invalid_parameters(request: Request, exc: Exception) -> Response:
    """Invalid path or query parameters -> InvalidQuery (422) listing each one in Spanish."""
    assert isinstance(exc, RequestValidationError)
    errors = [_parameter_error(error) for error in exc.errors()]
    listed = "; ".join(f"{e['parametro']}: {e['mensaje']}" for e in errors)
    return await filmoteca_error(
        request, InvalidQuery(f"Parámetros no válidos. {listed}.", errores=errors)
    )


async def http_error(request: Request, exc: Exception) -> Response:
    """Framework HTTP errors (unknown route, wrong method) in the same shape."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = f"No existe la ruta '{request.url.path}'. Las rutas están en /docs."
        return await filmoteca_error(request, NotFound(message))
    if exc.status_code == 405:
        message = f"El método {request.method} no está permitido en '{request.url.path}'."
        return error_response(405, "metodo_no_permitido", message)
    if exc.status_code == 400:  # a body FastAPI cannot decode (e.g. not UTF-8): documented 422
        message = "El cuerpo de la petición no se puede leer: envíe JSON en UTF-8."
        return await filmoteca_error(request, InvalidQuery(message))
    return error_response(exc.status_code, "error_http", str(exc.detail))


async def unexpected_error(request: Request, exc: Exception) -> Response:
    """Anything unexpected: logged with its traceback, answered as a Spanish 500."""
    logger.exception("Error no controlado en %s", request.url.path)
    return error_response(500, "error_interno", "Error interno del servidor. Ya quedó registrado.")


def install(app: FastAPI) -> None:
    """Register the handlers on an app."""
    app.add_exception_handler(FilmotecaError, filmoteca_error)
    app.add_exception_handler(RequestValidationError, invalid_parameters)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)


def _parameter_error(error: Any) -> dict[str, str]:
    """One pydantic validation error as {"parametro", "mensaje"} in Spanish."""
    location = error.get("loc", ())
    name = str(location[-1]) if location else "?"
    template = _PARAM_MESSAGES.get(error.get("type", ""))
    try:
        message = template.format(**error.get("ctx", {})) if template else None
    except (KeyError, IndexError):
        message = None
    return {"parametro": name, "mensaje": message or "no es un valor válido"}
