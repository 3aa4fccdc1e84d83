"""The API's routers, one per feature; `api.app.ROUTERS` lists the ones the app includes.

Importing this package first makes FastAPI's start-up lighter (`skip_unused_pydantic_v1`),
before any route of the routers below is declared.
"""

from __future__ import annotations

import sys
from typing import Any


def skip_unused_pydantic_v1() -> None:
    """Let FastAPI ask whether a type is a pydantic v1 model without importing pydantic.v1.

    FastAPI (0.165) asks it for every parameter and response of every route, and imports
    `pydantic.v1` to answer: about 35 ms of CPU at each start, for a module the API never
    uses. No class can be a v1 model before `pydantic.v1` is imported, so until then the
    answer is no, exactly; once it is imported, FastAPI's own check answers. Nothing is
    changed when FastAPI no longer has that check."""
    try:
        from fastapi._compat import shared
    except ImportError:  # pragma: no cover - a FastAPI without its compatibility module
        return
    original = getattr(shared, "is_pydantic_v1_model_class", None)
    if original is None or getattr(original, "skips_unused_v1", False):
        return

    def is_pydantic_v1_model_class(cls: Any) -> bool:
        return "pydantic.v1" in sys.modules and bool(original(cls))

    is_pydantic_v1_model_class.skips_unused_v1 = True  # type: ignore[attr-defined]
    shared.is_pydantic_v1_model_class = is_pydantic_v1_model_class


skip_unused_pydantic_v1()
