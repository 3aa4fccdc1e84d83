"""Shared fixtures: settings pointing at the real data, skips when it is absent."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
    if settings.data_dir is None:
        pytest.skip("no real data (set FILMOTECA_DATA_DIR)")
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


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium driven by Playwright (never a downloaded browser); skips without it.

    One per test module: Playwright's sync API keeps an event loop running in this thread
    while it is open, which would break later tests that call `asyncio.run`.
    """
    from servers import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.is_file():
        pytest.skip(f"no {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


_STATUS: list[int] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _STATUS.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Once everything is reported, end the test process with pytest's own status when a
    thread some library started is still alive (seen at the end of a full run: a daemon
    'asyncio-portal-…' thread running an event loop). The interpreter's teardown with such
    a thread once crashed after every test had passed (a segmentation fault in CI, once in
    three full runs); the results and the status are pytest's either way."""
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and t.is_alive()]
    if _STATUS and others:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_STATUS[-1])
