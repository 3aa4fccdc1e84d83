"""Bar charts: movies per genre, company, country, original language, month and weekday."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from .data import ReportData
from .labels import (
    MONTHS,
    WEEKDAYS,
    capitalize,
    count_tick,
    country_es,
    genre_es,
    language_es,
    num,
    pct,
)
from .model import Figura
from .plots import BLUE, TALL, canvas, empty, encode

TOP = 20


def _barh(ax: Axes, counts: pd.Series, total: int) -> None:
    """Horizontal bars, largest on top, each labelled with its count and share of all movies."""
    counts = counts.iloc[::-1]
    ax.barh(range(len(counts)), counts.to_numpy(), color=BLUE, height=0.7)
    ax.set_yticks(range(len(counts)), [str(label) for label in counts.index])
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(FuncFormatter(count_tick))
    ax.set_xlabel("Películas")
    for i, value in enumerate(counts.to_numpy()):
        ax.text(value, i, f" {num(value)} ({pct(value / total)})", va="center", fontsize=8)
    ax.set_xlim(0, counts.max() * 1.22)


def _per_movie(links: pd.DataFrame, label: pd.Series) -> pd.Series:
    """Number of distinct movies per label, descending."""
    frame = pd.DataFrame({"movie_id": links["movie_id"], "label": label}).drop_duplicates()
    return frame["label"].value_counts()


def _leaders(counts: pd.Series, total: int) -> str:
    """'X encabeza ... ; le sigue Y ...' for the two largest groups."""
    text = (
        f"{capitalize(str(counts.index[0]))} encabeza la lista con {num(counts.iloc[0])} "
        f"películas ({pct(counts.iloc[0] / total)} del catálogo)"
    )
    if len(counts) > 1:
        second, n = counts.index[1], counts.iloc[1]
        text += f"; le sigue {second} con {num(n)} ({pct(n / total)})"
    return text + "."


def _link_figure(
    d: ReportData,
    key: str,
    title: str,
    counts: pd.Series,
    covered: int,
    kinds: tuple[str, str],
    caption: str,
) -> Figura:
    """A top-N horizontal bar chart with the leaders and the coverage as findings."""
    distinct, having = kinds
    findings: list[str] = []
    with canvas(TALL) as (fig, ax):
        if len(counts):
            _barh(ax, counts.head(TOP), d.n)
            findings = [
                _leaders(counts, d.n),
                f"Hay {num(len(counts))} {distinct}; el {pct(covered / d.n)} de las películas "
                f"tiene {having}.",
            ]
        else:
            findings = empty(ax, f"El catálogo no tiene datos de {distinct.split()[0]}.")
    return Figura(key, title, encode(fig), f"Gráfico de barras: {title.lower()}", caption, findings)


def genres(d: ReportData) -> Figura:
    """Movies per genre."""
    counts = _per_movie(d.genres, d.genres["name"].map(genre_es))
    per = d.genres.groupby("movie_id").size()
    having = f"al menos uno (de media {num(per.mean(), 1)})" if len(per) else "alguno"
    return _link_figure(
        d,
        "barras-genero",
        "Películas por género",
        counts,
        len(per),
        ("géneros distintos", having),
        "Una película cuenta en cada uno de sus géneros, así que los porcentajes suman más "
        "de 100 %.",
    )


def companies(d: ReportData) -> Figura:
    """Movies per production company (top 20)."""
    counts = _per_movie(d.companies, d.companies["name"])
    return _link_figure(
        d,
        "barras-productora",
        "Películas por productora",
        counts,
        d.companies["movie_id"].nunique(),
        ("productoras distintas", "al menos una productora"),
        f"Las {TOP} productoras con más películas; una película cuenta en cada una "
        "de sus productoras.",
    )


def countries(d: ReportData) -> Figura:
    """Movies per production country (top 20)."""
    names = [
        country_es(c, n)
        for c, n in zip(d.countries["iso_3166_1"], d.countries["name"], strict=True)
    ]
    counts = _per_movie(d.countries, pd.Series(names, index=d.countries.index, dtype=object))
    return _link_figure(
        d,
        "barras-pais",
        "Películas por país de producción",
        counts,
        d.countries["movie_id"].nunique(),
        ("países distintos", "al menos un país de producción"),
        f"Los {TOP} países con más películas; las coproducciones cuentan en cada país.",
    )


def languages(d: ReportData) -> Figura:
    """Movies per original language (top 20)."""
    codes = d.movies["original_language"].fillna("").str.strip()
    counts = codes[codes != ""].map(language_es).value_counts()
    return _link_figure(
        d,
        "barras-idioma",
        "Películas por idioma original",
        counts,
        int((codes != "").sum()),
        ("idiomas originales distintos", "el idioma original informado"),
        f"Los {TOP} idiomas originales más frecuentes (columna original_language).",
    )


def _calendar(
    d: ReportData, key: str, title: str, column: str, names: tuple[str, ...], xlabel: str
) -> tuple[Figura, pd.Series]:
    """Vertical bars in calendar order with the top-bar finding."""
    counts = (
        d.movies[column]
        .value_counts()
        .reindex(range(len(names)) if column == "weekday" else range(1, 13), fill_value=0)
    )
    with canvas() as (fig, ax):
        ax.bar(range(len(names)), counts.to_numpy(), color=BLUE, width=0.7)
        ax.set_xticks(range(len(names)), names, rotation=30 if len(names) > 7 else 0)
        ax.yaxis.set_major_formatter(FuncFormatter(count_tick))
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Películas")
        ax.grid(axis="x", visible=False)
    top = int(np.argmax(counts.to_numpy()))
    who = f"El {names[top]}" if column == "weekday" else names[top].capitalize()
    finding = (
        f"{who} concentra más estrenos: {num(counts.iloc[top])} "
        f"({pct(counts.iloc[top] / d.n)}; un reparto uniforme daría {pct(1 / len(names))})."
    )
    return Figura(
        key,
        title,
        encode(fig),
        f"Gráfico de barras: {title.lower()}",
        "Según la fecha de estreno de TMDB.",
        [finding],
    ), counts


def months(d: ReportData) -> Figura:
    """Movies per release month, with the 1 January placeholder effect."""
    fig, _ = _calendar(d, "barras-mes", "Estrenos por mes", "month", MONTHS, "Mes de estreno")
    first = float(((d.movies["month"] == 1) & (d.movies["day"] == 1)).mean())
    if first > 3 / 365:
        fig.findings.append(
            f"El {pct(first)} tiene fecha 1 de enero, muy por encima de lo esperable "
            f"({pct(1 / 365, 2)}): fechas de relleno cuando solo se conocía el año."
        )
    return fig


def weekdays(d: ReportData) -> Figura:
    """Movies per weekday of release."""
    fig, _ = _calendar(
        d,
        "barras-dia",
        "Estrenos por día de la semana",
        "weekday",
        WEEKDAYS,
        "Día de la semana del estreno",
    )
    return fig


BARS = (genres, companies, countries, languages, months, weekdays)
