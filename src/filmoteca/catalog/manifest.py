"""A catalog's manifest and the integrity of its files, without Arrow (the server reads this).

`manifest.json` is written last by `filmoteca build`: its presence marks a complete catalog.
Besides what was built from what, it lists every other file of the catalog with its size and
sha256 (`files`), so that `verify` finds a truncated or corrupted file before anything is
served from it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..errors import CatalogError, CatalogMissing

FORMAT_VERSION = 2
MANIFEST = "manifest.json"
_CHUNK = 1 << 20
_VERIFIED: dict[str, tuple[int, int, int, str]] = {}
"""Per path, the (inode, size, mtime, sha256) this process last found matching: `serve` checks
the catalog before starting uvicorn, and the app checks it again when it loads it in the same
process; an unchanged file is not hashed twice (a rebuilt or edited one is)."""


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
        raise CatalogError(f"El manifiesto '{path}' está dañado: {exc}") from exc
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
    """Size and sha256 of every file of a catalog but the manifest, by relative path."""
    return {
        path.relative_to(catalog_dir).as_posix(): {
            "bytes": path.stat().st_size,
            "sha256": _sha256(path),
        }
        for path in sorted(catalog_dir.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


def verify(catalog_dir: Path, manifest: dict[str, Any]) -> None:
    """Raise CatalogError naming the first file that is missing, truncated or altered."""
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise CatalogError(
            f"El manifiesto de '{catalog_dir}' no lista sus archivos. "
            "Vuelva a construir el catálogo con 'filmoteca build'."
        )
    for name, expected in files.items():
        path = catalog_dir / name
        try:
            _verify_file(catalog_dir, name, path, expected)
        except OSError as exc:
            raise unreadable(path, exc) from exc


def _verify_file(catalog_dir: Path, name: str, path: Path, expected: dict[str, Any]) -> None:
    """CatalogError if one listed file is missing or does not match its size and sha256."""
    if not path.is_file():
        raise CatalogError(f"Falta el archivo '{name}' en el catálogo '{catalog_dir}'.")
    stat = path.stat()
    key, seen = str(path.resolve()), (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if _VERIFIED.get(key) == (*seen, expected.get("sha256")):
        return  # hashed already by this process, and the file has not changed since
    if stat.st_size != expected.get("bytes") or _sha256(path) != expected.get("sha256"):
        raise CatalogError(
            f"El archivo '{name}' del catálogo '{catalog_dir}' está dañado o truncado "
            "(no coincide con el manifiesto). Vuelva a construir el catálogo con "
            "'filmoteca build'."
        )
    _VERIFIED[key] = (*seen, expected["sha256"])
