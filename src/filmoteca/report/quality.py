"""Data quality: what the build kept and dropped (from the manifest) and missing values."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .data import ReportData
from .labels import num, pct
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


def _steps(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The manifest's build steps that have the expected shape."""
    steps = manifest.get("steps")
    if not isinstance(steps, dict):
        return {}
    return {k: v for k, v in steps.items() if isinstance(v, dict) and "read" in v}


def build_table(d: ReportData) -> Tabla:
    """Rows read, kept and dropped per build step, with the main reason for dropping."""
    steps = _steps(d.manifest)
    rows, findings = [], []
    for key, step in steps.items():
        read, kept = int(step.get("read", 0)), int(step.get("kept", 0))
        rows.append(
            [
                STEPS.get(key, key),
                num(read),
                num(kept),
                num(read - kept),
                pct(kept / read) if read else "—",
            ]
        )
    if "movies" in steps and steps["movies"].get("read"):
        movies = steps["movies"]
        findings.append(
            f"De {num(movies['read'])} filas de películas leídas se conservaron "
            f"{num(movies['kept'])} ({pct(movies['kept'] / movies['read'])})."
        )
    reasons = drop_reasons(d.manifest)
    if reasons:
        step, motivo, count, _ = max(reasons, key=lambda r: r[2])
        findings.append(
            f"El motivo de descarte más frecuente: «{motivo}» ({num(count)} filas, {step})."
        )
    if not steps:
        findings.append("El manifiesto de este catálogo no detalla los pasos de la construcción.")
    built = d.manifest.get("build_seconds")
    caption = "Según manifest.json del catálogo" + (
        f" (construido en {num(float(built), 1)} s)." if isinstance(built, int | float) else "."
    )
    return Tabla(
        "tabla-construccion",
        "Filas leídas y conservadas en la construcción",
        ["Paso", "Leídas", "Conservadas", "Descartadas", "Conservado"],
        rows,
        caption,
        findings,
    )


def drop_reasons(manifest: dict[str, Any]) -> list[tuple[str, str, int, str]]:
    """One (step, reason, rows, examples) per group of dropped rows in the manifest."""
    out = []
    for key, step in _steps(manifest).items():
        for code, reason in (step.get("dropped") or {}).items():
            if isinstance(reason, dict):
                examples = ", ".join(str(e) for e in (reason.get("ejemplos") or [])[:3])
                out.append(
                    (
                        STEPS.get(key, key),
                        str(reason.get("motivo", code)),
                        int(reason.get("rows", 0)),
                        examples,
                    )
                )
    return out


def dropped_table(d: ReportData) -> Tabla:
    """Dropped rows by reason, plus the build's warnings (kept rows with caveats)."""
    reasons = drop_reasons(d.manifest)
    warnings = {k: w for k, w in (d.manifest.get("warnings") or {}).items() if isinstance(w, dict)}
    rows = [[step, motivo, num(count), examples] for step, motivo, count, examples in reasons]
    rows += [
        ["aviso (se conservan)", str(w.get("motivo", k)), num(int(w.get("rows", 0))), ""]
        for k, w in warnings.items()
    ]
    findings = [
        f"En total se descartaron {num(sum(r[2] for r in reasons))} filas por "
        f"{len(reasons)} motivos; el manifiesto recoge {len(warnings)} avisos sobre filas "
        "conservadas."
    ]
    return Tabla(
        "tabla-descartes",
        "Filas descartadas y avisos, por motivo",
        ["Paso", "Motivo", "Filas", "Ejemplos"],
        rows,
        "Motivos tal como los registra la construcción (manifest.json).",
        findings,
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
        ax.set_xlim(0, 100)
        ax.set_xlabel("Películas sin el dato (%)")
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower right")
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
