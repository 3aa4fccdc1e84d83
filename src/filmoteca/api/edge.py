"""The API's edge: request-body limit, load shedding and security headers, for every request.

`EdgeMiddleware` (pure ASGI, just inside the observability middleware, so what it refuses is
still counted and logged with its request id):

- Bodies: a `Content-Length` over MAX_BODY (64 KB) is answered 413 before anything is read;
  a chunked body is counted as it arrives and cut at the limit (413 too). The connection is
  closed after a 413, so an oversized upload is not read any further.
- Fair shedding: under overload, clients are told to come back (503 with `Retry-After`, at
  once) instead of queueing for seconds, and the client sending more than its share pays for
  it, not the others. A request is shed when it waited more than SHED_AFTER seconds between
  its arrival (stamped by `limits.GuardedHttpToolsProtocol`, which also counts each client's
  requests received and not yet answered, in `Pending`) and the moment the app picks it up,
  and its client has more requests pending than its fair share: the larger of BURST and the
  average of the clients with requests pending. So a lone client, e.g. a browser loading the
  page (about 20 requests, at most 6 at a time over HTTP/1.1), is never shed, however slow the
  host; as a last resort any request that waited more than SHED_ALWAYS is. Probes (`/salud`,
  `/listo`) and the reload (`/admin/recargar`, behind its token) are never shed.
- Headers on every response: `X-Content-Type-Options: nosniff` and `Referrer-Policy:
  no-referrer`; on HTML (`/docs`, `/redoc`, `/reporte`, `/app`...) also a Content-Security-Policy
  with `frame-ancestors 'none'` (added to the page's own policy when it has one) and
  `X-Frame-Options: DENY`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson
from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

RECEIVED = "filmoteca.received"
"""The scope's extension key for the loop time a request's headers were complete (set by
`limits.GuardedHttpToolsProtocol`)."""
PENDING = "filmoteca.pending"
"""The scope's extension key for (`Pending`, client) of a request (set by the protocol too)."""
MAX_BODY = 64 << 10
SHED_AFTER = 0.5
SHED_ALWAYS = 5.0
BURST = 32
RETRY_AFTER = b"1"
NEVER_SHED = frozenset({"/salud", "/listo", "/admin/recargar"})
SECURITY_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"))
HTML_CSP = b"frame-ancestors 'none'; object-src 'none'; base-uri 'self'"
_FRAME_ANCESTORS = b"frame-ancestors 'none'"
_ADDED = frozenset({b"x-content-type-options", b"referrer-policy", b"x-frame-options"})
_TOO_LARGE = orjson.dumps(
    {
        "codigo": "cuerpo_demasiado_grande",
        "mensaje": f"El cuerpo de la petición pasa de {MAX_BODY // 1024} KB.",
    }
)
_BUSY = orjson.dumps(
    {
        "codigo": "servicio_saturado",
        "mensaje": "El servicio está saturado en este momento. Reintente en un segundo.",
    }
)


class Pending:
    """Requests received and not yet answered, per client (its address), in one process."""

    __slots__ = ("by_client", "total")

    def __init__(self) -> None:
        self.by_client: dict[str, int] = {}
        self.total = 0

    def arrived(self, client: str) -> None:
        """A request of `client` is complete (headers read)."""
        self.by_client[client] = self.by_client.get(client, 0) + 1
        self.total += 1

    def answered(self, client: str, count: int = 1) -> None:
        """`count` requests of `client` were answered (or their connection lost)."""
        mine = self.by_client.pop(client, 0)
        self.total -= min(count, mine)
        if mine > count:
            self.by_client[client] = mine - count

    def above_share(self, client: str, burst: int = BURST) -> bool:
        """Whether `client` has more requests pending than the larger of `burst` and the
        average per client with requests pending (a lone client never has)."""
        mine = self.by_client.get(client, 0)
        return mine > burst and mine * len(self.by_client) > self.total


class BodyTooLarge(HTTPException):
    """Raised into the app when a streamed body passes the limit (the 413 is already sent)."""

    def __init__(self) -> None:
        super().__init__(413, "El cuerpo de la petición es demasiado grande.")


class EdgeMiddleware:
    """Pure ASGI: body limit, shedding of requests that queued too long, security headers."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int = MAX_BODY,
        shed_after: float = SHED_AFTER,
        shed_always: float = SHED_ALWAYS,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.shed_after, self.shed_always = shed_after, shed_always
        self.shed = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse what must be refused, else run the app adding the security headers."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.must_shed(scope):
            self.shed += 1
            await _error(send, 503, _BUSY, (b"retry-after", RETRY_AFTER))
            return
        length, chunked = _body_headers(scope["headers"])
        if length is not None and length > self.max_body:
            await _error(send, 413, _TOO_LARGE, (b"connection", b"close"))
            return
        guarded = _Guard(send, self.max_body)
        await self.app(scope, guarded.receive(receive) if chunked else receive, guarded.send)

    def must_shed(self, scope: Scope) -> bool:
        """Whether the request queued too long and its client is above its share (see the
        module docstring)."""
        extensions = scope.get("extensions") or {}
        received = extensions.get(RECEIVED)
        if received is None or scope["path"] in NEVER_SHED:
            return False
        waited: float = asyncio.get_running_loop().time() - received
        if waited <= self.shed_after:
            return False
        pending: tuple[Pending, str] | None = extensions.get(PENDING)
        return waited > self.shed_always or pending is None or pending[0].above_share(pending[1])


class _Guard:
    """One request's send (adding the security headers) and, for chunked bodies, its receive
    (counting the bytes, answering 413 once they pass the limit)."""

    __slots__ = ("_send", "cut", "max_body", "received", "started")

    def __init__(self, send: Send, max_body: int) -> None:
        self._send, self.max_body = send, max_body
        self.received, self.started, self.cut = 0, False, False

    async def send(self, message: Message) -> None:
        if self.cut:  # the 413 is out: whatever the app answers after it is dropped
            return
        if message["type"] == "http.response.start":
            self.started = True
            message["headers"] = secure_headers(list(message.get("headers", ())))
        await self._send(message)

    def receive(self, receive: Receive) -> Receive:
        async def counted() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
                if self.received > self.max_body:
                    if not self.started:
                        await _error(self._send, 413, _TOO_LARGE, (b"connection", b"close"))
                    self.cut = True
                    raise BodyTooLarge()
            return message

        return counted


def secure_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """A response's headers plus nosniff and the referrer policy; for HTML, the frame rules."""
    html, csp_at, present = False, -1, set()
    for position, (name, value) in enumerate(headers):
        if name == b"content-type":
            html = value.startswith(b"text/html")
        elif name == b"content-security-policy":
            csp_at = position
        elif name in _ADDED:
            present.add(name)
    headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
    if html:
        if b"x-frame-options" not in present:
            headers.append((b"x-frame-options", b"DENY"))
        if csp_at < 0:
            headers.append((b"content-security-policy", HTML_CSP))
        elif _FRAME_ANCESTORS not in headers[csp_at][1]:
            name, value = headers[csp_at]
            headers[csp_at] = (name, value + b"; " + _FRAME_ANCESTORS)
    return headers


def _body_headers(headers: Any) -> tuple[int | None, bool]:
    """The request's declared body length (None if absent or not a number) and whether it is
    chunked. An unreadable Content-Length counts as too large."""
    length, chunked = None, False
    for name, value in headers:
        if name == b"content-length":
            length = int(value) if value.isdigit() and len(value) < 19 else 1 << 62
        elif name == b"transfer-encoding":
            chunked = True
    return length, chunked


async def _error(send: Send, status: int, body: bytes, *extra: tuple[bytes, bytes]) -> None:
    """A whole JSON error response, with the security headers."""
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send(
        {"type": "http.response.start", "status": status, "headers": secure_headers(headers)}
    )
    await send({"type": "http.response.body", "body": body})
