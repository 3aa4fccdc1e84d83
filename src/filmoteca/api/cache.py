"""Repeated GET queries answered from cached response bytes, ahead of routing and validation.

The catalog does not change while it is served, so the response to one URL of a route that
depends only on it changes only when the catalog does. `ResponseCacheMiddleware` (pure ASGI,
ahead of FastAPI) keeps the finished responses of those routes (CACHED_PREFIXES: the six
queries, /buscar, the movie, person, recommendation and collection routes) in a bounded LRU
(`ResponseCache`) keyed by the raw path and query string, and replays them without touching
FastAPI's routing, dependency injection or validation.

- Kept: complete, non-streamed responses with status 200, 404 or 422, each up to `max_body`
  bytes, at most `max_entries` of them and `max_bytes` in all (least recently used go first).
- 200 responses carry `ETag: "<catalog version>-<filmoteca version>"` and `Cache-Control`;
  `If-None-Match` is compared as RFC 9110 says (weak comparison, a list of tags, or `*`) and
  a match is answered 304, on a hit or a miss.
- Compression: a body of MIN_COMPRESS bytes or more is gzipped once, the first time a client
  that accepts gzip asks for it, and the compressed bytes are kept beside the plain ones
  (`Content-Encoding: gzip`, the weak form of the ETag as the representation differs). Every
  response of these routes says `Vary: Accept-Encoding`.
- `X-Cache: HIT | MISS` tells which path answered.
- When `app.state.catalog` is replaced (a reload), everything cached is dropped.
"""

from __future__ import annotations

import gzip
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
    # Further routes whose answers depend only on the catalog (and the recommender and cards
    # loaded with it): new id routes under these prefixes are cached and validated too.
    "/pelicula/",
    "/persona/",
    "/recomendacion/",
    "/coleccion/",
)
CACHE_CONTROL = b"public, max-age=300"
CACHEABLE_STATUS = frozenset({200, 404, 422})
MAX_KEY = 2048
MIN_COMPRESS = 1024
GZIP_LEVEL = 6
_HIT = (b"x-cache", b"HIT")
_MISS = (b"x-cache", b"MISS")
_VARY = (b"vary", b"Accept-Encoding")
_GZIP = (b"content-encoding", b"gzip")


@dataclass(slots=True)
class _Entry:
    """One cached response: status, headers (with ETag, Cache-Control and Vary for a 200),
    body, route; its gzip form is made the first time a client accepts it."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    route: Any
    gzip_headers: list[tuple[bytes, bytes]] | None = None
    gzip_body: bytes = b""

    def variant(self, gzip_ok: bool) -> tuple[list[tuple[bytes, bytes]], bytes]:
        """The headers and body to send: gzipped when accepted and worth it."""
        if not gzip_ok or len(self.body) < MIN_COMPRESS:
            return self.headers, self.body
        if self.gzip_headers is None:
            self.gzip_body = zlib_gzip(self.body)
            self.gzip_headers = _gzip_headers(self.headers, len(self.gzip_body))
        return self.gzip_headers, self.gzip_body


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

    def hit(self, key: bytes) -> _Entry | None:
        """`get` for a caller that falls back to `get` when it finds nothing: only a hit is
        counted (and marked as recently used)."""
        entry = self._entries.get(key)
        if entry is not None:
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
            entry = await self._fill(key, scope, receive, send)
            if entry is not None:
                await _reply(send, entry, scope, _MISS)
            return
        scope["route"] = entry.route
        await _reply(send, entry, scope, _HIT)

    async def _fill(self, key: bytes, scope: Scope, receive: Receive, send: Send) -> _Entry | None:
        """Run the app and return its whole response as an entry (kept if it qualifies). A
        response that streams is passed on as it comes instead (None)."""
        etag = self.cache.etag
        start: Message | None = None
        streamed = False

        async def capture(message: Message) -> None:
            nonlocal start, streamed
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                if not streamed and not message.get("more_body", False):
                    chunks.append(message.get("body", b""))
                    return
                if not streamed and start is not None:  # a streamed response: pass it on
                    streamed = True
                    start["headers"] = [*start.get("headers", ()), _MISS]
                    await send(start)
                    if chunks:
                        await send(
                            {
                                "type": "http.response.body",
                                "body": b"".join(chunks),
                                "more_body": True,
                            }
                        )
                await send(message)
            else:
                await send(message)

        chunks: list[bytes] = []
        await self.app(scope, receive, capture)
        if streamed or start is None:
            return None
        entry = make_entry(
            start["status"], start.get("headers", ()), b"".join(chunks), scope.get("route"), etag
        )
        if entry.status in CACHEABLE_STATUS and etag == self.cache.etag:
            self.cache.put(key, entry)
        return entry


def make_entry(status: int, headers: Any, body: bytes, route: Any, etag: bytes) -> _Entry:
    """A finished response as a cache entry: `Vary` always, `ETag` (`etag`) and
    `Cache-Control` on a 200."""
    kept = [*headers, _VARY]
    if status == 200:
        kept += [(b"etag", etag), (b"cache-control", CACHE_CONTROL)]
    return _Entry(status, kept, body, route)


async def _reply(send: Send, entry: _Entry, scope: Scope, marker: tuple[bytes, bytes]) -> None:
    """Send a cached (or just made) response: 304 when the client's tag matches, gzipped when
    the client accepts it."""
    conditions = request_conditions(scope["headers"])
    assert conditions is not None  # nothing is left to others without `leave`
    status, headers, body = reply_parts(entry, *conditions)
    await _send(send, status, [*headers, marker], body)


def reply_parts(
    entry: _Entry, matches: bytes | None, gzip_ok: bool
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """The status, headers and body answering a request with If-None-Match `matches` (or
    None) that accepts gzip or not: 304 when the tag matches, gzipped when accepted."""
    headers, body = entry.variant(gzip_ok)
    if entry.status == 200 and matches is not None and etag_matches(matches, _etag_of(headers)):
        return 304, [(k, v) for k, v in headers if k in _NOT_MODIFIED_HEADERS], b""
    return entry.status, headers, body


_NOT_MODIFIED_HEADERS = frozenset({b"etag", b"cache-control", b"vary"})
_ACCEPTS: dict[bytes, bool] = {}


def request_conditions(
    headers: Any, leave: frozenset[bytes] = frozenset()
) -> tuple[bytes | None, bool] | None:
    """The request's If-None-Match (or None) and whether it accepts gzip; None when one of
    the headers named in `leave` is present (the caller leaves such a request to others)."""
    match, gzip_ok = None, False
    for name, value in headers:
        if name == b"if-none-match":
            match = bytes(value)
        elif name == b"accept-encoding":
            gzip_ok = accepts_gzip(bytes(value))
        elif name in leave:
            return None
    return match, gzip_ok


def accepts_gzip(value: bytes) -> bool:
    """Whether an Accept-Encoding value accepts gzip (RFC 9110: `gzip`, `x-gzip` or `*`, with
    a q-value above 0). Answers are remembered for the few values clients send."""
    known = _ACCEPTS.get(value)
    if known is not None:
        return known
    weights: dict[bytes, float] = {}
    for part in value.lower().split(b","):
        coding, _, params = part.partition(b";")
        weights[coding.strip()] = _q(params)
    weight = weights.get(b"gzip", weights.get(b"x-gzip", weights.get(b"*", 0.0)))
    if len(_ACCEPTS) < 256:
        _ACCEPTS[value] = weight > 0
    return weight > 0


def _q(params: bytes) -> float:
    """The q-value of a content coding's parameters (1 when absent, 0 when unreadable)."""
    name, _, number = params.strip().partition(b"=")
    if name.strip() != b"q":
        return 1.0
    try:
        return float(number)
    except ValueError:
        return 0.0


def etag_matches(if_none_match: bytes, etag: bytes | None) -> bool:
    """RFC 9110 If-None-Match: `*`, or any listed tag equal to `etag` by weak comparison."""
    if etag is None:
        return False
    if if_none_match.strip() == b"*":
        return True
    opaque = etag.removeprefix(b"W/")
    return any(tag.strip().removeprefix(b"W/") == opaque for tag in if_none_match.split(b","))


def _etag_of(headers: list[tuple[bytes, bytes]]) -> bytes | None:
    for name, value in headers:
        if name == b"etag":
            return value
    return None


def _gzip_headers(headers: list[tuple[bytes, bytes]], length: int) -> list[tuple[bytes, bytes]]:
    """The plain response's headers for its gzipped body: length, encoding and a weak ETag."""
    changed = []
    for name, value in headers:
        if name == b"content-length":
            value = str(length).encode()
        elif name == b"etag" and not value.startswith(b"W/"):
            value = b"W/" + value
        changed.append((name, value))
    return [*changed, _GZIP]


def zlib_gzip(body: bytes) -> bytes:
    """`body` as a gzip stream (level GZIP_LEVEL, no timestamp: the same bytes every time)."""
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    """Send a whole response."""
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
