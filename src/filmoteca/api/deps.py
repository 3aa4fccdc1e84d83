"""Dependencies of the routes: the state loaded once in the lifespan, as `Annotated` aliases.

They are `async def` on purpose: FastAPI runs a plain `def` dependency in its thread pool,
which costs a thread hop per request for what is an attribute read.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..catalog import Catalog
from ..config import Settings
from ..errors import CatalogMissing


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


CatalogDep = Annotated[Catalog, Depends(get_catalog)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
