"""The manifest's file list and the integrity check before serving (filmoteca.catalog.manifest)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from filmoteca.catalog.manifest import MANIFEST, file_digests, verify
from filmoteca.errors import CatalogError


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.bin").write_bytes(b"uno")
    (tmp_path / "sub" / "b.bin").write_bytes(b"dos" * 1000)
    (tmp_path / MANIFEST).write_text("{}")
    return tmp_path


def test_digests_list_every_file_but_the_manifest(folder: Path) -> None:
    files = file_digests(folder)
    assert sorted(files) == ["a.bin", "sub/b.bin"]
    assert files["a.bin"]["bytes"] == 3 and len(files["a.bin"]["sha256"]) == 64
    verify(folder, {"files": files})


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda f: (f / "sub" / "b.bin").unlink(), "Falta el archivo 'sub/b.bin'"),
        (lambda f: (f / "a.bin").write_bytes(b"un"), "'a.bin' del catálogo .* truncado"),
        (lambda f: (f / "a.bin").write_bytes(b"uNo"), "'a.bin' del catálogo .* dañado"),
    ],
)
def test_missing_truncated_or_altered_files_are_named(
    folder: Path, damage: Callable[[Path], object], message: str
) -> None:
    files = file_digests(folder)
    damage(folder)
    with pytest.raises(CatalogError, match=message):
        verify(folder, {"files": files})


def test_a_manifest_without_its_file_list_is_refused(folder: Path) -> None:
    with pytest.raises(CatalogError, match="no lista sus archivos"):
        verify(folder, {})


def test_an_unchanged_file_is_hashed_once_and_a_changed_one_again(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from filmoteca.catalog import manifest

    files = file_digests(folder)
    hashed: list[str] = []
    real = manifest._sha256
    monkeypatch.setattr(manifest, "_sha256", lambda p: hashed.append(p.name) or real(p))
    verify(folder, {"files": files})
    verify(folder, {"files": files})  # as `serve` and then the app's load do
    assert sorted(hashed) == ["a.bin", "b.bin"]
    (folder / "a.bin").write_bytes(b"uNo")  # same size, new content
    with pytest.raises(CatalogError, match=r"'a\.bin' del catálogo"):
        verify(folder, {"files": files})
