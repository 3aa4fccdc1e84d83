"""Scatter plots of pairs of numeric columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from .data import MIN_VOTES, ReportData
from .labels import count_tick, money_tick, num, pct
from .model import Figura
from .plots import BLUE, GREY, ORANGE, TALL, canvas, empty, encode, log_axis

MIN_YEAR = 10
"""Years with fewer movies than this get no median point (too noisy)."""


def _points(ax: Axes, x: pd.Series, y: pd.Series) -> None:
    """A scatter that stays readable from a dozen to half a million points."""
    alpha = float(np.clip(3000 / max(len(x), 1), 0.06, 0.7))
    ax.scatter(x, y, s=5, alpha=alpha, color=BLUE, linewidths=0, rasterized=True)


def _rho(a: pd.Series, b: pd.Series) -> float:
    """Spearman rank correlation of two aligned series."""
    return float(a.rank().corr(b.rank()))


STRENGTHS = ((0.8, "muy fuerte"), (0.6, "fuerte"), (0.4, "moderada"), (0.2, "débil"))


def strength(rho: float) -> str:
    """Spanish words for the strength and sign of a correlation coefficient."""
    word = next((w for limit, w in STRENGTHS if abs(rho) >= limit), None)
    if word is None:
        return "casi nula"
    return f"{word} y {'positiva' if rho > 0 else 'negativa'}"


def _rho_finding(a: pd.Series, b: pd.Series, what: str) -> str:
    """One sentence with the Spearman coefficient of two series and its strength."""
    rho = _rho(a, b)
    if np.isnan(rho):
        return f"No se puede medir la relación entre {what}: uno de los dos no varía."
    return (
        f"La relación entre {what} es {strength(rho)}: Spearman = {num(rho, 2)} en "
        f"{num(len(a))} películas."
    )


def budget_revenue(d: ReportData) -> Figura:
    """Budget vs revenue, both known, log-log, with the break-even diagonal."""
    m = d.movies.dropna(subset=["budget_k", "revenue_k"])
    findings: list[str] = []
    with canvas(TALL) as (fig, ax):
        if len(m) >= 2:
            _points(ax, m["budget_k"], m["revenue_k"])
            low = float(min(m["budget_k"].min(), m["revenue_k"].min()))
            high = float(max(m["budget_k"].max(), m["revenue_k"].max()))
            ax.plot(
                [low, high], [low, high], color=ORANGE, lw=1.2, label="recaudación = presupuesto"
            )
            ax.legend(loc="upper left")
            for axis in ("x", "y"):
                log_axis(ax, axis, FuncFormatter(money_tick))
            ax.set_xlabel("Presupuesto (dólares, escala logarítmica)")
            ax.set_ylabel("Recaudación (dólares, escala logarítmica)")
            above = float((m["revenue_k"] >= m["budget_k"]).mean())
            findings = [
                _rho_finding(m["budget_k"], m["revenue_k"], "presupuesto y recaudación"),
                f"El {pct(above)} queda en la diagonal o por encima: recaudó al menos lo que "
                "costó.",
            ]
        else:
            findings = empty(
                ax, "Sin datos: ninguna película tiene presupuesto y recaudación conocidos."
            )
    return Figura(
        "disp-presupuesto-recaudacion",
        "Presupuesto frente a recaudación",
        encode(fig),
        "Diagrama de dispersión del presupuesto frente a la recaudación",
        "Escalas logarítmicas en ambos ejes. Solo películas con presupuesto y "
        "recaudación distintos de 0 (0 significa «desconocido»).",
        findings,
    )


def popularity_votes(d: ReportData) -> Figura:
    """Popularity vs vote count, log-log."""
    m = d.movies.dropna(subset=["popularity_k", "vote_count_k"])
    findings: list[str] = []
    with canvas(TALL) as (fig, ax):
        if len(m) >= 2:
            _points(ax, m["vote_count_k"], m["popularity_k"])
            log_axis(ax, "x", FuncFormatter(count_tick))
            log_axis(ax, "y", FuncFormatter(count_tick))
            ax.set_xlabel("Número de votos (escala logarítmica)")
            ax.set_ylabel("Popularidad TMDB (índice, escala logarítmica)")
            top = m.loc[m["popularity_k"].idxmax()]
            findings = [
                _rho_finding(m["vote_count_k"], m["popularity_k"], "votos y popularidad"),
                f"La más popular es «{top['title']}» (índice {num(top['popularity_k'], 1)}, "
                f"{num(top['vote_count_k'])} votos).",
            ]
        else:
            findings = empty(ax, "Sin datos: ninguna película tiene votos y popularidad.")
    return Figura(
        "disp-popularidad-votos",
        "Popularidad frente a votos",
        encode(fig),
        "Diagrama de dispersión de la popularidad frente al número de votos",
        "Escalas logarítmicas. Se excluyen las películas sin votos o con popularidad 0.",
        findings,
    )


def votes_average(d: ReportData) -> Figura:
    """Vote count (log) vs vote average, showing how averages settle with more votes."""
    m = d.movies[d.movies["vote_count"] > 0]
    findings: list[str] = []
    with canvas(TALL) as (fig, ax):
        if len(m) >= 2:
            _points(ax, m["vote_count"], m["vote_average"])
            log_axis(ax, "x", FuncFormatter(count_tick))
            ax.axvline(MIN_VOTES, color=GREY, lw=1, ls="--", label=f"{MIN_VOTES} votos")
            ax.legend(loc="lower right")
            ax.set_ylim(0, 10.3)
            ax.set_xlabel("Número de votos (escala logarítmica)")
            ax.set_ylabel("Nota media (0–10)")
            findings = [_settle_finding(m)]
        else:
            findings = empty(ax, "Sin datos: ninguna película tiene votos.")
    return Figura(
        "disp-votos-nota",
        "Votos frente a nota media",
        encode(fig),
        "Diagrama de dispersión del número de votos frente a la nota media",
        "Eje x logarítmico; se excluyen las películas sin votos (su nota es 0 por "
        "defecto). La línea discontinua marca el mínimo de votos usado en el resto "
        "del informe.",
        findings,
    )


def _settle_finding(m: pd.DataFrame) -> str:
    """How the spread of the average shrinks as votes grow (interquartile ranges)."""
    few = m.loc[m["vote_count"] < MIN_VOTES, "vote_average"]
    many = m.loc[m["vote_count"] >= 1000, "vote_average"]
    rest = m.loc[m["vote_count"] >= MIN_VOTES, "vote_average"]
    ref, ref_label = (many, "1.000 votos o más") if len(many) >= 5 else (rest, f"{MIN_VOTES} o más")

    def iqr(s: pd.Series) -> float:
        return float(s.quantile(0.75) - s.quantile(0.25))

    if len(few) < 5 or len(ref) < 5:
        return _rho_finding(m["vote_count"], m["vote_average"], "votos y nota")
    return (
        f"Con menos de {MIN_VOTES} votos la nota es muy dispersa (rango intercuartílico "
        f"{num(iqr(few), 1)} puntos); con {ref_label} se estrecha a {num(iqr(ref), 1)} y su "
        f"mediana es {num(ref.median(), 1)}."
    )


def yearly_median(m: pd.DataFrame) -> pd.Series:
    """The median runtime of each year with MIN_YEAR movies or more (NaN for thinner years,
    so the plotted line breaks there), over every year from the first to the last."""
    yearly = m.groupby("release_year")["runtime_k"].agg(["median", "size"])
    yearly = yearly["median"].where(yearly["size"] >= MIN_YEAR).dropna()
    if yearly.empty:
        return yearly
    return yearly.reindex(range(int(yearly.index.min()), int(yearly.index.max()) + 1))


def _median_findings(yearly: pd.Series) -> list[str]:
    """What the plotted yearly median line shows: where it starts, ends and peaks."""
    known = yearly.dropna()
    if len(known) < 2:
        return []
    first, last, peak = int(known.index[0]), int(known.index[-1]), int(known.idxmax())
    return [
        f"La mediana anual (años con {MIN_YEAR} películas o más) empieza en {first} con "
        f"{num(known.iloc[0])} min y termina en {last} con {num(known.iloc[-1])} min; su "
        f"máximo es {num(known.max())} min, en {peak}."
    ]


def year_runtime(d: ReportData) -> Figura:
    """Release year vs runtime, with the yearly median drawn on top."""
    m = d.movies.dropna(subset=["runtime_k"])
    findings: list[str] = []
    with canvas(TALL) as (fig, ax):
        if len(m) >= 2:
            jitter = np.random.default_rng(0).uniform(-0.35, 0.35, len(m))
            _points(ax, m["release_year"] + jitter, m["runtime_k"].clip(upper=240))
            yearly = yearly_median(m)
            ax.plot(
                yearly.index,
                yearly.to_numpy(),
                color=ORANGE,
                lw=1.5,
                marker="o",
                ms=2.5,
                label=f"mediana anual (años con {MIN_YEAR} películas o más)",
            )
            ax.legend(loc="lower left")
            ax.set_ylim(0, 250)
            ax.set_xlabel("Año de estreno")
            ax.set_ylabel("Duración (minutos)")
            findings.extend(_median_findings(yearly))
            findings.append(_rho_finding(m["release_year"], m["runtime_k"], "año y duración"))
        else:
            findings = empty(ax, "Sin datos: todas las duraciones son 0 (desconocidas).")
    return Figura(
        "disp-anio-duracion",
        "Año frente a duración",
        encode(fig),
        "Diagrama de dispersión del año de estreno frente a la duración",
        "Se excluyen las duraciones 0 (desconocidas); las de más de 240 min se dibujan "
        "en 240. Los puntos se desplazan al azar hasta ±0,35 años para que no se solapen. La "
        f"línea es la mediana de cada año con {MIN_YEAR} películas o más.",
        findings,
    )


SCATTERS = (budget_revenue, popularity_votes, votes_average, year_runtime)
