"""The one mapping from errors to HTTP responses.

Every error leaves the API in one JSON shape (`schemas.Error`):
`{"codigo": ..., "mensaje": ..., "sugerencias" | "valores_validos" | "anios_disponibles" | "errores"}`.
The status code comes from the `filmoteca.errors` class (NotFound 404, InvalidQuery 422,
CatalogError 503...). FastAPI's own errors (invalid parameters, unknown routes) are turned into
the same classes first, and anything unexpected becomes a Spanish 500 without a traceback.

- An invalid parameter or body field is named as the client wrote it: `anio`, `titulos[0]`,
  `descartar[2]` (pydantic's union member tags such as `str` are left out); the whole body is
  `cuerpo`.
- A body that is not JSON (`Content-Type: text/plain`, a form...) is 415, not 422.
- A wrong method is 405 with the `Allow` header the router computed.
"""

from __future__ import annotations

import logging
import re
from email.message import Message
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
    "too_long": "no puede tener más de {max_length} elementos",
    "too_short": "debe tener al menos {min_length} elementos",
    "extra_forbidden": "no es un campo admitido",
    "string_type": "debe ser un texto",
    "int_type": "debe ser un número entero",
    "list_type": "debe ser una lista",
    "model_type": "debe ser un objeto JSON",
    "model_attributes_type": "debe ser un objeto JSON",
    "dict_type": "debe ser un objeto JSON",
    "json_invalid": "no es JSON válido",
    "json_type": "no es JSON válido",
}
BODY = "cuerpo"
_UNION_TAG = re.compile(r"[a-z][a-z0-9_-]*(\[.*\])?")
"""pydantic's name for a member of a union in an error location ('str', 'int',
'constrained-str', 'function-after[...]'): not a field the client wrote."""


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
    if _not_json(request, exc):
        message = (
            "El cuerpo de la petición debe ser JSON: envíelo con 'Content-Type: application/json'."
        )
        return error_response(415, "tipo_no_admitido", message)
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
        headers = dict(exc.headers or {})
        methods = [m.strip() for m in headers.get("Allow", "").split(",") if m.strip()]
        if "GET" in methods and "HEAD" not in methods:  # HEAD is answered as GET (head.py)
            methods.append("HEAD")
        allowed = headers["Allow"] = ", ".join(sorted(methods))
        message = f"El método {request.method} no está permitido en '{request.url.path}'."
        if allowed:
            message += f" Métodos admitidos: {allowed}."
        response = error_response(405, "metodo_no_permitido", message)
        response.headers.update(headers)
        return response
    if exc.status_code == 400:  # a body FastAPI cannot decode (e.g. not UTF-8): documented 422
        message = "El cuerpo de la petición no se puede leer: envíe JSON en UTF-8."
        return await filmoteca_error(request, InvalidQuery(message))
    response = error_response(exc.status_code, "error_http", str(exc.detail))
    response.headers.update(exc.headers or {})
    return response


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


def _not_json(request: Request, exc: RequestValidationError) -> bool:
    """Whether the error is about a body sent with a content type that is not JSON."""
    if not any(error.get("loc", ())[:1] == ("body",) for error in exc.errors()):
        return False
    given = request.headers.get("content-type")
    if not given:  # FastAPI reads no body without a content type: one was sent but not read
        sent = request.headers.get("content-length", "0").strip() not in ("", "0")
        return sent or "transfer-encoding" in request.headers
    message = Message()
    message["content-type"] = given
    subtype = message.get_content_subtype()
    is_json = message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )
    return not is_json


def field_name(location: tuple[Any, ...]) -> str:
    """The parameter or body field an error location names: ('query', 'anio') -> 'anio',
    ('body', 'titulos', 0) -> 'titulos[0]', ('body', 'descartar', 1, 'str') -> 'descartar[1]',
    ('body',) -> 'cuerpo'."""
    where, *path = location or ("?",)
    name = ""
    for at, part in enumerate(path):
        if isinstance(part, int):
            name += f"[{part}]"
        elif (
            at
            and isinstance(path[at - 1], int)
            and _UNION_TAG.fullmatch(str(part))
            and (at == len(path) - 1 or not isinstance(path[at + 1], str))
        ):
            continue  # a union member's tag after a list index
        else:
            name += f".{part}" if name else str(part)
    if not name:
        return BODY if where == "body" else str(where)
    return name


def _parameter_error(error: Any) -> dict[str, str]:
    """One pydantic validation error as {"parametro", "mensaje"} in Spanish."""
    kind = error.get("type", "")
    name = BODY if kind.startswith("json_") else field_name(tuple(error.get("loc", ())))
    template = _PARAM_MESSAGES.get(kind)
    try:
        message = template.format(**error.get("ctx", {})) if template else None
    except (KeyError, IndexError):
        message = None
    return {"parametro": name, "mensaje": message or "no es un valor válido"}
