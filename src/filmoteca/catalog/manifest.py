"""A catalog's manifest and the integrity of its files, without Arrow (the server reads this).

`manifest.json` is written last by `filmoteca build`: its presence marks a complete catalog.
Besides what was built from what, it lists every other file of the catalog with its size and
sha256 (`files`), so that `verify` finds a truncated or corrupted file before anything is
served from it.

Hashing every byte at every start grows with the catalog (0.3 s of CPU for the 142 MB of the
45,466-movie one). So a file, once hashed whole and found matching, is recorded in a
verified-stamp (`.verificado.json` in the catalog, or in the user's cache folder when the
catalog is read-only) with its inode, size, mtime and ctime and a digest of its first and last
STAMP_BLOCK bytes. At the next start a file whose inode, size, mtimes and ctime are unchanged
and whose head and tail still hash the same is not hashed again. Rewriting, truncating or
editing a file changes its ctime (which no program can set back), so an altered file is hashed
whole again and refused; a copied catalog (new inodes) is hashed whole once.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from stat import S_ISREG
from typing import Any, cast

from ..errors import CatalogError, CatalogMissing

FORMAT_VERSION = 4
MANIFEST = "manifest.json"
_CHUNK = 1 << 20
STAMP = ".verificado.json"
STAMP_BLOCK = 16 << 10
_ABSENT = {errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP}  # as Path.is_file
_VERIFIED: dict[str, list[Any]] = {}
"""Per path, [inode, size, mtime_ns, ctime_ns, sha256, head-tail digest] of the files this
process found matching (`serve` checks the catalog before starting uvicorn, and the app checks
it again when it loads it), merged with the verified-stamps read from disk."""


def read_manifest(catalog_dir: Path) -> dict[str, Any]:
    """Read and check a catalog's manifest; raise CatalogMissing / CatalogError if unusable."""
    path = catalog_dir / MANIFEST
    try:
        present = catalog_dir.is_dir() and path.is_file()
    except OSError as exc:
        raise unreadable(path, exc) from exc
    if not present:
        raise CatalogMissing(
            f"No hay catálogo en '{catalog_dir}'. Constrúyalo con 'filmoteca build'.",
            path=str(catalog_dir),
        )
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except PermissionError as exc:
        raise unreadable(path, exc) from exc
    except (OSError, ValueError) as exc:
        raise CatalogError(
            f"El manifiesto '{path}' está dañado ({_why_unreadable(exc)}). "
            "Vuelva a construir el catálogo con 'filmoteca build'."
        ) from exc
    version = manifest.get("format_version") if isinstance(manifest, dict) else None
    if version != FORMAT_VERSION:
        raise CatalogError(
            f"El catálogo '{catalog_dir}' tiene el formato {version!r}; esta versión de "
            f"filmoteca lee el formato {FORMAT_VERSION}. Vuelva a construirlo con 'filmoteca build'."
        )
    return manifest


def unreadable(path: Path, exc: OSError) -> CatalogError:
    """The CatalogError for a catalog file this process may not read (e.g. permission denied)."""
    return CatalogError(
        f"No se puede leer el archivo '{path}' del catálogo: {_why(exc)}. Revise sus "
        "permisos (el usuario que sirve la API debe poder leerlo)."
    )


def _why(exc: OSError) -> str:
    return "permiso denegado" if isinstance(exc, PermissionError) else str(exc.strerror or exc)


def _sha256(path: Path) -> str:
    """sha256 of a file, read in 1 MB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def file_digests(catalog_dir: Path) -> dict[str, dict[str, Any]]:
    """Size and sha256 of every file of a catalog but the manifest, by relative path (hashed
    on two threads: hashlib lets go of the GIL)."""
    paths = [
        path for path in sorted(catalog_dir.rglob("*")) if path.is_file() and path.name != MANIFEST
    ]
    with ThreadPoolExecutor(2) as pool:
        digests = list(pool.map(_sha256, paths))
    return {
        path.relative_to(catalog_dir).as_posix(): {"bytes": path.stat().st_size, "sha256": digest}
        for path, digest in zip(paths, digests, strict=True)
    }


def _why_unreadable(exc: Exception) -> str:
    """Why a manifest could not be read, in Spanish (json's and codecs' texts are English)."""
    if isinstance(exc, json.JSONDecodeError):
        return f"no es JSON válido: línea {exc.lineno}, columna {exc.colno}"
    if isinstance(exc, UnicodeDecodeError):
        return f"no es texto UTF-8: byte {exc.start}"
    if isinstance(exc, OSError) and exc.strerror:
        return f"no se pudo leer: {exc.strerror}"
    return "no se pudo leer"


def verify(catalog_dir: Path, manifest: dict[str, Any]) -> None:
    """Raise CatalogError naming the first file that is missing, truncated or altered."""
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise CatalogError(
            f"El manifiesto de '{catalog_dir}' no lista sus archivos. "
            "Vuelva a construir el catálogo con 'filmoteca build'."
        )
    stamped = _read_stamp(catalog_dir)
    fresh = False
    root = catalog_dir.resolve()  # once: a resolve per file costs more than checking it
    for name, expected in files.items():
        path = catalog_dir / name
        try:
            entry = _verify_file(catalog_dir, name, path, expected, stamped.get(name), root)
        except OSError as exc:
            raise unreadable(path, exc) from exc
        fresh = fresh or entry != stamped.get(name)  # by value: the stamp was read anew
        stamped[name] = entry
    if fresh:
        _write_stamp(catalog_dir, {name: stamped[name] for name in files})


def _verify_file(
    catalog_dir: Path, name: str, path: Path, expected: dict[str, Any], stamped: Any, root: Path
) -> list[Any]:
    """The verified-stamp entry of one listed file: the one known (this process's, else the
    stamp's) if the file is provably unchanged since, else a new one after hashing it whole.
    CatalogError if it is missing or does not match its size and sha256."""
    stat = _stat_file(path)
    if stat is None:
        raise CatalogError(f"Falta el archivo '{name}' en el catálogo '{catalog_dir}'.")
    seen = [stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]
    key = str(root / name)  # the catalog's resolved folder: one key however it is named
    known = _VERIFIED.get(key) or stamped
    if _still_matches(path, known, seen, expected):
        _VERIFIED[key] = known
        return cast("list[Any]", known)
    if stat.st_size != expected.get("bytes") or _sha256(path) != expected.get("sha256"):
        raise CatalogError(
            f"El archivo '{name}' del catálogo '{catalog_dir}' está dañado o truncado "
            "(no coincide con el manifiesto). Vuelva a construir el catálogo con "
            "'filmoteca build'."
        )
    entry = _VERIFIED[key] = [*seen, expected["sha256"], _ends_digest(path)]
    return entry


def _stat_file(path: Path) -> os.stat_result | None:
    """A regular file's stat, None where there is none (what `Path.is_file` tells, with the
    same errors let through, in one system call instead of two)."""
    try:
        found = path.stat()
    except OSError as exc:
        if exc.errno in _ABSENT:
            return None
        raise
    except ValueError:  # a name no file can have (a NUL byte, a lone surrogate)
        return None
    return found if S_ISREG(found.st_mode) else None


def _still_matches(path: Path, known: Any, seen: list[int], expected: dict[str, Any]) -> bool:
    """Whether a file verified before is provably the same file, unchanged since."""
    return (
        isinstance(known, list)
        and len(known) == 6
        and known[:4] == seen
        and known[4] == expected.get("sha256")
        and seen[1] == expected.get("bytes")
        and known[5] == _ends_digest(path)
    )


def _ends_digest(path: Path) -> str:
    """sha256 of a file's size, first and last STAMP_BLOCK bytes (the whole of a small file)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        digest.update(str(size).encode())
        digest.update(handle.read(STAMP_BLOCK))
        if size > STAMP_BLOCK:
            handle.seek(max(size - STAMP_BLOCK, STAMP_BLOCK))
            digest.update(handle.read(STAMP_BLOCK))
    return digest.hexdigest()


def _stamp_paths(catalog_dir: Path) -> list[Path]:
    """Where a catalog's verified-stamp may live: in it, else in the user's cache folder."""
    resolved = str(catalog_dir.resolve())
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "filmoteca"
    return [
        catalog_dir / STAMP,
        cache / f"verificado-{hashlib.sha256(resolved.encode()).hexdigest()[:24]}.json",
    ]


def _read_stamp(catalog_dir: Path) -> dict[str, Any]:
    """The files a verified-stamp lists ({} when there is none or it cannot be read)."""
    for path in _stamp_paths(catalog_dir):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and isinstance(data.get("files"), dict):
            return dict(data["files"])
    return {}


def _write_stamp(catalog_dir: Path, files: dict[str, Any]) -> None:
    """Write the verified-stamp atomically where possible; never fail the check over it."""
    text = json.dumps({"files": files}, separators=(",", ":"))
    for path in _stamp_paths(catalog_dir):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as handle:
                handle.write(text)
            os.replace(handle.name, path)
            return
        except OSError:
            continue
