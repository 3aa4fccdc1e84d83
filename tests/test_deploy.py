"""Deployment files agree with the code: Dockerfile, render.yaml, .dockerignore, locks, docs.

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
    assert stages == ["wheel", "slim", "catalog", "runtime"]
    assert re.search(r"ARG PYTHON_IMAGE=python:3\.1[1-9]-slim", DOCKERFILE)
    users = [args for name, args in steps if name == "USER"]
    assert users and users[-1] not in ("root", "0")
    runtime = DOCKERFILE.split("AS runtime", 1)[1]
    assert "COPY --from=slim /opt/venv /opt/venv" in runtime  # the slim environment, not the full


def _stages() -> dict[str, list[tuple[str, str]]]:
    """Instructions of each named stage."""
    stages: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for name, args in _instructions():
        if name == "FROM":
            current = stages.setdefault(args.split()[-1], [])
        current.append((name, args))
    return stages


def test_dockerfile_installs_only_from_hashed_locks_before_the_source() -> None:
    locks = {
        "wheel": "requirements-build.lock",
        "slim": "requirements-slim.lock",
        "catalog": "requirements-runtime.lock",
    }
    for stage, steps in _stages().items():
        installs = [args for name, args in steps if name == "RUN" and "pip install" in args]
        for args in installs:  # every install is hash-checked, or of our own wheel only
            assert "--require-hashes -r" in args or "--no-deps /wheels/" in args, args
        if stage in locks:
            lock_install = next(i for i, (n, a) in enumerate(steps) if "--require-hashes" in a)
            assert locks[stage] in steps[lock_install][1]
            sources = [i for i, (n, a) in enumerate(steps) if n == "COPY" and "src" in a.split()]
            wheels = [i for i, (n, a) in enumerate(steps) if "/wheels" in a]
            assert all(lock_install < i for i in sources + wheels), stage  # deps layer first


def test_dockerfile_calls_existing_commands_and_options() -> None:
    calls = [
        call
        for name, args in _instructions()
        if name in ("RUN", "CMD")
        for call in _filmoteca_calls(args)
    ]
    assert [c[0] for c in calls] == ["build", "build", "report", "serve"]
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
    assert healthcheck and f"/{healthcheck.group(1)}" == SERVICE["healthCheckPath"] == "/listo"
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
        "LICENSE",
        *LOCK_FILES,
        "src/filmoteca/cli.py",
    )
    for needed in (*needed_files, "datos/credits.csv"):
        assert not ignored(needed), needed
    for dropped in (".env", ".venv/bin/python", ".git/config", "catalogo/movies.parquet"):
        assert ignored(dropped), dropped


def test_configuration_page_documents_every_setting_and_only_real_ones() -> None:
    page = (ROOT / "docs" / "configuracion.md").read_text(encoding="utf-8")
    table = {
        m
        for line in page.splitlines()
        if line.startswith("| `FILMOTECA_")
        for m in ENV_NAME.findall(line)
    }
    assert table == _settings_env()
    assert set(ENV_NAME.findall(page)) <= _settings_env()


def test_deploy_page_commands_exist() -> None:
    page = (ROOT / "docs" / "despliegue.md").read_text(encoding="utf-8")
    calls = _filmoteca_calls(" ; ".join(re.findall(r"^(filmoteca [^#\n]+)", page, re.M)))
    calls += _filmoteca_calls(" ; ".join(re.findall(r"`(filmoteca [^`]+)`", page)))
    assert {c[0] for c in calls} >= {"download", "build", "serve"}
    for call in calls:
        _check_call([word for word in call if not word.startswith("<")])


LOCK_FILES = (
    "requirements.lock",
    "requirements-runtime.lock",
    "requirements-slim.lock",
    "requirements-build.lock",
)
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _pins(name: str) -> dict[str, Version]:
    """Package (canonical name) -> pinned version; every requirement pins (==) with hashes."""
    text = re.sub(r"\\\n", " ", (ROOT / name).read_text(encoding="utf-8"))
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement, *options = line.split(" --hash=")
            assert options and all(o.startswith("sha256:") for o in options), line
            parsed = Requirement(requirement)
            (spec,) = parsed.specifier  # exactly one specifier...
            assert spec.operator == "==", line  # ...and it pins
            pins[canonicalize_name(parsed.name)] = Version(spec.version)
    return pins


def _declared(group: str | None) -> list[Requirement]:
    """The dependencies pyproject.toml declares (the project's, or a dependency group's)."""
    lines = PROJECT["dependency-groups"][group] if group else PROJECT["project"]["dependencies"]
    return [Requirement(line) for line in lines]


@pytest.mark.parametrize(
    ("lock", "groups"),
    [
        ("requirements.lock", (None, "dev", "build")),
        ("requirements-runtime.lock", (None,)),
        ("requirements-slim.lock", ("serve",)),
        ("requirements-build.lock", ("build",)),
    ],
)
def test_lock_files_pin_every_declared_dependency_within_its_range(
    lock: str, groups: tuple[str | None, ...]
) -> None:
    pins = _pins(lock)
    for group in groups:
        for requirement in _declared(group):
            version = pins.get(canonicalize_name(requirement.name))
            assert version is not None, f"{requirement.name} falta en {lock}"
            assert requirement.specifier.contains(version, prereleases=True), (requirement, version)


def test_every_lock_agrees_with_the_full_lock() -> None:
    full = _pins("requirements.lock")
    for lock in LOCK_FILES[1:]:
        pins = _pins(lock)
        assert {name: full.get(name) for name in pins} == pins, lock


def test_serve_group_is_a_subset_of_the_project_dependencies_with_the_same_ranges() -> None:
    project = {str(r) for r in _declared(None)}
    assert {str(r) for r in _declared("serve")} <= project
    assert "dev" not in PROJECT["project"].get("optional-dependencies", {})


def test_make_setup_installs_the_full_lock_with_hashes() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements.lock" in makefile
    assert "--no-deps --no-build-isolation --quiet -e ." in makefile


def test_license_and_project_metadata() -> None:
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    project = PROJECT["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert {"Homepage", "Documentation", "Source", "Issues"} <= set(project["urls"])
    assert "Natural Language :: Spanish" in project["classifiers"]
    assert "Typing :: Typed" in project["classifiers"]
    assert (ROOT / "src" / "filmoteca" / "py.typed").is_file()
