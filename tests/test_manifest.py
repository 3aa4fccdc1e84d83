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


@pytest.mark.parametrize("name", ["a.bin\x00", "a\ud800.bin", "sub", "sub/b.bin/x"])
def test_a_listed_name_that_is_no_file_is_reported_missing(folder: Path, name: str) -> None:
    files = {**file_digests(folder), name: {"bytes": 3, "sha256": "0" * 64}}
    with pytest.raises(CatalogError, match="Falta el archivo"):
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


@pytest.fixture
def big(folder: Path) -> tuple[Path, dict[str, object]]:
    """A folder with a file larger than the stamp's head and tail blocks, already verified."""
    from filmoteca.catalog import manifest

    (folder / "grande.bin").write_bytes(bytes(range(256)) * 1000)  # 256 KB
    files = file_digests(folder)
    verify(folder, {"files": files})
    manifest._VERIFIED.clear()  # as a new process would start
    return folder, files


def _count_hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from filmoteca.catalog import manifest

    hashed: list[str] = []
    real = manifest._sha256
    monkeypatch.setattr(manifest, "_sha256", lambda p: hashed.append(p.name) or real(p))
    return hashed


def test_a_new_process_trusts_the_stamp_of_unchanged_files(
    big: tuple[Path, dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, files = big
    assert (folder / ".verificado.json").is_file()
    hashed = _count_hashes(monkeypatch)
    verify(folder, {"files": files})
    assert hashed == []


def test_the_stamp_is_written_when_something_was_hashed_not_at_every_check(
    big: tuple[Path, dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from filmoteca.catalog import manifest

    folder, files = big
    written: list[int] = []
    real = manifest._write_stamp
    monkeypatch.setattr(manifest, "_write_stamp", lambda *a: written.append(1) or real(*a))
    for _ in range(3):  # a new process, then `serve`'s check and the app's load in one
        verify(folder, {"files": files})
    assert written == []
    same = (folder / "a.bin").read_bytes()
    (folder / "a.bin").write_bytes(same)  # rewritten, same bytes: hashed again, stamped
    verify(folder, {"files": files})
    assert written == [1]


def test_an_edit_that_puts_the_mtime_back_is_still_refused(
    big: tuple[Path, dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    folder, files = big
    path = folder / "grande.bin"
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[100_000] ^= 0xFF  # the middle: neither the head nor the tail block
    path.write_bytes(bytes(data))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    with pytest.raises(CatalogError, match=r"'grande\.bin' del catálogo .* dañado"):
        verify(folder, {"files": files})


def test_a_change_behind_unchanged_metadata_is_found_by_the_ends(
    big: tuple[Path, dict[str, object]],
) -> None:
    import json

    folder, files = big
    path = folder / "grande.bin"
    data = bytearray(path.read_bytes())
    data[10] ^= 0xFF  # in the head block
    path.write_bytes(bytes(data))
    stamp = json.loads((folder / ".verificado.json").read_text())
    now = path.stat()  # as if the change had left the metadata as it was
    stamp["files"]["grande.bin"][:4] = [now.st_ino, now.st_size, now.st_mtime_ns, now.st_ctime_ns]
    (folder / ".verificado.json").write_text(json.dumps(stamp))
    with pytest.raises(CatalogError, match=r"'grande\.bin' del catálogo"):
        verify(folder, {"files": files})


def test_an_unreadable_stamp_is_ignored_and_rewritten(
    big: tuple[Path, dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, files = big
    (folder / ".verificado.json").write_text("{roto")
    hashed = _count_hashes(monkeypatch)
    verify(folder, {"files": files})
    assert sorted(hashed) == ["a.bin", "b.bin", "grande.bin"]
    assert (folder / ".verificado.json").read_text().startswith('{"files"')


def test_a_copied_catalog_is_hashed_whole(
    big: tuple[Path, dict[str, object]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    folder, files = big
    copy = shutil.copytree(folder, tmp_path / "copia")
    hashed = _count_hashes(monkeypatch)
    verify(copy, {"files": files})
    assert sorted(hashed) == ["a.bin", "b.bin", "grande.bin"]
