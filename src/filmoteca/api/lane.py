"""The fast lane: the query routes' GET and HEAD requests answered in one pure ASGI layer.

The middleware stack of `create_app` runs, for every request, observability (request id,
metrics, access log) → edge (body limit, shedding, security headers) → [CORS] → HEAD as GET →
gzip → response cache → fast path → FastAPI: seven Python layers, each a call, a closure around
`send` and a scan of the headers, tens of µs per request in all. For the requests that reach
the response cache's routes (CACHED_PREFIXES), what those layers do is fixed and small, and
`FastLane`, outermost, does all of it at once, with the same functions:

- the request id (`observability.request_id`), its `X-Request-ID` header, the metrics and the
  access-log line (`ObservabilityMiddleware.finish`, the same instance);
- the security headers (`edge.secure_headers`); a request that queued too long, or has a body
  (`Content-Length`, `Transfer-Encoding`), or an `Origin` (CORS), is left to the stack;
- HEAD answered as GET without the body;
- the response cache's entries (`cache.make_entry`, `cache.reply_parts`: `ETag`, `Vary`,
  `Cache-Control`, 304 on If-None-Match, gzip when accepted, `X-Cache`), in the same
  `ResponseCache`;
- on a miss, the answer made at build time for a known name (`answers.Answers`), else the
  route function called directly (`fastpath.answer`); unknown names (404 with suggestions,
  ~100 times the CPU of an answer) in short batches between turns of the loop (turns.py), so
  a flood of them does not hold up the other requests.

Anything else, and any request the fast path would hand to FastAPI (an invalid or doubtful
parameter, an unexpected exception), goes down the whole stack untouched, which answers as
always. The lane finds the layers it stands for in the stack it wraps, the first time it is
called; if the stack is not made of exactly those layers (e.g. an app without the fast path,
used to compare answers), it passes every request through. `bench/compare_fastpath.py`
checks status, headers and body, answer by answer, against the stack alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from starlette.middleware.cors import CORSMiddleware

from .answers import Answers, attached
from .cache import (
    CACHEABLE_STATUS,
    CACHED_PREFIXES,
    ASGIApp,
    Receive,
    ResponseCache,
    ResponseCacheMiddleware,
    Scope,
    Send,
    make_entry,
    reply_parts,
    request_conditions,
)
from .compression import CompressionMiddleware
from .edge import EdgeMiddleware, secure_headers
from .fastpath import EligibleRoute, FastPathMiddleware, answer, answer_now, eligible_routes
from .head import HeadAsGet
from .logs import request_id_var
from .observability import REQUEST_ID_HEADER, ObservabilityMiddleware, request_id
from .turns import Turns

_METHODS = frozenset({"GET", "HEAD"})
_HIT = (b"x-cache", b"HIT")
_MISS = (b"x-cache", b"MISS")
_LEAVE_TO_STACK = frozenset({b"content-length", b"transfer-encoding", b"origin"})
_LAYERS = (
    EdgeMiddleware,
    CORSMiddleware,
    HeadAsGet,
    CompressionMiddleware,
    ResponseCacheMiddleware,
)


@dataclass(frozen=True, slots=True)
class _Stack:
    """The layers of the wrapped stack the lane stands for (cache None: an app without it)."""

    observability: ObservabilityMiddleware
    edge: EdgeMiddleware
    cache: ResponseCache | None
    routes: tuple[EligibleRoute, ...]


class FastLane:
    """Pure ASGI, outermost: the query routes answered as the whole stack would answer them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._stack: _Stack | bool | None = False  # False: not looked at yet
        self._slow = Turns()  # unknown names: their suggestions, in batches between turns
        self.served = self.passed = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer here when the request is one of the lane's, else pass it on unchanged."""
        if (
            scope["type"] != "http"
            or scope["method"] not in _METHODS
            or not scope["path"].startswith(CACHED_PREFIXES)
            or scope.get("root_path")
        ):
            await self.app(scope, receive, send)
            return
        if self._stack is False:
            self._stack = find_stack(self.app, scope["app"].router.routes)
        stack = self._stack
        catalog = getattr(scope["app"].state, "catalog", None)
        if (
            not isinstance(stack, _Stack)
            or catalog is None
            or stack.edge.must_shed(scope)
            or not await self._serve(stack, catalog, scope, receive, send)
        ):
            self.passed += 1
            await self.app(scope, receive, send)
            return
        self.served += 1

    async def _serve(
        self, stack: _Stack, catalog: Any, scope: Scope, receive: Receive, send: Send
    ) -> bool:
        """Answer one request (True), or do nothing and return False to leave it to the stack."""
        conditions = request_conditions(scope["headers"], _LEAVE_TO_STACK)
        if conditions is None:
            return False
        matches, gzip_ok = conditions
        rid = request_id(scope["headers"])
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id_var.set(rid)
        metrics = stack.observability.metrics
        metrics.in_progress += 1
        start = time.perf_counter()
        try:
            as_get = _as_get(scope)
            try:
                reply = await _reply(
                    stack, catalog, attached(catalog), self._slow, as_get, receive, matches, gzip_ok
                )
            finally:  # a HEAD's metrics and access log name the route that answered its copy
                if as_get is not scope and "route" in as_get:
                    scope["route"] = as_get["route"]
            if reply is None:
                return False
            status, headers, body = reply
            headers = secure_headers(headers)
            headers.append((REQUEST_ID_HEADER, rid.encode("ascii")))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            head = scope["method"] == "HEAD"
            await send({"type": "http.response.body", "body": b"" if head else body})
        except Exception:
            stack.observability.finish(scope, 500, time.perf_counter() - start, rid, True)
            raise
        else:
            stack.observability.finish(scope, status, time.perf_counter() - start, rid, False)
            return True
        finally:
            metrics.in_progress -= 1
            request_id_var.reset(token)


async def _reply(
    stack: _Stack,
    catalog: Any,
    answers: Answers | None,
    slow: Turns,
    scope: Scope,
    receive: Receive,
    matches: bytes | None,
    gzip_ok: bool,
) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
    """Status, headers and body from the cache or the route function for a GET (or the GET
    copy of a HEAD: `_as_get`); None: not the lane's."""
    cache = stack.cache
    if cache is None:  # an app without the response cache: the route's answer as it is
        return _plain(await answer(stack.routes, scope, receive, answers, slow))
    cache.bind(catalog)
    key = _key(scope)
    entry = cache.get(key)
    if entry is not None:
        scope["route"] = entry.route
        return _parts(entry, matches, gzip_ok, _HIT)
    etag = cache.etag
    return _keep(
        cache,
        key,
        etag,
        await answer(stack.routes, scope, receive, answers, slow),
        scope,
        matches,
        gzip_ok,
    )


def reply_now(
    stack: _Stack, catalog: Any, scope: Scope, matches: bytes | None, gzip_ok: bool
) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
    """`_reply` without waiting on anything (for api/wire.py, outside the loop's tasks): the
    cached answer, else an answer `fastpath.answer_now` makes at once (kept in the cache as
    `_reply` keeps it); None: leave it to the lane."""
    cache = stack.cache
    if cache is None:  # an app without the response cache: the route's answer as it is
        return _plain(answer_now(stack.routes, scope, attached(catalog)))
    cache.bind(catalog)
    key = _key(scope)
    entry = cache.hit(key)
    if entry is not None:
        scope["route"] = entry.route
        return _parts(entry, matches, gzip_ok, _HIT)
    etag = cache.etag
    response = answer_now(stack.routes, scope, attached(catalog))
    if response is None:
        return None
    cache.misses += 1
    return _keep(cache, key, etag, response, scope, matches, gzip_ok)


def _key(scope: Scope) -> bytes:
    """A request's response-cache key: its raw path and query string."""
    key: bytes = (scope.get("raw_path") or scope["path"].encode()) + b"?" + scope["query_string"]
    return key


def _plain(response: Any) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
    """A route's answer as it is (an app without the response cache; None: not the lane's)."""
    if response is None:
        return None
    return response.status_code, list(response.raw_headers), bytes(response.body)


def _keep(
    cache: ResponseCache,
    key: bytes,
    etag: bytes,
    response: Any,
    scope: Scope,
    matches: bytes | None,
    gzip_ok: bool,
) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
    """The reply to a cache miss answered by `response` (None: not the lane's), kept in the
    cache when it may be."""
    if response is None:
        return None
    entry = make_entry(
        response.status_code, response.raw_headers, bytes(response.body), scope["route"], etag
    )
    if entry.status in CACHEABLE_STATUS and etag == cache.etag:
        cache.put(key, entry)
    return _parts(entry, matches, gzip_ok, _MISS)


def _parts(
    entry: Any, matches: bytes | None, gzip_ok: bool, marker: tuple[bytes, bytes]
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Status, headers (with the X-Cache marker) and body answering from a cache entry."""
    status, headers, body = reply_parts(entry, matches, gzip_ok)
    return status, [*headers, marker], body


def _as_get(scope: Scope) -> Scope:
    """The scope the route sees: a HEAD request is answered as a GET copy of it, as `HeadAsGet`
    does (so what the route sets there, such as the route, stays in the copy, as there)."""
    return scope if scope["method"] == "GET" else {**scope, "method": "GET"}


def find_stack(app: Any, routes: list[Any]) -> _Stack | None:
    """The lane's view of the stack under it: observability, edge, the response cache and the
    fast path's routes, when the stack is exactly the one the lane stands for; else None."""
    if not isinstance(app, ObservabilityMiddleware):
        return None
    observability, layer = app, app.app
    edge, cache = None, None
    while isinstance(layer, _LAYERS):
        if isinstance(layer, EdgeMiddleware):
            edge = layer
        elif isinstance(layer, ResponseCacheMiddleware):
            if layer.prefixes != CACHED_PREFIXES:
                return None
            cache = layer.cache
        elif isinstance(layer, CompressionMiddleware) and layer.skip != CACHED_PREFIXES:
            return None
        layer = layer.app
    if edge is None or not isinstance(layer, FastPathMiddleware):
        return None
    return _Stack(observability, edge, cache, eligible_routes(routes))
