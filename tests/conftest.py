"""Shared fixtures: settings pointing at the real data, skips when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from filmoteca.config import Settings

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings from the environment (FILMOTECA_DATA_DIR defaults to ../shared/data)."""
    return Settings()


@pytest.fixture(scope="session")
def real_movies_dir(settings: Settings) -> Path:
    """The real 4,803 movies in The Movies Dataset format; skips when absent."""
    path = settings.movies_dataset_dir
    if not (path / "movies_metadata.csv").is_file():
        pytest.skip(f"no real data at {path} (set FILMOTECA_DATA_DIR)")
    return path


@pytest.fixture(scope="session")
def real_catalog(
    real_movies_dir: Path, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A catalog built once per test session from the real data (+ raw keywords.csv when present)."""
    from filmoteca.etl.pipeline import build_catalog

    keywords = settings.raw_dir / "keywords.csv"
    out = tmp_path_factory.mktemp("real") / "catalogo"
    build_catalog(real_movies_dir, out, keywords=keywords if keywords.is_file() else None)
    return out
