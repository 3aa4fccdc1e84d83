"""The report's figures as matplotlib Figure objects (the Python API's `cat.figures()`)."""

from __future__ import annotations

import base64
import io
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .build import PLANS
from .data import load
from .model import Figura, Image
from .plots import DPI, keeping_figures


def figures(catalog_dir: Path) -> dict[str, Figure]:
    """Every figure the report draws, by its key, drawn but not rendered to PNG (the word
    clouds, drawn by wordcloud as images, come as a Figure showing that image)."""
    data = load(catalog_dir)
    found: dict[str, Figure] = {}
    with keeping_figures() as kept:
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
    """A Figure showing an already rendered PNG image."""
    from PIL import Image as PILImage

    png = base64.b64decode(image.uri.split(",", 1)[1])
    pixels = PILImage.open(io.BytesIO(png))
    fig = Figure(figsize=(image.width / DPI, image.height / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(pixels)
    ax.set_axis_off()
    return fig
