"""`/` links to one example of every query, taken from the served catalog: they all answer."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from filmoteca.api.app import create_app
from filmoteca.config import Settings
from filmoteca.etl.pipeline import build_catalog


def _check_links(catalog: Path, report_dir: Path) -> dict[str, str]:
    with TestClient(create_app(Settings(catalog_dir=catalog, report_dir=report_dir))) as client:
        links = client.get("/").json()["enlaces"]
        for name, link in links.items():
            response = client.get(unquote(link))
            expected = 404 if name == "reporte" else 200  # no report generated here
            assert response.status_code == expected, (name, link, response.text[:300])
            if name == "titulo_repetido":
                assert response.json()["otras_coincidencias"]
            if name == "votos_insuficientes":
                assert response.json()["cumple_condicion"] is False
            if name == "buscar":
                assert response.json()["total"] > 0
    return links


def test_demo_examples_answer(tmp_path: Path) -> None:
    build_catalog(None, tmp_path / "demo")
    links = _check_links(tmp_path / "demo", tmp_path)
    expected = {"get_actor", "get_director", "titulo_repetido", "votos_insuficientes", "pelicula"}
    assert expected <= set(links)


@pytest.mark.realdata
def test_real_data_examples_answer(real_catalog: Path, tmp_path: Path) -> None:
    links = _check_links(real_catalog, tmp_path)
    assert "titulo_repetido" in links and "get_director" in links
