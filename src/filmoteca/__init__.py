"""filmoteca: a clean movie catalog, a Spanish data API, a recommender and an EDA report.

The Python API (see the README, section «Desde Python»):

    import filmoteca
    cat = filmoteca.open_catalog("catalogo")
    cat.recommend("Toy Story", k=5)

`import filmoteca` stays cheap: the API module loads on first use of one of its names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .library import OpenCatalog, Score, Votes, build_catalog, open_catalog

__all__ = ["OpenCatalog", "Score", "Votes", "__version__", "build_catalog", "open_catalog"]
_LAZY = {"OpenCatalog", "Score", "Votes", "build_catalog", "open_catalog"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import library

        return getattr(library, name)
    raise AttributeError(f"module 'filmoteca' has no attribute {name!r}")
