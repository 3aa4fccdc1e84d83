"""The fast path answers exactly as FastAPI does, and serves only what it fully handles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from filmoteca.api.app import create_app
from filmoteca.api.fastpath import FastPathMiddleware, eligible_routes
from filmoteca.api.lane import FastLane
from filmoteca.config import Settings
from sample_catalog import make_sample_catalog

NAMES = [
    "Tom Hanks",
    "tom  hanks",
    "Tim Burton",
    "John Woo",
    "Jane Doe",
    "Penélope Cruz",
    "penelope cruz",
    "Michael Keaton",
    "tom hank",
    "nadie",
    "",
    "a/b",
    "x" * 200,
    "x" * 201,
]
TITLES = [
    "Batman",
    "batman",
    "Toy Story",
    "Árbol de la Vida",
    "arbol de la vida",
    "Face/Off",
    "That Thing You Do!",
    "Twin A",
    "Enero",
    "toy stori",
    "",
    "x" * 201,
]
YEARS = [
    "",
    "?anio=1989",
    "?anio=1966",
    "?anio=2000",
    "?anio=1869",
    "?anio=abc",
    "?anio=",
    "?anio=+1989",
    "?anio=1989&anio=1966",
    "?anio=01989",
    "?x=1",
]
OTHERS = ["/cantidad_filmaciones_mes/enero", "/cantidad_filmaciones_mes/Setiembre",
          "/cantidad_filmaciones_mes/13", "/cantidad_filmaciones_mes/", "/cantidad_filmaciones_mes/a/b",
          "/cantidad_filmaciones_dia/miércoles", "/cantidad_filmaciones_dia/feriado",
          "/buscar?q=to", "/buscar?q=", "/buscar", "/buscar?q=a&limite=51", "/buscar?q=a&pagina=2",
          "/buscar?q=tom&limite=1", "/buscar?q=a&q=b", "/buscar?q=%C3%A1rbol", "/buscar?q=%C2%BF%3F",
          "/buscar?q=%20", "/buscar?q=%E2%80%8B", "/buscar?q=to&pagina=1000", "/buscar?q=TOY%20story&limite=50",
          "/salud", "/"]  # fmt: skip


def _paths() -> list[str]:
    paths = list(OTHERS)
    for name in NAMES:
        paths += [f"/get_actor/{quote(name, safe='/')}", f"/get_director/{quote(name, safe='/')}"]
    for title in TITLES:
        for year in YEARS:
            paths += [f"/score_titulo/{quote(title, safe='/')}{year}"]
            paths += [f"/votos_titulo/{quote(title, safe='/')}{year}"]
    return paths


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, TestClient]]:
    settings = Settings(catalog_dir=make_sample_catalog(tmp_path_factory.mktemp("rapida")))
    plain = create_app(settings, response_cache=False, fast_path=False)
    fast = create_app(settings, response_cache=False)
    with TestClient(plain) as a, TestClient(fast) as b:
        yield a, b


def _comparable(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [(k, v) for k, v in response.headers.multi_items() if k != "x-request-id"]
    return response.status_code, headers, response.content


@pytest.mark.parametrize("path", _paths())
def test_fast_path_answers_exactly_as_fastapi(
    clients: tuple[TestClient, TestClient], path: str
) -> None:
    plain, fast = clients
    assert _comparable(fast.get(path)) == _comparable(plain.get(path))


def _middleware(client: TestClient, kind: type[Any] = FastPathMiddleware) -> Any:
    stack = client.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(stack, kind):
        stack = stack.app
    return stack


def _served(client: TestClient) -> int:
    """Requests answered by the route functions directly: by the fast lane (outermost) or by
    the fast path (for those the lane leaves to the stack)."""
    return int(_middleware(client, FastLane).served + _middleware(client).served)


def test_valid_queries_are_served_by_the_fast_path(clients: tuple[TestClient, TestClient]) -> None:
    _, fast = clients
    before = _served(fast)
    for path in ["/get_actor/tom hanks", "/score_titulo/Batman?anio=1966", "/buscar?q=to",
                 "/cantidad_filmaciones_dia/lunes", "/get_actor/nadie"]:  # fmt: skip
        fast.get(path)
    assert _served(fast) - before == 5  # the 404 with suggestions included


def test_doubtful_requests_go_to_fastapi(clients: tuple[TestClient, TestClient]) -> None:
    _, fast = clients
    middleware = _middleware(fast)
    before = middleware.passed
    for path in ["/score_titulo/Batman?anio=abc", "/get_actor/" + "x" * 201, "/buscar?q="]:
        assert fast.get(path).status_code == 422
    assert middleware.passed - before == 3


def test_metrics_see_the_route_template(clients: tuple[TestClient, TestClient]) -> None:
    _, fast = clients
    fast.get("/get_director/john woo")
    assert 'route="/get_director/{nombre_director:path}"' in fast.get("/metricas").text


def test_only_simple_get_routes_are_eligible(tmp_path: Path) -> None:
    app = create_app(Settings(catalog_dir=make_sample_catalog(tmp_path)))
    paths = {entry.route.path for entry in eligible_routes(app.router.routes)}
    assert "/get_actor/{nombre_actor:path}" in paths and "/buscar" in paths
    assert not paths & {"/salud", "/", "/admin/recargar", "/listo", "/docs", "/openapi.json"}


def test_an_earlier_route_that_may_match_keeps_its_place(tmp_path: Path) -> None:
    """A route placed before an eligible one, matching some of its paths, still answers them
    (FastAPI's order); routes that can never match the eligible one's paths are not looked at."""
    app = create_app(Settings(catalog_dir=make_sample_catalog(tmp_path)))

    async def shadow() -> dict[str, str]:
        return {"ruta": "anterior"}

    app.add_api_route("/get_actor/nadie", shadow)
    app.router.routes.insert(0, app.router.routes.pop())
    entry = next(e for e in eligible_routes(app.router.routes) if e.prefix == "/get_actor/")
    assert [r.path for r in entry.earlier] == ["/get_actor/nadie"]
    with TestClient(app) as client:
        assert client.get("/get_actor/nadie").json() == {"ruta": "anterior"}
        assert client.get("/get_actor/Tom Hanks").json()["actor"] == "Tom Hanks"


def test_a_search_is_answered_from_the_hits_made_at_build_time(
    clients: tuple[TestClient, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    from filmoteca.api.routers import busqueda

    _, fast = clients
    called: list[str] = []
    route_function = busqueda.buscar

    async def counted(*args: Any, **kwargs: Any) -> Any:
        called.append(kwargs["q"])
        return await route_function(*args, **kwargs)

    route = next(r for r in fast.app.routes if getattr(r, "path", "") == "/buscar")  # type: ignore[attr-defined]
    monkeypatch.setattr(route, "endpoint", counted)  # what the fast path calls
    assert fast.get("/buscar?q=toy&limite=2").status_code == 200
    assert called == []  # not called: the saved hits answered
    assert fast.get("/buscar?q=%E2%80%8B").status_code == 422  # normalises to nothing
    assert called == ["\u200b"]  # left to the route, which answers the error
