"""Matplotlib plumbing: one styled Agg figure at a time, encoded as a PNG data URI.

Figures are built as `matplotlib.figure.Figure` objects attached to an explicit Agg canvas: no
pyplot, no global figure registry and no GUI backend, so nothing outlives a figure once it is
encoded and cleared (memory stays flat across the ~25 figures of a report). The process backend
is also set to Agg (in code, unless pyplot is already in use, e.g. in a notebook), so that
matplotlib never probes for a GUI toolkit.
"""

from __future__ import annotations

import base64
import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from .model import Image

DPI = 110
WIDE = (8.0, 4.4)
TALL = (8.0, 6.0)
BLUE = "#2f6690"
ORANGE = "#d1603d"
GREY = "#6b6b6b"

STYLE: dict[Any, Any] = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e4e4e4",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "svg.fonttype": "none",
}


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


_KEPT: ContextVar[list[Figure] | None] = ContextVar("filmoteca_kept_figures", default=None)


@contextmanager
def keeping_figures() -> Iterator[list[Figure]]:
    """Within it, `encode` keeps each figure (in order, for the Python API) and renders none."""
    kept: list[Figure] = []
    token = _KEPT.set(kept)
    try:
        yield kept
    finally:
        _KEPT.reset(token)


def encode(fig: Figure) -> Image:
    """Render a figure to a PNG data URI and free it (or keep it: `keeping_figures`)."""
    kept = _KEPT.get()
    if kept is not None:
        kept.append(fig)
        return Image("", *(round(v * DPI) for v in fig.get_size_inches()))
    with mpl.rc_context(STYLE):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    width, height = (round(v * DPI) for v in fig.get_size_inches())
    fig.clear()
    return png_image(buffer.getvalue(), width, height)


def png_image(data: bytes, width: int, height: int) -> Image:
    """Wrap PNG bytes as an embeddable image."""
    return Image("data:image/png;base64," + base64.b64encode(data).decode("ascii"), width, height)


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
