"""The report's figures as matplotlib Figure objects, for notebooks and the Python API.

    names()                      every figure builder's name ('year_runtime', 'budget', ...)
    figure(name, data)           that figure as a matplotlib Figure (not encoded, not cleared)
    figures(catalog_dir)         every figure of the page, by its key (the Python API's)

Each builder of the report draws one figure; here it runs inside `plots.capture()`, which
keeps the Figure instead of encoding it into the page.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..errors import NotFound
from . import bars, distributions, groups, quality, relations
from .build import PLANS
from .data import ReportData, load
from .model import Figura, Image
from .plots import DPI, capture

Builder = Callable[[ReportData], object]
BUILDERS: dict[str, Builder] = {
    b.__name__: b
    for b in (
        *distributions.HISTOGRAMS,
        *relations.SCATTERS,
        *groups.BOXPLOTS,
        *bars.BARS,
        quality.missing_figure,
    )
}


def names() -> list[str]:
    """The names of the figures `figure` can draw."""
    return sorted(BUILDERS)


def figure(name: str, data: ReportData) -> Figure:
    """One report figure as a matplotlib Figure; NotFound for an unknown name."""
    builder = BUILDERS.get(name)
    if builder is None:
        raise NotFound(f"El informe no tiene ninguna figura '{name}'.", valores_validos=names())
    with capture() as figures:
        builder(data)
    if not figures:
        raise NotFound(f"'{name}' es una tabla del informe, no una figura.")
    return figures[0]


def figures(catalog_dir: Path) -> dict[str, Figure]:
    """Every figure the report draws, by its key in the page, drawn but not encoded (the word
    clouds, drawn by wordcloud as images, come as a Figure showing that image)."""
    data = load(catalog_dir)
    found: dict[str, Figure] = {}
    with capture() as kept:
        for plan in PLANS:
            for builder in plan.builders:
                start = len(kept)
                result = builder(data)
                drawn = iter(kept[start:])
                for item in result if isinstance(result, list) else [result]:
                    if isinstance(item, Figura):
                        found[item.key] = next(drawn) if not item.image.uri else _shown(item.image)
    return found


def _shown(image: Image) -> Figure:
    """A Figure showing an image already rendered into a data URI (PNG or WebP)."""
    from PIL import Image as PILImage

    pixels = PILImage.open(io.BytesIO(base64.b64decode(image.uri.split(",", 1)[1])))
    fig = Figure(figsize=(image.width / DPI, image.height / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(pixels)
    ax.set_axis_off()
    return fig
