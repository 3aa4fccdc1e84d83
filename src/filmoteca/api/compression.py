"""gzip for the responses the response cache does not handle (pages, report, assets, docs).

The cached routes compress once and keep the compressed bytes (`cache.py`; an app built
without the response cache sends those answers uncompressed); everything else
goes through Starlette's GZipMiddleware (bodies of MIN_COMPRESS bytes or more, streamed ones
such as the report included, `Vary: Accept-Encoding`). Brotli is left out: no middleware of the
stack does it, and gzip already takes the JSON and HTML answers to a fifth or less.
"""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from .cache import CACHED_PREFIXES, GZIP_LEVEL, MIN_COMPRESS, accepts_gzip


class CompressionMiddleware(GZipMiddleware):
    """Starlette's gzip, skipped for the GET requests the response cache compresses itself."""

    def __init__(self, app: ASGIApp, skip: tuple[str, ...] = CACHED_PREFIXES) -> None:
        super().__init__(app, minimum_size=MIN_COMPRESS, compresslevel=GZIP_LEVEL)
        self.skip = skip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Compress unless the request is one of the response cache's."""
        if scope["type"] != "http" or (
            scope["method"] == "GET" and scope["path"].startswith(self.skip)
        ):
            await self.app(scope, receive, send)
            return
        _decide(scope)
        await super().__call__(scope, receive, send)


def _decide(scope: Scope) -> None:
    """Set the request's Accept-Encoding, as Starlette reads it (does it contain 'gzip'?), to
    what RFC 9110 says (`accepts_gzip`: `gzip;q=0` refuses it, `*` and `GZIP` accept it). In
    place: the layers outside read what the app records in this same scope (its route)."""
    given = [v for k, v in scope["headers"] if k == b"accept-encoding"]
    if not given:
        return
    headers = [(k, v) for k, v in scope["headers"] if k != b"accept-encoding"]
    if accepts_gzip(b", ".join(given)):
        headers.append((b"accept-encoding", b"gzip"))
    scope["headers"] = headers
