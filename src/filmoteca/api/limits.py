"""Limits at the connection: header size, slow or idle clients, and the arrival time of requests.

uvicorn's httptools protocol buffers a request line and headers of any size and keeps a
connection that never finishes its headers (or never sends anything) open forever.
`GuardedHttpToolsProtocol` is that protocol with three bounds (`serve` uses it):

- MAX_HEADER_BYTES: a request whose line and headers pass this size is answered 431 and the
  connection closed, after buffering at most one read beyond the limit: the bytes are counted
  as they arrive while the headers are incomplete, and the parsed URL and headers are counted
  too, so that a request sent whole in one read is held to the same limit.
- REQUEST_TIMEOUT: a request (line, headers and body) must arrive whole within this time from
  its first byte, and a new connection must start one within it; otherwise the connection is
  closed (idle keep-alive connections are closed by uvicorn's `timeout_keep_alive`).
- Each request's scope carries the loop time its headers were complete
  (`scope["extensions"]["filmoteca.received"]`), so the app can tell how long it queued, and
  every client's requests received and not yet answered are counted (`edge.Pending`), so that
  `edge.EdgeMiddleware` sheds, among the requests that waited too long, those of the clients
  above their share. A client is its address; behind a proxy trusted by uvicorn
  (FORWARDED_ALLOW_IPS), the address the proxy appended to X-Forwarded-For.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .edge import PENDING, RECEIVED, SECURITY_HEADERS, Pending

MAX_HEADER_BYTES = 16 << 10
REQUEST_TIMEOUT = 10.0


def _trusted(allowed: list[str] | str, peer: str) -> bool:
    """Whether uvicorn trusts the proxy headers of `peer` (FORWARDED_ALLOW_IPS: addresses, or
    '*'; networks are not looked into here: such a peer counts as one client)."""
    names = allowed.split(",") if isinstance(allowed, str) else allowed
    return any(name.strip() in ("*", peer) for name in names)


def _closing(status: bytes, code: str, message: str) -> bytes:
    """A whole response sent at the connection (before the app), in the API's one error shape,
    with the security headers, closing the connection."""
    body = orjson.dumps({"codigo": code, "mensaje": message})
    head = b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\n"
    head += b"content-length: %d\r\nconnection: close\r\n" % len(body)
    head += b"".join(name + b": " + value + b"\r\n" for name, value in SECURITY_HEADERS)
    return head + b"\r\n" + body


_431 = _closing(
    b"431 Request Header Fields Too Large",
    "cabeceras_demasiado_grandes",
    "Las cabeceras de la petición pasan de 16 KB.",
)
_400 = _closing(
    b"400 Bad Request",
    "peticion_no_valida",
    "La petición HTTP no es válida (línea de petición, cabeceras o longitud del cuerpo mal "
    "formadas).",
)


class HeadersTooLarge(Exception):
    """Raised in a parser callback to stop parsing a refused request."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header-size limit and a whole-request deadline."""

    max_header_bytes = MAX_HEADER_BYTES
    request_timeout = REQUEST_TIMEOUT
    pending = Pending()  # shared by the connections of the process

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_bytes = self._parsed_bytes = 0
        self._in_headers = True
        self._refused = False
        self._deadline: asyncio.TimerHandle | None = None
        self._clients: deque[str] = deque()  # of the requests received and not yet answered
        self._peer, self._proxied = "", False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Accept the connection; its first request must arrive within the deadline."""
        super().connection_made(transport)
        self._peer = self.client[0] if self.client else ""
        self._proxied = self.config.proxy_headers and _trusted(
            self.config.forwarded_allow_ips, self._peer
        )
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        """Drop the deadline and the requests still pending with the connection."""
        self._disarm()
        for client in self._clients:
            self.pending.answered(client)
        self._clients.clear()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Feed the parser; refuse a request whose headers grow past the limit."""
        if self._refused:
            return
        counting = self._in_headers
        super().data_received(data)
        if counting and self._in_headers and not self._refused:
            self._header_bytes += len(data)
            if self._header_bytes > self.max_header_bytes:
                self._refuse()

    def on_url(self, url: bytes) -> None:
        """Count the request target (it may come in pieces)."""
        self._count_parsed(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        """Count one parsed header ('name: value' and its line end)."""
        self._count_parsed(len(name) + len(value) + 4)
        super().on_header(name, value)

    def _count_parsed(self, size: int) -> None:
        """Refuse the request once its parsed line and headers pass the limit: raised inside
        the parser, so it stops there (uvicorn's 400 for it is not sent: `_refused`)."""
        self._parsed_bytes += size
        if self._parsed_bytes > self.max_header_bytes and not self._refused:
            self._refuse()
        if self._refused:
            raise HeadersTooLarge

    def send_400_response(self, msg: str) -> None:
        """The 400 for unparsable input (uvicorn's, in Spanish and in the API's error shape),
        unless the connection was already answered."""
        if self._refused:
            return
        self._refused = True
        self._disarm()
        if not self.transport.is_closing():
            self.transport.write(_400)
            self.transport.close()

    def on_message_begin(self) -> None:
        """A new request: count its header bytes and start its deadline."""
        super().on_message_begin()
        self._in_headers, self._header_bytes, self._parsed_bytes = True, 0, 0
        self._arm()

    def on_headers_complete(self) -> None:
        """Stamp the arrival time in the scope, then let uvicorn start the request."""
        self._in_headers = False
        scope: dict[str, Any] = self.scope  # type: ignore[assignment]
        client = self._client_of(scope)
        self.pending.arrived(client)
        self._clients.append(client)
        extensions = scope.setdefault("extensions", {})
        extensions[RECEIVED], extensions[PENDING] = self.loop.time(), (self.pending, client)
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        """A response went out: its request is no longer pending."""
        if self._clients:
            self.pending.answered(self._clients.popleft())
        super().on_response_complete()

    def _client_of(self, scope: dict[str, Any]) -> str:
        """Who sent the request: the peer, or the client a trusted proxy names."""
        if self._proxied:
            for name, value in scope["headers"]:
                if name == b"x-forwarded-for":
                    return value.decode("latin-1").rpartition(",")[2].strip() or self._peer
        return self._peer

    def on_message_complete(self) -> None:
        """The whole request arrived: its deadline is met."""
        self._disarm()
        super().on_message_complete()

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.request_timeout, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        """Too slow: close the connection (an app waiting for the body sees a disconnect)."""
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def _refuse(self) -> None:
        """Answer 431 and close, unless a response is already under way."""
        self._refused = True
        self._disarm()
        if not self.transport.is_closing():
            self.transport.write(_431)
            self.transport.close()
