"""GET /descubrir and GET /generos on the demo catalog, checked against the catalog's own tables
read with pandas (an independent computation of the same filters and orders)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from filmoteca.api.app import create_app
from filmoteca.catalog import store
from filmoteca.config import Settings
from filmoteca.etl.pipeline import build_catalog


@pytest.fixture(scope="module")
def demo_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("descubrir") / "catalogo"
    build_catalog(None, out, fit_recommender=False)
    return out


@pytest.fixture(scope="module")
def client(demo_catalog: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(catalog_dir=demo_catalog))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def tables(demo_catalog: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    movies = store.read_table(demo_catalog, "movies").to_pandas()
    genres = store.read_table(demo_catalog, "genres", ["movie_id", "name"]).to_pandas()
    return movies, genres


def test_genres_count_distinct_movies_per_genre(
    client: TestClient, tables: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    _, genres = tables
    expected = genres.drop_duplicates().groupby("name")["movie_id"].nunique().to_dict()
    body = client.get("/generos").json()
    assert {g["nombre"]: g["peliculas"] for g in body["generos"]} == expected
    counts = [g["peliculas"] for g in body["generos"]]
    assert counts == sorted(counts, reverse=True)


def test_genre_and_years_filter_like_pandas(
    client: TestClient, tables: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    movies, genres = tables
    drama = set(genres.loc[genres["name"] == "Drama", "movie_id"])
    kept = movies[movies["id"].isin(drama) & movies["release_year"].between(1980, 2009)]
    body = client.get("/descubrir?genero=drama&desde=1980&hasta=2009&limite=50").json()
    assert body["total"] == len(kept)
    assert {m["id"] for m in body["resultados"]} == set(kept["id"])
    assert all("Drama" in m["generos"] for m in body["resultados"])
    assert body["genero"] == "Drama"


def test_order_by_votes_is_descending_and_paginates_without_overlap(client: TestClient) -> None:
    first = client.get("/descubrir?orden=votos&limite=5").json()
    second = client.get("/descubrir?orden=votos&limite=5&pagina=2").json()
    votes = [m["votos"] for m in first["resultados"] + second["resultados"]]
    assert votes == sorted(votes, reverse=True)
    assert not {m["id"] for m in first["resultados"]} & {m["id"] for m in second["resultados"]}
    assert first["paginas"] == -(-first["total"] // 5)


def test_order_by_average_keeps_only_movies_with_at_least_2000_votes(
    client: TestClient, tables: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    movies, _ = tables
    body = client.get("/descubrir?orden=promedio&limite=50").json()
    assert body["min_votos"] == 2000
    assert body["total"] == int((movies["vote_count"] >= 2000).sum())
    averages = [m["promedio"] for m in body["resultados"]]
    assert None not in averages and averages == sorted(averages, reverse=True)


def test_average_is_withheld_under_2000_votes(client: TestClient) -> None:
    body = client.get("/descubrir?orden=votos&limite=50").json()
    for movie in body["resultados"]:
        assert (movie["promedio"] is None) == (movie["votos"] < 2000)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("genero=Nonexistent", 404),
        ("desde=2000&hasta=1990", 422),
        ("orden=nota", 422),
        ("orden=promedio&min_votos=10", 422),
        ("pagina=0", 422),
        ("limite=51", 422),
        ("desde=abc", 422),
    ],
)
def test_bad_parameters_get_the_usual_spanish_error_shape(
    client: TestClient, query: str, status: int
) -> None:
    response = client.get(f"/descubrir?{query}")
    assert response.status_code == status
    body = response.json()
    assert set(body) >= {"codigo", "mensaje"}
    if status == 404:
        assert body["sugerencias"]


def test_a_page_past_the_end_is_empty_not_an_error(client: TestClient) -> None:
    body = client.get("/descubrir?pagina=999").json()
    assert body["resultados"] == [] and body["total"] > 0


def test_routes_are_documented_in_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for route in ("/descubrir", "/generos"):
        assert paths[route]["get"]["summary"]
    names = {p["name"] for p in paths["/descubrir"]["get"]["parameters"]}
    assert names >= {"genero", "desde", "hasta", "min_votos", "orden", "pagina", "limite"}
