"""`filmoteca download`: kagglehub replaced by local fakes (no network in tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kagglehub
import kagglehub.exceptions as kexc
import pytest
import requests
from click.testing import CliRunner

from filmoteca.cli import cli
from filmoteca.download import DATASET, FILES, download_dataset
from filmoteca.errors import ExternalError, InputError


class FakeKaggle:
    """Stands in for `kagglehub.dataset_download`: serves files from a local 'cache'."""

    def __init__(self, cache: Path, *, as_dir: bool = False, fail: Exception | None = None):
        self.cache = cache
        self.as_dir = as_dir
        self.fail = fail
        self.calls: list[dict[str, Any]] = []

    def __call__(self, handle: str, path: str | None = None, **kwargs: Any) -> str:
        self.calls.append({"handle": handle, "path": path, **kwargs})
        if self.fail is not None:
            raise self.fail
        assert path is not None
        folder = self.cache / path.replace(".", "_")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(f"id,contenido de {path}\n1,x\n", encoding="utf-8")
        return str(folder if self.as_dir else folder / path)


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeKaggle:
    """A working fake installed in place of kagglehub's network call."""
    fake = FakeKaggle(tmp_path / "cache")
    monkeypatch.setattr(kagglehub, "dataset_download", fake)
    return fake


def _http_error(status: int) -> kexc.KaggleApiHTTPError:
    response = requests.Response()
    response.status_code = status
    return kexc.KaggleApiHTTPError(f"{status} Client Error.", response=response)


def test_download_copies_the_three_files_the_build_reads(fake: FakeKaggle, tmp_path: Path) -> None:
    files = download_dataset(tmp_path / "datos")
    assert [f.name for f in files] == list(FILES)
    for item in files:
        assert item.path.read_text(encoding="utf-8").startswith(f"id,contenido de {item.name}")
        assert item.bytes == item.path.stat().st_size
    assert {c["handle"] for c in fake.calls} == {DATASET}
    assert [c["path"] for c in fake.calls] == list(FILES)  # never the 700 MB ratings.csv
    assert sorted(p.name for p in (tmp_path / "datos").iterdir()) == sorted(FILES)


def test_download_accepts_a_directory_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kagglehub, "dataset_download", FakeKaggle(tmp_path / "c", as_dir=True))
    files = download_dataset(tmp_path / "datos")
    assert all(f.path.is_file() for f in files)


def test_cli_download_prints_files_and_next_step(fake: FakeKaggle, tmp_path: Path) -> None:
    out = tmp_path / "datos"
    result = CliRunner().invoke(cli, ["download", "--output", str(out), "--forzar"])
    assert result.exit_code == 0, result.output
    assert "movies_metadata.csv" in result.output
    assert f"filmoteca build --input {out}" in result.output.replace("\n", "")
    assert all(c["force_download"] is True for c in fake.calls)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (requests.ConnectionError("Failed to resolve 'api.kaggle.com'"), "No se pudo conectar"),
        (requests.Timeout("read timed out"), "No se pudo conectar"),
        (kexc.UnauthenticatedError(), "credenciales"),
        (kexc.CredentialError("no token"), "credenciales"),
        (_http_error(401), "credenciales"),
        (_http_error(403), "credenciales"),
        (kexc.NotFoundError("missing"), "no encuentra"),
        (kexc.BackendError("boom", 500), "falló"),
    ],
)
def test_cli_download_failures_are_clear_spanish_and_exit_5(
    error: Exception, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kagglehub, "dataset_download", FakeKaggle(tmp_path / "c", fail=error))
    out = tmp_path / "datos"
    result = CliRunner().invoke(cli, ["download", "--output", str(out)])
    assert result.exit_code == 5
    text = result.output.replace("\n", " ")
    assert "Error:" in text and expected in text and DATASET in text
    assert "Traceback" not in result.output
    assert not out.exists()


def test_failure_is_chained_to_the_original_exception(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cause = requests.ConnectionError("no route")
    monkeypatch.setattr(kagglehub, "dataset_download", FakeKaggle(tmp_path / "c", fail=cause))
    with pytest.raises(ExternalError) as info:
        download_dataset(tmp_path / "datos")
    assert info.value.__cause__ is cause and info.value.details["kind"] == "network"


def test_a_later_failure_leaves_no_partial_download(
    fake: FakeKaggle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def flaky(handle: str, path: str | None = None, **kwargs: Any) -> str:
        if path == "keywords.csv":
            raise requests.ConnectionError("connection reset")
        return fake(handle, path, **kwargs)

    monkeypatch.setattr(kagglehub, "dataset_download", flaky)
    with pytest.raises(ExternalError):
        download_dataset(tmp_path / "datos")
    assert not (tmp_path / "datos").exists()


def test_answer_without_the_file_is_an_external_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "vacio"
    empty.mkdir()
    monkeypatch.setattr(kagglehub, "dataset_download", lambda *a, **k: str(empty))
    with pytest.raises(ExternalError, match=r"no contiene 'movies_metadata\.csv'"):
        download_dataset(tmp_path / "datos")


def test_output_that_is_a_file_is_refused_before_downloading(
    fake: FakeKaggle, tmp_path: Path
) -> None:
    target = tmp_path / "archivo"
    target.write_text("x")
    with pytest.raises(InputError, match="no es una carpeta"):
        download_dataset(target)
    assert fake.calls == []
