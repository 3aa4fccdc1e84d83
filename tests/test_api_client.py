"""A Python client generated from the OpenAPI document (openapi-python-client) answers over
the API: the document is complete enough for generated clients, with usable method names."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from filmoteca import recommender as rc
from filmoteca.api.app import create_app
from filmoteca.config import Settings
from test_recommender import small_catalog

PACKAGE = "cliente_filmoteca"


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    catalog = small_catalog(tmp_path_factory.mktemp("api_client") / "catalogo")
    rc.build_model(catalog, catalog / "recomendador")
    with TestClient(create_app(Settings(catalog_dir=catalog))) as client:
        yield client


@pytest.fixture(scope="module")
def generated(http: TestClient, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    folder = tmp_path_factory.mktemp("generado")
    spec = folder / "openapi.json"
    spec.write_bytes(orjson.dumps(http.get("/openapi.json").json()))
    tool = Path(sys.executable).with_name("openapi-python-client")
    out = folder / PACKAGE
    env = {**os.environ, "PATH": f"{tool.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [str(tool), "generate", "--path", str(spec), "--meta", "none", "--output-path", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def api(package: ModuleType, tag: str, operation: str) -> Any:
    """The generated module of one operation (named by its operationId, under its tag)."""
    return importlib.import_module(f"{package.__name__}.api.{tag}.{operation}")


@pytest.fixture(scope="module")
def client(generated: ModuleType, http: TestClient) -> Any:
    return generated.Client(base_url="http://testserver").set_httpx_client(http)


def test_generated_client_has_one_method_per_operation_named_by_its_id(
    generated: ModuleType,
) -> None:
    for tag, operation in [
        ("consultas", "cantidad_filmaciones_mes"),
        ("consultas", "get_actor"),
        ("búsqueda", "buscar"),
        ("servicio", "salud"),
        ("recomendación", "recomendacion_varias"),
    ]:
        assert callable(api(generated, tag, operation).sync), operation


def test_generated_client_parses_answers_into_models(generated: ModuleType, client: Any) -> None:
    month = api(generated, "consultas", "cantidad_filmaciones_mes").sync(mes="enero", client=client)
    assert type(month).__name__ == "CantidadMes"
    assert month.mes == "enero"
    similar = api(generated, "recomendación", "recomendacion").sync(
        titulo="Toy Tale", client=client
    )
    assert type(similar).__name__ == "RecomendacionesTitulo"
    assert similar.recomendaciones[0].titulo in {"Toy Tale 2", "Toy Tale 3"}
    found = api(generated, "búsqueda", "buscar").sync(q="toy", client=client)
    assert found.total >= 3


def test_generated_client_parses_errors_into_the_error_model(
    generated: ModuleType, client: Any
) -> None:
    missing = api(generated, "consultas", "get_actor").sync(
        nombre_actor="Nadie Nunca", client=client
    )
    assert type(missing).__name__ == "Error"
    assert missing.codigo == "no_encontrado"
    invalid = api(generated, "consultas", "cantidad_filmaciones_dia").sync_detailed(
        dia="brumario", client=client
    )
    assert invalid.status_code == 422
    assert type(invalid.parsed).__name__ == "Error"
