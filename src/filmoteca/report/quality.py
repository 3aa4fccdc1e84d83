"""Data quality: what the build kept and dropped (from the manifest) and missing values."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .data import ReportData
from .labels import num, pct, plural
from .model import Figura, Tabla
from .plots import BLUE, ORANGE, TALL, canvas, encode

STEPS = {"movies": "películas", "credits": "créditos", "keywords": "palabras clave"}
TEXT_COLUMNS = {
    "title": "título",
    "original_title": "título original",
    "original_language": "idioma original",
    "overview": "sinopsis",
    "tagline": "lema",
    "homepage": "web oficial",
    "imdb_id": "id de IMDb",
    "poster_path": "póster",
}
UNKNOWN = {
    "budget": ("presupuesto", "budget_k"),
    "revenue": ("recaudación", "revenue_k"),
    "return": ("rentabilidad", "return_k"),
    "runtime": ("duración", "runtime_k"),
    "popularity": ("popularidad", "popularity_k"),
    "vote_count": ("votos", "vote_count_k"),
}
PLACEHOLDERS = {"no overview found.", "no overview", "no overview yet."}


def _int(value: Any) -> int:
    """A manifest count as int (0 when absent or not a number)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _steps(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The manifest's build steps that have the expected shape."""
    steps = manifest.get("steps")
    if not isinstance(steps, dict):
        return {}
    return {k: v for k, v in steps.items() if isinstance(v, dict) and "read" in v}


def _step_row(key: str, step: dict[str, Any]) -> list[str]:
    """Table row of one build step: read, kept, dropped, share kept."""
    read, kept = _int(step.get("read")), _int(step.get("kept"))
    share = pct(kept / read) if read else "—"
    return [STEPS.get(key, key), num(read), num(kept), num(read - kept), share]


def build_table(d: ReportData) -> Tabla:
    """Rows read, kept and dropped per build step, with the main reason for dropping."""
    steps = _steps(d.manifest)
    rows, findings = [_step_row(k, s) for k, s in steps.items()], []
    movies = steps.get("movies", {})
    if _int(movies.get("read")):
        read, kept = _int(movies["read"]), _int(movies.get("kept"))
        findings.append(
            f"De {num(read)} filas de películas leídas se conservaron {num(kept)} "
            f"({pct(kept / read)})."
        )
    reasons = drop_reasons(d.manifest)
    if reasons:
        step, motivo, count, _ = max(reasons, key=lambda r: r[2])
        findings.append(
            f"El motivo de descarte más frecuente: «{motivo}» "
            f"({plural(count, 'fila', 'filas')}, {step})."
        )
    if not steps:
        findings.append("El manifiesto de este catálogo no detalla los pasos de la construcción.")
    built = d.manifest.get("build_seconds")
    caption = "Según manifest.json del catálogo" + (
        f" (construido en {num(float(built), 1)} s)." if isinstance(built, int | float) else "."
    )
    columns = ["Paso", "Leídas", "Conservadas", "Descartadas", "Conservado"]
    return Tabla(
        "tabla-construccion",
        "Filas leídas y conservadas en la construcción",
        columns,
        rows,
        caption,
        findings,
        frozenset({1, 2, 3, 4}),
    )


def drop_reasons(manifest: dict[str, Any]) -> list[tuple[str, str, int, str]]:
    """One (step, reason, rows, examples) per group of dropped rows in the manifest."""
    out = []
    for key, step in _steps(manifest).items():
        dropped = step.get("dropped")
        for code, reason in dropped.items() if isinstance(dropped, dict) else []:
            if isinstance(reason, dict):
                examples = reason.get("ejemplos")
                shown = (
                    ", ".join(str(e) for e in examples[:3]) if isinstance(examples, list) else ""
                )
                motivo = str(reason.get("motivo", code))
                out.append((STEPS.get(key, key), motivo, _int(reason.get("rows")), shown))
    return out


def dropped_table(d: ReportData) -> Tabla:
    """Dropped rows by reason, plus the build's warnings that affected some rows."""
    reasons = drop_reasons(d.manifest)
    raw = d.manifest.get("warnings")
    warnings = {
        k: w
        for k, w in (raw.items() if isinstance(raw, dict) else [])
        if isinstance(w, dict) and _int(w.get("rows")) > 0
    }
    rows = [[step, motivo, num(count), examples] for step, motivo, count, examples in reasons]
    rows += [
        ["aviso (se conservan)", str(w.get("motivo", k)), num(_int(w["rows"])), ""]
        for k, w in warnings.items()
    ]
    findings = [
        f"En total se descartaron {plural(sum(r[2] for r in reasons), 'fila', 'filas')} por "
        f"{plural(len(reasons), 'motivo', 'motivos')}; el manifiesto recoge "
        f"{plural(len(warnings), 'aviso', 'avisos')} sobre filas conservadas."
    ]
    return Tabla(
        "tabla-descartes",
        "Filas descartadas y avisos, por motivo",
        ["Paso", "Motivo", "Filas", "Ejemplos"],
        rows,
        "Motivos tal como los registra la construcción (manifest.json); solo los avisos "
        "que afectaron a alguna fila.",
        findings,
        frozenset({2}),
    )


def missing(d: ReportData) -> pd.DataFrame:
    """Share of movies with an empty value and with an 'unknown' sentinel, per column."""
    m, out = d.movies, {}
    for col, label in TEXT_COLUMNS.items():
        text = m[col].astype("string").str.strip()
        blank = text.isna() | (text == "")
        filler = text.str.lower().isin(PLACEHOLDERS).fillna(False) if col == "overview" else 0.0
        out[label] = (float(blank.mean()), float(np.mean(filler)))
    for col, (label, known) in UNKNOWN.items():
        out[label] = (m[col].isna().mean(), (m[known].isna() & m[col].notna()).mean())
    out["nota media"] = (m["vote_average"].isna().mean(), (m["vote_count"] == 0).mean())
    for table, label in (
        ("genres", "géneros"),
        ("companies", "productoras"),
        ("countries", "países"),
        ("keywords", "palabras clave"),
    ):
        out[f"sin {label}"] = (1 - getattr(d, table)["movie_id"].nunique() / d.n, 0.0)
    for table, label in (("cast", "reparto"), ("crew", "equipo técnico")):
        out[f"sin {label}"] = (1 - d.credited[table] / d.n, 0.0)
    frame = pd.DataFrame(out, index=["vacio", "desconocido"]).T.astype("float64")
    return frame.assign(total=frame.sum(axis=1)).sort_values("total")


def missing_figure(d: ReportData) -> Figura:
    """Stacked bars of empty and unknown values per column."""
    frame = missing(d)
    with canvas(TALL) as (fig, ax):
        y = np.arange(len(frame))
        ax.barh(y, 100 * frame["vacio"], color=BLUE, height=0.7, label="vacío")
        ax.barh(
            y,
            100 * frame["desconocido"],
            left=100 * frame["vacio"],
            color=ORANGE,
            height=0.7,
            label="0 o marcador = desconocido",
        )
        ax.set_yticks(y, list(frame.index))
        ax.set_xlim(0, 112)
        ax.set_xticks(range(0, 101, 20))
        ax.set_xlabel("Películas sin el dato (%)")
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower right")
        for i, total in enumerate(frame["total"]):
            if total > 0:
                ax.text(100 * total, i, f" {pct(total)}", va="center", fontsize=8)
    worst = frame.index[-1]
    complete = [c for c in frame.index if frame.loc[c, "total"] == 0]
    both = float((d.movies["budget_k"].notna() & d.movies["revenue_k"].notna()).mean())
    findings = [
        f"El dato que más falta es «{worst}»: {pct(frame.loc[worst, 'total'])} de las películas.",
        f"Solo el {pct(both)} tiene presupuesto y recaudación conocidos; "
        f"{len(complete)} de {len(frame)} datos están completos.",
    ]
    return Figura(
        "calidad-faltantes",
        "Valores que faltan por columna",
        encode(fig),
        "Porcentaje de películas sin cada dato",
        "Vacío: nulo o texto en blanco. "
        "Desconocido: presupuesto, recaudación o duración 0, sinopsis de relleno "
        "(«No overview found.»), popularidad 0, películas sin votos (su nota es 0 por "
        "defecto). «sin …»: películas sin ningún vínculo en esa tabla.",
        findings,
    )


QUALITY = (build_table, dropped_table, missing_figure)
