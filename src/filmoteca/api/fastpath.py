"""A faster way into the same route functions: plain GET routes called without FastAPI's
request machinery, falling back to FastAPI for everything else.

FastAPI spends most of a query's CPU (≈ 60-80 µs of 100-300) outside the route: matching
the route table, building the dependency graph, validating parameters with pydantic, then
looking up exception handlers. For routes whose signature is simple, `FastPathMiddleware`
(pure ASGI, just ahead of FastAPI, behind the response cache) does the same steps directly:

- Eligible routes are found in the app's own route table (nothing is listed twice): `async`
  GET routes whose parameters are only path parameters of type `str` (length bounds only),
  query parameters of type `int` / `int | None` (`ge`/`le` bounds) or `str` (length bounds),
  and dependencies that take only the `Request` (such as `CatalogDep`).
- A request is served here only when it is unambiguous: the first route of the table that
  matches its path is that eligible route, its method is GET, every parameter is present once
  and valid in the plain form (`anio=1995`, not `anio=+1995` or `anio=`); the route function
  itself answers, and its errors of the `FilmotecaError` family go through the app's own
  exception handler. Anything else (an invalid or doubtful parameter, another exception, a
  HEAD, an unknown path) is passed to FastAPI untouched, which answers exactly as always.

So the answers, status codes, headers and OpenAPI schema are FastAPI's by construction: the
route functions, schemas and error handlers are the same objects. `bench/compare_fastpath.py`
checks it answer by answer.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from annotated_types import Ge, Le, MaxLen, MinLen
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route

from ..errors import FilmotecaError
from .answers import Answers
from .routers import busqueda
from .turns import Turns, finish_now

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_PLAIN_INT = re.compile(r"0|[1-9][0-9]{0,8}")
_NO_DEFAULT = object()


@dataclass(frozen=True, slots=True)
class _Param:
    """One path or query parameter: its name, kind ('str' or 'int'), bounds and default."""

    name: str
    kind: str
    low: int | None
    high: int | None
    default: Any

    def parse(self, raw: str) -> Any:
        """The validated value, or _NO_DEFAULT when FastAPI must judge it."""
        if self.kind == "int":
            if not _PLAIN_INT.fullmatch(raw):
                return _NO_DEFAULT
            value: Any = int(raw)
            size = value
        else:
            value, size = raw, len(raw)
        if (self.low is not None and size < self.low) or (
            self.high is not None and size > self.high
        ):
            return _NO_DEFAULT
        return value


@dataclass(frozen=True, slots=True)
class EligibleRoute:
    """An eligible route, ready to be called directly."""

    route: APIRoute
    prefix: str
    earlier: tuple[Any, ...]
    path_params: tuple[_Param, ...]
    query_params: tuple[_Param, ...]
    dependencies: tuple[tuple[str, Callable[..., Awaitable[Any]]], ...]


class FastPathMiddleware:
    """Pure ASGI: answer plain GET requests of eligible routes by calling the route directly."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._routes: tuple[EligibleRoute, ...] | None = None
        self.served = self.passed = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve here when unambiguous, else hand the request to FastAPI unchanged."""
        if scope["type"] != "http" or scope["method"] != "GET" or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        if self._routes is None:
            self._routes = eligible_routes(scope["app"].router.routes)
        response = await answer(self._routes, scope, receive)
        if response is None:
            self.passed += 1
            await self.app(scope, receive, send)
            return
        self.served += 1
        await response(scope, receive, send)


async def answer(
    routes: tuple[EligibleRoute, ...],
    scope: Scope,
    receive: Receive,
    answers: Answers | None = None,
    slow: Turns | None = None,
) -> Response | None:
    """The response of the eligible route (of `routes`) a GET request is for, or None to let
    FastAPI answer it.

    With `answers`, a valid request whose answer was made at build time is answered with
    those bytes instead of calling the route (api/answers.py); one the answers would hold but
    do not is for an unknown name, whose suggestions cost a hundred times more: those are
    computed in short batches between turns of the event loop (`slow`, turns.py), so that a
    flood of them queues behind itself instead of in front of every other request."""
    found = _route_of(routes, scope)
    if found is None:
        return None
    entry, kwargs = found
    searched = _searched(entry, kwargs, scope, answers)
    if searched is not None:
        return searched
    if answers is None or not answers.holds(entry.route.path, kwargs):
        return await _call(entry, kwargs, scope, receive)
    saved = _saved(entry, kwargs, scope, answers)
    if saved is not None:
        return saved
    if slow is None:
        return await _call(entry, kwargs, scope, receive)
    return await slow.run(functools.partial(_call_now, entry, kwargs, scope, receive))


QUICK_ROUTES = frozenset(
    {"/cantidad_filmaciones_mes/{mes}", "/cantidad_filmaciones_dia/{dia}", "/buscar"}
)
"""Routes whose every answer is computed at once and cheaply (no suggestions to make):
`answer_now` calls them; the name routes answer there only from the answers made at build
time (an unknown name's suggestions take turns in the loop: `answer`)."""


def answer_now(
    routes: tuple[EligibleRoute, ...], scope: Scope, answers: Answers | None
) -> Response | None:
    """`answer` without waiting on anything, for a caller outside the event loop's tasks
    (api/wire.py): an answer made at build time, or a quick route (QUICK_ROUTES) run to its
    end at once; None when the request must go through `answer` (or FastAPI)."""
    found = _route_of(routes, scope)
    if found is None:
        return None
    entry, kwargs = found
    if answers is not None and answers.holds(entry.route.path, kwargs):
        return _saved(entry, kwargs, scope, answers)
    if entry.route.path not in QUICK_ROUTES:
        return None
    searched = _searched(entry, kwargs, scope, answers)
    if searched is not None:
        return searched
    return _call_now(entry, kwargs, scope, _no_body)


SEARCH_ROUTE = "/buscar"


def _searched(
    entry: EligibleRoute, kwargs: dict[str, Any], scope: Scope, answers: Answers | None
) -> Response | None:
    """`/buscar` answered with the body its route function makes (`busqueda.search_body`),
    without building its request and calling the route (about 15 µs per search) when the
    caller serves the answers made at build time; None leaves it to the route: another route,
    no catalog loaded yet, or anything raised (an error to answer, such as a query that
    normalises to nothing)."""
    if answers is None or entry.route.path != SEARCH_ROUTE:
        return None
    catalog = getattr(scope["app"].state, "catalog", None)
    if catalog is None:
        return None
    try:
        body = busqueda.search_body(catalog, kwargs["q"], kwargs["limite"], kwargs["pagina"])
    except Exception:  # the route answers it as it always does
        return None
    _matched(entry, kwargs, scope)
    return Response(body, media_type="application/json")


def _route_of(
    routes: tuple[EligibleRoute, ...], scope: Scope
) -> tuple[EligibleRoute, dict[str, Any]] | None:
    """The eligible route a GET request is for and its arguments; None: FastAPI decides."""
    path: str = scope["path"]
    for entry in routes:
        if path.startswith(entry.prefix):
            kwargs = _arguments(entry, scope)
            return None if kwargs is None else (entry, kwargs)
    return None


def _saved(
    entry: EligibleRoute, kwargs: dict[str, Any], scope: Scope, answers: Answers
) -> Response | None:
    """The answer made at build time for a request (None: an unknown name)."""
    body = answers.get(entry.route.path, kwargs)
    if body is None:
        return None
    _matched(entry, kwargs, scope)
    return Response(body, media_type="application/json")


async def _no_body() -> Message:
    """The `receive` of a request without a body."""
    return {"type": "http.request", "body": b"", "more_body": False}


def _arguments(entry: EligibleRoute, scope: Scope) -> dict[str, Any] | None:
    """The route function's path and query arguments, or None when FastAPI must decide."""
    match = entry.route.path_regex.match(scope["path"])
    if match is None or any(r.matches(scope)[0] != Match.NONE for r in entry.earlier):
        return None
    kwargs: dict[str, Any] = {}
    groups = match.groupdict()
    for param in entry.path_params:
        value = param.parse(entry.route.param_convertors[param.name].convert(groups[param.name]))
        if value is _NO_DEFAULT:
            return None
        kwargs[param.name] = value
    query = scope["query_string"]
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True) if query else []
    given: dict[str, str] = {}
    for name, raw in pairs:
        if name in given:
            return None
        given[name] = raw
    for param in entry.query_params:
        raw_value = given.get(param.name)
        value = param.default if raw_value is None else param.parse(raw_value)
        if value is _NO_DEFAULT:
            return None
        kwargs[param.name] = value
    return kwargs


async def _call(
    entry: EligibleRoute, kwargs: dict[str, Any], scope: Scope, receive: Receive
) -> Response | None:
    """Call the dependencies and the route; a FilmotecaError goes to the app's handler."""
    request = Request(scope, receive)
    try:
        for name, dependency in entry.dependencies:
            kwargs[name] = await dependency(request)
        response = await entry.route.endpoint(**kwargs)
    except FilmotecaError as exc:
        handler = _handler(scope["app"].exception_handlers, exc)
        if handler is None:
            return None
        response = await handler(request, exc)
    except Exception:  # FastAPI runs it again and answers as it always does
        return None
    if not isinstance(response, Response) or response.background is not None:
        return None
    _matched(entry, kwargs, scope)
    return response


def _call_now(
    entry: EligibleRoute, kwargs: dict[str, Any], scope: Scope, receive: Receive
) -> Response | None:
    """`_call` run to its end at once (the name routes never wait); None, for FastAPI to
    answer, if it would wait."""
    try:
        return finish_now(_call(entry, kwargs, scope, receive))
    except RuntimeError:
        return None


def _matched(entry: EligibleRoute, kwargs: dict[str, Any], scope: Scope) -> None:
    """Record in the scope the route that answered, as FastAPI's routing does."""
    scope["route"], scope["endpoint"] = entry.route, entry.route.endpoint
    scope["path_params"] = {p.name: kwargs[p.name] for p in entry.path_params}


def _handler(handlers: dict[Any, Any], exc: Exception) -> Any:
    """The app's handler for an exception, looked up along its class hierarchy (as Starlette)."""
    for cls in type(exc).__mro__:
        if cls in handlers:
            return handlers[cls]
    return None


def eligible_routes(routes: list[Any]) -> tuple[EligibleRoute, ...]:
    """The routes of a table that the fast path can serve, each with the routes before it."""
    found = []
    for position, route in enumerate(routes):
        entry = _eligible(route, tuple(routes[:position]))
        if entry is not None:
            found.append(entry)
    return tuple(found)


def _eligible(route: Any, earlier: tuple[Any, ...]) -> EligibleRoute | None:
    """The fast-path form of a route, or None when its signature is not simple enough."""
    if not isinstance(route, APIRoute) or "GET" not in (route.methods or ()):
        return None
    dependant = route.dependant
    if (
        not inspect.iscoroutinefunction(route.endpoint)
        or dependant.body_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.request_param_name
        or dependant.websocket_param_name
        or dependant.http_connection_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or route.dependencies
        or not (dependant.path_params or dependant.query_params)  # /salud, /: cheap anyway
    ):
        return None
    dependencies = [_dependency(sub) for sub in dependant.dependencies]
    path_params = [_param(field, "path") for field in dependant.path_params]
    query_params = [_param(field, "query") for field in dependant.query_params]
    if None in dependencies or None in path_params or None in query_params:
        return None
    prefix = route.path.split("{", 1)[0]
    return EligibleRoute(
        route,
        prefix,
        tuple(other for other in earlier if _may_match(other, prefix)),
        tuple(p for p in path_params if p is not None),
        tuple(p for p in query_params if p is not None),
        tuple(d for d in dependencies if d is not None),
    )


def _may_match(route: Any, prefix: str) -> bool:
    """Whether an earlier route could match a path that starts with `prefix`: a plain route
    (Starlette's `Route`, FastAPI's `APIRoute`) matches only paths starting with the text of
    its path before the first parameter, so one whose text and `prefix` are not one the start
    of the other never does; any other kind of route (a mount, a host) is kept."""
    if type(route) not in (APIRoute, Route):
        return True
    own = route.path.split("{", 1)[0]
    return own.startswith(prefix) or prefix.startswith(own)


def _dependency(sub: Any) -> tuple[str, Callable[..., Awaitable[Any]]] | None:
    """A dependency that takes only the request (e.g. `get_catalog`), as (name, function)."""
    simple = (
        sub.name
        and sub.call is not None
        and inspect.iscoroutinefunction(sub.call)
        and sub.request_param_name
        and not (sub.dependencies or sub.path_params or sub.query_params or sub.body_params)
        and not (sub.header_params or sub.cookie_params or sub.response_param_name)
    )
    return (sub.name, sub.call) if simple else None


def _param(field: Any, where: str) -> _Param | None:
    """A parameter the fast path can parse exactly as pydantic would, or None."""
    info = field.field_info
    kinds = {str: "str", int: "int", int | None: "int"}
    kind = kinds.get(info.annotation)
    if kind is None or field.alias != field.name or (where == "path" and kind != "str"):
        return None
    low = high = None
    for item in info.metadata:
        if kind == "str" and isinstance(item, MinLen):
            low = item.min_length
        elif kind == "str" and isinstance(item, MaxLen):
            high = item.max_length
        elif kind == "int" and isinstance(item, Ge) and isinstance(item.ge, int):
            low = item.ge
        elif kind == "int" and isinstance(item, Le) and isinstance(item.le, int):
            high = item.le
        else:
            return None
    required = info.is_required()
    if where == "query" and required and kind == "int":
        return None
    default = _NO_DEFAULT if required else info.default
    if where == "query" and default is not _NO_DEFAULT and not isinstance(default, int | None):
        return None
    return _Param(field.name, kind, low, high, default)
