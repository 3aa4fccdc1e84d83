"""The API's HTTP contract: the OpenAPI document (ids, one error schema, headers) and HTTP
semantics (HEAD, 405 + Allow, 415, field names in validation errors)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from filmoteca import recommender as rc
from filmoteca.api.app import create_app
from filmoteca.config import Settings
from test_recommender import small_catalog

OPERATION_IDS = {
    ("get", "/cantidad_filmaciones_mes/{mes}"): "cantidad_filmaciones_mes",
    ("get", "/cantidad_filmaciones_dia/{dia}"): "cantidad_filmaciones_dia",
    ("get", "/score_titulo/{titulo}"): "score_titulo",
    ("get", "/votos_titulo/{titulo}"): "votos_titulo",
    ("get", "/get_actor/{nombre_actor}"): "get_actor",
    ("get", "/get_director/{nombre_director}"): "get_director",
    ("get", "/buscar"): "buscar",
    ("get", "/"): "inicio",
    ("get", "/salud"): "salud",
    ("get", "/listo"): "listo",
    ("get", "/metricas"): "metricas",
    ("get", "/reporte"): "reporte",
    ("post", "/admin/recargar"): "recargar",
    ("get", "/pelicula/{id}"): "pelicula",
    ("get", "/pelicula/{id}/reparto"): "reparto",
    ("get", "/pelicula/{id}/palabras_clave"): "palabras_clave",
    ("get", "/persona/id/{person_id}"): "persona_id",
    ("get", "/coleccion/{coleccion_id}"): "coleccion",
    ("get", "/descubrir"): "descubrir",
    ("get", "/generos"): "generos",
    ("get", "/pelicula/{id}/similares"): "similares",
    ("get", "/persona/{nombre}"): "persona",
    ("get", "/recomendacion/{titulo}"): "recomendacion",
    ("post", "/recomendacion"): "recomendacion_varias",
}
GET_PATHS = [
    "/cantidad_filmaciones_mes/enero",
    "/cantidad_filmaciones_dia/lunes",
    "/score_titulo/Toy%20Tale",
    "/votos_titulo/Toy%20Tale",
    "/get_actor/nadie",
    "/get_director/nadie",
    "/buscar?q=toy",
    "/",
    "/salud",
    "/listo",
    "/metricas",
    "/pelicula/1",
    "/persona/nadie",
    "/recomendacion/Toy%20Tale",
    "/app",
    "/docs",
    "/openapi.json",
]


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    catalog = small_catalog(tmp_path_factory.mktemp("api_http") / "catalogo")
    rc.build_model(catalog, catalog / "recomendador")
    return catalog


@pytest.fixture(scope="module")
def client(catalog_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(catalog_dir=catalog_dir))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    body: dict[str, Any] = client.get("/openapi.json").json()
    return body


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


# ---------------------------------------------------------------- the OpenAPI document


def test_openapi_document_is_valid(spec: dict[str, Any]) -> None:
    from openapi_spec_validator import validate

    validate(spec)  # raises on any violation of the OpenAPI 3.1 schema


def test_operation_ids_are_the_readable_route_names(spec: dict[str, Any]) -> None:
    found = {(method, path): op["operationId"] for method, path, op in operations(spec)}
    assert found == OPERATION_IDS
    assert len(set(found.values())) == len(found)


def test_head_is_answered_but_not_documented(spec: dict[str, Any]) -> None:
    assert not [path for method, path, _ in operations(spec) if method == "head"]


def test_every_error_response_is_the_one_error_schema(spec: dict[str, Any]) -> None:
    for method, path, operation in operations(spec):
        responses = operation["responses"]
        assert "default" in responses, (method, path)
        for status, response in responses.items():
            if status == "default" or int(status) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    recargar = spec["paths"]["/admin/recargar"]["post"]["responses"]
    assert {"401", "403", "409", "422"} <= set(recargar)


def test_generic_errors_are_declared_where_they_can_happen(spec: dict[str, Any]) -> None:
    post = spec["paths"]["/recomendacion"]["post"]["responses"]
    assert {"413", "415", "422", "503"} <= set(post)
    assert "503" in spec["paths"]["/get_actor/{nombre_actor}"]["get"]["responses"]
    assert "503" in spec["paths"]["/pelicula/{id}"]["get"]["responses"]
    assert "503" not in spec["paths"]["/metricas"]["get"]["responses"]
    assert "415" not in spec["paths"]["/buscar"]["get"]["responses"]


def test_response_headers_are_declared(spec: dict[str, Any]) -> None:
    for method, path, operation in operations(spec):
        for response in operation["responses"].values():
            assert "X-Request-ID" in response["headers"], (method, path)
    cached = spec["paths"]["/get_actor/{nombre_actor}"]["get"]["responses"]
    assert {"ETag", "Cache-Control", "Vary", "X-Cache"} <= set(cached["200"]["headers"])
    assert "ETag" in cached["304"]["headers"]
    assert "ETag" not in spec["paths"]["/salud"]["get"]["responses"]["200"]["headers"]


def test_declared_headers_are_sent(client: TestClient) -> None:
    response = client.get("/get_director/John%20Lasseter")
    for name in ("X-Request-ID", "ETag", "Cache-Control", "X-Cache"):
        assert name in response.headers, name


# ---------------------------------------------------------------- HTTP semantics


@pytest.mark.parametrize("path", GET_PATHS)
def test_head_is_answered_wherever_get_is(client: TestClient, path: str) -> None:
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == get.status_code
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    if "content-length" in get.headers and path != "/metricas":  # metrics count requests
        assert head.headers["content-length"] == get.headers["content-length"]


@pytest.mark.parametrize(
    ("path", "route"),
    [
        ("/salud", "/salud"),  # through the whole stack
        ("/score_titulo/Toy%20Tale", "/score_titulo/{titulo:path}"),  # the fast lane, a miss
        ("/score_titulo/Toy%20Tale", "/score_titulo/{titulo:path}"),  # ... and a hit
    ],
)
def test_head_requests_are_counted_under_their_route(
    client: TestClient, path: str, route: str
) -> None:
    def count() -> float:
        text = client.get("/metricas").text
        line = f'filmoteca_http_requests_total{{method="HEAD",route="{route}",status="200"}} '
        found = [row for row in text.splitlines() if row.startswith(line)]
        return float(found[0].rsplit(" ", 1)[1]) if found else 0.0

    before = count()
    assert client.head(path).status_code == 200
    assert count() == before + 1


def test_head_of_a_post_only_route_is_405(client: TestClient) -> None:
    response = client.head("/admin/recargar")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "/salud", "GET, HEAD"),
        ("DELETE", "/get_actor/Tom%20Hanks", "GET, HEAD"),
        ("PUT", "/recomendacion", "POST"),
        ("GET", "/admin/recargar", "POST"),
    ],
)
def test_405_carries_allow(client: TestClient, method: str, path: str, allow: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    body = response.json()
    assert body["codigo"] == "metodo_no_permitido"
    assert allow in body["mensaje"]


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "text/json"]
)
def test_non_json_body_is_415_in_spanish(client: TestClient, content_type: str) -> None:
    response = client.post(
        "/recomendacion",
        content=b'{"titulos": ["Toy Tale"]}',
        headers={"content-type": content_type},
    )
    assert response.status_code == 415
    body = response.json()
    assert body["codigo"] == "tipo_no_admitido"
    assert "application/json" in body["mensaje"]


def test_a_body_without_content_type_is_415_and_no_body_is_422(client: TestClient) -> None:
    """FastAPI reads no body that comes without a content type: say how to send it."""
    response = client.post("/recomendacion", content=b'{"titulos": ["Toy Tale"]}')
    assert response.status_code == 415, response.text
    assert "application/json" in response.json()["mensaje"]
    assert client.post("/recomendacion").status_code == 422


@pytest.mark.parametrize("content_type", ["application/json", "application/problem+json"])
def test_json_body_is_accepted(client: TestClient, content_type: str) -> None:
    response = client.post(
        "/recomendacion",
        content=b'{"titulos": ["Toy Tale"]}',
        headers={"content-type": content_type},
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({"titulos": [""]}, ["titulos[0]"]),
        ({"titulos": ["Toy Tale"], "ids": ["x"]}, ["ids[0]"]),
        ({"titulos": ["Toy Tale"], "descartar": [["nested"]]}, ["descartar[0]"]),
        ({"titulos": ["Toy Tale"], "otro": 1}, ["otro"]),
        ({"titulos": "Toy Tale"}, ["titulos"]),
        (["Toy Tale"], ["cuerpo"]),
    ],
)
def test_json_validation_errors_name_the_field(
    client: TestClient, body: Any, names: list[str]
) -> None:
    response = client.post("/recomendacion", json=body)
    assert response.status_code == 422
    errors = response.json()["errores"]
    assert sorted({e["parametro"] for e in errors}) == names
    assert all(e["mensaje"] != "no es un valor válido" for e in errors), errors


def test_invalid_json_is_422_naming_the_body(client: TestClient) -> None:
    response = client.post(
        "/recomendacion", content=b'{"titulos": [', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["errores"] == [{"parametro": "cuerpo", "mensaje": "no es JSON válido"}]


@pytest.mark.parametrize(
    ("location", "name"),
    [
        (("query", "anio"), "anio"),
        (("path", "titulo"), "titulo"),
        (("body", "titulos", 0), "titulos[0]"),
        (("body", "descartar", 2, "str"), "descartar[2]"),
        (("body", "descartar", 2, "function-after[check(), str]"), "descartar[2]"),
        (("body", "a", "b"), "a.b"),
        (("body",), "cuerpo"),
    ],
)
def test_field_name(location: tuple[Any, ...], name: str) -> None:
    from filmoteca.api.errors import field_name

    assert field_name(location) == name


# ---------------------------------------------------------------- the user documentation


def _shape(route: str) -> str:
    """A route with its parameter names left out: /get_actor/{nombre} -> /get_actor/{}."""
    return re.sub(r"\{[^}]*\}", "{}", route)


def test_docs_api_lists_exactly_the_documented_operations(spec: dict[str, Any]) -> None:
    text = (Path(__file__).parents[1] / "docs" / "api.md").read_text(encoding="utf-8")
    documented = {
        (method.lower(), _shape(path))
        for method, path in re.findall(r"`(GET|POST) (/[^`?\s]*)", text)
    }
    served = {(method, _shape(path)) for method, path, _ in operations(spec)}
    assert served - documented == set(), "rutas sin documentar en docs/api.md"
    assert documented - served == {("get", "/app")}, "docs/api.md nombra rutas que no existen"
