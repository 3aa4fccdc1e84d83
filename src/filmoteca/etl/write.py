"""Writing the catalog (I/O only): streamed Parquet tables and an atomic directory swap."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..catalog import store
from ..errors import InputError, OutputError

# Text columns with about as many values as rows: a dictionary page costs time and saves nothing.
UNIQUE_TEXTS = {"cast": ("name", "character"), "crew": ("name",)}


class TableWriter:
    """Appends batches to one catalog table, cast to its declared schema."""

    def __init__(self, directory: Path, name: str) -> None:
        self.name = name
        self.schema = store.described_schema(name)  # columns described in the metadata
        self.rows = 0
        unique = UNIQUE_TEXTS.get(name, ())
        self._writer = pq.ParquetWriter(
            store.table_path(directory, name),
            self.schema,
            compression="zstd",
            use_dictionary=[f.name for f in self.schema if f.name not in unique],
            # min / max of long texts are never read: statistics for the numbers only
            write_statistics=[f.name for f in self.schema if not pa.types.is_string(f.type)],
        )

    def write(self, table: pa.Table) -> None:
        """Append rows (columns matched by name)."""
        if table.num_rows:
            self._writer.write_table(table.select(self.schema.names).cast(self.schema))
            self.rows += table.num_rows

    def close(self) -> None:
        """Finish the file (an empty table is still a valid file)."""
        self._writer.close()


def write_manifest(directory: Path, manifest: dict[str, Any]) -> None:
    """Write manifest.json (last: its presence marks a complete catalog)."""
    text = json.dumps(manifest, ensure_ascii=False, indent=2, default=str)
    (directory / store.MANIFEST).write_text(text + "\n", encoding="utf-8")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale(parent: Path, name: str) -> None:
    """Remove leftovers of builds that were killed (their process is gone)."""
    for leftover in parent.glob(f".{name}.build-*"):
        pid = leftover.name.split("build-", 1)[1].split("-", 1)[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def check_target(target: Path) -> None:
    """Refuse to replace a directory that is neither empty nor a filmoteca catalog."""
    if target.exists() and not target.is_dir():
        raise InputError(f"La salida '{target}' existe y no es una carpeta.")
    if target.is_dir() and any(target.iterdir()) and not _is_catalog(target):
        raise InputError(
            f"La carpeta de salida '{target}' no está vacía y no es un catálogo de filmoteca: "
            "elija otra carpeta."
        )


def _is_catalog(folder: Path) -> bool:
    """Whether a folder holds a filmoteca catalog (of any format): its manifest.json is a
    JSON object with the catalog's `format_version` and `filmoteca_version` (any other file of
    that name, e.g. another tool's, does not make the folder ours to replace)."""
    try:
        with (folder / store.MANIFEST).open("rb") as handle:
            manifest = json.loads(handle.read(8 << 20))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and {"format_version", "filmoteca_version"} <= manifest.keys()


_SHORT_WRITE = re.compile(r"\d+ requested and \d+ written")


def _reason(exc: OSError) -> str:
    """An OSError in Spanish (errno first; Arrow's I/O errors only carry the C message, and
    numpy's short write to a full disk only 'N requested and M written')."""
    code, text = exc.errno, str(exc)
    if code in (errno.ENOSPC, errno.EDQUOT) or "No space left" in text or _SHORT_WRITE.search(text):
        return "no queda espacio en el disco"
    if code in (errno.EACCES, errno.EPERM) or "Permission denied" in text:
        return "permiso denegado"
    if code == errno.EROFS or "Read-only file system" in text:
        return "el sistema de archivos es de solo lectura"
    return exc.strerror or text


def output_error(target: Path, exc: OSError) -> OutputError:
    """The OutputError for an OSError met while writing the catalog `target`."""
    where = f" ('{exc.filename}')" if exc.filename else ""
    return OutputError(
        f"No se pudo escribir el catálogo '{target}': {_reason(exc)}{where}. "
        "El catálogo anterior, si lo había, sigue intacto."
    )


def _make_parent(target: Path) -> Path:
    """Create the output's parent folder; OutputError if a file is in the way or it cannot."""
    parent = target.parent
    for ancestor in (parent, *parent.parents):
        if ancestor.exists() and not ancestor.is_dir():
            raise OutputError(
                f"No se puede crear la carpeta de salida '{target}': '{ancestor}' es un archivo, "
                "no una carpeta."
            )
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(target, exc) from exc
    return parent


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def build_lock(target: Path) -> Iterator[None]:
    """Hold an exclusive lock on `target` (the file `.<name>.lock` beside it) for the block;
    OutputError at once if another build holds it."""
    path = target.parent / f".{target.name}.lock"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise output_error(target, exc) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(
                f"Otra construcción está escribiendo ya el catálogo '{target}'. Espere a que "
                "termine (o elija otra carpeta de salida) y vuelva a intentarlo."
            ) from None
        yield
    finally:
        os.close(fd)  # releases the lock


@contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yield a temporary directory beside `target`; on success it replaces `target` by renames.

    Only one build at a time writes `target` (`build_lock`). On any failure the temporary
    directory is removed and `target` is left untouched; an OSError (full disk, no permission)
    becomes an OutputError.
    """
    check_target(target)
    parent = _make_parent(target)
    with build_lock(target):
        _remove_stale(parent, target.name)
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.build-{os.getpid()}-", dir=parent))
            tmp.chmod(0o777 & ~_umask())  # a catalog folder as mkdir makes it, not mkdtemp's 0700
        except OSError as exc:
            raise output_error(target, exc) from exc
        try:
            yield tmp
            _swap(tmp, target)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise output_error(target, exc) from exc
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def _swap(tmp: Path, target: Path) -> None:
    """Put `tmp` in place of `target` by two renames (the old one is restored on failure)."""
    old = tmp.parent / f"{tmp.name}.old"
    if target.exists():
        target.rename(old)
    try:
        tmp.rename(target)
    except OSError:
        if old.exists():
            old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)
