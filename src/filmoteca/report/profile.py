"""A per-variable profile (as a profiling report gives), its alerts, and top-N tables.

profile_table    type, count, missing, zeros, distinct, mean, std and quantiles per column
alerts           what deserves a look: many missing or zero values, skew, constant columns
top_revenue      highest-grossing movies
top_rated        best-rated movies with at least MIN_RATED votes (the API's rule)
top_return       most profitable movies with a real budget (at least MIN_BUDGET dollars)
"""

from __future__ import annotations

import pandas as pd

from ..catalog import MIN_VOTES as MIN_RATED
from ..formats import money
from .data import ReportData
from .labels import num, pct
from .model import Tabla

MIN_BUDGET = 1_000_000
"""Budgets below this are mostly unit errors (a budget of 7 "dollars"): left out of returns."""
TOP = 10
COLUMNS = {
    "budget": "Presupuesto",
    "revenue": "Recaudación",
    "return": "Retorno",
    "runtime": "Duración (min)",
    "popularity": "Popularidad",
    "vote_count": "Votos",
    "vote_average": "Nota media",
    "release_year": "Año de estreno",
}
"""The numeric columns profiled, with their Spanish names."""


def _stats(values: pd.Series) -> dict[str, float]:
    """Count, missing, zeros, distinct, mean, std and quantiles of one column."""
    known = values.dropna()
    q = known.quantile([0.0, 0.25, 0.5, 0.75, 1.0]) if len(known) else pd.Series([float("nan")] * 5)
    return {
        "count": float(len(known)),
        "missing": float(values.isna().sum()),
        "zeros": float((known == 0).sum()),
        "distinct": float(known.nunique()),
        "mean": float(known.mean()) if len(known) else float("nan"),
        "std": float(known.std()) if len(known) > 1 else float("nan"),
        "skew": float(known.skew()) if len(known) > 2 else 0.0,
        **{f"q{i}": float(v) for i, v in enumerate(q.tolist())},
    }


def profiles(d: ReportData) -> dict[str, dict[str, float]]:
    """The statistics of every profiled column present in the catalog."""
    return {c: _stats(d.movies[c].astype("float64")) for c in COLUMNS if c in d.movies}


def _fmt(value: float) -> str:
    """A statistic in Spanish notation, with decimals only for small values."""
    return num(value, 2 if abs(value) < 100 else 0)


def profile_table(d: ReportData) -> Tabla:
    """One row per numeric column: the figures a profiling report starts with."""
    rows = []
    for col, s in profiles(d).items():
        rows.append(
            [COLUMNS[col], "numérica", num(s["count"]), num(s["missing"]), num(s["zeros"])]
            + [num(s["distinct"])]
            + [_fmt(s[k]) for k in ("mean", "std", "q0", "q1", "q2", "q3", "q4")]
        )
    head = ["Variable", "Tipo", "Valores", "Faltan", "Ceros", "Distintos", "Media", "Desv. típ."]
    return Tabla(
        "perfil-variables",
        "Perfil de cada variable numérica",
        [*head, "Mín.", "P25", "Mediana", "P75", "Máx."],
        rows,
        "Sobre todas las películas del catálogo. En presupuesto, recaudación, retorno y duración "
        "un 0 significa «desconocido» (se cuenta en «Ceros»).",
        alerts(d),
        numeric=frozenset(range(2, 13)),
    )


def alerts(d: ReportData) -> list[str]:
    """Alerts on the profiled columns, as a profiling report raises them."""
    found = []
    for col, s in profiles(d).items():
        name, total = COLUMNS[col], s["count"] + s["missing"]
        if total and s["missing"] / total > 0.05:
            found.append(f"{name}: faltan {pct(s['missing'] / total)} de los valores.")
        if s["count"] and s["zeros"] / s["count"] > 0.1:
            found.append(f"{name}: {pct(s['zeros'] / s['count'])} de ceros.")
        if s["distinct"] == 1:
            found.append(f"{name}: un único valor (constante).")
        if abs(s["skew"]) > 3:
            found.append(f"{name}: muy asimétrica (asimetría {num(s['skew'], 1)}).")
    return [f"Alerta — {a}" for a in found] or ["Ninguna alerta."]


def _movie(row: pd.Series) -> str:
    """Title and year of a movie row."""
    year = int(row["release_year"]) if row["release_year"] > 0 else None
    return f"{row['title']} ({year})" if year else str(row["title"])


def top_revenue(d: ReportData) -> Tabla:
    """The highest-grossing movies."""
    m = d.movies[d.movies["revenue"] > 0].nlargest(TOP, ["revenue", "vote_count"])
    rows = [[str(i), _movie(r), money(r["revenue"])] for i, (_, r) in enumerate(m.iterrows(), 1)]
    return Tabla(
        "top-recaudacion",
        "Las más taquilleras",
        ["N.º", "Película", "Recaudación"],
        rows,
        "Recaudación en dólares corrientes (sin ajustar por inflación).",
        [f"{num(len(d.movies[d.movies['revenue'] > 0]))} películas tienen recaudación conocida."],
        numeric=frozenset({0, 2}),
    )


def top_rated(d: ReportData) -> Tabla:
    """The best-rated movies with enough votes (the API's 2,000-vote rule)."""
    m = d.movies[d.movies["vote_count"] >= MIN_RATED]
    m = m.sort_values(["vote_average", "vote_count"], ascending=False).head(TOP)
    rows = [
        [str(i), _movie(r), num(r["vote_average"], 1), num(r["vote_count"])]
        for i, (_, r) in enumerate(m.iterrows(), 1)
    ]
    return Tabla(
        "top-valoradas",
        f"Las mejor valoradas (al menos {num(MIN_RATED)} votos)",
        ["N.º", "Película", "Nota media", "Votos"],
        rows,
        f"Sólo películas con al menos {num(MIN_RATED)} votos: con menos, una nota depende de "
        "pocas opiniones. Empates por más votos.",
        [f"{num(len(d.movies[d.movies['vote_count'] >= MIN_RATED]))} películas cumplen el mínimo."],
        numeric=frozenset({0, 2, 3}),
    )


def top_return(d: ReportData) -> Tabla:
    """The most profitable movies (revenue / budget) with a real budget."""
    m = d.movies[(d.movies["budget"] >= MIN_BUDGET) & (d.movies["revenue"] > 0)].copy()
    m["ratio"] = m["revenue"] / m["budget"]
    m = m.nlargest(TOP, ["ratio", "revenue"])
    rows = [
        [str(i), _movie(r), num(r["ratio"], 1) + " ×", money(r["budget"]), money(r["revenue"])]
        for i, (_, r) in enumerate(m.iterrows(), 1)
    ]
    return Tabla(
        "top-retorno",
        "Las más rentables (presupuesto de al menos 1 M US$)",
        ["N.º", "Película", "Retorno", "Presupuesto", "Recaudación"],
        rows,
        "Retorno = recaudación / presupuesto. Se excluyen los presupuestos de menos de 1 M US$, "
        "casi siempre errores de unidad (cifras en millones).",
        [f"{num(len(m))} de las películas con presupuesto real entran en la lista."]
        if len(m) < TOP
        else [f"La décima multiplica su presupuesto por {num(m['ratio'].iloc[-1], 1)}."],
        numeric=frozenset({0, 2, 3, 4}),
    )


PROFILE = (profile_table,)
TOPS = (top_revenue, top_rated, top_return)
