"""The README works as written: its Python runs, its HTTP examples answer, its links exist."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from filmoteca.api.app import create_app
from filmoteca.catalog import Catalog
from filmoteca.config import Settings
from filmoteca.etl.pipeline import build_catalog

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
INSIDER = re.compile(
    r"(?<![-\w])(seed|especificaci[oó]n|estas máquinas|la misión)\b", re.IGNORECASE
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "catalogo"
    build_catalog(None, out)
    return out


@pytest.fixture(scope="module")
def client(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(catalog_dir=demo, report_dir=tmp_path_factory.mktemp("informe"))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_readme_is_short_and_speaks_to_users() -> None:
    assert len(README.splitlines()) <= 250
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        found = INSIDER.search(page.read_text(encoding="utf-8"))
        assert found is None, (page.name, found)


def test_readme_starts_with_the_two_commands() -> None:
    first = re.search(r"```bash\n(.*?)```", README, re.S)
    assert first is not None
    commands = [line.split("#")[0].strip() for line in first.group(1).splitlines()]
    assert commands == ["make serve", "make test"]


def test_readme_links_exist() -> None:
    for link in re.findall(r"\]\(((?:docs/)?[\w./-]+\.md)\)", README):
        assert (ROOT / link).is_file(), link


def test_readme_http_examples_answer_on_the_demo_catalog(client: TestClient) -> None:
    rows = re.findall(r"^\| `(GET|POST) [^|]*\| `curl ([^`]+)` \| (.*) \|$", README, re.M)
    assert len(rows) >= 10
    for _method, command, shown in rows:
        url = re.search(r"'?localhost:8000(/[^' ]*)'?", command)
        assert url is not None, command
        path = unquote(url.group(1))
        body = re.search(r"-d '([^']+)'", command)
        response = client.post(path, json=json.loads(body.group(1))) if body else client.get(path)
        assert response.status_code == 200, (path, response.text)
        if shown.startswith("`{") and "…" not in shown:  # a full answer: exactly this one
            assert response.json() == json.loads(shown.strip("`")), path


def _python_blocks() -> str:
    return "\n".join(re.findall(r"```python\n(.*?)```", README, re.S))


def test_readme_python_section_runs(
    demo: Path, real_catalog_or_none: Path | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = _python_blocks()
    assert (
        'filmoteca.open_catalog("catalogo")' in code and 'cat.recommend("Toy Story", k=5)' in code
    )
    catalog = real_catalog_or_none or demo
    if real_catalog_or_none is None:  # the demo has other titles: the README says which
        ex = Catalog.load(demo).examples
        for old, new in {
            "Toy Story": ex.title,
            "Tom Hanks": ex.actor,
            "Steven Spielberg": ex.director,
            '"Up"': f'"{ex.repeated_title}"',
        }.items():
            code = code.replace(old, str(new))
    (tmp_path / "catalogo").symlink_to(catalog)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # the README's own code
    recommended = namespace["cat"].recommend("Comet Street" if catalog == demo else "Toy Story")  # type: ignore[attr-defined]
    assert len(recommended) == 5
    assert type(namespace["figure"]).__name__ == "Figure"
    assert namespace["movies"]["budget"].isna().any()  # type: ignore[index]


@pytest.fixture
def real_catalog_or_none(request: pytest.FixtureRequest) -> Path | None:
    """The real catalog when the real data is there (else None: the demo stands in)."""
    if os.environ.get("FILMOTECA_README_DEMO"):
        return None
    try:
        return request.getfixturevalue("real_catalog")  # type: ignore[no-any-return]
    except pytest.skip.Exception:
        return None
