"""Cached answers written by the protocol (api/wire.py): the bytes the lane makes uvicorn send,
on real uvicorn servers over loopback sockets."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from filmoteca.api import wire
from filmoteca.api.app import create_app
from filmoteca.api.limits import GuardedHttpToolsProtocol
from filmoteca.config import Settings
from sample_catalog import make_sample_catalog
from servers import free_port

PATHS = ["/get_actor/Tom%20Hanks", "/get_director/tim%20burton", "/score_titulo/Batman",
         "/score_titulo/batman?anio=1966", "/votos_titulo/toy%20story", "/get_actor/nadie",
         "/cantidad_filmaciones_mes/Enero", "/buscar?q=to&limite=2", "/buscar?q=", "/get_actor/x?",
         "/cantidad_filmaciones_mes/brumario", "/cantidad_filmaciones_dia/S%C3%A1bado", "/buscar?q=%20",
         "/buscar?q=to&limite=0", "/buscar?q=t&pagina=1001", "/buscar?q=ba&q=to", "/get_director/"]  # fmt: skip
WAYS = [b"", b"Accept-Encoding: gzip\r\n", b"If-None-Match: *\r\n", b"X-Request-ID: mio-1\r\n",
        b"Accept-Encoding: gzip;q=0, br\r\n"]  # fmt: skip
_VARYING = re.compile(rb"(date|x-request-id): [^\r]*\r\n")


class Counted(wire.WireProtocol):
    """The served protocol, counting what it answers itself."""

    wired = 0

    def _answer_from_cache(self) -> bool:
        answered = super()._answer_from_cache()
        Counted.wired += answered
        return answered


def _start(app: Any, protocol: type) -> tuple[uvicorn.Server, int]:
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, http=protocol, log_level="critical", loop="uvloop",
        timeout_keep_alive=1, server_header=False,
    )  # fmt: skip
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return server, port


@pytest.fixture(scope="module")
def ports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int]]:
    """Two servers over the same catalog: uvicorn's way (limits.py's protocol) and wire.py's."""
    settings = Settings(catalog_dir=make_sample_catalog(tmp_path_factory.mktemp("cable")))
    plain, plain_port = _start(create_app(settings), GuardedHttpToolsProtocol)
    wired, wired_port = _start(create_app(settings), Counted)
    yield plain_port, wired_port
    plain.should_exit = wired.should_exit = True


def _exchange(port: int, raw: bytes, answers: int = 1) -> list[bytes]:
    """Send raw bytes on one connection; the `answers` whole responses read back."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(raw)
        data = b""
        responses: list[bytes] = []
        while len(responses) < answers:
            head_end = data.find(b"\r\n\r\n")
            if head_end >= 0:
                head = data[:head_end]
                found = re.search(rb"content-length: (\d+)", head)
                size = int(found.group(1)) if found else 0
                if b" 304 " in head.split(b"\r\n")[0] or raw.startswith(b"HEAD"):
                    size = 0
                if len(data) >= head_end + 4 + size:
                    responses.append(data[: head_end + 4 + size])
                    data = data[head_end + 4 + size :]
                    continue
            chunk = sock.recv(65536)
            assert chunk, "the server closed the connection"
            data += chunk
        return responses


def _request(method: str, path: str, extra: bytes = b"") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: a\r\n".encode() + extra + b"\r\n"


def _same(response: bytes) -> bytes:
    return _VARYING.sub(lambda m: m.group(1) + b": *\r\n", response)


@pytest.mark.parametrize("path", PATHS)
def test_wired_answers_are_the_bytes_uvicorn_sends_for_the_lane(
    ports: tuple[int, int], path: str
) -> None:
    plain, wired = ports
    for method in ("GET", "HEAD"):
        for extra in WAYS:
            raw = _request(method, path, extra) * 2  # the first fills the cache
            expected = _exchange(plain, raw, 2)
            got = _exchange(wired, raw, 2)
            assert [_same(one) for one in got] == [_same(one) for one in expected]
            if b"X-Request-ID" in extra:
                assert all(b"x-request-id: mio-1\r\n" in one for one in got)


def test_cached_answers_are_written_by_the_protocol(ports: tuple[int, int]) -> None:
    _, wired = ports
    before, counted = Counted.wired, _count(wired)
    ask = _request("GET", "/get_actor/penelope%20cruz")
    first, second, third = (_exchange(wired, ask)[0] for _ in range(3))
    assert b"x-cache: MISS" in first and b"x-cache: HIT" in second and b"x-cache: HIT" in third
    assert Counted.wired - before == 3  # the first from the answers made at build time
    (pipelined,) = _exchange(wired, ask * 2, 2)[1:]  # behind a wired one: wired too
    assert b"x-cache: HIT" in pipelined and Counted.wired - before == 5
    assert _count(wired) - counted == 5  # counted under the route, as the lane counts them


def _count(port: int) -> float:
    """The requests of `/get_actor` answered 200, from the server's metrics."""
    metrics = _exchange(port, _request("GET", "/metricas"))[0].decode()
    route = r'filmoteca_http_requests_total{method="GET",route="/get_actor/{nombre_actor:path}",status="200"} (\S+)'
    found = re.search(route, metrics)
    return float(found.group(1)) if found else 0.0


def test_a_pipelined_request_waits_for_the_one_before_it(ports: tuple[int, int]) -> None:
    _, wired = ports
    _exchange(wired, _request("GET", "/get_actor/Tom%20Hanks"))  # cached now
    before = Counted.wired
    slow = _request("GET", "/get_actor/tom%20hankz")  # unknown: suggestions, in the loop
    raw = slow + _request("GET", "/get_actor/Tom%20Hanks") + _request("GET", "/salud")
    first, second, third = _exchange(wired, raw, 3)
    assert Counted.wired == before  # the two behind it waited their turn
    assert b"404 Not Found" in first and b"Tom Hanks" in first
    assert b'"actor":"Tom Hanks"' in second and b"x-cache: HIT" in second
    assert b'"estado"' in third


@pytest.mark.parametrize(
    "extra",
    [
        b"Connection: close\r\n",
        b"Origin: https://ejemplo.org\r\n",
        b"X-Forwarded-For: 10.0.0.9\r\n",
        b"Content-Length: 0\r\n",
    ],
)
def test_requests_out_of_the_plain_case_are_left_to_uvicorn(
    ports: tuple[int, int], extra: bytes
) -> None:
    plain, wired = ports
    path = "/get_director/john%20woo"
    _exchange(wired, _request("GET", path))
    before = Counted.wired
    got = _exchange(wired, _request("GET", path, extra))[0]
    assert Counted.wired == before
    assert _same(got) == _same(
        _exchange(plain, _request("GET", path) + _request("GET", path, extra), 2)[1]
    )


def test_http_1_0_and_idle_connections_behave_as_uvicorn(ports: tuple[int, int]) -> None:
    _, wired = ports
    path = "/score_titulo/Toy%20Story"
    _exchange(wired, _request("GET", path))
    before = Counted.wired
    old = _exchange(wired, f"GET {path} HTTP/1.0\r\n\r\n".encode())[0]
    assert old.startswith(b"HTTP/1.1 200") and Counted.wired == before
    with socket.create_connection(("127.0.0.1", wired), timeout=5) as sock:
        sock.sendall(_request("GET", path))
        time.sleep(0.2)
        assert b"x-cache: HIT" in sock.recv(65536)
        start = time.monotonic()
        assert sock.recv(65536) == b""  # closed after the keep-alive timeout (1 s here)
        assert 0.5 < time.monotonic() - start < 3


def test_after_a_reload_the_wired_answers_are_the_new_catalog_s(tmp_path: Path) -> None:
    from pydantic import SecretStr

    from factories import make_catalog, movie

    def write(january: int) -> None:
        movies = [movie(i + 1, f"Pelicula {i}", f"2001-01-{i + 1:02d}") for i in range(january)]
        make_catalog(tmp_path / "catalogo", [*movies, movie(900, "Marzo", "2001-03-03")])

    write(3)
    settings = Settings(catalog_dir=tmp_path / "catalogo", admin_token=SecretStr("clave"))
    server, port = _start(create_app(settings), Counted)
    try:
        ask = _request("GET", "/cantidad_filmaciones_mes/enero")
        first, second = (_exchange(port, ask)[0] for _ in range(2))
        assert b"x-cache: HIT" in second and first.endswith(b'"cantidad":3}')
        before = Counted.wired
        write(7)
        reload = b"POST /admin/recargar HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer clave\r\n"
        assert b" 200 OK" in _exchange(port, reload + b"Content-Length: 0\r\n\r\n")[0]
        third, fourth = (_exchange(port, ask)[0] for _ in range(2))
        assert b"x-cache: MISS" in third and third.endswith(b'"cantidad":7}')
        assert b"x-cache: HIT" in fourth and fourth.endswith(b'"cantidad":7}')
        assert Counted.wired == before + 2  # computed at once, then from the cache
    finally:
        server.should_exit = True


def test_a_request_behind_a_wired_one_is_not_cut_by_the_keep_alive_timer(
    ports: tuple[int, int],
) -> None:
    _, wired = ports  # keep-alive timeout 1 s here
    ask = _request("GET", "/votos_titulo/toy%20story")
    _exchange(wired, ask)
    with socket.create_connection(("127.0.0.1", wired), timeout=5) as sock:
        head = b"POST /recomendacion HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
        sock.sendall(ask + head + b"Content-Length: 2\r\n\r\n")
        time.sleep(1.5)  # past the keep-alive timeout, within the request deadline
        sock.sendall(b"{}")
        time.sleep(0.5)
        data = sock.recv(65536)
        while data.count(b"HTTP/1.1 ") < 2:
            chunk = sock.recv(65536)
            assert chunk, "the connection was closed under the request"
            data += chunk
    assert data.count(b"HTTP/1.1 ") == 2


@pytest.mark.parametrize(
    "path",
    [
        "/score_titulo/Toy%20Story",
        "/get_actor/Pen%C3%A9lope%20Cruz",
        "/get_actor/%ZZ%2",  # not an escape: kept as written
        "/get_actor/%FF%FE",  # not UTF-8: replaced, as unquote does
        "/buscar",
        "/" + "%41" * 400,  # longer than DECODED_MAX: decoded, not remembered
    ],
)
def test_paths_are_decoded_as_uvicorn_decodes_them(path: str) -> None:
    from urllib.parse import unquote

    wire._decoded_short.cache_clear()  # (a server of another test may have decoded it)
    assert wire.decoded(path) == unquote(path) == wire.decoded(path)
    remembered = "%" in path and len(path) <= wire.DECODED_MAX
    assert wire._decoded_short.cache_info().hits == (1 if remembered else 0)


def test_the_decoded_paths_remembered_are_bounded() -> None:
    for i in range(3000):
        wire.decoded(f"/get_actor/a%20{i}")
    info = wire._decoded_short.cache_info()
    assert info.maxsize == 1024 and info.currsize <= 1024
