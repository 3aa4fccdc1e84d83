"""Connection limits of the served protocol, on a real uvicorn over loopback sockets."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from filmoteca.api.edge import PENDING, RECEIVED
from filmoteca.api.limits import GuardedHttpToolsProtocol
from servers import free_port

seen: list[dict[str, Any]] = []


class QuickProtocol(GuardedHttpToolsProtocol):
    """The served protocol with a short deadline, so the tests do not wait 10 s."""

    request_timeout = 0.5


async def echo(scope: Any, receive: Any, send: Any) -> None:
    """A tiny ASGI app: reads the body, remembers the scope, answers 200 'ok'."""
    if scope["type"] != "http":
        return
    pending, client = scope["extensions"][PENDING]
    scope["pending_then"] = pending.by_client.get(client, 0)
    seen.append(scope)
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False) and message["type"] == "http.request"
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    number = free_port()
    config = uvicorn.Config(
        echo, host="127.0.0.1", port=number, http=QuickProtocol, lifespan="off",
        log_level="critical", timeout_keep_alive=1,
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    yield number
    server.should_exit = True
    thread.join(10)


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes the connection (or 5 s pass)."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_a_normal_request_is_answered_and_stamped(port: int) -> None:
    with _connect(port) as sock:
        sock.sendall(b"GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        assert _read_all(sock).startswith(b"HTTP/1.1 200")
    assert isinstance(seen[-1]["extensions"][RECEIVED], float)


def test_oversized_headers_get_431_without_being_buffered(port: int) -> None:
    with _connect(port) as sock:
        sock.sendall(b"GET /x HTTP/1.1\r\nHost: a\r\nX-Grande: ")
        sent = 0
        with pytest.raises(OSError):  # the server closes while the client still sends
            while sent < 50 << 20:
                sock.sendall(b"a" * 65536)
                sent += 65536
        assert sent < 4 << 20  # refused long before the 50 MB were read
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 431") or answer == b""


def test_oversized_headers_answer_431(port: int) -> None:
    with _connect(port) as sock:
        sock.sendall(b"GET /x HTTP/1.1\r\nHost: a\r\nX-Grande: " + b"a" * (20 << 10) + b"\r\n")
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 431") and b"16 KB" in answer


def test_headers_just_under_the_limit_are_accepted(port: int) -> None:
    with _connect(port) as sock:
        header = b"X-Casi: " + b"a" * (12 << 10) + b"\r\n"
        sock.sendall(b"GET /x HTTP/1.1\r\nHost: a\r\n" + header + b"Connection: close\r\n\r\n")
        assert _read_all(sock).startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize(
    "partial",
    [b"", b"GET /x HTTP/1.1\r\nHost: a\r\n", b"POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\nab"],
    ids=["silent", "half-sent headers", "half-sent body"],
)
def test_slow_or_silent_connections_are_closed(port: int, partial: bytes) -> None:
    with _connect(port) as sock:
        sock.sendall(partial)
        start = time.monotonic()
        _read_all(sock)  # returns when the server closes
        assert time.monotonic() - start < 3


def test_many_half_sent_connections_are_all_closed(port: int) -> None:
    socks = [_connect(port) for _ in range(300)]
    try:
        for sock in socks:
            sock.sendall(b"GET /x HTTP/1.1\r\nHost: a\r\n")
        time.sleep(1.5)
        for sock in socks:
            sock.settimeout(3)
            assert sock.recv(100) == b""  # closed by the server
    finally:
        for sock in socks:
            sock.close()


def test_idle_keep_alive_connection_is_closed(port: int) -> None:
    with _connect(port) as sock:
        sock.sendall(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n")
        first = sock.recv(1000)
        assert first.startswith(b"HTTP/1.1 200")
        start = time.monotonic()
        assert _read_all(sock) == b"" and time.monotonic() - start < 3


def _pending_of(client: str) -> int:
    """Requests of `client` the served protocol counts as received and not yet answered."""
    return GuardedHttpToolsProtocol.pending.by_client.get(client, 0)


def _settled(client: str) -> bool:
    deadline = time.monotonic() + 3
    while _pending_of(client) and time.monotonic() < deadline:
        time.sleep(0.02)
    return _pending_of(client) == 0


def test_each_client_s_pending_requests_are_counted_until_answered(port: int) -> None:
    with _connect(port) as sock:
        sock.sendall(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n" * 2)
        sock.sendall(b"GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        assert _read_all(sock).count(b"HTTP/1.1 200") == 3
    assert seen[-1]["extensions"][PENDING][1] == "127.0.0.1" and seen[-1]["pending_then"] >= 1
    assert _settled("127.0.0.1")


def test_a_lost_connection_s_requests_are_no_longer_pending(port: int) -> None:
    with _connect(port) as sock:
        sock.sendall(b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nab")
        time.sleep(0.1)
    assert _settled("127.0.0.1")


def test_behind_a_trusted_proxy_the_client_is_the_forwarded_address(port: int) -> None:
    # uvicorn trusts 127.0.0.1 by default (FORWARDED_ALLOW_IPS): the proxy's appended address
    with _connect(port) as sock:
        forwarded = b"X-Forwarded-For: 10.0.0.9, 203.0.113.7\r\n"
        sock.sendall(b"GET /x HTTP/1.1\r\nHost: a\r\n" + forwarded + b"Connection: close\r\n\r\n")
        assert _read_all(sock).startswith(b"HTTP/1.1 200")
    assert seen[-1]["extensions"][PENDING][1] == "203.0.113.7"
    assert _settled("203.0.113.7")


@pytest.mark.parametrize(
    "headers",
    [
        b"X-Grande: " + b"a" * (60 << 10) + b"\r\n",  # one big header
        b"".join(b"X-%d: %s\r\n" % (i, b"b" * 8) for i in range(2000)),  # many small ones
    ],
    ids=["one big header", "2,000 headers"],
)
def test_oversized_headers_sent_in_one_read_get_431(port: int, headers: bytes) -> None:
    """The whole request in one write (one read on the server): the parsed headers count."""
    with _connect(port) as sock:
        sock.sendall(b"GET /x HTTP/1.1\r\nHost: a\r\n" + headers + b"Connection: close\r\n\r\n")
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 431") and b"16 KB" in answer
    assert b"x-content-type-options: nosniff" in answer


def test_an_unparsable_request_gets_a_spanish_400_in_the_error_shape(port: int) -> None:
    with _connect(port) as sock:
        sock.sendall(b"GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: diez\r\n\r\n")
        answer = _read_all(sock)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and b"x-content-type-options: nosniff" in head
    assert json.loads(body)["codigo"] == "peticion_no_valida"
    assert "no es válida" in json.loads(body)["mensaje"]
