"""Observability for the API: Prometheus metrics, JSON logs with a request id, `/metricas`.

    ObservabilityMiddleware   pure ASGI; per HTTP request: reuses a valid `X-Request-ID` or makes
                              one, echoes it, counts the request by route *template* and status,
                              observes its latency, counts 5xx and unhandled exceptions, and
                              writes one JSON access-log line
    Metrics                   the collectors, in a registry of their own (one per app)
    metrics_endpoint          the `/metricas` handler (reads `app.state.metrics`)

The log formats (JSON lines with the request id) live in `logs.py`.

Cheap by design (~10 µs of CPU per request): HTTP figures are plain counters on the event
loop's thread turned into Prometheus families only when scraped, the route label is the
template FastAPI matched (`/get_actor/{nombre_actor}`, never the raw path, so cardinality stays
bounded), and probes (`/salud`, `/listo`, `/metricas`) are counted but not access-logged.
Metrics are per process: with several workers each one reports its own.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, MutableMapping
from typing import TYPE_CHECKING, Any, Protocol

from starlette.requests import Request
from starlette.responses import Response

from ..errors import FilmotecaError
from .logs import request_id_var

if TYPE_CHECKING:  # prometheus_client is imported at the first scrape, not at start-up
    from prometheus_client import CollectorRegistry
    from prometheus_client.core import Metric

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REQUEST_ID_HEADER = b"x-request-id"
UNMATCHED_ROUTE = "sin_ruta"
QUIET_ROUTES = frozenset({"/salud", "/listo", "/metricas"})
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
_VALID_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:\-]{1,128}")

access_logger = logging.getLogger("filmoteca.acceso")
error_logger = logging.getLogger("filmoteca.error")


class _RouteStats:
    """Counters of one (method, route): plain numbers, touched only by the event-loop thread."""

    __slots__ = ("buckets", "by_status", "errors", "total_seconds")

    def __init__(self) -> None:
        self.by_status: dict[int, int] = {}
        self.buckets = [0] * (len(LATENCY_BUCKETS) + 1)  # the last one is +Inf
        self.total_seconds = 0.0
        self.errors = 0


class Metrics:
    """The metrics of one app: HTTP figures kept as plain numbers, exposed at scrape time.

    Requests are recorded by the middleware on the event loop's thread, so plain integers
    suffice (no locks: ~1 µs per request instead of ~10 with prometheus_client's children);
    `render` runs on that thread too. prometheus_client itself (its registry and text format)
    is imported at the first scrape: a server nobody scrapes never loads it.
    """

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], _RouteStats] = {}
        self.in_progress = 0
        self.reloads: dict[str, int] = {}  # catalog reloads asked, by result (ok / rechazada)
        self._catalog: Callable[[], CatalogLike | None] | None = None
        self._registry: CollectorRegistry | None = None

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one finished request, its latency bucket and, if 5xx, an error."""
        stats = self.routes.get((method, route))
        if stats is None:
            stats = self.routes[(method, route)] = _RouteStats()
        stats.by_status[status] = stats.by_status.get(status, 0) + 1
        stats.buckets[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1
        stats.total_seconds += seconds
        if status >= 500:
            stats.errors += 1

    def count_reload(self, result: str) -> None:
        """Count one catalog reload asked, by its result ('ok' or 'rechazada')."""
        self.reloads[result] = self.reloads.get(result, 0) + 1

    def watch_catalog(self, source: Callable[[], CatalogLike | None]) -> None:
        """Publish the catalog `source()` returns at each scrape (follows hot swaps)."""
        self._catalog = source

    @property
    def registry(self) -> CollectorRegistry:
        """The registry of these metrics (made at the first scrape)."""
        if self._registry is None:
            from prometheus_client import CollectorRegistry

            registry = CollectorRegistry()
            registry.register(_HttpCollector(self))
            if self._catalog is not None:
                registry.register(_CatalogCollector(self._catalog))
            self._registry = registry
        return self._registry

    def render(self) -> bytes:
        """All metrics in the Prometheus text format."""
        from prometheus_client import generate_latest

        return generate_latest(self.registry)


class _HttpCollector:
    """filmoteca_http_* families built from Metrics' plain counters at scrape time, and the
    catalog reloads (a prometheus_client collector: `describe` and `collect`)."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def describe(self) -> list[Metric]:
        """The metric names, for the registry's duplicate check (no samples)."""
        return list(self._families({}, 0, {}))

    def collect(self) -> Iterator[Metric]:
        """Requests by status, latency histograms, errors, requests in progress, reloads."""
        metrics = self.metrics
        yield from self._families(dict(metrics.routes), metrics.in_progress, metrics.reloads)

    @staticmethod
    def _families(
        routes: dict[tuple[str, str], _RouteStats], running: int, reloads: dict[str, int]
    ) -> Iterator[Metric]:
        from prometheus_client.core import (
            CounterMetricFamily,
            GaugeMetricFamily,
            HistogramMetricFamily,
        )

        requests = CounterMetricFamily(
            "filmoteca_http_requests",
            "Peticiones HTTP atendidas, por método, plantilla de ruta y estado.",
            labels=["method", "route", "status"],
        )
        latency = HistogramMetricFamily(
            "filmoteca_http_request_duration_seconds",
            "Duración de las peticiones HTTP (segundos), por método y plantilla de ruta.",
            labels=["method", "route"],
        )
        errors = CounterMetricFamily(
            "filmoteca_http_errors",
            "Peticiones que acabaron en 5xx o en una excepción no controlada.",
            labels=["method", "route"],
        )
        for (method, route), stats in sorted(routes.items()):
            for status, count in sorted(stats.by_status.items()):
                requests.add_metric([method, route, str(status)], count)
            cumulative = list(itertools.accumulate(stats.buckets))
            bounds = [repr(b) for b in LATENCY_BUCKETS] + ["+Inf"]
            latency.add_metric(
                [method, route], list(zip(bounds, cumulative, strict=True)), stats.total_seconds
            )
            errors.add_metric([method, route], stats.errors)
        running_gauge = GaugeMetricFamily(
            "filmoteca_http_requests_in_progress", "Peticiones en curso.", value=running
        )
        reload_counter = CounterMetricFamily(
            "filmoteca_catalog_reloads",
            "Recargas del catálogo pedidas, por resultado (ok / rechazada).",
            labels=["result"],
        )
        for result, count in sorted(reloads.items()):
            reload_counter.add_metric([result], count)
        return iter((requests, latency, errors, running_gauge, reload_counter))


class CatalogLike(Protocol):
    """What the metrics read from a catalog."""

    @property
    def version(self) -> str: ...

    @property
    def movie_count(self) -> int: ...

    manifest: dict[str, Any]


class _CatalogCollector:
    """filmoteca_catalog_* gauges, read from the catalog served at scrape time (a
    prometheus_client collector)."""

    def __init__(self, source: Callable[[], CatalogLike | None]) -> None:
        self.source = source

    def describe(self) -> list[Metric]:
        """The metric names, for the registry's duplicate check (no samples)."""
        return list(self._families(None))

    def collect(self) -> Iterator[Metric]:
        """The catalog's version, build date and size, or loaded=0 when there is none."""
        yield from self._families(self.source())

    @staticmethod
    def _families(catalog: CatalogLike | None) -> Iterator[Metric]:
        from prometheus_client.core import GaugeMetricFamily

        info = GaugeMetricFamily(
            "filmoteca_catalog_info",
            "Catálogo servido (vale 1; versión y fecha de construcción en etiquetas).",
            labels=["version", "built_at"],
        )
        movies = GaugeMetricFamily("filmoteca_catalog_movies", "Películas del catálogo servido.")
        loaded = GaugeMetricFamily("filmoteca_catalog_loaded", "1 si hay un catálogo cargado.")
        if catalog is not None:
            info.add_metric([catalog.version, str(catalog.manifest.get("built_at", ""))], 1)
            movies.add_metric([], catalog.movie_count)
        loaded.add_metric([], 0 if catalog is None else 1)
        return iter((info, movies, loaded))


class ObservabilityMiddleware:
    """Pure ASGI middleware: request id, metrics and one access-log line per HTTP request."""

    def __init__(self, app: ASGIApp, metrics: Metrics, *, access_log: bool = True) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Wrap one HTTP request; the lifespan gets clean start-up errors; others pass through."""
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await clean_lifespan(self.app, scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        rid = request_id(scope.get("headers", ()))
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id_var.set(rid)
        status = 500
        header = (REQUEST_ID_HEADER, rid.encode("ascii"))

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        self.metrics.in_progress += 1
        start = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            self.finish(scope, 500, time.perf_counter() - start, rid, failed=True)
            raise
        else:
            self.finish(scope, status, time.perf_counter() - start, rid, failed=False)
        finally:
            self.metrics.in_progress -= 1
            request_id_var.reset(token)

    def finish(self, scope: Scope, status: int, seconds: float, rid: str, failed: bool) -> None:
        """Record metrics, then the access-log line (or the error with its traceback)."""
        method = scope["method"]
        route = route_template(scope)
        self.metrics.observe(method, route, status, seconds)
        if failed:
            error_logger.error(
                "Excepción no controlada",
                exc_info=True,
                extra=access_fields(scope, route, status, seconds),
            )
        elif self.access_log and route not in QUIET_ROUTES and access_logger.isEnabledFor(20):
            access_logger.info("petición", extra=access_fields(scope, route, status, seconds))


async def clean_lifespan(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Run the app's lifespan; a FilmotecaError at start-up reaches the server as its Spanish
    message (uvicorn logs it and exits) instead of a traceback."""
    held: list[Message] = []

    async def hold_failure(message: Message) -> None:
        if message["type"] == "lifespan.startup.failed":
            held.append(message)
        else:
            await send(message)

    try:
        await app(scope, receive, hold_failure)
    except Exception as exc:
        error = _filmoteca_error(exc)
        if not held:
            raise
        if error is None:
            await send(held[0])
            raise
        await send({**held[0], "message": f"No se puede arrancar: {error.message}"})
        return
    if held:
        await send(held[0])


def _filmoteca_error(exc: BaseException | None) -> FilmotecaError | None:
    """The FilmotecaError an exception is, or was raised from (following causes)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, FilmotecaError):
            return exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def route_template(scope: Scope) -> str:
    """The matched route's path template, or UNMATCHED_ROUTE (never the raw path)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED_ROUTE


def request_id(headers: Iterable[tuple[bytes, bytes]]) -> str:
    """The client's X-Request-ID when it is short and safe, else a new random one."""
    for name, value in headers:
        if name == REQUEST_ID_HEADER:
            if _VALID_REQUEST_ID.fullmatch(value):
                return value.decode("ascii")
            break
    return f"{_ID_PREFIX}{next(_ID_COUNTER):016x}"


# Request ids need to be unique, not secret: a random prefix per process and a counter (a
# getrandom call per request cost more than the rest of the middleware on some hosts).
_ID_PREFIX = os.urandom(8).hex()
_ID_COUNTER = itertools.count(int.from_bytes(os.urandom(4)))


def access_fields(scope: Scope, route: str, status: int, seconds: float) -> dict[str, Any]:
    """The structured fields of an access-log line."""
    client = scope.get("client")
    return {
        "fields": {
            "method": scope["method"],
            "path": scope["path"],
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
            "client": client[0] if client else None,
        }
    }


async def metrics_endpoint(request: Request) -> Response:
    """The `/metricas` handler: the app's metrics (`app.state.metrics`) in Prometheus text.

    A module-level function on purpose: FastAPI caches endpoints process-wide, so a closure
    per app would keep every app (and its catalog) alive.
    """
    metrics: Metrics = request.app.state.metrics
    from prometheus_client import CONTENT_TYPE_LATEST

    return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)
