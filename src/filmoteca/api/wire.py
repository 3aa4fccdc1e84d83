"""Repeated answers written straight to the connection, before any ASGI machinery.

A cached answer costs the fast lane (lane.py) about 10 µs of its own, but uvicorn spends three
to four times that around it for every request: a scope, a request-response cycle with its
event, a task, the ASGI send calls and their header checks (measured on loopback: 40-50 µs of
server CPU per request for a raw ASGI app answering fixed bytes, 11-13 µs when the protocol
writes them itself). `WireProtocol` (the served protocol: uvicorn's httptools one with the
limits of limits.py) answers a request from the response cache in the parser's callback when
the answer is already there, with exactly the bytes the lane would have made uvicorn send:
the same status line, uvicorn's `date` header, the cached headers with `X-Cache: HIT`, the
security headers and the request id; HEAD without the body; 304 for a matching If-None-Match;
gzip when accepted. The metrics and the access-log line are recorded as the lane records them.

Only the plainest requests take this path: GET or HEAD over HTTP/1.1 with keep-alive, no
body, no `Origin`, no upgrade, no `X-Forwarded-*` header from a trusted proxy, with nothing else under way on the
connection (a pipelined request behind one still running waits its turn as always) and the
connection's writes not paused (a client that does not read its answers gets no more of them
than uvicorn would send). Anything else, and every answer not in the cache yet, goes through
uvicorn and the app untouched; the first request of each path fills the cache there.
"""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any
from urllib.parse import unquote
from weakref import WeakKeyDictionary

from starlette.applications import Starlette
from uvicorn.protocols.http.httptools_impl import STATUS_LINE

from .cache import CACHED_PREFIXES, request_conditions
from .edge import secure_headers
from .lane import _LEAVE_TO_STACK, FastLane, _Stack, reply_now
from .limits import GuardedHttpToolsProtocol
from .logs import request_id_var
from .observability import REQUEST_ID_HEADER, request_id

_PLAIN_METHODS = {b"GET": "GET", b"HEAD": "HEAD"}
_LEAVE = _LEAVE_TO_STACK
_LEAVE_PROXIED = _LEAVE | {b"x-forwarded-for", b"x-forwarded-proto"}
"""From a trusted proxy (uvicorn trusts 127.0.0.1 by default), a request naming its client
or scheme is left to uvicorn's ProxyHeadersMiddleware, which rewrites them in the scope."""
_FOUND: WeakKeyDictionary[Any, tuple[Starlette, FastLane]] = WeakKeyDictionary()


class WireProtocol(GuardedHttpToolsProtocol):
    """The served protocol: limits.py's, answering cached answers in the parser's callback."""

    _wired = False  # the request being parsed was answered here

    def on_headers_complete(self) -> None:
        """Answer from the response cache when possible, else start the request as always."""
        self._wired = self._answer_from_cache()
        if self._wired:
            self._in_headers = False
            return
        # A wired answer earlier in the same read armed the keep-alive timer: this request
        # must not be cut by it (uvicorn disarms it only when data arrives).
        self._unset_keepalive_if_required()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        """The whole request arrived (a wired one was already answered)."""
        if self._wired:
            self._wired = False
            self._disarm()
            return
        super().on_message_complete()

    def _answer_from_cache(self) -> bool:
        """Write the cached answer of the request just parsed; False to leave it to uvicorn."""
        parser = self.parser
        method = _PLAIN_METHODS.get(parser.get_method())
        url = self.url
        if (
            method is None
            or (self.cycle is not None and not self.cycle.response_complete)
            or self.pipeline
            or self.flow.write_paused
            or self.transport.is_closing()
            or self.root_path
            or not url.startswith(b"/")
            or not url.isascii()
            or b"#" in url
            or parser.get_http_version() != "1.1"
            or not parser.should_keep_alive()
            or parser.should_upgrade()
        ):
            return False
        found = _lane_of(self.app)
        if found is None:
            return False
        app, lane = found
        stack = lane._stack
        catalog = getattr(app.state, "catalog", None)
        if not isinstance(stack, _Stack) or catalog is None:
            return False
        conditions = request_conditions(self.headers, _LEAVE_PROXIED if self._proxied else _LEAVE)
        if conditions is None:
            return False
        raw, _, query = url.partition(b"?")
        path = decoded(raw.decode("ascii"))
        if not path.startswith(CACHED_PREFIXES):
            return False
        start = time.perf_counter()
        scope: dict[str, Any] = self.scope  # type: ignore[assignment]
        scope.update(method="GET", path=path, raw_path=raw, query_string=query, app=app)
        reply = reply_now(stack, catalog, scope, *conditions)
        if reply is None:
            return False  # uvicorn starts the request as always, from its own scope
        status, headers, body = reply
        rid = request_id(self.headers)
        headers = secure_headers(headers)
        headers.append((REQUEST_ID_HEADER, rid.encode("ascii")))
        content = [STATUS_LINE[status]]
        for name, value in (*self.server_state.default_headers, *headers):
            content += (name, b": ", value, b"\r\n")
        content.append(b"\r\n")
        if method == "GET":
            content.append(body)
        self.transport.write(b"".join(content))
        lane.served += 1
        scope["method"] = method  # the metrics and the log name a HEAD as such
        token = request_id_var.set(rid)
        try:
            stack.observability.finish(scope, status, time.perf_counter() - start, rid, False)
        finally:
            request_id_var.reset(token)
        self._answered()
        return True

    def _answered(self) -> None:
        """What uvicorn does once a response is complete, for a keep-alive connection with
        nothing pipelined: count it and wait for the next request (keep-alive timeout)."""
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self._unset_keepalive_if_required()
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )


DECODED_MAX = 512
"""Paths up to this length are remembered decoded (`decoded`); longer ones are decoded anew."""


def decoded(path: str) -> str:
    """The request path with its %-escapes decoded, as uvicorn decodes it for the scope
    (`urllib.parse.unquote`), the decoded form of the last 1,024 short paths remembered: the
    same few paths repeat (a name route's `%20`), and `unquote` cost them about 12 µs of server
    CPU per request on loopback (a cached `/score_titulo/Toy%20Story` 40-43 µs against 27-28 µs
    for `/score_titulo/Inception`), where remembering it brings them level."""
    if "%" not in path:
        return path
    return _decoded_short(path) if len(path) <= DECODED_MAX else unquote(path)


@lru_cache(maxsize=1024)
def _decoded_short(path: str) -> str:
    return unquote(path)


def _lane_of(app: Any) -> tuple[Starlette, FastLane] | None:
    """The Starlette app under uvicorn's wrappers and its fast lane, once its middleware stack
    is built (at its first request); None before, or when it has no lane."""
    found = _FOUND.get(app)
    if found is not None:
        return found
    layer = app
    while layer is not None and not isinstance(layer, Starlette):
        layer = getattr(layer, "app", None)
    if layer is None:
        return None
    starlette, layer = layer, layer.middleware_stack
    while layer is not None and not isinstance(layer, FastLane):
        layer = getattr(layer, "app", None)
    if layer is None:
        return None
    _FOUND[app] = starlette, layer
    return starlette, layer
