"""Reliability: fuzzing the API from its own OpenAPI schema, and faults around real processes.

- schemathesis generates valid and invalid requests for every route of the schema (>= 1000 in
  all, in-process ASGI): no 5xx, and every response matches the schema (status, content type,
  headers, body).
- A truncated or corrupt catalog makes `filmoteca serve` refuse to start with a Spanish message.
- SIGKILL in the middle of `filmoteca build` leaves the previous catalog intact.
- SIGTERM while a request is in flight: the request completes, then the server exits cleanly.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from filmoteca.api.app import create_app
from filmoteca.catalog import Catalog
from filmoteca.config import Settings
from filmoteca.etl.pipeline import build_catalog
from servers import free_port

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 60  # per generation mode
MIN_CASES = 1000
FILMOTECA = [sys.executable, "-m", "filmoteca.cli"]


@pytest.fixture(scope="module")
def demo_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped demo catalog, with its recommender and web cards."""
    out = tmp_path_factory.mktemp("fiab") / "catalogo"
    build_catalog(None, out)
    return out


def _fuzz_operation(operation: Any, mode: GenerationMode) -> tuple[int, str | None]:
    """Run generated cases of one operation; return how many ran and the failure, if any."""
    ran = [0]

    @given(case=operation.as_strategy(generation_mode=mode))
    @hsettings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        ran[0] += 1
        case.call_and_validate(checks=CHECKS)

    try:
        run()
    except Unsatisfiable:  # no way to make an invalid request (a route without parameters)
        return ran[0], None
    except (AssertionError, Exception, BaseExceptionGroup) as exc:
        return ran[0], f"{mode.value} {operation.label}:\n{exc}"
    return ran[0], None


@pytest.mark.slow
def test_fuzzing_every_route_finds_no_5xx_and_no_schema_violation(
    demo_catalog: Path, tmp_path: Path
) -> None:
    settings = Settings(
        catalog_dir=demo_catalog, report_dir=tmp_path / "informe", admin_token="token-de-prueba"
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(settings))
    operations = [result.ok() for result in schema.get_all_operations()]
    total, failures = 0, []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for operation in operations:
            ran, failure = _fuzz_operation(operation, mode)
            total += ran
            failures += [failure] if failure else []
    print(f"\nschemathesis: {total} casos en {len(operations)} operaciones")
    assert failures == [], "\n\n".join(failures)
    assert total >= MIN_CASES
    assert {"/listo", "/metricas", "/admin/recargar", "/salud"} <= {op.path for op in operations}


# ------------------------------------------------------------------ real processes


def _wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"tiempo agotado esperando: {what}")


def _serve(catalog: Path, port: int, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `filmoteca serve` to completion (it is expected to refuse to start)."""
    return subprocess.run(
        [*FILMOTECA, "serve", "--catalog", str(catalog), "--port", str(port)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )


def _damaged_copy(source: Path, target: Path, damage: Callable[[bytes], bytes]) -> Path:
    """A copy of a catalog whose movies.parquet went through `damage`."""
    shutil.copytree(source, target)
    movies = target / "movies.parquet"
    movies.write_bytes(damage(movies.read_bytes()))
    return target


@pytest.mark.slow
def test_serve_refuses_a_truncated_catalog(demo_catalog: Path, tmp_path: Path) -> None:
    bad = _damaged_copy(demo_catalog, tmp_path / "truncado", lambda data: data[: len(data) // 2])
    result = _serve(bad, free_port())
    assert result.returncode == 3
    message = " ".join(result.stderr.split())
    assert "'movies.parquet' del catálogo" in message and "dañado o truncado" in message
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_serve_refuses_a_corrupt_catalog_whose_footer_is_intact(
    demo_catalog: Path, tmp_path: Path
) -> None:
    def garble(data: bytes) -> bytes:  # data pages overwritten, footer (schema) untouched
        return data[:4] + b"\x5a" * (len(data) // 2) + data[4 + len(data) // 2 :]

    bad = _damaged_copy(demo_catalog, tmp_path / "corrupto", garble)
    result = _serve(bad, free_port(), FILMOTECA_LOG_FORMAT="texto")
    assert result.returncode != 0
    message = " ".join(result.stderr.split())
    assert "El archivo 'movies.parquet' del catálogo" in message  # its sha256 differs
    assert "dañado o truncado" in message
    assert "Traceback" not in result.stderr


def _as_nobody() -> list[str]:
    """The command prefix that runs as an unprivileged user (empty when not root already)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("sin setpriv no se puede probar como usuario sin privilegios")
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["manifest.json", "movies.parquet", "fichas/characters.utf8.npy"])
def test_serve_refuses_an_unreadable_catalog_file_with_exit_3(
    demo_catalog: Path, name: str
) -> None:
    prefix = _as_nobody()
    shared = Path(tempfile.mkdtemp(prefix="filmoteca-test-"))
    try:
        shared.chmod(0o755)
        catalog = shared / "catalogo"
        shutil.copytree(demo_catalog, catalog)
        for path in catalog.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        (catalog / name).chmod(0o000)
        result = subprocess.run(
            [*prefix, *FILMOTECA, "serve", "--catalog", str(catalog), "--port", str(free_port())],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    finally:
        shutil.rmtree(shared)
    assert result.returncode == 3, result.stderr
    message = " ".join(result.stderr.split())
    assert f"No se puede leer el archivo '{catalog / name}' del catálogo: permiso denegado" in (
        message
    )
    assert "Traceback" not in result.stderr


def _tree_digest(directory: Path) -> dict[str, str]:
    """sha256 of every file under a directory, by relative path."""
    return {
        p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
@pytest.mark.realdata
def test_killing_a_build_midway_leaves_the_previous_catalog_intact(
    real_movies_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "catalogo"
    build_catalog(None, out, fit_recommender=False)  # the previous catalog: the demo
    before = _tree_digest(out)
    proc = subprocess.Popen(
        [*FILMOTECA, "build", "--input", str(real_movies_dir), "--output", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until(
            lambda: any(tmp_path.glob(".catalogo.build-*/*.parquet")),
            timeout=60,
            what="la construcción empieza a escribir tablas",
        )
        assert proc.poll() is None, "la construcción terminó antes de poder interrumpirla"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert _tree_digest(out) == before
    assert Catalog.load(out).movie_count == 40
    assert list(tmp_path.glob(".catalogo.build-*")), (
        "la construcción interrumpida deja su carpeta temporal"
    )
    build_catalog(None, out, fit_recommender=False)  # the next build clears the leftovers
    assert not list(tmp_path.glob(".catalogo.build-*"))


SLOW_RELOAD_SERVER = """
import sys, time
from filmoteca.catalog import Catalog
real_load = Catalog.load.__func__
calls = []
def slow_after_start(cls, directory):
    calls.append(directory)
    if len(calls) > 1:  # the start-up load is quick; a reload takes 2 s
        time.sleep(2.0)
    return real_load(cls, directory)
Catalog.load = classmethod(slow_after_start)
from filmoteca.cli import main
sys.argv = ["filmoteca", *sys.argv[1:]]
main()
"""


def _where(catalog: Path, port: int) -> list[str]:
    return ["--catalog", str(catalog), "--port", str(port)]


@pytest.fixture
def slow_reload_server(demo_catalog: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A real `filmoteca serve` whose catalog reload (POST /admin/recargar) takes 2 s."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_RELOAD_SERVER, "serve", *_where(demo_catalog, port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "FILMOTECA_ADMIN_TOKEN": "t0k3n", "FILMOTECA_LOG_FORMAT": "texto"},
    )
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        try:
            return httpx.get(f"{base}/listo", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        _wait_until(ready, timeout=30, what="el servidor responde en /listo")
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _in_progress(base: str) -> float:
    text = httpx.get(f"{base}/metricas", timeout=2).text
    line = next(x for x in text.splitlines() if x.startswith("filmoteca_http_requests_in_progress"))
    return float(line.split()[-1])


@pytest.mark.slow
def test_sigterm_lets_the_in_flight_request_finish(
    slow_reload_server: tuple[subprocess.Popen[str], str],
) -> None:
    proc, base = slow_reload_server
    result: dict[str, Any] = {}

    def reload() -> None:
        try:
            headers = {"Authorization": "Bearer t0k3n"}
            result["response"] = httpx.post(f"{base}/admin/recargar", headers=headers, timeout=30)
        except httpx.HTTPError as exc:
            result["error"] = exc

    client = threading.Thread(target=reload)
    client.start()
    _wait_until(lambda: _in_progress(base) >= 2, timeout=10, what="la recarga está en curso")
    proc.send_signal(signal.SIGTERM)
    client.join(timeout=30)
    output, _ = proc.communicate(timeout=30)
    assert "error" not in result, result.get("error")
    assert result["response"].status_code == 200
    assert result["response"].json()["estado"] == "recargado"
    # uvicorn re-raises the signal once shut down, so the exit status says "ended by SIGTERM".
    assert proc.returncode in (0, -signal.SIGTERM), output
    assert "Deteniendo el servidor" in output and "Traceback" not in output
