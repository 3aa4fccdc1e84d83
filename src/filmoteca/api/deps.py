"""Dependencies of the routes: the state loaded once in the lifespan, as `Annotated` aliases.

They are `async def` on purpose: FastAPI runs a plain `def` dependency in its thread pool,
which costs a thread hop per request for what is an attribute read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from ..catalog import Catalog
from ..config import Settings
from ..errors import CatalogError, CatalogMissing

logger = logging.getLogger("filmoteca.api")


async def get_catalog(request: Request) -> Catalog:
    """The catalog loaded at start-up."""
    catalog: Catalog | None = getattr(request.app.state, "catalog", None)
    if catalog is None:
        raise CatalogMissing("El catálogo todavía no está cargado. Reintente en unos segundos.")
    return catalog


async def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def open_beside_catalog(
    app: Any, name: str, load: Callable[[Catalog], object], warning: str
) -> None:
    """In a router's lifespan: `app.state.<name>` opened from the catalog the app loaded, or None
    with the reason in `app.state.<name>_error` (logged as `warning`) when it cannot be opened.

    The catalog is not kept in the caller's frame: a lifespan frame lives as long as the app and
    would keep a catalog replaced by a reload in memory.
    """
    setattr(app.state, name, None)
    setattr(app.state, f"{name}_error", None)
    if getattr(app.state, "catalog", None) is None:
        return
    try:
        setattr(app.state, name, load(app.state.catalog))
    except CatalogError as exc:
        logger.warning("%s: %s", warning, exc.message)
        setattr(app.state, f"{name}_error", exc.message)


def opened(request: Request, name: str, unavailable: str, missing: str) -> Any:
    """What `open_beside_catalog` opened, or a CatalogError (503) saying why it is not there."""
    found = getattr(request.app.state, name, None)
    if found is None:
        reason = getattr(request.app.state, f"{name}_error", None) or missing
        raise CatalogError(f"{unavailable}: {reason}")
    return found


CatalogDep = Annotated[Catalog, Depends(get_catalog)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
