"""Histograms: vote average, runtime, release year, budget, revenue and return."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from .data import MIN_VOTES, ReportData, finite
from .labels import count_tick, money, money_tick, num, pct, plural, ratio_tick, sig
from .model import Figura
from .plots import BLUE, ORANGE, canvas, empty, encode, log_axis

RUNTIME_CLIP = 240
RETURN_CLIP = (1e-3, 1e3)


def _counts_axis(ax: Axes) -> None:
    """Label the y axis as a count of movies with Spanish thousands separators."""
    ax.set_ylabel("Películas")
    ax.yaxis.set_major_formatter(FuncFormatter(count_tick))


def _log_bins(values: np.ndarray, per_decade: int = 8) -> np.ndarray:
    """Log-spaced bin edges covering the values."""
    low, high = np.floor(np.log10(values.min())), np.ceil(np.log10(values.max()))
    return np.logspace(low, max(high, low + 1), int(max(high - low, 1) * per_decade) + 1)


def vote_average(d: ReportData) -> Figura:
    """Histogram of the vote average (movies with enough votes)."""
    values = finite(d.movies["vote_average_k"])
    findings: list[str] = []
    with canvas() as (fig, ax):
        if values.size:
            ax.hist(values, bins=np.arange(-0.05, 10.1, 0.2).tolist(), color=BLUE)
            median = float(np.median(values))
            ax.axvline(median, color=ORANGE, lw=1.5, label=f"mediana {num(median, 1)}")
            ax.legend()
            ax.set_xlim(0, 10)
            ax.set_xlabel("Nota media (0–10)")
            _counts_axis(ax)
            findings = [
                f"La nota media tiene mediana {num(median, 1)} y media {num(values.mean(), 2)} "
                f"sobre {plural(values.size, 'película', 'películas')}.",
                f"Un {pct(float((values >= 7).mean()))} alcanza un 7 o más; solo un "
                f"{pct(float((values < 5).mean()))} queda por debajo de 5.",
            ]
        else:
            findings = empty(ax, f"Ninguna película tiene {MIN_VOTES} votos o más.")
    return Figura(
        "hist-nota",
        "Nota media",
        encode(fig),
        "Histograma de la nota media de las películas",
        f"Solo películas con al menos {MIN_VOTES} votos ({num(values.size)} de {num(d.n)}): "
        "con menos votos la media es ruido. Barras de 0,2 puntos.",
        findings,
    )


def runtime(d: ReportData) -> Figura:
    """Histogram of runtimes, clipped at RUNTIME_CLIP minutes."""
    values = finite(d.movies["runtime_k"])
    over = int((values > RUNTIME_CLIP).sum())
    findings: list[str] = []
    with canvas() as (fig, ax):
        if values.size:
            ax.hist(
                np.minimum(values, RUNTIME_CLIP),
                bins=np.arange(0, RUNTIME_CLIP + 5, 5).tolist(),
                color=BLUE,
            )
            counts, edges = np.histogram(values, bins=np.arange(0, values.max() + 10, 5))
            top = int(np.argmax(counts))
            ax.set_xlabel("Duración (minutos)")
            ax.set_xlim(0, RUNTIME_CLIP + 5)
            _counts_axis(ax)
            findings = [
                f"La duración mediana es {num(np.median(values))} minutos; el intervalo más "
                f"frecuente es {num(edges[top])}–{num(edges[top + 1])} min.",
                f"El {pct(float(((values >= 80) & (values <= 120)).mean()))} dura entre 80 y "
                f"120 minutos; la más larga dura {num(values.max())} min.",
            ]
        else:
            findings = empty(ax, "Sin datos: todas las duraciones son 0 (desconocidas).")
    return Figura(
        "hist-duracion",
        "Duración",
        encode(fig),
        "Histograma de la duración de las películas en minutos",
        f"Barras de 5 minutos. Se excluyen las duraciones 0 o vacías (desconocidas, "
        f"{plural(d.n - values.size, 'película', 'películas')}); "
        + (
            f"las de más de {RUNTIME_CLIP} min ({num(over)}) se acumulan en la última barra."
            if over
            else f"ninguna pasa de {RUNTIME_CLIP} min."
        ),
        findings,
    )


def release_year(d: ReportData) -> Figura:
    """Histogram of release years, one bar per year."""
    values = finite(d.movies["release_year"])
    findings: list[str] = []
    with canvas() as (fig, ax):
        years, counts = np.unique(values.astype(int), return_counts=True)
        ax.bar(years, counts, width=1.0, color=BLUE)
        ax.set_xlabel("Año de estreno")
        _counts_axis(ax)
        top = int(np.argmax(counts))
        findings = [
            f"Las películas van de {years[0]} a {years[-1]}, con mediana en "
            f"{int(np.median(values))}; "
            f"el año con más estrenos es {years[top]} ({num(counts[top])} películas).",
            f"El {pct(float((values >= 2000).mean()))} se estrenó en el año 2000 o después.",
        ]
    return Figura(
        "hist-anio",
        "Año de estreno",
        encode(fig),
        "Número de películas estrenadas por año",
        "Una barra por año, a partir de la fecha de estreno (las filas sin fecha no llegan al "
        "catálogo). El último año puede estar incompleto.",
        findings,
    )


def _money_hist(d: ReportData, col: str, key: str, title: str, noun: str, fem: bool) -> Figura:
    """Log-scale histogram of a dollar column (0 = unknown, left out)."""
    the, a, of_the = ("la", "una", "de la") if fem else ("el", "un", "del")
    values = finite(d.movies[f"{col}_k"])
    findings: list[str] = []
    with canvas() as (fig, ax):
        if values.size:
            ax.hist(values, bins=_log_bins(values).tolist(), color=BLUE)
            log_axis(ax, "x", FuncFormatter(money_tick), numticks=7)
            ax.set_xlabel(f"{title} (dólares, escala logarítmica)")
            _counts_axis(ax)
            tiny = int((values < 1000).sum())
            odd = (
                f"{plural(tiny, 'película declara', 'películas declaran')} menos de 1.000 US$, "
                "probablemente cifras en millones o errores de unidad."
                if tiny
                else "Ninguna película declara menos de 1.000 US$."
            )
            findings = [
                f"Se conoce {the} {noun} de {num(values.size)} películas "
                f"({pct(values.size / d.n)}); su mediana es {money(float(np.median(values)))} y "
                f"el máximo {money(values.max())}.",
                odd,
            ]
        else:
            findings = empty(ax, f"Sin datos: todas las películas tienen {noun} 0 (desconocido).")
    return Figura(
        key,
        title,
        encode(fig),
        f"Histograma {of_the} {noun} en escala logarítmica",
        f"Escala logarítmica: {the} {noun} abarca varios órdenes de magnitud. {a.capitalize()} {noun} 0 significa "
        f"«desconocido» y se excluye ({num(d.n - values.size)} películas).",
        findings,
    )


def budget(d: ReportData) -> Figura:
    """Histogram of budgets on a log scale."""
    return _money_hist(d, "budget", "hist-presupuesto", "Presupuesto", "presupuesto", fem=False)


def revenue(d: ReportData) -> Figura:
    """Histogram of revenues on a log scale."""
    return _money_hist(d, "revenue", "hist-recaudacion", "Recaudación", "recaudación", fem=True)


def _return_findings(values: np.ndarray, budgets: np.ndarray) -> list[str]:
    """Median return, share that broke even, and how many extreme ratios come from tiny budgets."""
    huge = values >= 100
    extreme = (
        f"{plural(int(huge.sum()), 'película multiplica', 'películas multiplican')} por 100 o "
        f"más; de ellas {num(int((budgets[huge] < 1000).sum()))} declaran un presupuesto "
        "inferior a 1.000 US$ (probable error de unidad)."
        if huge.any()
        else "Ninguna película multiplica su presupuesto por 100 o más."
    )
    return [
        f"La rentabilidad mediana es {num(np.median(values), 2)}×: el "
        f"{pct(float((values >= 1).mean()))} de las {num(values.size)} películas con ambas "
        "cifras recaudó al menos lo que costó.",
        extreme,
    ]


def return_ratio(d: ReportData) -> Figura:
    """Histogram of return = revenue / budget on a log scale, clipped to RETURN_CLIP."""
    known = d.movies.loc[d.movies["return_k"] > 0, ["return_k", "budget"]]
    values = known["return_k"].to_numpy(dtype="float64")
    low, high = RETURN_CLIP
    findings: list[str] = []
    with canvas() as (fig, ax):
        if values.size:
            ax.hist(np.clip(values, low, high), bins=np.logspace(-3, 3, 49).tolist(), color=BLUE)
            ax.axvline(1, color=ORANGE, lw=1.5, label="recupera la inversión (1×)")
            ax.legend()
            log_axis(ax, "x", FuncFormatter(ratio_tick))
            ax.set_xlabel("Rentabilidad = recaudación / presupuesto (veces, escala logarítmica)")
            _counts_axis(ax)
            findings = _return_findings(values, known["budget"].to_numpy(dtype="float64"))
        else:
            findings = empty(
                ax, "Sin datos: ninguna película tiene presupuesto y recaudación conocidos."
            )
    span = (
        f"Los cocientes van de {sig(values.min())}× a "
        f"{num(values.max())}×; se recortan a [{ratio_tick(low)}, {ratio_tick(high)}]: "
        f"{num(int((values < low).sum()))} películas por debajo y "
        f"{num(int((values > high).sum()))} por encima se acumulan en las barras extremas."
        if values.size
        else ""
    )
    return Figura(
        "hist-rentabilidad",
        "Rentabilidad",
        encode(fig),
        "Histograma de la rentabilidad (recaudación dividida por presupuesto)",
        "Solo películas con presupuesto y recaudación conocidos (distintos de 0). Escala "
        f"logarítmica. {span}",
        findings,
    )


HISTOGRAMS = (vote_average, runtime, release_year, budget, revenue, return_ratio)
