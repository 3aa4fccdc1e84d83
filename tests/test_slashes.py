"""Trailing-slash redirects (api/slashes.py): relative, whatever Host the client sends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from filmoteca.api.app import create_app
from filmoteca.config import Settings
from sample_catalog import make_sample_catalog


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    catalog_dir: Path = make_sample_catalog(tmp_path_factory.mktemp("muestra"))
    settings = Settings(catalog_dir=catalog_dir, report_dir=tmp_path_factory.mktemp("informe"))
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/docs/", "/docs"),
        ("/app/?q=%C3%B1&k=2", "/app?q=%C3%B1&k=2"),
        ("/pelicula/12/", "/pelicula/12"),
    ],
)
def test_a_trailing_slash_redirects_without_naming_a_host(
    client: TestClient, path: str, location: str
) -> None:
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 307
    assert response.headers["location"] == location
    assert client.get(location).status_code == 200


def test_a_path_that_would_name_another_site_is_not_redirected(client: TestClient) -> None:
    response = client.get("http://testserver//evil.example/", headers={"Host": "evil.example"})
    assert response.status_code == 404
    assert "location" not in response.headers
    assert response.json()["codigo"] == "no_encontrado"


def test_an_unknown_path_still_gets_the_spanish_404(client: TestClient) -> None:
    response = client.get("/no-existe/")
    assert response.status_code == 404
    assert "Las rutas están en /docs" in response.json()["mensaje"]
