"""Pearson and Spearman correlation heat maps of the numeric columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .data import MIN_VOTES, ReportData
from .labels import num
from .model import Figura
from .plots import canvas, empty, encode

NUMERIC = {
    "budget_k": "Presupuesto",
    "revenue_k": "Recaudación",
    "return_k": "Rentabilidad",
    "popularity_k": "Popularidad",
    "runtime_k": "Duración",
    "vote_average_k": "Nota media",
    "vote_count": "Votos",
    "release_year": "Año",
}
METHODS = {"pearson": "Pearson", "spearman": "Spearman"}


def matrix(d: ReportData, method: str) -> pd.DataFrame:
    """Pairwise-complete correlation matrix of the numeric columns, Spanish labels."""
    frame = d.movies[list(NUMERIC)].astype("float64").rename(columns=NUMERIC)
    return frame.corr(method=method, min_periods=3)


def strongest(corr: pd.DataFrame) -> tuple[str, str, float] | None:
    """The off-diagonal pair with the largest absolute coefficient."""
    values = corr.to_numpy(copy=True)
    values[np.tril_indices_from(values)] = np.nan
    if np.isnan(values).all():
        return None
    i, j = np.unravel_index(np.nanargmax(np.abs(values)), values.shape)
    return str(corr.index[i]), str(corr.columns[j]), float(values[i, j])


def _findings(corr: pd.DataFrame, other: pd.DataFrame, name: str, other_name: str) -> list[str]:
    """Strongest pair, and where the two methods disagree most."""
    top = strongest(corr)
    if top is None:
        return ["No hay pares de columnas con datos suficientes para correlacionar."]
    a, b, value = top
    out = [f"La correlación de {name} más fuerte es {a}–{b}: {num(value, 2)}."]
    gap = (corr - other).abs()
    pair = strongest(gap)
    if pair is not None and pair[2] >= 0.1:
        x, y, _ = pair
        out.append(
            f"Donde más difiere de {other_name} es {x}–{y} ({num(corr.loc[x, y], 2)} frente a "
            f"{num(other.loc[x, y], 2)}), señal de relación no lineal o de valores extremos."
        )
    return out


def heatmap(d: ReportData, method: str, corr: pd.DataFrame, other: pd.DataFrame) -> Figura:
    """One annotated heat map of a correlation matrix."""
    name = METHODS[method]
    other_name = next(v for k, v in METHODS.items() if k != method)
    with canvas((7.6, 6.2)) as (fig, ax):
        if corr.notna().to_numpy().sum() > len(corr):
            image = ax.imshow(corr.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
            labels = list(corr.columns)
            ax.set_xticks(range(len(labels)), labels, rotation=40, ha="right")
            ax.set_yticks(range(len(labels)), labels)
            ax.grid(False)
            for (i, j), value in np.ndenumerate(corr.to_numpy()):
                if not np.isnan(value):
                    ax.text(
                        j,
                        i,
                        num(value, 2),
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="white" if abs(value) > 0.6 else "black",
                    )
            fig.colorbar(image, ax=ax, shrink=0.8, label=f"Coeficiente de {name} (−1 a 1)")
            findings = _findings(corr, other, name, other_name)
        else:
            findings = empty(
                ax, "No hay columnas numéricas con datos suficientes para correlacionar."
            )
    kind = "lineal" if method == "pearson" else "de rangos (monótona)"
    return Figura(
        f"corr-{method}",
        f"Correlación de {name}",
        encode(fig),
        f"Mapa de calor de la correlación de {name} entre las columnas numéricas",
        f"Correlación {kind}, par a par con las filas que tienen ambos valores. "
        "Presupuesto, recaudación y duración 0 cuentan como desconocidos; rentabilidad "
        f"solo con ambas cifras; nota media solo con {MIN_VOTES} votos o más.",
        findings,
    )


def correlations(d: ReportData) -> list[Figura]:
    """Both heat maps (Pearson and Spearman), each contrasted with the other."""
    pearson, spearman = matrix(d, "pearson"), matrix(d, "spearman")
    return [heatmap(d, "pearson", pearson, spearman), heatmap(d, "spearman", spearman, pearson)]
