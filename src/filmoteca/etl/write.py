"""Writing the catalog (I/O only): streamed Parquet tables and an atomic directory swap."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..catalog import store
from ..errors import InputError


class TableWriter:
    """Appends batches to one catalog table, cast to its declared schema."""

    def __init__(self, directory: Path, name: str) -> None:
        self.name = name
        self.schema = store.described_schema(name)  # columns described in the metadata
        self.rows = 0
        self._writer = pq.ParquetWriter(
            store.table_path(directory, name), self.schema, compression="zstd"
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
    if target.is_dir() and any(target.iterdir()) and not (target / store.MANIFEST).is_file():
        raise InputError(
            f"La carpeta de salida '{target}' no está vacía y no es un catálogo de filmoteca: "
            "elija otra carpeta."
        )


@contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yield a temporary directory beside `target`; on success it replaces `target` by renames.

    On any failure the temporary directory is removed and `target` is left untouched.
    """
    check_target(target)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(parent, target.name)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.build-{os.getpid()}-", dir=parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = parent / f"{tmp.name}.old"
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)
