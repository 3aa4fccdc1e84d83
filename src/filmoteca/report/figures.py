"""The report's figures as matplotlib Figure objects, for notebooks and the Python API.

    names()                      every figure builder's name ('year_runtime', 'budget', ...)
    figure(name, data)           that figure as a matplotlib Figure (not encoded, not cleared)

Each builder of the report draws one figure; here it runs inside `plots.capture()`, which
keeps the Figure instead of encoding it into the page.
"""

from __future__ import annotations

from collections.abc import Callable

from matplotlib.figure import Figure

from ..errors import NotFound
from . import bars, distributions, groups, quality, relations
from .data import ReportData
from .plots import capture

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
