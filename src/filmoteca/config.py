"""Settings: one typed object read from the environment (prefix FILMOTECA_) or `.env`.

Nothing is read at import time: callers build `Settings()` once and pass it in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Runtime configuration of filmoteca."""

    model_config = SettingsConfigDict(env_prefix="FILMOTECA_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=PROJECT_ROOT.parent / "shared" / "data",
        description="Carpeta con los datos reales (la de shared/data).",
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
    admin_token: SecretStr | None = Field(
        default=None,
        description="Token de POST /admin/recargar (cabecera Authorization: Bearer); "
        "sin él, la recarga por HTTP está desactivada.",
    )

    @property
    def movies_dataset_dir(self) -> Path:
        """The real movies in The Movies Dataset format."""
        return self.data_dir / "movies_dataset"

    @property
    def raw_dir(self) -> Path:
        """The Kaggle originals (keywords, links, ratings, TMDB 5000)."""
        return self.data_dir / "raw"
