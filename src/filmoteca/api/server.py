"""Running the API: pick and check the catalog, then start uvicorn on the fast stack.

uvicorn with uvloop (event loop) and httptools (HTTP parser, with the limits of `limits.py`:
headers up to 16 KB, a request whole within 10 s, idle connections closed after 5 s), one or
more worker processes.
The workers build the app with `create_app()` from the environment, so the catalog chosen here
reaches them as FILMOTECA_CATALOG_DIR.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..catalog import Catalog
from ..config import Settings

APP_FACTORY = "filmoteca.api.app:create_app"
KEEP_ALIVE = 5  # seconds an idle keep-alive connection stays open


def run(
    catalog_dir: Path, host: str, port: int, workers: int = 1, *, access_log: bool = False
) -> None:
    """Serve the API over a checked catalog until interrupted (blocks)."""
    import uvicorn

    from .logs import log_config
    from .wire import WireProtocol

    Catalog.check(catalog_dir)
    os.environ["FILMOTECA_CATALOG_DIR"] = str(catalog_dir.resolve())
    if access_log:  # our JSON access log (with request ids) replaces uvicorn's
        os.environ["FILMOTECA_ACCESS_LOG"] = "true"
    settings = Settings()
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http=WireProtocol,  # httptools with limits.py's limits; cached answers: wire.py
        timeout_keep_alive=KEEP_ALIVE,
        access_log=False,
        log_config=log_config(settings.log_level, settings.log_format),
        log_level=settings.log_level,
        server_header=False,
        ws="none",  # no WebSocket routes: uvicorn need not import `websockets`
    )


def needs_demo(catalog_dir: Path | None, settings: Settings) -> bool:
    """Whether `serve` with no --catalog must first build the demo catalog (none there yet)."""
    return catalog_dir is None and not (settings.catalog_dir / "manifest.json").exists()
