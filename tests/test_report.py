"""The EDA report: every section and figure is there, findings are computed, errors are clean."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from PIL import Image

from factories import make_catalog, movie
from filmoteca.catalog import store
from filmoteca.cli import cli
from filmoteca.errors import CatalogError, CatalogMissing, FilmotecaError
from filmoteca.report import PLANS, build, build_report
from filmoteca.report.labels import genre_es, num, pct
from filmoteca.report.words import tokens

GENRES = ["Drama", "Comedy", "Action", "Thriller", "Horror", "Science Fiction", "Animation"]
COMPANIES = ["Warner Bros.", "Paramount", "Universal", "Studio Canal", "Toho"]
COUNTRIES = [("US", "United States of America"), ("ES", "Spain"), ("FR", "France")]
WORDS = ["detective", "family", "love", "war", "robot", "city", "secret", "journey", "ghost"]

FIGURES = {
    "perfil": [],
    "histogramas": ["hist-nota", "hist-duracion", "hist-anio", "hist-presupuesto",
                    "hist-recaudacion", "hist-rentabilidad"],
    "dispersion": ["disp-presupuesto-recaudacion", "disp-popularidad-votos", "disp-votos-nota",
                   "disp-anio-duracion"],
    "cajas": ["caja-nota-genero", "caja-rentabilidad-genero", "caja-duracion-decada"],
    "barras": ["barras-genero", "barras-productora", "barras-pais", "barras-idioma", "barras-mes",
               "barras-dia"],
    "nubes": ["nube-sinopsis", "nube-palabras-clave", "nube-titulos"],
    "correlaciones": ["corr-pearson", "corr-spearman"],
    "destacadas": [],
    "calidad": ["calidad-faltantes"],
}  # fmt: skip
TABLES = ["perfil-variables", "top-recaudacion", "top-valoradas", "top-retorno",
          "tabla-construccion", "tabla-descartes"]  # fmt: skip


def _movie(rng: np.random.Generator, i: int) -> dict[str, Any]:
    """One plausible random movie; some budgets, revenues and runtimes unknown (0)."""
    date = dt.date(1950, 1, 1) + dt.timedelta(days=int(rng.integers(0, 26000)))
    budget = float(rng.choice([0, 10 ** rng.uniform(5, 8.4)]))
    revenue = float(rng.choice([0, budget * 10 ** rng.normal(0.2, 0.5)])) if budget else 0.0
    votes = int(rng.integers(0, 3000))
    average = round(float(np.clip(rng.normal(6.2, 1.1), 0, 10)), 1) if votes else 0.0
    return movie(
        i,
        f"The {rng.choice(WORDS).title()} of El Dorado {i}",
        date.isoformat(),
        budget=round(budget),
        revenue=round(revenue),
        runtime=float(rng.choice([0, rng.normal(100, 20)])),
        vote_count=votes,
        vote_average=average,
        popularity=float(votes / 100 + rng.uniform(0, 3)),
        original_language=str(rng.choice(["en", "es", "fr", "ja"])),
        overview=None if i % 17 == 0 else f"A {' '.join(rng.choice(WORDS, 6))} and the city.",
    )


def _links(rng: np.random.Generator, i: int) -> dict[str, list[dict[str, Any]]]:
    """Genres, company, country, keywords and credits of movie i."""
    genres = rng.choice(GENRES, int(rng.integers(1, 4)), replace=False)
    company = str(rng.choice(COMPANIES))
    code, country = COUNTRIES[int(rng.integers(0, len(COUNTRIES)))]
    keywords = ["based on novel", str(rng.choice(WORDS))] if i % 3 else []
    return {
        "genres": [{"movie_id": i, "genre_id": GENRES.index(g), "name": g} for g in genres],
        "companies": [{"movie_id": i, "company_id": COMPANIES.index(company), "name": company}],
        "countries": [{"movie_id": i, "iso_3166_1": code, "name": country}],
        "keywords": [{"movie_id": i, "keyword_id": k, "name": w} for k, w in enumerate(keywords)],
        "cast": [{"movie_id": i, "person_id": i, "name": "Ana", "character": "X", "order": 0}],
        "crew": [{"movie_id": i, "person_id": i, "name": "Luis", "job": "Director"}] * (i % 4 > 0),
    }  # fmt: skip


MANIFEST_STEPS = {
    "movies": {"read": 307, "kept": 300, "dropped": {
        "id_no_entero": {"rows": 3, "motivo": "id no entero (fila desplazada)",
                         "ejemplos": ["1997-08-20"]},
        "id_repetido": {"rows": 4, "motivo": "id repetido: se conserva la primera fila",
                        "ejemplos": [15]},
    }},
    "credits": {"read": 302, "kept": 300, "dropped": {
        "pelicula_desconocida": {"rows": 2, "motivo": "créditos de una película que no está"}}},
}  # fmt: skip


def random_catalog(directory: Path, n: int = 300, seed: int = 5) -> Path:
    """A factory-built catalog of n random movies with every link table filled."""
    rng = np.random.default_rng(seed)
    movies = [_movie(rng, i) for i in range(1, n + 1)]
    links: dict[str, list[dict[str, Any]]] = {}
    for m in movies:
        for table, rows in _links(rng, m["id"]).items():
            links.setdefault(table, []).extend(rows)
    make_catalog(directory, movies, **links)
    manifest = json.loads((directory / store.MANIFEST).read_text())
    manifest["steps"] = MANIFEST_STEPS
    manifest["warnings"] = {
        "sin_creditos": {"rows": 0, "motivo": "película sin créditos"},
        "sin_sinopsis": {"rows": 17, "motivo": "sinopsis vacía"},
    }
    (directory / store.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return directory


class Page(HTMLParser):
    """Collects the report's sections, figures, tables, images, findings and links."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.figures: dict[str, str] = {}
        self.tables: list[str] = []
        self.images: list[dict[str, str]] = []
        self.findings: dict[str, list[str]] = {}
        self.urls: list[str] = []
        self.tags: set[str] = set()
        self.lang = ""
        self._section, self._item, self._in_finding = "", "", False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.add(tag)
        self.lang = a.get("lang", self.lang) if tag == "html" else self.lang
        if "data-seccion" in a:
            self._section = a["data-seccion"]
            self.sections.append(self._section)
        if "data-figura" in a or "data-tabla" in a:
            self._item = a.get("data-figura") or a["data-tabla"]
            if "data-figura" in a:
                self.figures[self._item] = self._section
            else:
                self.tables.append(self._item)
        if tag == "img":
            self.images.append({**a, "figure": self._item})
        if tag == "li" and self._item:
            self._in_finding = True
            self.findings.setdefault(self._item, []).append("")
        self.urls += [a[k] for k in ("href", "src") if k in a and not a[k].startswith("data:")]

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self._in_finding = False

    def handle_data(self, data: str) -> None:
        if self._in_finding:
            self.findings[self._item][-1] += data


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 300-movie factory-built catalog."""
    return random_catalog(tmp_path_factory.mktemp("cat") / "catalogo")


@pytest.fixture(scope="module")
def generated(catalog: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Page]:
    """The report of the factory catalog, generated once for the module."""
    calls: list[tuple[str, int, int]] = []
    out = tmp_path_factory.mktemp("informe")
    summary = build_report(catalog, out, progress=lambda *a: calls.append(a))
    assert calls and calls[-1][1] == calls[-1][2]  # progress reached the end
    assert summary.path == out / "index.html" and summary.movies == 300
    return summary.path, Page(summary.path.read_text(encoding="utf-8"))


def check_complete(page: Page) -> None:
    """Every section, figure and table is present, each image a real SVG or WebP with findings."""
    assert page.sections == [p.key for p in PLANS] == list(FIGURES)
    assert page.figures == {key: sec for sec, keys in FIGURES.items() for key in keys}
    assert page.tables == TABLES
    assert len(page.images) == sum(len(k) for k in FIGURES.values())
    for img in page.images:
        head, data = img["src"].split(",", 1)
        if head == "data:image/svg+xml":
            root = ElementTree.fromstring(unquote(data))  # well-formed XML
            assert root.tag.endswith("svg") and root.get("viewBox"), img["figure"]
        else:
            assert head == "data:image/webp;base64", img["figure"]
            webp = Image.open(io.BytesIO(base64.b64decode(data)))
            assert webp.size == (int(img["width"]), int(img["height"]))
        assert img["alt"]
    for key in [*page.figures, *page.tables]:
        assert page.findings.get(key), f"{key} has no findings"


def test_report_has_every_section_figure_and_table(generated: tuple[Path, Page]) -> None:
    check_complete(generated[1])


def test_report_is_self_contained_spanish_html(generated: tuple[Path, Page]) -> None:
    path, page = generated
    assert page.lang == "es"
    assert "script" not in page.tags
    assert all(u.startswith("#") for u in page.urls), page.urls
    assert [p.name for p in path.parent.iterdir()] == ["index.html"]  # no temp dirs left


def test_findings_are_computed_from_the_catalog(
    catalog: Path, generated: tuple[Path, Page]
) -> None:
    findings = generated[1].findings
    movies = store.read_table(catalog, "movies").to_pandas()
    votes = movies.loc[movies["vote_count"] >= 10, "vote_average"]
    assert f"mediana {num(votes.median(), 1)}" in findings["hist-nota"][0]
    genres = store.read_table(catalog, "genres").to_pandas()["name"].map(genre_es)
    top = genres.value_counts()
    assert findings["barras-genero"][0].startswith(
        f"{top.index[0]} encabeza la lista con {num(top.iloc[0])} películas "
        f"({pct(top.iloc[0] / len(movies))} del catálogo)"
    )
    known = movies[(movies["budget"] > 0) & (movies["revenue"] > 0)]
    rho = known["budget"].rank().corr(known["revenue"].rank())
    scatter = findings["disp-presupuesto-recaudacion"][0]
    assert f"Spearman = {num(rho, 2)} en {num(len(known))} películas" in scatter
    assert (
        "De 307 filas de películas leídas se conservaron 300" in findings["tabla-construccion"][0]
    )


def test_findings_change_with_the_data(tmp_path: Path, generated: tuple[Path, Page]) -> None:
    other = random_catalog(tmp_path / "otro", n=120, seed=11)
    page = Page(build_report(other, tmp_path / "informe").path.read_text(encoding="utf-8"))
    check_complete(page)
    assert page.findings["hist-nota"] != generated[1].findings["hist-nota"]
    assert page.findings["corr-pearson"] != generated[1].findings["corr-pearson"]


def test_zero_budgets_and_missing_texts_give_notes_not_errors(tmp_path: Path) -> None:
    movies = [movie(1, "Uno", "2001-05-04"), movie(2, "Dos", "2003-01-01", vote_count=0)]
    page = Page(build_report(make_catalog(tmp_path / "c", movies), tmp_path / "o").path.read_text())
    check_complete(page)
    assert page.findings["hist-presupuesto"] == [
        "Sin datos: todas las películas tienen presupuesto 0 (desconocido)."
    ]
    assert "no tiene palabras clave" in page.findings["nube-palabras-clave"][0]
    assert "no detalla los pasos" in " ".join(page.findings["tabla-construccion"])


def test_stop_words_of_english_and_spanish_are_removed() -> None:
    counts = tokens(["The detective and the ghost's city", "El detective de los muertos"])
    assert counts == {"detective": 2, "ghost": 1, "city": 1, "muertos": 1}


def test_figures_use_agg_without_pyplot() -> None:
    code = (
        "import sys, matplotlib\n"
        "from filmoteca.report.plots import canvas, encode\n"
        "with canvas() as (fig, ax):\n"
        "    ax.boxplot([[1, 2, 3]])\n"  # boxplot reads every rcParam, backend included
        "encode(fig)\n"
        "print(matplotlib.get_backend(), 'matplotlib.pyplot' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.split() == ["Agg", "False"], out.stderr


def test_missing_catalog_raises_catalog_missing(tmp_path: Path) -> None:
    with pytest.raises(CatalogMissing, match="No hay catálogo"):
        build_report(tmp_path / "nada", tmp_path / "informe")
    assert not (tmp_path / "informe").exists()


def test_truncated_table_raises_catalog_error(tmp_path: Path) -> None:
    cat = random_catalog(tmp_path / "c", n=20)
    table = store.table_path(cat, "movies")
    table.write_bytes(table.read_bytes()[:200])
    with pytest.raises(CatalogError, match="dañada o truncada"):
        build_report(cat, tmp_path / "informe")


def test_catalog_without_movies_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="no tiene películas"):
        build_report(make_catalog(tmp_path / "c", []), tmp_path / "informe")


def test_failed_report_leaves_the_previous_one_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cat = make_catalog(tmp_path / "c", [movie(1, "Uno", "2001-05-04")])
    out = tmp_path / "informe"
    out.mkdir()
    (out / "index.html").write_text("anterior", encoding="utf-8")

    def boom(_data: object) -> None:
        raise FilmotecaError("fallo a mitad")

    broken = build.Plan("x", "X", "", (PLANS[0].builders[0], boom))
    monkeypatch.setattr(build, "PLANS", (broken,))
    with pytest.raises(FilmotecaError, match="fallo a mitad"):
        build_report(cat, out)
    assert [p.name for p in out.iterdir()] == ["index.html"]
    assert (out / "index.html").read_text(encoding="utf-8") == "anterior"


def test_output_that_is_a_file_gives_a_spanish_error(tmp_path: Path) -> None:
    cat = make_catalog(tmp_path / "c", [movie(1, "Uno", "2001-05-04")])
    (tmp_path / "fichero").write_text("x")
    with pytest.raises(FilmotecaError, match="No se pudo escribir el informe"):
        build_report(cat, tmp_path / "fichero")


def test_cli_report_uses_settings_dirs_by_default(catalog: Path, tmp_path: Path) -> None:
    env = {"FILMOTECA_CATALOG_DIR": str(catalog), "FILMOTECA_REPORT_DIR": str(tmp_path / "inf")}
    result = CliRunner().invoke(cli, ["report"], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "inf" / "index.html").is_file()
    assert "Informe escrito en" in result.output


def test_cli_report_without_catalog_exits_with_spanish_message(tmp_path: Path) -> None:
    args = ["report", "--catalog", str(tmp_path / "nada"), "--output", str(tmp_path / "o")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == CatalogMissing.exit_code == 3
    assert "No hay catálogo" in result.output and "Traceback" not in result.output


def test_cli_report_has_spanish_help() -> None:
    result = CliRunner().invoke(cli, ["report", "--help"])
    assert result.exit_code == 0 and "informe exploratorio" in result.output


@pytest.mark.realdata
def test_report_of_the_real_catalog(real_catalog: Path, tmp_path: Path) -> None:
    summary = build_report(real_catalog, tmp_path / "informe")
    page = Page(summary.path.read_text(encoding="utf-8"))
    check_complete(page)
    movies = pd.read_parquet(store.table_path(real_catalog, "movies"))
    assert summary.movies == len(movies) > 4000
    assert page.findings["barras-idioma"][0].startswith("Inglés encabeza la lista")
    assert page.findings["barras-pais"][0].startswith("Estados Unidos encabeza la lista")
    assert "De 4.803 filas de películas leídas" in page.findings["tabla-construccion"][0]
    assert "«" in page.findings["nube-palabras-clave"][0]  # keywords.csv joined: a real cloud
    assert os.path.getsize(summary.path) < 8_000_000
