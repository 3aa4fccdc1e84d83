"""Deployment files agree with the code: Dockerfile, render.yaml, .dockerignore, README table.

Docker and Render cannot run here, so this checks what they rely on: the CLI commands and
options they call exist, every FILMOTECA_* variable they set is a setting (with a valid value),
the paths they copy exist, and the health-check paths are routes of the app.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from filmoteca.api.app import create_app
from filmoteca.cli import cli
from filmoteca.config import Settings

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
RENDER: dict[str, Any] = yaml.safe_load((ROOT / "render.yaml").read_text(encoding="utf-8"))
SERVICE = RENDER["services"][0]
ENV_NAME = re.compile(r"\bFILMOTECA_[A-Z_]+\b")


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    lines = [line for line in DOCKERFILE.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [
        (parts[0].upper(), parts[1] if len(parts) > 1 else "")
        for line in joined.splitlines()
        if (parts := line.strip().split(None, 1))
    ]


def _filmoteca_calls(text: str) -> list[list[str]]:
    """Every `filmoteca <command> ...` invocation in a shell text (or exec-form JSON array)."""
    if text.startswith("["):
        text = json.loads(text)[-1]
    calls = []
    for segment in re.split(r";|&&|\|\||\bthen\b|\belse\b|\bfi\b", text):
        words = shlex.split(segment)
        words = words[1:] if words[:1] == ["exec"] else words
        if words[:1] == ["filmoteca"] and len(words) > 1:
            calls.append(words[1:])
    return calls


def _settings_env() -> set[str]:
    return {f"FILMOTECA_{name.upper()}" for name in Settings.model_fields}


def _check_call(args: list[str]) -> None:
    """The command exists and each --option it is given is one of its options."""
    command = cli.commands.get(args[0])
    assert isinstance(command, click.Command), f"'filmoteca {args[0]}' no existe"
    known = {opt for p in command.params for opt in getattr(p, "opts", [])}
    for arg in args[1:]:
        if arg.startswith("--"):
            assert arg in known, f"'filmoteca {args[0]}' no tiene la opción {arg}"


def test_dockerfile_is_multi_stage_slim_and_non_root() -> None:
    steps = _instructions()
    stages = [args.split()[-1] for name, args in steps if name == "FROM"]
    assert stages == ["builder", "catalog", "runtime"]
    assert re.search(r"ARG PYTHON_IMAGE=python:3\.1[1-9]-slim", DOCKERFILE)
    users = [args for name, args in steps if name == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert ("RUN", "pip install -c requirements-runtime.lock .") in steps


def test_dockerfile_calls_existing_commands_and_options() -> None:
    calls = [
        call
        for name, args in _instructions()
        if name in ("RUN", "CMD")
        for call in _filmoteca_calls(args)
    ]
    assert [c[0] for c in calls] == ["build", "build", "serve"]
    for call in calls:
        _check_call(call)
    cmd = next(args for name, args in _instructions() if name == "CMD")
    assert "exec filmoteca serve --host 0.0.0.0 --port ${PORT}" in cmd  # PID 1 gets SIGTERM


def test_dockerfile_copies_paths_that_exist() -> None:
    for name, args in _instructions():
        if name == "COPY" and "--from" not in args:
            *sources, _target = args.split()
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: no existe"


def test_dockerfile_env_and_render_env_are_valid_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    env = dict(re.findall(r"(FILMOTECA_[A-Z_]+)=(\S+)", DOCKERFILE))
    env |= {v["key"]: v["value"] for v in SERVICE["envVars"] if "value" in v}
    env |= {v["key"]: "generado" for v in SERVICE["envVars"] if v.get("generateValue")}
    ours = {k: v for k, v in env.items() if k.startswith("FILMOTECA_")}
    assert set(ours) <= _settings_env(), set(ours) - _settings_env()
    for key, value in ours.items():
        monkeypatch.setenv(key, value)
    settings = Settings()  # raises if any value does not validate
    assert settings.catalog_dir == Path("/app/catalogo") and settings.log_format == "json"
    assert settings.admin_token is not None and settings.workers == 1


def test_render_blueprint_matches_the_dockerfile_and_the_app(tmp_path: Path) -> None:
    assert SERVICE["type"] == "web" and SERVICE["runtime"] == "docker"
    assert SERVICE["plan"] == "free"
    assert (ROOT / SERVICE["dockerfilePath"]).is_file()
    build_args = {v["key"] for v in SERVICE["envVars"] if not v["key"].startswith("FILMOTECA_")}
    declared = {args.split("=")[0] for name, args in _instructions() if name == "ARG"}
    assert build_args <= declared, build_args - declared
    check = next(args for name, args in _instructions() if name == "HEALTHCHECK")
    healthcheck = re.search(r"\}/(\w+)", check)
    assert healthcheck
    app = create_app(Settings(catalog_dir=tmp_path / "sin-catalogo"))
    routes = {getattr(r, "path", None) for r in app.routes if "GET" in getattr(r, "methods", ())}
    assert SERVICE["healthCheckPath"] in routes and f"/{healthcheck.group(1)}" in routes


def test_dockerignore_keeps_what_the_build_needs_and_drops_secrets() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        return any(
            fnmatch.fnmatch(path, p) or path.startswith(p.rstrip("/") + "/") for p in patterns
        )

    needed_files = (
        "pyproject.toml",
        "README.md",
        "requirements-runtime.lock",
        "src/filmoteca/cli.py",
    )
    for needed in (*needed_files, "datos/credits.csv"):
        assert not ignored(needed), needed
    for dropped in (".env", ".venv/bin/python", ".git/config", "catalogo/movies.parquet"):
        assert ignored(dropped), dropped


def test_readme_documents_every_setting_and_only_real_ones() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    deploy = readme.split("<!-- SECTION:DEPLOY -->", 1)[1].split("\n## ", 1)[0]
    table = {
        m
        for line in deploy.splitlines()
        if line.startswith("| `FILMOTECA_")
        for m in ENV_NAME.findall(line)
    }
    assert table == _settings_env()
    assert set(ENV_NAME.findall(deploy)) <= _settings_env()


def test_readme_deploy_commands_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    deploy = readme.split("<!-- SECTION:DEPLOY -->", 1)[1].split("\n## ", 1)[0]
    calls = _filmoteca_calls(" ; ".join(re.findall(r"`(filmoteca [^`]+)`", deploy)))
    assert {c[0] for c in calls} >= {"download", "build", "serve"}
    for call in calls:
        _check_call([word for word in call if not word.startswith("<")])


def _pins(name: str) -> dict[str, Version]:
    """Package (canonical name) -> pinned version of a lock file; every line must pin (==)."""
    pins = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            (spec,) = requirement.specifier  # exactly one specifier...
            assert spec.operator == "==", line  # ...and it pins
            pins[canonicalize_name(requirement.name)] = Version(spec.version)
    return pins


def _declared(extra: str | None) -> list[Requirement]:
    """The dependencies pyproject.toml declares (runtime, or those of an extra)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return [Requirement(line) for line in lines]


@pytest.mark.parametrize(
    ("lock", "extras"),
    [("requirements-runtime.lock", (None,)), ("requirements.lock", (None, "dev"))],
)
def test_lock_files_pin_every_declared_dependency_within_its_range(
    lock: str, extras: tuple[str | None, ...]
) -> None:
    pins = _pins(lock)
    for extra in extras:
        for requirement in _declared(extra):
            version = pins.get(canonicalize_name(requirement.name))
            assert version is not None, f"{requirement.name} falta en {lock}"
            assert requirement.specifier.contains(version, prereleases=True), (requirement, version)


def test_runtime_lock_agrees_with_the_full_lock_and_is_what_the_image_installs() -> None:
    runtime, full = _pins("requirements-runtime.lock"), _pins("requirements.lock")
    assert {name: full.get(name) for name in runtime} == runtime
    assert "COPY pyproject.toml README.md requirements-runtime.lock" in DOCKERFILE
    assert "pip install -c requirements-runtime.lock ." in DOCKERFILE
