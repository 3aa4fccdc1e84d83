"""The catalog build end to end: manifest, tables, atomicity, and every bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from filmoteca.catalog import store
from filmoteca.errors import InputError, LiteralParseError
from filmoteca.etl.pipeline import build_catalog

HEADER = (
    "adult,belongs_to_collection,budget,genres,homepage,id,imdb_id,original_language,"
    "original_title,overview,popularity,poster_path,production_companies,production_countries,"
    "release_date,revenue,runtime,spoken_languages,status,tagline,title,video,vote_average,vote_count"
)
GENRES = "\"[{'id': 18, 'name': 'Drama'}]\""
COMPANIES = "\"[{'name': 'Luz Norte', 'id': 7}]\""
COUNTRIES = "\"[{'iso_3166_1': 'ES', 'name': 'Spain'}]\""
LANGS = "\"[{'iso_639_1': 'es', 'name': 'Español'}]\""


def movie_line(
    id_: str, title: str, date: str = "2001-05-04", budget: str = "100", genres: str = GENRES
) -> str:
    """One movies_metadata.csv line in Kaggle's format."""
    return (
        f"False,,{budget},{genres},,{id_},tt{id_},es,{title},Una historia.,1.5,,{COMPANIES},"
        f"{COUNTRIES},{date},250.0,90.0,{LANGS},Released,,{title},False,6.5,2500.0"
    )


CAST = "\"[{'cast_id': 1, 'character': 'Ana', 'credit_id': 'c1', 'gender': 1, 'id': 501, 'name': 'Lucía Prado', 'order': 0, 'profile_path': None}]\""
CREW = "\"[{'credit_id': 'c2', 'department': 'Directing', 'gender': 2, 'id': 601, 'job': 'Director', 'name': 'Tomás Vidal', 'profile_path': None}]\""


def write_source(directory: Path, movies: list[str], credits: list[str] | None = None) -> Path:
    """A minimal Kaggle-format input directory."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "movies_metadata.csv").write_text(
        "\n".join([HEADER, *movies]) + "\n", encoding="utf-8"
    )
    credit_lines = credits if credits is not None else [f"{CAST},{CREW},1"]
    (directory / "credits.csv").write_text(
        "\n".join(["cast,crew,id", *credit_lines]) + "\n", encoding="utf-8"
    )
    return directory


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return write_source(tmp_path / "in", [movie_line("1", "Primera"), movie_line("2", "Segunda")])


def test_build_writes_every_table_and_a_manifest(source: Path, tmp_path: Path) -> None:
    summary = build_catalog(source, tmp_path / "cat", fit_recommender=False)
    manifest = store.read_manifest(tmp_path / "cat")
    assert manifest == json.loads(json.dumps(summary.manifest))
    assert manifest["steps"]["movies"] == {"read": 2, "kept": 2, "dropped": {}}
    assert manifest["steps"]["credits"]["dropped"] == {}
    assert {i["file"] for i in manifest["inputs"]} == {"movies_metadata.csv", "credits.csv"}
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    for name in store.TABLES:
        store.read_table(tmp_path / "cat", name)  # schema-checked
    movies = store.read_table(tmp_path / "cat", "movies").to_pylist()
    assert [m["title"] for m in movies] == ["Primera", "Segunda"]
    assert movies[0]["return"] == 2.5 and movies[0]["release_year"] == 2001
    cast = store.read_table(tmp_path / "cat", "cast").to_pylist()
    assert cast == [
        {
            "movie_id": 1,
            "person_id": 501,
            "name": "Lucía Prado",
            "character": "Ana",
            "order": 0,
            "gender": 1,
        }
    ]
    crew = store.read_table(tmp_path / "cat", "crew").to_pylist()
    assert crew[0]["job"] == "Director" and crew[0]["movie_id"] == 1
    assert manifest["warnings"]["sin_creditos"]["rows"] == 1  # movie 2 is kept without credits


def test_movies_dataset_csv_name_is_accepted(source: Path, tmp_path: Path) -> None:
    (source / "movies_metadata.csv").rename(source / "movies_dataset.csv")
    summary = build_catalog(source, tmp_path / "cat", fit_recommender=False)
    assert summary.manifest["inputs"][0]["file"] == "movies_dataset.csv"


def test_credits_of_unknown_and_repeated_movies_are_counted(tmp_path: Path) -> None:
    credits = [f"{CAST},{CREW},1", f"{CAST},{CREW},999", '"[]","[]",1', f"{CAST},{CREW},x"]
    src = write_source(tmp_path / "in", [movie_line("1", "Primera")], credits)
    manifest = build_catalog(src, tmp_path / "cat", fit_recommender=False).manifest
    dropped = manifest["steps"]["credits"]["dropped"]
    assert {k: v["rows"] for k, v in dropped.items()} == {
        "pelicula_desconocida": 1, "id_repetido": 1, "id_no_entero": 1
    }  # fmt: skip
    assert manifest["tables"]["cast"]["rows"] == 1


def test_demo_builds_without_input(tmp_path: Path) -> None:
    summary = build_catalog(None, tmp_path / "cat", fit_recommender=False)
    assert summary.manifest["source"]["demo"] is True
    assert summary.manifest["tables"]["movies"]["rows"] >= 20


def _assert_no_catalog(out: Path) -> None:
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.build")]


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: (d / "credits.csv").unlink(), "Falta el archivo 'credits.csv'"),
        (lambda d: (d / "movies_metadata.csv").unlink(), "No se encontró 'movies_metadata.csv'"),
        (lambda d: (d / "movies_metadata.csv").write_text(""), "'movies_metadata.csv' está vacío"),
        (
            lambda d: (d / "movies_metadata.csv").write_text(HEADER + "\n"),
            "no contiene ninguna película",
        ),
        (
            lambda d: (d / "credits.csv").write_text("foo,bar\n1,2\n"),
            "'credits.csv' no tiene las columnas requeridas: id, cast, crew",
        ),
        (
            lambda d: (d / "movies_metadata.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary"),
            "movies_metadata.csv",
        ),
        (
            lambda d: (d / "movies_metadata.csv").write_text('{"not": "a csv"}\n'),
            "no tiene las columnas requeridas",
        ),
        (lambda d: _truncate(d / "credits.csv"), "'credits.csv' está truncado"),
    ],
)
def test_bad_input_gives_clear_error_and_no_catalog(
    source: Path, tmp_path: Path, mutate, fragment: str
) -> None:  # type: ignore[no-untyped-def]
    mutate(source)
    out = tmp_path / "cat"
    with pytest.raises(InputError) as err:
        build_catalog(source, out, fit_recommender=False)
    assert fragment in err.value.message
    _assert_no_catalog(out)


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def test_unparsable_nested_value_names_file_row_and_column(tmp_path: Path) -> None:
    bad = movie_line("2", "Segunda", genres="\"[{'id': 18, 'name': 'Dra\"")
    src = write_source(tmp_path / "in", [movie_line("1", "Primera"), bad])
    with pytest.raises(LiteralParseError) as err:
        build_catalog(src, tmp_path / "cat", fit_recommender=False)
    assert "'movies_metadata.csv', registro 2 (id 2), columna 'genres'" in err.value.message
    _assert_no_catalog(tmp_path / "cat")


def test_failed_build_leaves_previous_catalog_untouched(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "cat"
    build_catalog(source, out, fit_recommender=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (source / "credits.csv").write_text('cast,crew,id\n"[{\'cast_id\': 1","[]",1\n')
    with pytest.raises(LiteralParseError):
        build_catalog(source, out, fit_recommender=False)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_rebuild_replaces_catalog(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "cat"
    build_catalog(source, out, fit_recommender=False)
    write_source(source, [movie_line("7", "Nueva")], [])
    build_catalog(source, out, fit_recommender=False)
    assert pq.read_table(out / "movies.parquet")["id"].to_pylist() == [7]


def test_refuses_to_overwrite_a_folder_that_is_not_a_catalog(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "mis_cosas"
    out.mkdir()
    (out / "tesis.txt").write_text("importante")
    with pytest.raises(InputError, match="no es un catálogo"):
        build_catalog(source, out, fit_recommender=False)
    assert (out / "tesis.txt").read_text() == "importante"


@pytest.mark.parametrize("manifest", ['{"name": "mi extension"}', "no es json", "[1, 2]"])
def test_another_tools_manifest_json_does_not_make_a_folder_a_catalog(
    source: Path, tmp_path: Path, manifest: str
) -> None:
    out = tmp_path / "extension"
    out.mkdir()
    (out / "manifest.json").write_text(manifest)
    (out / "notas.txt").write_text("importante")
    with pytest.raises(InputError, match="no es un catálogo"):
        build_catalog(source, out, fit_recommender=False)
    assert (out / "notas.txt").read_text() == "importante"


def test_a_catalog_of_an_older_format_is_replaced(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "cat"
    build_catalog(source, out, fit_recommender=False)
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "format_version": 1}))
    build_catalog(source, out, fit_recommender=False)
    assert json.loads((out / "manifest.json").read_text())["format_version"] == store.FORMAT_VERSION


def test_lines_with_too_many_fields_are_dropped_and_reported(tmp_path: Path) -> None:
    src = write_source(
        tmp_path / "in", [movie_line("1", "Primera"), movie_line("2", "Segunda") + ",extra"]
    )
    manifest = build_catalog(src, tmp_path / "cat", fit_recommender=False).manifest
    assert manifest["steps"]["movies"]["dropped"]["fila_malformada"]["rows"] == 1
    assert manifest["steps"]["movies"]["kept"] == 1


@pytest.mark.realdata
def test_real_data_builds_with_known_facts(real_catalog: Path) -> None:
    manifest = store.read_manifest(real_catalog)
    assert manifest["steps"]["movies"]["read"] == 4803
    assert manifest["steps"]["movies"]["kept"] == 4802  # one movie has no release_date
    assert manifest["steps"]["movies"]["dropped"]["fecha_vacia"]["rows"] == 1
    movies = {m["title"]: m for m in store.read_table(real_catalog, "movies").to_pylist()}
    avatar = movies["Avatar"]
    assert (avatar["id"], avatar["release_year"], avatar["budget"]) == (19995, 2009, 237_000_000.0)
    assert avatar["return"] == pytest.approx(2787965087 / 237_000_000)
    cast = store.read_table(real_catalog, "cast")
    first = cast.filter(
        pq.read_table(real_catalog / "cast.parquet")["movie_id"].to_numpy() == 19995
    ).to_pylist()
    assert first[0]["name"] == "Sam Worthington" and first[0]["order"] == 0
    assert manifest["tables"]["cast"]["rows"] == 106_257
    assert manifest["tables"]["crew"]["rows"] == 129_581
    assert manifest["tables"]["genres"]["rows"] == 12_160
    assert manifest["tables"]["keywords"]["rows"] > 30_000


FIXTURES = Path(__file__).parent / "fixtures"


def _reasons(step: dict) -> dict[str, int]:  # type: ignore[type-arg]
    return {k: v["rows"] for k, v in step["dropped"].items()}


def test_every_known_defect_is_survived_and_reported(tmp_path: Path) -> None:
    """tests/fixtures/README.md documents each defect row and the expected outcome."""
    manifest = build_catalog(
        FIXTURES / "kaggle_defects", tmp_path / "cat", fit_recommender=False
    ).manifest
    steps = manifest["steps"]
    assert (steps["movies"]["read"], steps["movies"]["kept"]) == (18, 9)
    assert _reasons(steps["movies"]) == {
        "id_no_entero": 3, "id_repetido": 1, "fecha_vacia": 4, "fecha_invalida": 1
    }  # fmt: skip
    assert steps["movies"]["dropped"]["id_no_entero"]["ejemplos"] == [
        "1997-08-20",
        "2012-09-29",
        "2014-01-01",
    ]
    assert (steps["credits"]["read"], steps["credits"]["kept"]) == (12, 8)
    assert _reasons(steps["credits"]) == {"id_repetido": 1, "pelicula_desconocida": 3}
    assert (steps["keywords"]["read"], steps["keywords"]["kept"]) == (7, 4)
    assert _reasons(steps["keywords"]) == {"id_repetido": 1, "pelicula_desconocida": 2}
    warnings = {k: v["rows"] for k, v in manifest["warnings"].items() if v["rows"]}
    assert warnings == {"sin_titulo": 1, "sin_sinopsis": 2, "votos_vacios": 1, "sin_creditos": 1}
    rows = {name: info["rows"] for name, info in manifest["tables"].items()}
    assert rows == {
        "movies": 9, "genres": 12, "companies": 8, "countries": 8, "languages": 9,
        "collections": 1, "keywords": 7, "cast": 17, "crew": 13,
    }  # fmt: skip
    movies = {m["id"]: m for m in store.read_table(tmp_path / "cat", "movies").to_pylist()}
    assert sorted(movies) == [1001, 1005, 1006, 1007, 1010, 1011, 1012, 1013, 1014]
    assert (
        movies[1005]["title"] == "Twin Reels" and movies[1005]["budget"] == 5_000_000
    )  # first row wins
    assert (movies[1006]["revenue"], movies[1006]["return"], movies[1006]["vote_count"]) == (
        0.0,
        0.0,
        0,
    )
    assert movies[1006]["runtime"] is None and movies[1006]["vote_average"] is None
    assert (movies[1007]["budget"], movies[1007]["return"]) == (0.0, 0.0)
    assert movies[1010]["overview"] is None and movies[1010]["release_year"] == 2000
    assert movies[1011]["title"] is None
    assert movies[1013]["title"] == "霧の駅" and movies[1013]["return"] == 3.0
    assert movies[1014]["return"] == pytest.approx(4 / 3)
    assert movies[1001]["collection_id"] == 5001
    cast = store.read_table(tmp_path / "cat", "cast").to_pylist()
    characters = [c["character"] for c in cast if c["movie_id"] == 1001]
    assert characters == ["Clerk Ada", "Rosa's Brother", 'Eddie "The Knife" O\'Hara', "Mayor"]
    assert not [
        c for c in cast if c["name"].startswith("Wrong")
    ]  # the repeated credits row is dropped


def test_tmdb_5000_pair_matches_documented_outcome(tmp_path: Path) -> None:
    manifest = build_catalog(
        FIXTURES / "tmdb5000", tmp_path / "cat", fit_recommender=False
    ).manifest
    assert manifest["source"]["kind"] == "tmdb_5000"
    assert (manifest["steps"]["movies"]["kept"], manifest["steps"]["credits"]["kept"]) == (5, 5)
    rows = {name: info["rows"] for name, info in manifest["tables"].items()}
    assert (rows["cast"], rows["crew"], rows["genres"], rows["keywords"]) == (8, 6, 7, 6)
    movies = {m["id"]: m for m in store.read_table(tmp_path / "cat", "movies").to_pylist()}
    assert movies[2003]["return"] == 0.5 and movies[2002]["runtime"] is None


def test_prefetch_yields_in_order_and_raises_where_consumed() -> None:
    from filmoteca.etl.pipeline import Prefetch

    def items() -> Iterator[int]:
        yield from range(5)
        raise InputError("archivo truncado")

    ahead = Prefetch(items(), depth=2)
    seen = []
    with pytest.raises(InputError, match="truncado"):
        for item in ahead:
            seen.append(item)
    assert seen == [0, 1, 2, 3, 4]
    ahead.close()


def test_prefetch_close_stops_a_reader_that_is_ahead() -> None:
    from filmoteca.etl.pipeline import Prefetch

    closed = []

    def items() -> Iterator[int]:
        try:
            yield from range(10**9)
        finally:
            closed.append(True)

    ahead = Prefetch(items(), depth=2)
    assert next(iter(ahead)) == 0
    ahead.close()
    assert closed == [True]
