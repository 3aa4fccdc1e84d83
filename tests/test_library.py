"""The Python API (filmoteca.open_catalog / build_catalog) end to end over the demo catalog."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

import filmoteca
from filmoteca.api.app import create_app
from filmoteca.catalog import Catalog
from filmoteca.catalog.dictionary import DESCRIPTIONS
from filmoteca.catalog.store import TABLES
from filmoteca.config import Settings
from filmoteca.errors import CatalogError, InvalidQuery, NotFound

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory) -> filmoteca.OpenCatalog:
    out = tmp_path_factory.mktemp("lib") / "catalogo"
    return filmoteca.build_catalog(output=str(out))


def test_import_is_cheap() -> None:
    code = "import sys, filmoteca; print(sorted(m for m in ('numpy', 'pandas', 'pyarrow', 'fastapi') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_paths_as_str_or_pathlike(cat: filmoteca.OpenCatalog) -> None:
    assert len(filmoteca.open_catalog(str(cat.path))) == len(cat) == 40
    assert Catalog.load(str(cat.path)).movie_count == 40
    with pytest.raises(CatalogError):
        filmoteca.open_catalog(cat.path.parent / "no-existe")


def test_the_six_queries_answer_as_the_api(cat: filmoteca.OpenCatalog, tmp_path: Path) -> None:
    settings = Settings(catalog_dir=cat.path, report_dir=tmp_path)
    with TestClient(create_app(settings)) as client:
        ex = cat.catalog.examples
        assert (
            cat.films_in_month("Mayo")
            == client.get("/cantidad_filmaciones_mes/mayo").json()["cantidad"]
        )
        assert (
            cat.films_on_weekday("viernes")
            == client.get("/cantidad_filmaciones_dia/viernes").json()["cantidad"]
        )
        score = cat.score(ex.title)
        assert score.popularity == client.get(f"/score_titulo/{ex.title}").json()["popularidad"]
        votes = cat.votes(ex.title)
        assert (
            votes.enough_votes
            and votes.votes == client.get(f"/votos_titulo/{ex.title}").json()["votos"]
        )
        few = cat.votes(str(ex.few_votes_title))
        assert not few.enough_votes and few.votes is None and few.average is None
        actor = client.get(f"/get_actor/{ex.actor}").json()
        assert cat.actor(str(ex.actor)).return_total == actor["retorno_total"]
        director = cat.director(str(ex.director))
        frame = pd.DataFrame(director.films)
        assert len(frame) == client.get(f"/get_director/{ex.director}").json()["cantidad_peliculas"]
        assert {"title", "release_date", "budget", "revenue", "return_"} <= set(frame.columns)
    with pytest.raises(NotFound):
        cat.score("Una película que no existe")


def test_repeated_title_year_and_movie_by_id(cat: filmoteca.OpenCatalog) -> None:
    repeated = str(cat.catalog.examples.repeated_title)
    years = {cat.score(repeated).year, cat.score(repeated, year=1987).year}
    assert years == {2016, 1987}
    assert cat.movie(900001).title == cat.movie("Comet Street").title == "Comet Street"


def test_search_and_recommendations_turn_into_frames(cat: filmoteca.OpenCatalog) -> None:
    hits = pd.DataFrame(cat.search("comet", limit=5))
    assert hits["name"].str.contains("Comet").all() and len(hits) == 3
    one = pd.DataFrame(cat.recommend("Comet Street", k=5))
    assert len(one) == 5 and one["reasons"].map(len).min() >= 1
    assert one["title"].head(2).str.startswith("Comet Street").all()  # the saga first
    many = cat.recommend(["Comet Street", 900004], k=3, discard=["Comet Street: Final Orbit"])
    assert len(many) == 3 and "Comet Street: Final Orbit" not in {r.title for r in many}
    recent = cat.recommend("Comet Street", k=5, since=2010)
    assert all(r.year is not None and r.year >= 2010 for r in recent)


def test_tables_with_and_without_unknown_zeros(cat: filmoteca.OpenCatalog) -> None:
    movies = cat.movies()
    assert (movies["budget"] == 0).sum() > 0 and movies["budget"].notna().all()
    known = cat.movies(nulls=True)
    assert known["budget"].isna().sum() == (movies["budget"] == 0).sum()
    assert known.loc[known["budget"].isna(), "return"].isna().all()
    assert (movies.loc[movies["budget"] == 0, "return"] == 0).all()  # the rules' column kept
    assert set(cat.table_names) == set(TABLES)
    assert cat.arrow("cast").num_rows == len(cat.table("cast"))
    with pytest.raises(InvalidQuery):
        cat.table("passwords")


def test_every_column_is_described_in_the_files_and_in_the_docs(cat: filmoteca.OpenCatalog) -> None:
    docs = (ROOT / "docs" / "datos.md").read_text(encoding="utf-8")
    for name, schema in TABLES.items():
        written = pq.read_schema(cat.path / f"{name}.parquet")
        for field in schema:
            description = DESCRIPTIONS[name][field.name]
            assert written.field(field.name).metadata == {b"description": description.encode()}
            assert f"| `{field.name}` | `{field.type}` | {description} |" in docs


def test_report_figures_are_matplotlib_figures(cat: filmoteca.OpenCatalog) -> None:
    from matplotlib.figure import Figure

    figures = cat.figures()
    assert len(figures) >= 20 and all(isinstance(f, Figure) for f in figures.values())
    scatter = cat.figure("disp-presupuesto-recaudacion")
    assert scatter.axes and scatter.axes[0].collections  # drawn points, not an empty canvas
    assert cat.figure("nube-sinopsis").axes[0].images  # word clouds come as an image
    with pytest.raises(NotFound):
        cat.figure("no-existe")
