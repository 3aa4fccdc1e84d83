"""The recommendation routes over HTTP (in-process client), on a small factory catalog."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from filmoteca import recommender as rc
from filmoteca.api.app import create_app
from filmoteca.config import Settings
from test_recommender import small_catalog


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    catalog = small_catalog(tmp_path_factory.mktemp("api_rec") / "catalogo")
    rc.build_model(catalog, catalog / "recomendador")
    return catalog


@pytest.fixture(scope="module")
def client(catalog_dir: Path) -> Iterator[TestClient]:
    app = create_app(Settings(catalog_dir=catalog_dir), response_cache=False)
    with TestClient(app) as test_client:
        yield test_client


def titles(body: dict[str, object]) -> list[str]:
    recs = body["recomendaciones"]
    assert isinstance(recs, list)
    return [r["titulo"] for r in recs]


def test_title_gets_five_similar_movies_with_reasons(client: TestClient) -> None:
    response = client.get("/recomendacion/Toy Tale")
    assert response.status_code == 200
    body = response.json()
    assert (body["titulo"], body["anio"], body["id"]) == ("Toy Tale", 1995, 1)
    assert len(body["recomendaciones"]) == 4  # the only 4 that share something with it
    assert "Toy Tale" not in titles(body)
    assert set(titles(body)[:2]) == {"Toy Tale 2", "Toy Tale 3"}
    first = body["recomendaciones"][0]
    assert set(first) == {"titulo", "anio", "id", "similitud", "personas_en_comun", "motivos"}
    scores = [r["similitud"] for r in body["recomendaciones"]]
    assert scores == sorted(scores, reverse=True)  # the figure shown is the order
    assert 0 <= first["similitud"] <= 1 and first["motivos"]


def test_title_matching_ignores_case_accents_and_spaces(client: TestClient) -> None:
    assert client.get("/recomendacion/cinema   PARADIS").json()["titulo"] == "Cinéma Paradis"


def test_unknown_title_is_404_with_suggestions(client: TestClient) -> None:
    response = client.get("/recomendacion/Toy Tail")
    assert response.status_code == 404
    assert "Toy Tale" in response.json()["sugerencias"]


def test_repeated_title_answers_the_most_voted_and_year_chooses(client: TestClient) -> None:
    body = client.get("/recomendacion/Gangland").json()
    assert body["anio"] == 1972 and body["otras_coincidencias"][0]["anio"] == 2002
    assert titles(body)[0] == "Gangland Part II"
    assert client.get("/recomendacion/Gangland?anio=2002").json()["id"] == 15


@pytest.mark.parametrize("k", [1, 20])
def test_k_chooses_how_many(client: TestClient, k: int) -> None:
    assert len(client.get(f"/recomendacion/Toy Tale?k={k}").json()["recomendaciones"]) == min(k, 4)


@pytest.mark.parametrize(
    "query",
    ["k=0", "k=21", "k=dos", "desde=1500", "desde=2000&hasta=1990", "idioma=x", "idioma=zz"],
)
def test_bad_parameters_are_422_in_spanish(client: TestClient, query: str) -> None:
    response = client.get(f"/recomendacion/Toy Tale?{query}")
    assert response.status_code == 422
    assert response.json()["codigo"] == "consulta_invalida" and response.json()["mensaje"]


def test_long_title_is_422(client: TestClient) -> None:
    assert client.get("/recomendacion/" + "a" * 201).status_code == 422


def test_filters_restrict_what_is_recommended(client: TestClient) -> None:
    body = client.get("/recomendacion/Toy Tale?idioma=fr&k=5").json()
    assert titles(body) == ["La Cuisine"]  # Le Petit Café shares nothing with Toy Tale
    recs = client.get("/recomendacion/Toy Tale?desde=1990&hasta=2000&min_votos=1000").json()
    assert all(1990 <= r["anio"] <= 2000 for r in recs["recomendaciones"])


def test_post_several_titles_and_ids_with_discards(client: TestClient) -> None:
    response = client.post(
        "/recomendacion?k=3",
        json={"titulos": ["Toy Tale", "Nope"], "ids": [2, 424242], "descartar": ["Toy Tale 3"]},
    )
    assert response.status_code == 200
    body = response.json()
    assert [m["titulo"] for m in body["titulos"]] == ["Toy Tale", "Toy Tale 2"]
    assert body["no_encontrados"] == ["Nope", 424242]
    assert not {"Toy Tale", "Toy Tale 2", "Toy Tale 3"} & set(titles(body))
    assert len(body["recomendaciones"]) == 2  # Bug Colony, La Cuisine: the others share nothing
    assert body["recomendaciones"][0]["motivos"][0].startswith("parecida a: ")


def test_similar_by_id_answers_as_the_title_route(client: TestClient) -> None:
    by_id = client.get("/pelicula/1/similares?k=3")
    assert by_id.status_code == 200
    assert by_id.json() == client.get("/recomendacion/Toy Tale?k=3").json()
    assert client.get("/pelicula/424242/similares").status_code == 404
    assert client.get("/pelicula/0/similares").status_code == 422
    assert client.get("/pelicula/uno/similares").status_code == 422


def test_post_is_personal(client: TestClient) -> None:
    toys = client.post("/recomendacion?k=3", json={"ids": [1, 2]}).json()
    crime = client.post("/recomendacion?k=3", json={"ids": [9, 10]}).json()
    assert set(titles(toys)).isdisjoint(titles(crime))


def test_post_with_nothing_found_is_404(client: TestClient) -> None:
    response = client.post("/recomendacion", json={"titulos": ["Toy Tail"]})
    assert response.status_code == 404
    assert "Toy Tale" in response.json()["sugerencias"]


@pytest.mark.parametrize(
    "body",
    [{}, {"titulos": []}, {"titulos": "Toy Tale"}, {"titulo": ["Toy Tale"]},
     {"ids": ["uno"]}, {"titulos": ["x"] * 51}],
)  # fmt: skip
def test_post_bad_bodies_are_422(client: TestClient, body: dict[str, object]) -> None:
    response = client.post("/recomendacion", json=body)
    assert response.status_code == 422
    assert response.json()["codigo"] == "consulta_invalida"


def test_catalog_without_recommender_is_served_with_503_here(
    catalog_dir: Path, tmp_path: Path
) -> None:
    bare = tmp_path / "sin_recomendador"
    shutil.copytree(catalog_dir, bare, ignore=shutil.ignore_patterns("recomendador"))
    app = create_app(Settings(catalog_dir=bare), response_cache=False)
    with TestClient(app) as client:
        response = client.get("/recomendacion/Toy Tale")
        assert response.status_code == 503
        assert "recomendador no está disponible" in response.json()["mensaje"]
        assert client.get("/score_titulo/Toy Tale").status_code == 200


def test_routes_are_documented(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, method in [("/recomendacion/{titulo}", "get"), ("/recomendacion", "post")]:
        operation = paths[path][method]
        assert operation["summary"] and operation["description"]
        assert "$ref" in str(operation["responses"]["200"])
