"""Bench-only app wrappers for `load.py` (uvicorn --factory entry points; never shipped).

filmoteca_app   the API as `create_app` builds it (catalog from FILMOTECA_CATALOG_DIR;
                response cache on when BENCH_CACHE=1, the fast lane off when BENCH_FAST_LANE=0;
                without the further routers - web page, recommender - whose state is not the
                API's), plus no-ops answering b"{}":
                  /__noop      a FastAPI route, placed first in the route table (the ceiling
                               for routes that go through the framework): `async def`
                               returning ready bytes, the least FastAPI can do
                  /__noop_usual the no-op as usually written, `def noop(): return {"ok": True}`
                               (thread pool + JSON serialisation), the kind of no-op the
                               issue's 3,800-4,100 pet/s figure describes
                  /__raw_noop  a raw ASGI answer in front of everything (the ceiling of the
                               server itself)
                  /__raw_headers the same, with the headers and body size of a cached
                               answer (9 headers, 64 bytes): the server's ceiling for it
seed_app        the seed-style implementation (`seed_api.py`) with the same two no-ops
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.responses import Response

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]
_HEADERS = [(b"content-type", b"application/json"), (b"content-length", b"2")]
_CACHED_BODY = b'{"titulo":"Toy Story","anio":1995,"popularidad":21.946943,"x":"abc"}'[:64]
_CACHED_HEADERS = [
    (b"content-length", str(len(_CACHED_BODY)).encode()),
    (b"content-type", b"application/json"),
    (b"vary", b"Accept-Encoding"),
    (b"etag", b'"33f388f3dc82-0.1.0"'),
    (b"cache-control", b"public, max-age=300"),
    (b"x-cache", b"HIT"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-request-id", b"210d37139f59140f000000006daf1e90"),
]


def filmoteca_app() -> ASGIApp:
    """The filmoteca API with the bench no-ops."""
    from filmoteca.api.app import create_app
    from filmoteca.config import Settings

    settings = Settings(catalog_dir=Path(os.environ["FILMOTECA_CATALOG_DIR"]))
    app = create_app(
        settings,
        response_cache=os.environ.get("BENCH_CACHE") == "1",
        fast_path=os.environ.get("BENCH_FAST_PATH", "1") == "1",
        fast_lane=os.environ.get("BENCH_FAST_LANE", "1") == "1",
        routers=(),
    )
    return _with_noops(app)


def seed_app() -> ASGIApp:
    """The seed-style API with the bench no-ops."""
    from seed_api import create_app

    return _with_noops(create_app(Path(os.environ["FILMOTECA_CATALOG_DIR"])))


def _with_noops(app: FastAPI) -> ASGIApp:
    """Add the FastAPI no-op first in the route table and the raw ASGI no-op in front."""

    async def noop() -> Response:
        return Response(b"{}", media_type="application/json")

    def usual_noop() -> dict[str, bool]:
        return {"ok": True}

    app.add_api_route("/__noop", noop, include_in_schema=False)
    app.add_api_route("/__noop_usual", usual_noop, include_in_schema=False)
    app.router.routes[0:0] = [app.router.routes.pop(), app.router.routes.pop()][::-1]

    async def raw(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/__raw_noop":
            await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
            await send({"type": "http.response.body", "body": b"{}"})
            return
        if scope["type"] == "http" and scope["path"] == "/__raw_headers":
            await send({"type": "http.response.start", "status": 200, "headers": _CACHED_HEADERS})
            await send({"type": "http.response.body", "body": _CACHED_BODY})
            return
        await app(scope, receive, send)

    raw.app = app  # type: ignore[attr-defined]  # where api/wire.py looks for the app under it
    return raw
