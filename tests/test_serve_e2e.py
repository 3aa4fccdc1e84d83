"""`filmoteca serve` for real: a uvicorn process on a free loopback port, queried over HTTP."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from filmoteca import cli as cli_module
from filmoteca.api import server
from sample_catalog import make_sample_catalog
from servers import FILMOTECA, free_port, serve

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("e2e")
    yield from serve(make_sample_catalog(tmp / "catalogo"), tmp)


def get(url: str, **kwargs: Any) -> httpx.Response:
    return httpx.get(url, timeout=10, **kwargs)


def test_queries_over_http(base_url: str) -> None:
    assert get(f"{base_url}/cantidad_filmaciones_mes/Mayo").json() == {"mes": "mayo", "cantidad": 3}
    assert get(f"{base_url}/cantidad_filmaciones_dia/viernes").json()["cantidad"] == 6
    assert get(f"{base_url}/score_titulo/Face/Off").json()["id"] == 15
    actor = get(f"{base_url}/get_actor/tom%20hanks").json()
    assert (actor["cantidad_peliculas"], actor["retorno_total"]) == (4, 18.0)
    director = get(f"{base_url}/get_director/John%20Woo").json()
    assert [p["titulo"] for p in director["peliculas"]] == ["Hard Target", "Face/Off"]


def test_errors_over_http(base_url: str) -> None:
    missing = get(f"{base_url}/get_actor/Tom")
    assert missing.status_code == 404
    assert missing.json()["sugerencias"] == ["Tom Hanks"]
    assert get(f"{base_url}/cantidad_filmaciones_dia/feriado").status_code == 422
    assert get(f"{base_url}/get_director/{'x' * 201}").status_code == 422


def test_repeated_query_comes_from_the_cache_and_revalidates(base_url: str) -> None:
    first = get(f"{base_url}/votos_titulo/toy%20story")
    second = get(f"{base_url}/votos_titulo/toy%20story")
    assert second.headers["x-cache"] == "HIT"
    assert second.content == first.content
    etag = second.headers["etag"]
    assert (
        get(f"{base_url}/votos_titulo/toy%20story", headers={"If-None-Match": etag}).status_code
        == 304
    )


def test_docs_are_served(base_url: str) -> None:
    spec = get(f"{base_url}/openapi.json").json()
    assert "/get_actor/{nombre_actor}" in spec["paths"]
    assert get(f"{base_url}/docs").status_code == 200


@pytest.mark.realdata
def test_real_catalog_over_http(real_catalog: Path, tmp_path: Path) -> None:
    for url in serve(real_catalog, tmp_path):
        toy = get(f"{url}/score_titulo/Toy%20Story").json()
        assert (toy["id"], toy["anio"]) == (862, 1995)
        assert get(f"{url}/get_actor/tom%20hanks").json()["cantidad_peliculas"] > 20


def test_several_workers_serve_the_catalog_given(tmp_path: Path) -> None:
    catalog = make_sample_catalog(tmp_path / "catalogo")
    for url in serve(catalog, tmp_path, "--workers", "2"):
        answers = {
            get(f"{url}/get_actor/tom%20hanks").json()["cantidad_peliculas"] for _ in range(6)
        }
        assert answers == {4}


def test_missing_catalog_is_a_clean_spanish_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [FILMOTECA, "serve", "--catalog", str(tmp_path / "nada"), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3
    assert "No hay catálogo" in done.stderr
    assert "Traceback" not in done.stderr


def test_corrupt_catalog_is_a_clean_spanish_error(tmp_path: Path) -> None:
    catalog = make_sample_catalog(tmp_path / "roto")
    (catalog / "movies.parquet").write_bytes(b"no es parquet")
    done = subprocess.run(
        [FILMOTECA, "serve", "--catalog", str(catalog), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3
    message = " ".join(done.stderr.split())
    assert "'movies.parquet' del catálogo" in message and "dañado o truncado" in message
    assert "Traceback" not in done.stderr


def test_serve_without_arguments_builds_the_demo_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setenv("FILMOTECA_CATALOG_DIR", str(tmp_path / "catalogo"))
    monkeypatch.setattr(server, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    result = CliRunner().invoke(cli_module.cli, ["serve"])
    assert result.exit_code == 0, result.output
    assert "demostración" in result.output
    assert (tmp_path / "catalogo" / "manifest.json").is_file()
    (catalog_dir, host, port, workers), _ = calls[0]
    assert (catalog_dir, host, port, workers) == (tmp_path / "catalogo", "127.0.0.1", 8000, 1)


def test_server_lines_are_in_spanish(tmp_path: Path) -> None:
    for url in serve(make_sample_catalog(tmp_path / "catalogo"), tmp_path):
        assert get(f"{url}/listo").status_code == 200
    log = (tmp_path / "servidor.log").read_text(encoding="utf-8")
    for line in ("Proceso del servidor iniciado", "Aplicación lista.", "Servidor en http://"):
        assert line in log, log
    assert "Deteniendo el servidor" in log and "Aplicación cerrada." in log, log
    for english in ("Uvicorn running", "Started server", "startup complete", "Shutting down"):
        assert english not in log, log
