"""Observability middleware on a tiny FastAPI app: request ids, metrics, JSON logs, /metricas."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.testclient import TestClient

from filmoteca.api.logs import LOGGERS_CONFIGURED, JsonFormatter, TextFormatter, configure_logging
from filmoteca.api.observability import Metrics, ObservabilityMiddleware, metrics_endpoint


def tiny_app(metrics: Metrics, *, access_log: bool = True) -> FastAPI:
    """A few routes that exercise every path of the middleware."""
    started: list[bool] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started.append(True)
        yield

    app = FastAPI(lifespan=lifespan)
    app.state.started = started
    app.add_middleware(ObservabilityMiddleware, metrics=metrics, access_log=access_log)
    app.state.metrics = metrics
    app.add_api_route("/metricas", metrics_endpoint, include_in_schema=False)

    @app.get("/peliculas/{pid}")
    def pelicula(pid: int) -> dict[str, int]:
        return {"id": pid}

    @app.get("/salud")
    def salud() -> dict[str, str]:
        return {"estado": "ok"}

    @app.get("/falla")
    def falla() -> dict[str, str]:
        raise RuntimeError("fallo de prueba")

    @app.get("/no_disponible")
    def no_disponible() -> JSONResponse:
        return JSONResponse({"detalle": "sin catálogo"}, status_code=503)

    @app.get("/flujo")
    def flujo() -> StreamingResponse:
        return StreamingResponse(iter([b"uno,", b"dos,", b"tres"]), media_type="text/plain")

    return app


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
def client(metrics: Metrics) -> Iterator[TestClient]:
    with TestClient(tiny_app(metrics), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Capture filmoteca's log records as JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("filmoteca")
    saved = (logger.level, logger.propagate)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(saved[0])
    logger.propagate = saved[1]


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in a Prometheus text exposition (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{re.escape(name)}(?:\{{{re.escape(wanted)}\}})? (\S+)$" if wanted else None
    for line in text.splitlines():
        if pattern and re.match(pattern, line):
            return float(line.rsplit(" ", 1)[1])
        if not pattern and line.startswith(f"{name} "):
            return float(line.split(" ")[1])
    return 0.0


def test_request_id_is_generated_when_absent(client: TestClient) -> None:
    first = client.get("/peliculas/1").headers["x-request-id"]
    second = client.get("/peliculas/1").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


def test_valid_request_id_is_echoed(client: TestClient) -> None:
    response = client.get("/peliculas/1", headers={"X-Request-ID": "abc-123.def:4_5"})
    assert response.headers["x-request-id"] == "abc-123.def:4_5"


@pytest.mark.parametrize("bad", ["a" * 129, "con espacios", "<script>", "ñandú"])
def test_unsafe_request_id_is_replaced(client: TestClient, bad: str) -> None:
    response = client.get("/peliculas/1", headers={"X-Request-ID": bad.encode("utf-8")})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_requests_counted_by_route_template_and_status(client: TestClient) -> None:
    for pid in (1, 2, 3):
        assert client.get(f"/peliculas/{pid}").status_code == 200
    assert client.get("/peliculas/no-es-numero").status_code == 422
    text = client.get("/metricas").text
    ok = {"method": "GET", "route": "/peliculas/{pid}", "status": "200"}
    assert _sample(text, "filmoteca_http_requests_total", **ok) == 3
    assert _sample(text, "filmoteca_http_requests_total", **{**ok, "status": "422"}) == 1
    count = _sample(
        text,
        "filmoteca_http_request_duration_seconds_count",
        method="GET",
        route="/peliculas/{pid}",
    )
    assert count == 4
    assert "/peliculas/1" not in text  # raw paths never become labels


def test_unknown_paths_share_one_label(client: TestClient) -> None:
    for i in range(5):
        assert client.get(f"/no/existe/{i}").status_code == 404
    text = client.get("/metricas").text
    labels = {"method": "GET", "route": "sin_ruta", "status": "404"}
    assert _sample(text, "filmoteca_http_requests_total", **labels) == 5


def test_exceptions_and_5xx_are_counted_as_errors(client: TestClient) -> None:
    response = client.get("/falla")
    assert response.status_code == 500
    assert client.get("/no_disponible").status_code == 503
    text = client.get("/metricas").text
    assert _sample(text, "filmoteca_http_errors_total", method="GET", route="/falla") == 1
    assert _sample(text, "filmoteca_http_errors_total", method="GET", route="/no_disponible") == 1
    assert _sample(text, "filmoteca_http_errors_total", method="GET", route="/peliculas/{pid}") == 0
    failed = {"method": "GET", "route": "/falla", "status": "500"}
    assert _sample(text, "filmoteca_http_requests_total", **failed) == 1
    assert _sample(text, "filmoteca_http_requests_in_progress") == 1  # the /metricas call itself


class FakeCatalog:
    """Just what the catalog metrics read."""

    def __init__(self, version: str, movies: int, built_at: str) -> None:
        self.version, self.movie_count = version, movies
        self.manifest = {"built_at": built_at}


def test_catalog_metrics_follow_the_catalog_served(client: TestClient, metrics: Metrics) -> None:
    served: list[FakeCatalog | None] = [None]
    metrics.watch_catalog(lambda: served[0])
    text = client.get("/metricas").text
    assert _sample(text, "filmoteca_catalog_loaded") == 0
    served[0] = FakeCatalog("aaa111", 4803, "2026-01-01T00:00:00+00:00")
    served[0] = FakeCatalog(
        "bbb222", 45466, "2026-01-03T00:00:00+00:00"
    )  # a hot swap: only the new one is reported
    text = client.get("/metricas").text
    assert (
        'filmoteca_catalog_info{built_at="2026-01-03T00:00:00+00:00",version="bbb222"} 1.0' in text
    )
    assert "aaa111" not in text
    assert _sample(text, "filmoteca_catalog_movies") == 45466
    assert _sample(text, "filmoteca_catalog_loaded") == 1


def test_metrics_endpoint_speaks_prometheus_text(client: TestClient) -> None:
    response = client.get("/metricas")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert "# TYPE filmoteca_http_request_duration_seconds histogram" in response.text


def test_access_log_is_one_json_line_with_request_id(
    client: TestClient, log_lines: io.StringIO
) -> None:
    client.get("/peliculas/7", headers={"X-Request-ID": "req-42"})
    entries = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["request_id"] == "req-42" and entry["logger"] == "filmoteca.acceso"
    assert entry["route"] == "/peliculas/{pid}" and entry["path"] == "/peliculas/7"
    assert entry["status"] == 200 and entry["method"] == "GET" and entry["duration_ms"] >= 0
    assert entry["level"] == "INFO" and entry["ts"].endswith("+00:00")


def test_probes_are_counted_but_not_logged(client: TestClient, log_lines: io.StringIO) -> None:
    client.get("/salud")
    client.get("/metricas")
    assert log_lines.getvalue() == ""
    assert 'route="/salud"' in client.get("/metricas").text


def test_access_log_can_be_turned_off(metrics: Metrics, log_lines: io.StringIO) -> None:
    with TestClient(tiny_app(metrics, access_log=False)) as client:
        assert client.get("/peliculas/1").status_code == 200
    assert log_lines.getvalue() == ""


def test_unhandled_exception_is_logged_with_traceback_and_request_id(
    client: TestClient, log_lines: io.StringIO
) -> None:
    client.get("/falla", headers={"X-Request-ID": "req-err"})
    errors = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    errors = [e for e in errors if e["level"] == "ERROR"]
    assert len(errors) == 1
    assert errors[0]["request_id"] == "req-err" and errors[0]["status"] == 500
    assert "RuntimeError: fallo de prueba" in errors[0]["exception"]


def test_streaming_and_lifespan_pass_through(metrics: Metrics) -> None:
    app = tiny_app(metrics)
    with TestClient(app) as client:
        response = client.get("/flujo")
        assert response.text == "uno,dos,tres" and "x-request-id" in response.headers
    assert app.state.started == [True]


def test_text_formatter_is_readable() -> None:
    record = logging.LogRecord("filmoteca.acceso", logging.INFO, __file__, 1, "petición", (), None)
    record.fields = {"status": 200, "route": "/salud"}
    line = TextFormatter().format(record)
    assert "INFO filmoteca.acceso: petición" in line and "status=200 route=/salud" in line


@pytest.fixture
def text_lines(log_lines: io.StringIO) -> io.StringIO:
    """filmoteca's records captured in the text format (as FILMOTECA_LOG_FORMAT=texto)."""
    for handler in logging.getLogger("filmoteca").handlers:
        if getattr(handler, "stream", None) is log_lines:
            handler.setFormatter(TextFormatter())
    return log_lines


def test_text_access_log_escapes_crlf_and_ansi_in_the_path(
    client: TestClient, text_lines: io.StringIO
) -> None:
    forged = "2026-01-01 00:00:00,000 INFO filmoteca.acceso: petición status=200"
    client.get("/peliculas/1%0d%0a" + forged.replace(" ", "%20") + "%1b[31mrojo%1b[0m%e2%80%a8")
    lines = text_lines.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert "\x1b" not in lines[0] and "\r" not in lines[0] and "\u2028" not in lines[0]
    assert "\\r\\n2026-01-01" in lines[0] and "\\x1b[31mrojo" in lines[0]
    assert "\\u2028" in lines[0]


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d", "\ufeff", "\u2060", "\u00ad", "\u200f"])
def test_text_log_shows_invisible_characters(invisible: str) -> None:
    """A path with a zero-width space (or joiner, BOM...) must not pass for another one."""
    from filmoteca.api.logs import escape_control

    escaped = escape_control(f"/get_actor/tom{invisible}hanks")
    code = ord(invisible)
    shown = f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    assert invisible not in escaped and f"tom{shown}hanks" in escaped


def test_text_log_escapes_message_fields_and_traceback() -> None:
    try:
        raise ValueError("mal\r\nFALSO INFO filmoteca: inyectado")
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "filmoteca.x", logging.ERROR, __file__, 1, "hola\nadios %s", ("\x1b[2J",), exc_info
    )
    record.fields = {"ruta\n": "a\rb\tc\x00\x7f\x9b"}
    head, *trace = TextFormatter().format(record).split("\n")
    assert "hola\\nadios \\x1b[2J" in head and "ruta\\n=a\\rb\\tc\\x00\\x7f\\x9b" in head
    assert trace and all(line.startswith("    ") for line in trace)
    assert not any(line.startswith("FALSO") for line in trace)
    assert not any(c in "".join(trace) for c in "\r\x1b")


@pytest.mark.parametrize("fmt", ["json", "texto"])
def test_configure_logging_routes_filmoteca_and_uvicorn(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = {
        name: (lg.handlers[:], lg.level, lg.propagate, lg.disabled)
        for name in LOGGERS_CONFIGURED
        for lg in [logging.getLogger(name)]
    }
    try:
        configure_logging("info", fmt)
        logging.getLogger("uvicorn.error").info("arrancado")
        logging.getLogger("uvicorn.access").info("no debe salir")
        err = capsys.readouterr().err
    finally:
        for name, (handlers, level, propagate, disabled) in saved.items():
            lg = logging.getLogger(name)
            lg.handlers[:], lg.level, lg.propagate, lg.disabled = (
                handlers,
                level,
                propagate,
                disabled,
            )
    assert "arrancado" in err and "no debe salir" not in err
    if fmt == "json":
        assert json.loads(err.strip().splitlines()[-1])["logger"] == "uvicorn.error"


async def _run_lifespan(app: FastAPI) -> list[dict[str, object]]:
    """Drive an app's lifespan start-up like a server does; return what the app sent."""
    sent: list[dict[str, object]] = []
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]

    async def receive() -> dict[str, object]:
        return incoming.pop(0)

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    try:
        await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
    except Exception:
        sent.append({"type": "raised"})
    return sent


def _failing_app(error: Exception) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        raise error
        yield

    app = FastAPI(lifespan=lifespan)
    app.add_middleware(ObservabilityMiddleware, metrics=Metrics())
    return app


def test_startup_catalog_error_reaches_server_as_spanish_message_without_traceback() -> None:
    import asyncio

    from filmoteca.errors import CatalogError

    try:
        raise OSError("Unexpected end of stream")
    except OSError as cause:
        error = CatalogError("La tabla 'movies.parquet' está dañada o truncada.")
        error.__cause__ = cause
    sent = asyncio.run(_run_lifespan(_failing_app(error)))
    assert sent == [
        {
            "type": "lifespan.startup.failed",
            "message": "No se puede arrancar: La tabla 'movies.parquet' está dañada o truncada.",
        }
    ]


def test_other_startup_errors_keep_their_traceback() -> None:
    import asyncio

    sent = asyncio.run(_run_lifespan(_failing_app(RuntimeError("otra cosa"))))
    assert sent[0]["type"] == "lifespan.startup.failed"
    assert "Traceback" in str(sent[0]["message"]) and sent[-1] == {"type": "raised"}


def test_healthy_lifespan_passes_through(metrics: Metrics) -> None:
    import asyncio

    sent = asyncio.run(_run_lifespan(tiny_app(metrics)))
    assert [m["type"] for m in sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]


def test_latency_histogram_is_cumulative_with_sum_and_count() -> None:
    from prometheus_client.parser import text_string_to_metric_families

    metrics = Metrics()
    for seconds in (0.0005, 0.003, 0.003, 0.2, 20.0):
        metrics.observe("GET", "/x", 200, seconds)
    metrics.observe("GET", "/x", 503, 0.001)
    families = {f.name: f for f in text_string_to_metric_families(metrics.render().decode())}
    samples = families["filmoteca_http_request_duration_seconds"].samples
    buckets = {s.labels["le"]: s.value for s in samples if s.name.endswith("_bucket")}
    assert buckets["0.001"] == 2 and buckets["0.005"] == 4 and buckets["0.25"] == 5
    assert buckets["10.0"] == 5 and buckets["+Inf"] == 6
    count = next(s.value for s in samples if s.name.endswith("_count"))
    total = next(s.value for s in samples if s.name.endswith("_sum"))
    assert count == 6 and total == pytest.approx(20.2075)
    requests = {s.labels["status"]: s.value for s in families["filmoteca_http_requests"].samples}
    assert requests == {"200": 5, "503": 1}
    assert families["filmoteca_http_errors"].samples[0].value == 1
