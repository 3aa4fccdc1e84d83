"""The slim serving install, built as the Dockerfile builds it, serves every route.

A fresh virtual environment gets requirements-slim.lock (`pip install --require-hashes`) and
filmoteca's wheel (`--no-deps`); it serves a catalog built by the full install, and every
operation of the OpenAPI schema (plus the page, the docs and their files) is asked once, with
the example links that `/` gives: a route without an example there fails the test.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest

from filmoteca.etl.pipeline import build_catalog
from filmoteca.report import build_report
from servers import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
MAX_MB = 250
FULL_ONLY = ("pandas", "pyarrow", "scipy", "sklearn", "matplotlib", "wordcloud", "kagglehub")
TOKEN = "token-de-prueba-slim"


@dataclass(frozen=True)
class Slim:
    """The slim environment and what was measured while making it."""

    bin: Path
    megabytes: float
    wheel: Path


def _run(*command: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command], check=True, capture_output=True, text=True, **kwargs
    )  # type: ignore[call-overload, no-any-return]


@pytest.fixture(scope="module")
def slim(tmp_path_factory: pytest.TempPathFactory) -> Slim:
    work = tmp_path_factory.mktemp("slim")
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "--wheel-dir", work / "wheels", ROOT)  # fmt: skip
    (wheel,) = (work / "wheels").glob("filmoteca-*.whl")
    _run(sys.executable, "-m", "venv", work / "venv")
    pip = [work / "venv" / "bin" / "python", "-m", "pip", "--disable-pip-version-check"]
    _run(*pip, "install", "--quiet", "--require-hashes", "-r", ROOT / "requirements-slim.lock")
    _run(*pip, "install", "--quiet", "--no-deps", wheel)
    size = sum(f.stat().st_size for f in (work / "venv").rglob("*") if f.is_file())
    megabytes = size / 1e6
    print(f"\nentorno mínimo: {megabytes:.0f} MB ({work / 'venv'})")
    return Slim(work / "venv" / "bin", megabytes, wheel)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A demo catalog (with the recommender) and its report, built by the full install."""
    work = tmp_path_factory.mktemp("construido")
    build_catalog(None, work / "catalogo")
    build_report(work / "catalogo", work / "informe")
    return work / "catalogo", work / "informe"


@pytest.fixture(scope="module")
def server(
    slim: Slim, built: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    catalog, report = built
    port, work = free_port(), tmp_path_factory.mktemp("servidor")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILMOTECA_")}
    env |= {"FILMOTECA_REPORT_DIR": str(report), "FILMOTECA_ADMIN_TOKEN": TOKEN}
    log = (work / "servidor.log").open("w")
    command = [slim.bin / "filmoteca", "serve", "--catalog", catalog, "--port", str(port)]
    proc = subprocess.Popen([str(c) for c in command], stdout=log, stderr=subprocess.STDOUT,
                            env=env, cwd=work)  # fmt: skip
    url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 90
    try:
        while True:
            assert proc.poll() is None, (work / "servidor.log").read_text()
            try:
                if httpx.get(f"{url}/listo", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (work / "servidor.log").read_text()
            time.sleep(0.1)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
            log.close()


def test_slim_environment_is_small_and_has_no_build_libraries(slim: Slim) -> None:
    assert slim.megabytes <= MAX_MB, f"{slim.megabytes:.0f} MB"
    code = f"import importlib.util as u; print([m for m in {FULL_ONLY!r} if u.find_spec(m)])"
    assert _run(slim.bin / "python", "-c", code).stdout.strip() == "[]"


def test_the_wheel_is_typed_licensed_and_complete(slim: Slim) -> None:
    names = set(zipfile.ZipFile(slim.wheel).namelist())
    assert "filmoteca/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert {"filmoteca/web/index.html", "filmoteca/demo/movies_metadata.csv"} <= names


def _filled(template: str, links: list[str]) -> str:
    """The example link of `/` that fills a path template ({name} or {name:path})."""
    pattern = re.sub(r"\\\{[^}]+\\\}", "[^/?]+", re.escape(template)) + r"(\?.*)?"
    found = [link for link in links if re.fullmatch(pattern, link)]
    assert found, f"'/' no da ningún ejemplo de {template}: añádalo en routers/general.py"
    return found[0]


def test_every_route_answers_in_the_slim_install(server: str) -> None:
    schema = httpx.get(f"{server}/openapi.json").json()
    links = list(httpx.get(f"{server}/").json()["enlaces"].values())
    asked = 0
    for path, methods in schema["paths"].items():
        for method in methods:
            url = _filled(path, links) if "{" in path or path == "/buscar" else path
            response = _ask(server, method, url, links)
            assert response.status_code == 200, (method, url, response.text[:300])
            asked += 1
    assert asked == sum(len(m) for m in schema["paths"].values()) >= 15
    for extra in ("/app", "/docs", "/redoc", "/docs-static/swagger-ui-bundle.js", "/app/app.js"):
        response = httpx.get(f"{server}{extra}", timeout=30)
        assert response.status_code == 200, extra


def _ask(server: str, method: str, url: str, links: list[str]) -> httpx.Response:
    if method == "post" and url == "/recomendacion":
        title = unquote(_filled("/score_titulo/{titulo}", links).split("/", 2)[2])
        body = {"titulos": [title]}
        return httpx.post(f"{server}{url}", json=body, timeout=30)
    if method == "post":  # /admin/recargar: a real reload in the slim install
        headers = {"Authorization": f"Bearer {TOKEN}"}
        return httpx.post(f"{server}{url}", headers=headers, timeout=60)
    return httpx.get(f"{server}{url}", timeout=30)


def test_serve_without_a_catalog_says_what_to_install(slim: Slim, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILMOTECA_")}
    result = subprocess.run(
        [str(slim.bin / "filmoteca"), "serve", "--port", str(free_port())],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60,
    )  # fmt: skip
    message = " ".join(result.stderr.split())  # rich wraps long lines
    assert result.returncode == 2, message
    assert "solo sirve catálogos ya construidos" in message and "pip install filmoteca" in message
    assert "Traceback" not in message and "se construye" not in message
    assert not (tmp_path / "catalogo").exists()
