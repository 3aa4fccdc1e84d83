"""Orchestrate the report: load the catalog, build every section, write index.html atomically."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import __version__, formats
from ..errors import FilmotecaError
from . import bars, correlations, distributions, groups, profile, quality, relations, words
from .data import ReportData, load
from .html import page
from .labels import num, pct
from .model import Figura, Seccion, Tabla

Item = Figura | Tabla
Builder = Callable[[ReportData], Item | list[Figura]]
Progress = Callable[[str, int, int], None]
"""Called as progress(what is being done, items done, items in total)."""


@dataclass(frozen=True)
class Plan:
    """A section to build: its anchor, title, introduction and item builders."""

    key: str
    title: str
    intro: str
    builders: Sequence[Builder]


PLANS = (
    Plan(
        "perfil",
        "Perfil de las variables",
        "Las cifras de cada columna numérica y las alertas que merecen una mirada.",
        profile.PROFILE,
    ),
    Plan(
        "histogramas",
        "Distribuciones",
        "Cómo se reparten los valores de cada columna numérica del catálogo.",
        distributions.HISTOGRAMS,
    ),
    Plan(
        "dispersion",
        "Relaciones entre pares de columnas",
        "Diagramas de dispersión: cada punto es una película.",
        relations.SCATTERS,
    ),
    Plan(
        "cajas",
        "Comparación por grupos",
        "Diagramas de caja por género y por década.",
        groups.BOXPLOTS,
    ),
    Plan(
        "barras",
        "Recuentos",
        "Cuántas películas hay por género, productora, país, idioma y fecha de estreno.",
        bars.BARS,
    ),
    Plan(
        "nubes",
        "Nubes de palabras",
        "Las palabras más frecuentes de sinopsis, palabras clave "
        "y títulos; el tamaño es proporcional a la frecuencia.",
        words.WORDS,
    ),
    Plan(
        "correlaciones",
        "Correlaciones",
        "Pearson mide la relación lineal; Spearman, la "
        "monótona (por rangos), menos sensible a valores extremos.",
        (correlations.correlations,),
    ),
    Plan(
        "destacadas",
        "Películas destacadas",
        "Las más taquilleras, las mejor valoradas con votos suficientes y las más rentables "
        "con un presupuesto real.",
        profile.TOPS,
    ),
    Plan(
        "calidad",
        "Calidad de los datos",
        "Qué conservó y descartó la construcción del "
        "catálogo, y qué datos faltan en lo conservado.",
        quality.QUALITY,
    ),
)


@dataclass(frozen=True)
class ReportSummary:
    """What a report run produced and how long each part took."""

    path: Path
    movies: int
    figures: int
    tables: int
    bytes: int
    seconds: float
    timings: dict[str, float]


def build_sections(
    data: ReportData, progress: Progress | None = None, timings: dict[str, float] | None = None
) -> list[Seccion]:
    """Build every section's figures and tables, reporting progress item by item."""
    total, done = sum(len(p.builders) for p in PLANS), 0
    sections = []
    for plan in PLANS:
        items: list[Item] = []
        start = time.perf_counter()
        for builder in plan.builders:
            if progress:
                progress(plan.title, done, total)
            result = builder(data)
            items.extend(result if isinstance(result, list) else [result])
            done += 1
        if timings is not None:
            timings[plan.title] = time.perf_counter() - start
        sections.append(Seccion(plan.key, plan.title, plan.intro, items))
    if progress:
        progress("Informe listo", done, total)
    return sections


def _facts(data: ReportData) -> list[tuple[str, str]]:
    """Headline figures of the catalog for the top of the page."""
    m = data.movies
    known = float((m["budget_k"].notna() & m["revenue_k"].notna()).mean())
    return [
        ("películas", num(data.n)),
        ("años de estreno", f"{int(m['release_year'].min())}–{int(m['release_year'].max())}"),
        ("géneros distintos", num(data.genres["name"].nunique())),
        ("idiomas originales", num(m["original_language"].nunique())),
        ("con presupuesto y recaudación", pct(known)),
    ]


def render(data: ReportData, sections: list[Seccion], catalog_dir: Path) -> str:
    """The full HTML page for a built set of sections."""
    manifest = data.manifest
    source = manifest.get("source") or {}
    demo = " (catálogo de demostración)" if source.get("demo") else ""
    now = dt.datetime.now(dt.UTC)
    built = manifest.get("built_at")
    subtitle = (
        f"Catálogo «{catalog_dir.resolve().name}»{demo} de {num(data.n)} películas, "
        f"construido el {formats.date(str(built)) if built else 'día desconocido'}. "
        f"Informe generado el {formats.date(now.date())} a las {now:%H:%M} UTC."
    )
    footer = (
        f"Generado por filmoteca {__version__}. Todas las conclusiones bajo las figuras se "
        "calculan con los datos del catálogo al generar el informe."
    )
    return page("Informe exploratorio del catálogo", subtitle, _facts(data), sections, footer)


def _unwritable(output_dir: Path, exc: OSError) -> FilmotecaError:
    """The Spanish error for an output directory that cannot be written."""
    return FilmotecaError(
        f"No se pudo escribir el informe en '{output_dir}': {exc.strerror or exc}."
    )


def prepare_output(output_dir: Path) -> None:
    """Create the output directory up front, so a bad --output fails before any work."""
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(output_dir, exc) from exc


def write_atomic(output_dir: Path, html: str) -> Path:
    """Write index.html through a temporary directory and rename it into place."""
    target = output_dir / "index.html"
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".informe-", dir=output_dir))
        try:
            (tmp / "index.html").write_text(html, encoding="utf-8")
            os.replace(tmp / "index.html", target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as exc:
        raise _unwritable(output_dir, exc) from exc
    return target


def build_report(
    catalog_dir: Path, output_dir: Path, progress: Progress | None = None
) -> ReportSummary:
    """Generate the EDA report of a catalog into output_dir/index.html."""
    started = time.perf_counter()
    if progress:
        progress("Leyendo el catálogo", 0, 1)
    data = load(catalog_dir)
    prepare_output(output_dir)
    timings = {"Lectura del catálogo": time.perf_counter() - started}
    sections = build_sections(data, progress, timings)
    start = time.perf_counter()
    html = render(data, sections, catalog_dir)
    path = write_atomic(output_dir, html)
    timings["HTML y escritura"] = time.perf_counter() - start
    items = [i for s in sections for i in s.items]
    return ReportSummary(
        path,
        data.n,
        sum(isinstance(i, Figura) for i in items),
        sum(isinstance(i, Tabla) for i in items),
        len(html.encode()),
        time.perf_counter() - started,
        timings,
    )
