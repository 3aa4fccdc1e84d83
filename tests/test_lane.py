"""The fast lane and the answers made at build time: the same bytes and headers as the stack."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from filmoteca.api import answers, schemas
from filmoteca.api.app import create_app
from filmoteca.api.lane import FastLane
from filmoteca.catalog import Catalog
from filmoteca.config import Settings
from sample_catalog import make_sample_catalog

PATHS = ["/get_actor/Tom Hanks", "/get_actor/tom%20%20hanks", "/get_actor/nadie",
         "/get_director/tim burton", "/get_director/x", "/score_titulo/Batman",
         "/score_titulo/batman?anio=1966", "/score_titulo/Batman?anio=abc", "/votos_titulo/toy story",
         "/votos_titulo/toy stori", "/cantidad_filmaciones_mes/Enero", "/cantidad_filmaciones_dia/x",
         "/buscar?q=to", "/buscar?q=", "/get_actor/" + "x" * 201]  # fmt: skip
WAYS = [("GET", {}), ("GET", {"accept-encoding": "gzip"}), ("HEAD", {}),
        ("GET", {"if-none-match": "*"}), ("HEAD", {"if-none-match": "*"})]  # fmt: skip


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sample_catalog(tmp_path_factory.mktemp("carril"))


@pytest.fixture(scope="module")
def clients(catalog_dir: Path) -> Iterator[tuple[TestClient, TestClient]]:
    settings = Settings(catalog_dir=catalog_dir)
    stack, lane = create_app(settings, fast_lane=False), create_app(settings)
    with TestClient(stack) as a, TestClient(lane) as b:
        yield a, b


def _answer(client: TestClient, method: str, path: str, headers: dict[str, str]) -> object:
    response = client.request(method, path, headers={"x-request-id": "prueba", **headers})
    return response.status_code, response.headers.multi_items(), response.content


@pytest.mark.parametrize("path", PATHS)
def test_lane_answers_exactly_as_the_stack(
    clients: tuple[TestClient, TestClient], path: str
) -> None:
    stack, lane = clients
    for method, headers in WAYS * 2:  # the first is a miss, the rest hits
        assert _answer(lane, method, path, headers) == _answer(stack, method, path, headers)


def test_conditional_requests_get_304_with_any_form_of_the_tag(
    clients: tuple[TestClient, TestClient],
) -> None:
    _, lane = clients
    tag = lane.get("/get_actor/tom hanks").headers["etag"]
    for sent in (tag, f"W/{tag}", f'"otra", {tag}', "*"):
        assert lane.get("/get_actor/tom hanks", headers={"if-none-match": sent}).status_code == 304
    assert lane.get("/get_actor/tom hanks", headers={"if-none-match": '"otra"'}).status_code == 200


def test_lane_serves_the_query_routes_and_leaves_the_rest(
    clients: tuple[TestClient, TestClient],
) -> None:
    _, lane = clients
    middleware = lane.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(middleware, FastLane):
        middleware = middleware.app
    served, passed = middleware.served, middleware.passed
    lane.get("/get_actor/tim burton")
    lane.head("/score_titulo/Toy Story")
    assert (middleware.served - served, middleware.passed - passed) == (2, 0)
    lane.get("/get_actor/tom hanks", headers={"origin": "https://ejemplo.org"})  # CORS: the stack's
    lane.request("GET", "/get_actor/tom hanks", content=b"x")  # a body: the edge's limits
    lane.get("/salud")  # not a query route: never looked at
    assert (middleware.served - served, middleware.passed - passed) == (2, 2)


def test_lane_counts_metrics_by_route_template(clients: tuple[TestClient, TestClient]) -> None:
    _, lane = clients
    lane.get("/get_director/john woo")
    metrics = lane.get("/metricas").text
    assert 'method="GET",route="/get_director/{nombre_director:path}",status="200"' in metrics


def test_build_keeps_the_routes_own_bodies(catalog_dir: Path) -> None:
    catalog = Catalog.load(catalog_dir)
    found = answers.Answers.open(catalog_dir, catalog)
    assert found is not None
    with TestClient(create_app(Settings(catalog_dir=catalog_dir), fast_path=False)) as plain:
        for route, name in (("/get_actor/{nombre_actor:path}", "nombre_actor"),
                            ("/get_director/{nombre_director:path}", "nombre_director")):  # fmt: skip
            for key in catalog.known_keys()["actors" if "actor" in route else "directors"]:
                body = found.get(route, {name: key.upper()})  # looked up normalised
                expected = plain.get(route.split("{")[0] + httpx.URL(path=key).raw_path.decode())
                assert body == expected.content
        for title in catalog.known_keys()["titles"]:
            got = found.get("/score_titulo/{titulo:path}", {"titulo": title, "anio": None})
            assert got == plain.get(f"/score_titulo/{title}").content
    assert found.get("/score_titulo/{titulo:path}", {"titulo": "batman", "anio": 1966}) is None
    assert found.get("/get_actor/{nombre_actor:path}", {"nombre_actor": "nadie"}) is None


def test_answers_of_another_catalog_or_unlisted_are_not_used(
    catalog_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copia"
    shutil.copytree(catalog_dir, copy)
    catalog = Catalog.load(copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["version"] = "otra"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    assert answers.Answers.open(copy, catalog) is None
    manifest["version"] = catalog.version
    manifest["files"] = {k: v for k, v in manifest["files"].items() if "respuestas" not in k}
    (copy / "manifest.json").write_text(json.dumps(manifest))
    assert answers.Answers.open(copy, catalog) is None
    shutil.rmtree(copy / answers.FOLDER)
    assert answers.Answers.open(copy, catalog) is None


@pytest.mark.parametrize("route", ["get_actor", "get_director", "score_titulo", "votos_titulo"])
def test_a_name_that_grows_when_normalised_costs_nothing_special(
    clients: tuple[TestClient, TestClient], route: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'ﷺ' is one character that NFKC turns into 18: 190 of them (the 200-character limit)
    become a 3,423-character key, longer than every name. It is not compared with the
    answers' keys (numpy would widen a copy of all of them to its length) nor scored for
    suggestions (no name can reach the cutoff): a plain 404."""
    from urllib.parse import quote

    import numpy as np
    from rapidfuzz import process

    calls: list[int] = []
    original = np.searchsorted

    def counted(keys: object, value: object, *args: object, **kwargs: object) -> object:
        if isinstance(value, bytes):
            calls.append(len(value))
        return original(keys, value, *args, **kwargs)  # type: ignore[call-overload]

    def refused(*args: object, **kwargs: object) -> object:
        raise AssertionError("scored a key no name can match")

    monkeypatch.setattr(answers.np, "searchsorted", counted)
    monkeypatch.setattr(process, "extract", refused)
    lane, _ = clients
    response = lane.get(f"/{route}/" + quote("\ufdfa" * 190 + " q1"))
    assert response.status_code == 404
    assert response.json()["sugerencias"] == []
    assert not [n for n in calls if n > 1000]


SEARCHES = [("to", 10, 1), ("ha", 2, 2), ("a", 50, 1), ("tom hanks", 1, 1), ("zzz", 10, 1),
            ("batman", 1, 3), ("árbol", 10, 1), ("t", 3, 400)]  # fmt: skip


def test_search_pages_from_the_saved_hits_are_the_computed_bytes(catalog_dir: Path) -> None:
    catalog = Catalog.load(catalog_dir)
    found = answers.Answers.open(catalog_dir, catalog)
    assert found is not None
    for q, limit, page in SEARCHES:
        expected = schemas.busqueda_json(q, catalog.search(q, limit, page), page, limit)
        assert found.search(catalog, q, limit, page) == expected


def test_a_catalog_without_saved_hits_still_searches(catalog_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "sin_resultados"
    shutil.copytree(catalog_dir, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"] = {k: v for k, v in manifest["files"].items() if "/hits_" not in k}
    (copy / "manifest.json").write_text(json.dumps(manifest))
    catalog = Catalog.load(copy)
    found = answers.Answers.open(copy, catalog)
    assert found is not None and found.search(catalog, "to", 10, 1) is None
    assert found.get("/get_actor/{nombre_actor:path}", {"nombre_actor": "tom hanks"}) is not None
    with TestClient(create_app(Settings(catalog_dir=copy))) as client:
        body = client.get("/buscar", params={"q": "to"}).content
    assert body == schemas.busqueda_json("to", catalog.search("to", 10, 1), 1, 10)
