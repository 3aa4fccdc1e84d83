"""Operations routes on the real app: readiness, /metricas, CORS and the catalog hot swap."""

from __future__ import annotations

import json
import shutil
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from factories import make_catalog, movie
from filmoteca.api.app import create_app
from filmoteca.catalog import Catalog
from filmoteca.config import Settings

TOKEN = "secreto-de-prueba"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def write_catalog(directory: Path, version: str, january: int) -> Path:
    """A catalog with `january` movies released in January (and one in March)."""
    movies = [movie(i + 1, f"Pelicula {i}", f"2001-01-{i % 28 + 1:02d}") for i in range(january)]
    movies.append(movie(900, "Marzo", "2001-03-03"))
    make_catalog(directory, movies)
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["version"] = version
    (directory / "manifest.json").write_text(json.dumps(manifest))
    return directory


def build_app(settings: Settings) -> FastAPI:
    """The real app (create_app installs the operations routes and middleware)."""
    return create_app(settings)


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    return write_catalog(tmp_path / "catalogo", "v1", january=3)


@pytest.fixture
def settings(catalog_dir: Path, tmp_path: Path) -> Settings:
    return Settings(
        catalog_dir=catalog_dir,
        report_dir=tmp_path / "informe",
        admin_token=TOKEN,
        cors_origins=[],
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(build_app(settings)) as client:
        yield client


def _january(client: TestClient) -> int:
    response = client.get("/cantidad_filmaciones_mes/enero")
    assert response.status_code == 200
    return int(response.json()["cantidad"])


def test_ready_once_the_catalog_is_loaded(client: TestClient) -> None:
    response = client.get("/listo")
    assert response.status_code == 200
    assert response.json() == {
        "listo": True,
        "catalogo": "v1",
        "peliculas": 4,
        "recomendador": False,
    }


def test_not_ready_without_a_catalog(settings: Settings) -> None:
    app = build_app(settings)  # no lifespan run: nothing loaded
    response = TestClient(app).get("/listo")
    assert response.status_code == 503
    assert response.json()["codigo"] == "catalogo_no_disponible"


def test_metrics_report_queries_and_catalog(client: TestClient) -> None:
    _january(client)
    text = client.get("/metricas").text
    assert 'route="/cantidad_filmaciones_mes/{mes}",status="200"' in text
    assert 'filmoteca_catalog_info{built_at="2026-01-01T00:00:00+00:00",version="v1"} 1.0' in text
    assert client.get("/listo").headers["x-request-id"]


def test_reload_swaps_in_a_rebuilt_catalog(client: TestClient, catalog_dir: Path) -> None:
    assert _january(client) == 3
    assert _january(client) == 3  # now answered from the response cache
    write_catalog(catalog_dir, "v2", january=7)
    response = client.post("/admin/recargar", headers=AUTH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["estado"] == "recargado" and body["anterior"] == "v1" and body["actual"] == "v2"
    assert body["peliculas"] == 8 and body["segundos"] >= 0
    assert _january(client) == 7  # the cache followed the catalog
    assert client.get("/listo").json()["catalogo"] == "v2"
    assert 'version="v2"' in client.get("/metricas").text


def test_broken_catalog_is_refused_and_the_old_one_keeps_serving(
    client: TestClient, catalog_dir: Path
) -> None:
    movies = catalog_dir / "movies.parquet"
    movies.write_bytes(movies.read_bytes()[: movies.stat().st_size // 2])  # truncated
    response = client.post("/admin/recargar", headers=AUTH)
    assert response.status_code == 409
    body = response.json()
    assert body["codigo"] == "recarga_rechazada"
    assert (
        "'movies.parquet' del catálogo" in body["mensaje"]
        and "dañado o truncado" in body["mensaje"]
        and "Se sigue sirviendo el catálogo v1" in body["mensaje"]
    )
    assert _january(client) == 3 and client.get("/listo").json()["catalogo"] == "v1"
    text = client.get("/metricas").text
    assert 'filmoteca_catalog_reloads_total{result="rechazada"} 1.0' in text


def test_missing_catalog_is_refused(client: TestClient, catalog_dir: Path) -> None:
    shutil.rmtree(catalog_dir)
    catalog_dir.mkdir()
    response = client.post("/admin/recargar", headers=AUTH)
    assert response.status_code == 409 and "No hay catálogo" in response.json()["mensaje"]
    assert _january(client) == 3


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer otro"}, {"Authorization": TOKEN}, {"Authorization": "Basic x"}],
)
def test_reload_needs_the_admin_token(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post("/admin/recargar", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["codigo"] == "no_autorizado"


def test_reload_is_off_without_a_configured_token(settings: Settings) -> None:
    with TestClient(build_app(settings.model_copy(update={"admin_token": None}))) as client:
        response = client.post("/admin/recargar", headers=AUTH)
    assert response.status_code == 403 and "FILMOTECA_ADMIN_TOKEN" in response.json()["mensaje"]


@pytest.mark.parametrize("token", ["", "   ", "\t"])
@pytest.mark.parametrize("authorization", ["Bearer", "Bearer ", "Bearer    ", "bearer \t"])
def test_empty_or_blank_token_means_reload_disabled(
    settings: Settings, token: str, authorization: str
) -> None:
    blank = settings.model_copy(update={"admin_token": SecretStr(token)})
    with TestClient(build_app(blank)) as client:
        response = client.post("/admin/recargar", headers={"Authorization": authorization})
    assert response.status_code == 403 and response.json()["codigo"] == "recarga_desactivada"


def test_empty_token_from_the_environment_disables_the_reload(
    monkeypatch: pytest.MonkeyPatch, catalog_dir: Path
) -> None:
    monkeypatch.setenv("FILMOTECA_ADMIN_TOKEN", "")
    settings = Settings(catalog_dir=catalog_dir)
    with TestClient(build_app(settings)) as client:
        response = client.post("/admin/recargar", headers={"Authorization": "Bearer "})
    assert response.status_code == 403


def test_token_is_compared_in_constant_time(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hmac

    from filmoteca.api import operations

    calls: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(operations.hmac, "compare_digest", spy)
    response = client.post("/admin/recargar", headers={"Authorization": "Bearer otro"})
    assert response.status_code == 401 and calls == [(b"otro", TOKEN.encode())]


def test_one_reload_at_a_time(client: TestClient) -> None:
    lock: threading.Lock = client.app.state.reload_lock  # type: ignore[attr-defined]
    with lock:
        response = client.post("/admin/recargar", headers=AUTH)
    assert response.status_code == 409 and response.json()["codigo"] == "recarga_en_curso"


def test_queries_are_answered_while_a_reload_loads(
    client: TestClient, catalog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_load = Catalog.load.__func__  # type: ignore[attr-defined]
    loading = threading.Event()

    def slow_load(cls: type[Catalog], directory: Path) -> Catalog:
        loading.set()
        time.sleep(1.0)
        return real_load(cls, directory)

    monkeypatch.setattr(Catalog, "load", classmethod(slow_load))
    write_catalog(catalog_dir, "v2", january=7)
    result: dict[str, Any] = {}
    reload = threading.Thread(
        target=lambda: result.update(r=client.post("/admin/recargar", headers=AUTH))
    )
    reload.start()
    assert loading.wait(5)
    answered = [_january(client) for _ in range(20)]  # served by the old catalog meanwhile
    reload.join(10)
    assert answered == [3] * 20
    assert result["r"].status_code == 200 and _january(client) == 7


def test_cors_is_closed_by_default(client: TestClient) -> None:
    response = client.get("/listo", headers={"Origin": "https://otro.example"})
    assert "access-control-allow-origin" not in response.headers
    preflight = client.options(
        "/listo",
        headers={"Origin": "https://otro.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_allows_only_the_configured_origins(settings: Settings) -> None:
    allowed = settings.model_copy(update={"cors_origins": ["https://mi-sitio.example"]})
    with TestClient(build_app(allowed)) as client:
        ok = client.get("/listo", headers={"Origin": "https://mi-sitio.example"})
        other = client.get("/listo", headers={"Origin": "https://otro.example"})
        preflight = client.options(
            "/cantidad_filmaciones_mes/enero",
            headers={
                "Origin": "https://mi-sitio.example",
                "Access-Control-Request-Method": "GET",
            },
        )
    assert ok.headers["access-control-allow-origin"] == "https://mi-sitio.example"
    assert "x-request-id" in ok.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-origin" not in other.headers
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://mi-sitio.example"


def test_cors_origins_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FILMOTECA_CORS_ORIGINS", '["https://a.example","https://b.example"]')
    assert Settings().cors_origins == ["https://a.example", "https://b.example"]


def _mapped(directory: Path) -> int:
    """How many memory maps of this process are of files under `directory`."""
    with open("/proc/self/maps", encoding="utf-8") as maps:
        return sum(str(directory) in line for line in maps)


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux /proc")
def test_reloads_release_the_old_catalog_and_its_memory_maps(
    client: TestClient, catalog_dir: Path
) -> None:
    """Each lifespan freezes the objects alive then (gc.freeze), FastAPI caches facts about the
    scratch apps' endpoints, the app's lifespan stays suspended: the replaced catalogs must
    still be freed, with their maps, or memory grows with every reload."""
    _january(client)
    old = [weakref.ref(client.app.state.catalog)]  # type: ignore[attr-defined]
    first = client.post("/admin/recargar", headers=AUTH)
    assert first.status_code == 200
    maps_after_first = _mapped(catalog_dir.resolve())
    assert maps_after_first > 0
    for _ in range(20):
        old.append(weakref.ref(client.app.state.catalog))  # type: ignore[attr-defined]
        assert client.post("/admin/recargar", headers=AUTH).status_code == 200
        _january(client)
    assert [ref for ref in old if ref() is not None] == []
    assert _mapped(catalog_dir.resolve()) == maps_after_first
