"""Fetching The Movies Dataset from Kaggle with `kagglehub` (the only networked code).

`download_dataset(output)` asks kagglehub for each file the build reads (one file at a time,
so the 700 MB `ratings.csv` of the dataset is never fetched), then copies them into `output`,
each through a temporary file and a rename, so `output` never holds a half-written CSV.
kagglehub's own failures (no network, no credentials, dataset not found...) are re-raised
as `ExternalError` with a Spanish message that says what to do.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ExternalError, InputError

DATASET = "rounakbanik/the-movies-dataset"
DATASET_URL = f"https://www.kaggle.com/datasets/{DATASET}"
FILES = ("movies_metadata.csv", "credits.csv", "keywords.csv")

_NO_NETWORK = (
    "No se pudo conectar con Kaggle para descargar '{dataset}': no hay red o Kaggle no responde "
    "({cause}). Compruebe la conexión, o descargue los archivos a mano desde {url} y páselos a "
    "'filmoteca build --input CARPETA'."
)
_NO_CREDENTIALS = (
    "Kaggle rechazó la descarga de '{dataset}' por falta de credenciales ({cause}). Cree un token "
    "en https://www.kaggle.com/settings (sección API) y expórtelo como KAGGLE_USERNAME y "
    "KAGGLE_KEY, o guárdelo en ~/.kaggle/kaggle.json; o descargue los archivos a mano desde {url}."
)
_NOT_FOUND = "Kaggle no encuentra '{name}' en el conjunto de datos '{dataset}' ({cause})."
_OTHER = "La descarga de '{dataset}' desde Kaggle falló: {cause}."


@dataclass(frozen=True, slots=True)
class DownloadedFile:
    """One file copied into the output directory."""

    name: str
    path: Path
    bytes: int


def download_dataset(output: Path, *, force: bool = False) -> list[DownloadedFile]:
    """Fetch the files the build needs from Kaggle and copy them into `output`."""
    if output.exists() and not output.is_dir():
        raise InputError(f"La salida '{output}' existe y no es una carpeta.")
    sources = [_fetch(name, force) for name in FILES]
    output.mkdir(parents=True, exist_ok=True)
    return [_copy(source, output / name) for name, source in zip(FILES, sources, strict=True)]


def _fetch(name: str, force: bool) -> Path:
    """Ask kagglehub for one file of the dataset; return its local path."""
    import kagglehub  # 0.3 s of imports: only when downloading

    try:
        found = Path(kagglehub.dataset_download(DATASET, path=name, force_download=force))
    except Exception as exc:
        raise _as_external(exc, name) from exc
    path = found / name if found.is_dir() else found
    if not path.is_file():
        raise ExternalError(f"La descarga de Kaggle no contiene '{name}' (se buscó en '{found}').")
    return path


def _copy(source: Path, target: Path) -> DownloadedFile:
    """Copy through a temporary file beside `target`, then rename (atomic on one filesystem)."""
    partial = target.with_name(f".{target.name}.part-{os.getpid()}")
    try:
        shutil.copyfile(source, partial)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ExternalError(f"No se pudo copiar '{source}' a '{target}': {exc}") from exc
    return DownloadedFile(target.name, target, target.stat().st_size)


def _as_external(exc: Exception, name: str) -> ExternalError:
    """Map a kagglehub / requests failure to a Spanish ExternalError."""
    fields: dict[str, Any] = {"dataset": DATASET, "url": DATASET_URL, "name": name}
    fields["cause"] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    kind = _classify(exc)
    template = {
        "network": _NO_NETWORK,
        "credentials": _NO_CREDENTIALS,
        "not_found": _NOT_FOUND,
    }.get(kind, _OTHER)
    return ExternalError(template.format(**fields), kind=kind)


def _classify(exc: Exception) -> str:
    """Tell a network failure from a credentials or not-found one (by type and HTTP status)."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if names & {"CredentialError", "UnauthenticatedError"} or status in (401, 403):
        return "credentials"
    if "NotFoundError" in names or status == 404:
        return "not_found"
    if names & {"ConnectionError", "Timeout", "TimeoutError", "ConnectTimeout"} or isinstance(
        exc, OSError
    ):
        return "network"
    return "other"
