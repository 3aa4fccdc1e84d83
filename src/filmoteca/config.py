"""Settings: one typed object read from the environment (prefix FILMOTECA_) or `.env`.

Nothing is read at import time: callers build `Settings()` once and pass it in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import InputError

DATA_CANDIDATES = (Path("shared") / "data", Path("..") / "shared" / "data")
NO_DATA = (
    "No se encuentran los datos reales: defina FILMOTECA_DATA_DIR con la carpeta que contiene "
    "movies_dataset/ y raw/ (o ejecute desde una carpeta con shared/data o ../shared/data), "
    "o indique los archivos con las opciones del comando."
)


def default_data_dir() -> Path | None:
    """shared/data or ../shared/data relative to the current directory, if one exists.

    Relative to where the command runs, never to where the package is installed: a wheel in a
    virtual environment finds the same folder as the editable install of the repository.
    """
    return next((path for path in DATA_CANDIDATES if path.is_dir()), None)


class Settings(BaseSettings):
    """Runtime configuration of filmoteca."""

    model_config = SettingsConfigDict(env_prefix="FILMOTECA_", env_file=".env", extra="ignore")

    data_dir: Path | None = Field(
        default_factory=default_data_dir,
        description="Carpeta con los datos reales (movies_dataset/ y raw/); por defecto "
        "shared/data o ../shared/data desde la carpeta actual, si existe.",
    )
    catalog_dir: Path = Field(
        default=Path("catalogo"), description="Carpeta del catálogo construido."
    )
    report_dir: Path = Field(default=Path("informe"), description="Carpeta del informe EDA.")
    host: str = Field(default="127.0.0.1", description="Dirección en la que escucha el servidor.")
    port: int = Field(default=8000, ge=1, le=65535, description="Puerto del servidor.")
    workers: int = Field(default=1, ge=1, le=32, description="Procesos del servidor.")
    cors_origins: list[str] = Field(
        default_factory=list, description="Orígenes CORS permitidos (vacío: CORS cerrado)."
    )
    log_level: str = Field(default="info", description="Nivel de log.")
    log_format: Literal["json", "texto"] = Field(
        default="json", description="Formato de los logs: una línea JSON por evento, o texto."
    )
    access_log: bool = Field(default=False, description="Una línea de log por petición HTTP.")
    posters: bool = Field(
        default=False,
        description="Mostrar los pósteres de image.tmdb.org en la página web (necesita conexión).",
    )
    admin_token: SecretStr | None = Field(
        default=None,
        description="Token de POST /admin/recargar (cabecera Authorization: Bearer); "
        "sin él, la recarga por HTTP está desactivada.",
    )

    @property
    def real_data_dir(self) -> Path:
        """data_dir, or a clear Spanish error (InputError) when no real data folder is known."""
        if self.data_dir is None:
            raise InputError(NO_DATA)
        return self.data_dir

    @property
    def movies_dataset_dir(self) -> Path:
        """The real movies in The Movies Dataset format."""
        return self.real_data_dir / "movies_dataset"

    @property
    def raw_dir(self) -> Path:
        """The Kaggle originals (keywords, links, ratings, TMDB 5000)."""
        return self.real_data_dir / "raw"
