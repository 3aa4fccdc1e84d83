"""Repeated GET queries answered from cached response bytes, ahead of routing and validation.

The catalog does not change while it is served, so the response to one URL of a query route
only changes when the catalog does. `ResponseCacheMiddleware` (pure ASGI, first in the app's
middleware stack) keeps the finished responses of those routes in a bounded LRU
(`ResponseCache`) keyed by the raw path and query string, and replays them without touching
FastAPI's routing, dependency injection or validation.

- Kept: complete, non-streamed responses with status 200, 404 or 422, each up to `max_body`
  bytes, at most `max_entries` of them and `max_bytes` in all (least recently used go first).
- 200 responses carry `ETag: "<catalog version>-<filmoteca version>"` and `Cache-Control`;
  a cached one asked again with that ETag in `If-None-Match` is answered 304.
- `X-Cache: HIT | MISS` tells which path answered.
- When `app.state.catalog` is replaced (a reload), everything cached is dropped.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from .. import __version__

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CACHED_PREFIXES = (
    "/cantidad_filmaciones_mes/",
    "/cantidad_filmaciones_dia/",
    "/score_titulo/",
    "/votos_titulo/",
    "/get_actor/",
    "/get_director/",
    "/buscar",
)
CACHE_CONTROL = b"public, max-age=300"
CACHEABLE_STATUS = frozenset({200, 404, 422})
MAX_KEY = 2048
_HIT = (b"x-cache", b"HIT")
_MISS = (b"x-cache", b"MISS")


@dataclass(frozen=True, slots=True)
class _Entry:
    """One cached response: status, headers to replay (with X-Cache: HIT), body, route."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    route: Any


class ResponseCache:
    """A bounded LRU of finished responses, tied to one catalog version."""

    def __init__(
        self, max_entries: int = 4096, max_bytes: int = 8 << 20, max_body: int = 256 << 10
    ):
        self.max_entries, self.max_bytes, self.max_body = max_entries, max_bytes, max_body
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self._catalog: object | None = None
        self.etag = b""
        self.size = self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def bind(self, catalog: Any) -> None:
        """Serve `catalog` from now on: drop every entry if it is not the one already bound."""
        if catalog is not self._catalog:
            self._entries.clear()
            self.size = 0
            self._catalog = catalog
            self.etag = f'"{catalog.version}-{__version__}"'.encode()

    def get(self, key: bytes) -> _Entry | None:
        """The entry for a key, marked as recently used."""
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry

    def put(self, key: bytes, entry: _Entry) -> None:
        """Keep an entry (if small enough), evicting the least recently used beyond the bounds."""
        if len(entry.body) > self.max_body or len(key) > MAX_KEY or self.max_entries <= 0:
            return
        old = self._entries.pop(key, None)
        self.size += len(entry.body) - (len(old.body) if old else 0)
        self._entries[key] = entry
        while len(self._entries) > self.max_entries or self.size > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self.size -= len(evicted.body)


class ResponseCacheMiddleware:
    """Pure ASGI: replay cached responses of the query routes; fill the cache on a miss."""

    def __init__(
        self, app: ASGIApp, cache: ResponseCache, prefixes: tuple[str, ...] = CACHED_PREFIXES
    ):
        self.app = app
        self.cache = cache
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer from the cache when possible, else let the app answer and keep its response."""
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith(self.prefixes)
        ):
            await self.app(scope, receive, send)
            return
        catalog = getattr(scope["app"].state, "catalog", None)
        if catalog is None:
            await self.app(scope, receive, send)
            return
        cache = self.cache
        cache.bind(catalog)
        key = (scope.get("raw_path") or scope["path"].encode()) + b"?" + scope["query_string"]
        entry = cache.get(key)
        if entry is None:
            await self._fill(key, scope, receive, send)
            return
        scope["route"] = entry.route
        if entry.status == 200 and _header(scope, b"if-none-match") == cache.etag:
            await _send(send, 304, [(b"etag", cache.etag), _HIT], b"")
        else:
            await _send(send, entry.status, entry.headers, entry.body)

    async def _fill(self, key: bytes, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app, adding the cache headers, and keep its response if it qualifies."""
        etag = self.cache.etag
        status, headers, chunks, complete = 0, [], [], False

        async def capture(message: Message) -> None:
            nonlocal status, headers, complete
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                if status == 200:
                    headers += [(b"etag", etag), (b"cache-control", CACHE_CONTROL)]
                message["headers"] = [*headers, _MISS]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                complete = not message.get("more_body", False)
            await send(message)

        await self.app(scope, receive, capture)
        if complete and status in CACHEABLE_STATUS and etag == self.cache.etag:
            entry = _Entry(status, [*headers, _HIT], b"".join(chunks), scope.get("route"))
            self.cache.put(key, entry)


def _header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of a request header, or None."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    """Send a whole response."""
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
