"""Matplotlib plumbing: one styled Agg figure at a time, encoded as a compact SVG data URI.

SVG keeps text as text (`svg.fonttype: none`: no embedded glyphs), scales to any screen, and
coordinates are rounded to one decimal (a third of the bytes). Dense point clouds are drawn
`rasterized` (a small embedded PNG) so a scatter of 45,000 movies stays small.

`capture()` keeps the Figure objects a report builder draws instead of encoding them (the
Python API's `figure(...)`: see `report.figures`).

Figures are built as `matplotlib.figure.Figure` objects attached to an explicit Agg canvas: no
pyplot, no global figure registry and no GUI backend, so nothing outlives a figure once it is
encoded and cleared (memory stays flat across the ~25 figures of a report). The process backend
is also set to Agg (in code, unless pyplot is already in use, e.g. in a notebook), so that
matplotlib never probes for a GUI toolkit.
"""

from __future__ import annotations

import base64
import io
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import quote

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter, ScalarFormatter

from .model import Image

DPI = 100
RASTER_DPI = 80
"""Resolution of the rasterized parts of an SVG (point clouds, heat maps): small, still sharp."""
WIDE = (6.4, 3.8)
TALL = (6.4, 5.0)
BLUE = "#2f6690"
ORANGE = "#d1603d"
GREY = "#6b6b6b"

STYLE: dict[Any, Any] = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e4e4e4",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "svg.fonttype": "none",
    "svg.hashsalt": "filmoteca",
    "font.family": "DejaVu Sans",
}
_CAPTURED: ContextVar[list[Figure] | None] = ContextVar("captured", default=None)
_FONT = re.compile(r"font-family: ?'[^']*'(, ?[\w -]+)*")
_NUMBER = re.compile(r"(-?\d+\.\d{2,})")
_NOISE = (
    re.compile(r"<metadata>.*?</metadata>", re.S),
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"^<\?xml[^>]*>\s*|<!DOCTYPE[^>]*>\s*", re.M),
)


def use_agg() -> None:
    """Select the Agg backend for this process unless pyplot already chose one."""
    if "matplotlib.pyplot" not in sys.modules:
        mpl.use("Agg")


@contextmanager
def canvas(size: tuple[float, float] = WIDE) -> Iterator[tuple[Figure, Axes]]:
    """A styled figure with one axes on an Agg canvas (style applies while drawing)."""
    use_agg()
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=size, dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        yield fig, fig.add_subplot()


@contextmanager
def capture() -> Iterator[list[Figure]]:
    """Within this block `encode` keeps each Figure (appended to the yielded list) intact."""
    figures: list[Figure] = []
    token = _CAPTURED.set(figures)
    try:
        yield figures
    finally:
        _CAPTURED.reset(token)


class _DecimalComma(ScalarFormatter):
    """matplotlib's default tick labels with a decimal comma (2,5 instead of 2.5)."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return str(super().__call__(x, pos)).replace(".", ",")


def spanish_ticks(fig: Figure) -> None:
    """Give every axis still on the default formatter a decimal comma."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                axis.set_major_formatter(_DecimalComma())


def encode(fig: Figure) -> Image:
    """Render a figure to a compact SVG data URI and free it (or keep it: see `capture`)."""
    spanish_ticks(fig)
    width, height = (round(v * DPI) for v in fig.get_size_inches())
    kept = _CAPTURED.get()
    if kept is not None:
        kept.append(fig)
        return Image("", width, height)
    with mpl.rc_context(STYLE):
        buffer = io.StringIO()
        fig.savefig(
            buffer, format="svg", dpi=RASTER_DPI, facecolor="white", metadata={"Date": None}
        )
    fig.clear()
    return svg_image(compact_svg(buffer.getvalue()), width, height)


def compact_svg(svg: str) -> str:
    """Drop metadata and comments, round coordinates to one decimal, squeeze whitespace."""
    for pattern in _NOISE:
        svg = pattern.sub("", svg)
    svg = _FONT.sub("font-family: system-ui, sans-serif", svg)  # the reader's own sans-serif
    svg = _NUMBER.sub(lambda m: f"{float(m.group(1)):.1f}".rstrip("0").rstrip("."), svg)
    return re.sub(r">\s+<", "><", re.sub(r"[ \t]*\n[ \t]*", " ", svg)).strip()


def svg_image(svg: str, width: int, height: int) -> Image:
    """Wrap SVG text as an embeddable image: double quotes become single ones and only what
    a data URL or an HTML attribute cannot hold is percent-encoded (a third of base64)."""
    text = quote(svg.replace('"', "'"), safe=" =:/;,.-_'()<>!?@*+[]{}|~$^")
    return Image("data:image/svg+xml," + text, width, height)


def png_image(data: bytes, width: int, height: int) -> Image:
    """Wrap PNG bytes as an embeddable image."""
    return Image("data:image/png;base64," + base64.b64encode(data).decode("ascii"), width, height)


def webp_image(image: Any, width: int, height: int) -> Image:
    """A PIL image as an embeddable WebP (lossy, quality 45: a fraction of the PNG)."""
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=45, method=6)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return Image("data:image/webp;base64," + data, width, height)


def empty(ax: Axes, message: str) -> list[str]:
    """Show a Spanish note instead of a blank plot; return it as the figure's finding."""
    ax.set_axis_off()
    ax.text(
        0.5, 0.5, message, ha="center", va="center", fontsize=12, color=GREY, transform=ax.transAxes
    )
    return [message]


def log_axis(ax: Axes, axis: str, formatter: FuncFormatter, numticks: int = 12) -> None:
    """Log scale on axis 'x' or 'y' with one labelled tick per power of ten."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    target.set_major_locator(LogLocator(base=10, numticks=numticks))
    target.set_major_formatter(formatter)
    target.set_minor_formatter(NullFormatter())
