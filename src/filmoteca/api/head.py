"""HEAD answered wherever GET is (RFC 9110 §9.3.2): FastAPI's routes take only the methods
they list, so a HEAD request would be 405 on every API route.

`HeadAsGet` (pure ASGI, just inside the observability middleware) passes a HEAD request on as
a GET and sends its status and headers (`Content-Length`, `ETag`... those of the GET) without
the body. Logs and metrics still see HEAD; a route without GET still answers 405 with `Allow`.
The OpenAPI document lists the GET operations only.
"""

from __future__ import annotations

from .cache import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """Pure ASGI: answer HEAD as GET without the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass other requests through untouched."""
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        as_get = {**scope, "method": "GET"}
        try:
            await self.app(as_get, receive, without_body)
        finally:  # the route that answered, for the metrics and the access log of the HEAD
            if "route" in as_get:
                scope["route"] = as_get["route"]
