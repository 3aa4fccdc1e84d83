"""Boxplots by group: vote average and return by genre, runtime by decade."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MultipleLocator

from .data import MIN_VOTES, ReportData
from .labels import genre_es, num, ratio_tick
from .model import Figura
from .plots import BLUE, ORANGE, TALL, canvas, empty, encode

MIN_GROUP = 10
"""Groups with fewer movies than this are not drawn (a box of three points says nothing)."""


def by_genre(d: ReportData, column: str) -> pd.DataFrame:
    """One row per movie-genre link with the movie's value of `column` (NaN dropped)."""
    values = d.movies[["id", column]].dropna()
    links = d.genres.merge(values, left_on="movie_id", right_on="id")
    return pd.DataFrame({"group": links["name"].map(genre_es), "value": links[column]})


def groups(frame: pd.DataFrame, sort: bool = True) -> pd.Series:
    """Values per group with at least MIN_GROUP movies, ordered by median (or by key)."""
    grouped = frame.groupby("group")["value"]
    sizes = grouped.size()
    keep = sizes[sizes >= MIN_GROUP].index
    medians = grouped.median().loc[keep]
    order = medians.sort_values().index if sort else sorted(keep)
    return pd.Series(
        {g: frame.loc[frame["group"] == g, "value"].to_numpy() for g in order}, dtype=object
    )


def _boxes(ax: Axes, data: pd.Series, horizontal: bool) -> None:
    """Draw boxplots without outliers, n in each label."""
    labels = [f"{g} (n={num(len(v))})" if horizontal else str(g) for g, v in data.items()]
    ax.boxplot(
        list(data.to_numpy()),
        orientation="horizontal" if horizontal else "vertical",
        tick_labels=labels,
        showfliers=False,
        widths=0.6,
        patch_artist=True,
        boxprops={"facecolor": "#cfe0ee", "edgecolor": BLUE},
        medianprops={"color": ORANGE, "linewidth": 1.8},
        whiskerprops={"color": BLUE},
        capprops={"color": BLUE},
    )


def _spread(data: pd.Series, unit: str, decimals: int = 1, log: bool = False) -> list[str]:
    """Highest and lowest median among the groups (values given as log10 when `log`)."""
    medians = data.map(lambda v: 10 ** np.median(v) if log else np.median(v)).sort_values()
    high, low = medians.index[-1], medians.index[0]
    return [
        f"Mediana más alta: {high} ({num(medians[high], decimals)}{unit}); más baja: {low} "
        f"({num(medians[low], decimals)}{unit}), sobre {len(medians)} grupos."
    ]


WHISKERS = (
    "Cajas del primer al tercer cuartil, línea naranja en la mediana, bigotes hasta 1,5 veces "
    "el rango intercuartílico; no se dibujan los valores atípicos."
)


def vote_by_genre(d: ReportData) -> Figura:
    """Boxplot of the vote average per genre."""
    data = groups(by_genre(d, "vote_average_k"))
    with canvas(TALL) as (fig, ax):
        if len(data):
            _boxes(ax, data, horizontal=True)
            ax.set_xlabel("Nota media (0–10)")
            findings = _spread(data, "")
        else:
            findings = empty(ax, f"Ningún grupo llega a {MIN_GROUP} películas con el dato.")
    return Figura(
        "caja-nota-genero",
        "Nota media por género",
        encode(fig),
        "Diagramas de caja de la nota media por género",
        f"Solo películas con al menos {MIN_VOTES} votos; una película cuenta en cada uno "
        f"de sus géneros; géneros con al menos {MIN_GROUP} películas. {WHISKERS}",
        findings,
    )


def return_by_genre(d: ReportData) -> Figura:
    """Boxplot of the return per genre, computed on log10(return)."""
    frame = by_genre(d, "return_k")
    frame = frame[frame["value"] > 0].assign(value=lambda f: np.log10(f["value"]))
    data = groups(frame)
    findings: list[str] = []
    with canvas(TALL) as (fig, ax):
        if len(data):
            _boxes(ax, data, horizontal=True)
            ax.xaxis.set_major_locator(MultipleLocator(1))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: ratio_tick(10**v)))
            ax.axvline(0, color="#888888", lw=1, ls="--")
            ax.set_xlabel("Rentabilidad = recaudación / presupuesto (veces, escala logarítmica)")
            findings = _spread(data, "×", 2, log=True)
            losing = [g for g, v in data.items() if np.median(v) < 0]
            if losing:
                findings.append(
                    f"Con mediana por debajo de 1× (pierden dinero): {', '.join(losing)}."
                )
        else:
            findings = empty(ax, f"Ningún grupo llega a {MIN_GROUP} películas con el dato.")
    return Figura(
        "caja-rentabilidad-genero",
        "Rentabilidad por género",
        encode(fig),
        "Diagramas de caja de la rentabilidad por género en escala logarítmica",
        "Solo películas con presupuesto y recaudación conocidos. Las cajas se calculan sobre el "
        "logaritmo de la rentabilidad (eje logarítmico), así los bigotes no los dominan unos "
        f"pocos cocientes absurdos; la línea discontinua marca 1× (recuperar la inversión). "
        f"{WHISKERS}",
        findings,
    )


def runtime_by_decade(d: ReportData) -> Figura:
    """Boxplot of runtime per decade of release."""
    m = d.movies.dropna(subset=["runtime_k"])
    data = groups(pd.DataFrame({"group": m["decade"], "value": m["runtime_k"]}), sort=False)
    with canvas() as (fig, ax):
        if len(data):
            _boxes(ax, data, horizontal=False)
            ax.set_xticks(
                range(1, len(data) + 1),
                [f"{int(g)}–{int(g) % 100 + 9:02d}" for g in data.index],
                rotation=30,
            )
            ax.set_xlabel("Década de estreno")
            ax.set_ylabel("Duración (minutos)")
            findings = _spread(
                data.set_axis([f"década de {int(g)}" for g in data.index]), " min", 0
            )
        else:
            findings = empty(ax, f"Ningún grupo llega a {MIN_GROUP} películas con el dato.")
    return Figura(
        "caja-duracion-decada",
        "Duración por década",
        encode(fig),
        "Diagramas de caja de la duración por década de estreno",
        f"Se excluyen las duraciones 0 (desconocidas); décadas con al menos {MIN_GROUP} "
        f"películas. {WHISKERS}",
        findings,
    )


BOXPLOTS = (vote_by_genre, return_by_genre, runtime_by_decade)
