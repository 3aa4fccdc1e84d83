"""The id-based routes over HTTP (in-process client): full credits, keywords, a TMDB person
(homonyms apart) and collections, on small catalogs whose answers can be checked by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from filmoteca.api.app import create_app
from filmoteca.api.creditos import Coleccion, PalabrasClavePelicula, PersonaId, RepartoPelicula
from filmoteca.config import Settings
from sample_catalog import make_sample_catalog
from test_recommender import small_catalog


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    catalog = make_sample_catalog(tmp_path_factory.mktemp("creditos"))
    with TestClient(create_app(Settings(catalog_dir=catalog))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def sagas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    catalog = small_catalog(tmp_path_factory.mktemp("sagas") / "catalogo")
    with TestClient(create_app(Settings(catalog_dir=catalog))) as test_client:
        yield test_client


def get(client: TestClient, path: str, status: int = 200) -> Any:
    response = client.get(path)
    assert response.status_code == status, response.text
    return response.json()


def test_full_cast_in_billing_order_and_crew(client: TestClient) -> None:
    body = get(client, "/pelicula/12/reparto")
    RepartoPelicula.model_validate(body)
    assert body["pelicula"] == {
        "id": 12,
        "titulo": "Toy Story",
        "anio": 1995,
        "ficha": "/pelicula/12",
    }
    assert [(c["id"], c["orden"]) for c in body["reparto"]] == [(31, 0), (31, 5)]  # two credits
    assert body["reparto"][0]["ficha"] == "/persona/id/31"
    assert body["equipo"] == [
        {
            "id": 31,
            "nombre": "Tom Hanks",
            "departamento": "Directing",
            "trabajo": "Producer",
            "ficha": "/persona/id/31",
        }
    ]
    assert get(client, "/pelicula/19/reparto")["reparto"] == []


def test_person_by_id_keeps_homonyms_apart(client: TestClient) -> None:
    hanks = get(client, "/persona/id/31")
    PersonaId.model_validate(hanks)
    assert [c["pelicula"]["id"] for c in hanks["como_actor"]] == [12, 12, 18, 14]  # by date
    assert [(c["pelicula"]["id"], c["trabajo"]) for c in hanks["en_equipo"]] == [
        (12, "Producer"),
        (18, "Director"),
    ]
    assert hanks["homonimos"] == [999]
    assert hanks["por_nombre"] == "/persona/Tom%20Hanks"
    other = get(client, "/persona/id/999")
    assert (other["nombre"], other["homonimos"]) == ("tom  hanks", [31])
    assert [c["pelicula"]["titulo"] for c in other["como_actor"]] == ["Face/Off"]
    # the name routes add both ids up: 3 films of id 31 + 1 of id 999
    assert get(client, "/get_actor/Tom%20Hanks")["cantidad_peliculas"] == 4


def test_crew_only_person(client: TestClient) -> None:
    burton = get(client, "/persona/id/510")
    assert burton["como_actor"] == [] and burton["homonimos"] == []
    assert [c["pelicula"]["anio"] for c in burton["en_equipo"]] == [1966, 1989, 1989]


def test_keywords_and_collections(sagas: TestClient) -> None:
    body = get(sagas, "/pelicula/1/palabras_clave")
    PalabrasClavePelicula.model_validate(body)
    assert [k["nombre"] for k in body["palabras_clave"]] == ["toy", "friendship"]
    assert get(sagas, "/pelicula/15/palabras_clave")["palabras_clave"] == []
    saga = get(sagas, "/coleccion/100")
    Coleccion.model_validate(saga)
    assert saga["nombre"] == "Toy Tale Collection"
    assert [(m["titulo"], m["anio"]) for m in saga["peliculas"]] == [
        ("Toy Tale", 1995),
        ("Toy Tale 2", 1999),
        ("Toy Tale 3", 2010),
    ]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/pelicula/999/reparto", 404),
        ("/pelicula/999/palabras_clave", 404),
        ("/persona/id/123456", 404),
        ("/coleccion/5", 404),
        ("/persona/id/abc", 422),
        ("/coleccion/-1", 422),
        ("/pelicula/99999999999999999999/reparto", 422),
    ],
)
def test_unknown_or_invalid_ids_share_the_error_shape(
    client: TestClient, path: str, status: int
) -> None:
    body = get(client, path, status)
    assert body["codigo"] in {"no_encontrado", "consulta_invalida"}
    assert body["mensaje"]


def test_every_link_in_an_answer_answers(client: TestClient) -> None:
    hanks = get(client, "/persona/id/31")
    links = {hanks["por_nombre"]} | {c["pelicula"]["ficha"] for c in hanks["como_actor"]}
    for credit in get(client, "/pelicula/12/reparto")["reparto"]:
        links.add(credit["ficha"])
    for link in links:
        assert client.get(link).status_code == 200, link


def test_head_and_openapi_cover_the_id_routes(client: TestClient) -> None:
    assert client.head("/persona/id/31").status_code == 200
    spec = client.get("/openapi.json").json()
    for path, op_id in [
        ("/pelicula/{id}/reparto", "reparto"),
        ("/pelicula/{id}/palabras_clave", "palabras_clave"),
        ("/persona/id/{person_id}", "persona_id"),
        ("/coleccion/{coleccion_id}", "coleccion"),
    ]:
        operation = spec["paths"][path]["get"]
        assert operation["operationId"] == op_id
        assert {"404", "422", "503"} <= set(operation["responses"])


def test_catalog_without_credits_answers_503_saying_why(tmp_path: Path) -> None:
    import json
    import shutil

    catalog = make_sample_catalog(tmp_path / "viejo")
    shutil.rmtree(catalog / "creditos")
    manifest = json.loads((catalog / "manifest.json").read_text())
    manifest["files"] = {k: v for k, v in manifest["files"].items() if "creditos" not in k}
    (catalog / "manifest.json").write_text(json.dumps(manifest))
    with TestClient(create_app(Settings(catalog_dir=catalog))) as old:
        body = get(old, "/persona/id/31", 503)
        assert "filmoteca build" in body["mensaje"]
        assert old.get("/get_actor/Tom%20Hanks").status_code == 200
