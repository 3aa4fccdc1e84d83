"""Domain queries over a built catalog: the sample catalog (figures checkable by hand, see
sample_catalog.py) and the real one, cross-checked against a plain pandas computation."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from filmoteca.catalog import MIN_VOTES, Catalog
from filmoteca.catalog.movies import MovieRef
from filmoteca.errors import CatalogError, CatalogMissing, InvalidQuery, NotFound
from sample_catalog import make_sample_catalog


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sample_catalog(tmp_path_factory.mktemp("muestra"))


@pytest.fixture(scope="module")
def catalog(catalog_dir: Path) -> Catalog:
    return Catalog.load(catalog_dir)


def test_load_reports_version_and_counts(catalog: Catalog) -> None:
    assert catalog.version == "test"
    assert catalog.movie_count == 11
    assert catalog.actor_count == 3  # Tom Hanks (two ids), Michael Keaton, Penélope Cruz
    assert catalog.director_count == 4  # Tim Burton, John Woo, Tom Hanks, Jane Doe


@pytest.mark.parametrize(
    ("month", "name", "count"),
    [
        ("enero", "enero", 1),
        ("Mayo", "mayo", 3),
        ("junio", "junio", 2),
        ("10", "octubre", 2),
        ("setiembre", "septiembre", 0),
        ("FEBRERO", "febrero", 0),
    ],
)
def test_count_by_month_counts_every_year(
    catalog: Catalog, month: str, name: str, count: int
) -> None:
    assert catalog.count_by_month(month) == (name, count)


@pytest.mark.parametrize(
    ("day", "name", "count"),
    [
        ("lunes", "lunes", 1),
        ("martes", "martes", 0),
        ("miercoles", "miércoles", 1),
        ("Jueves", "jueves", 2),
        ("VIERNES", "viernes", 6),
        ("sabado", "sábado", 1),
        ("domingo", "domingo", 0),
    ],
)
def test_count_by_weekday_uses_the_release_date(
    catalog: Catalog, day: str, name: str, count: int
) -> None:
    assert catalog.count_by_weekday(day) == (name, count)


def test_counts_add_up_to_the_movies(catalog: Catalog) -> None:
    from filmoteca.text import MONTHS, WEEKDAYS

    assert sum(catalog.count_by_month(m)[1] for m in MONTHS) == catalog.movie_count
    assert sum(catalog.count_by_weekday(d)[1] for d in WEEKDAYS) == catalog.movie_count


def test_invalid_month_and_weekday_raise_invalid_query(catalog: Catalog) -> None:
    with pytest.raises(InvalidQuery):
        catalog.count_by_month("brumario")
    with pytest.raises(InvalidQuery):
        catalog.count_by_weekday("feriado")


def test_find_title_matches_after_normalisation_only(catalog: Catalog) -> None:
    match = catalog.find_title("  toy   STORY ")
    assert (match.movie.id, match.movie.title, match.movie.year) == (12, "Toy Story", 1995)
    assert match.movie.popularity == 70.5
    assert match.others == ()
    assert catalog.find_title("arbol de la vida").movie.id == 13
    with pytest.raises(NotFound):
        catalog.find_title("Toy")


def test_shared_title_answers_the_most_voted_and_lists_the_others(catalog: Catalog) -> None:
    match = catalog.find_title("batman")
    assert match.movie.id == 10
    assert [(o.id, o.title, o.year) for o in match.others] == [(11, "Batman", 1966)]


def test_year_chooses_among_shared_titles(catalog: Catalog) -> None:
    match = catalog.find_title("Batman", 1966)
    assert match.movie.id == 11
    assert [o.id for o in match.others] == [10]


@pytest.mark.parametrize(
    ("title", "year"), [("batman", None), ("Batman", 1966), ("toy story", None)]
)
def test_title_ref_names_the_movie_find_title_names(
    catalog: Catalog, title: str, year: int | None
) -> None:
    movie = catalog.find_title(title, year).movie
    assert catalog.title_ref(title, year) == MovieRef(movie.id, movie.title, movie.year)


@pytest.mark.parametrize(("title", "year"), [("Toy", None), ("Batman", 1950)])
def test_title_ref_fails_as_find_title_does(catalog: Catalog, title: str, year: int | None) -> None:
    with pytest.raises(NotFound) as ref:
        catalog.title_ref(title, year)
    with pytest.raises(NotFound) as full:
        catalog.find_title(title, year)
    assert (str(ref.value), ref.value.details) == (str(full.value), full.value.details)


def test_year_without_that_title_is_not_found_and_lists_years(catalog: Catalog) -> None:
    with pytest.raises(NotFound) as info:
        catalog.find_title("Batman", 1950)
    assert info.value.details["anios_disponibles"] == [1966, 1989]
    assert "1950" in info.value.message


def test_vote_threshold_is_inclusive(catalog: Catalog) -> None:
    assert MIN_VOTES == 2000
    assert catalog.find_title("That Thing You Do!").enough_votes  # exactly 2000
    assert not catalog.find_title("Enero").enough_votes  # 1999


def test_unknown_title_suggests_close_ones(catalog: Catalog) -> None:
    with pytest.raises(NotFound) as info:
        catalog.find_title("Toy Stroy")
    assert info.value.details["sugerencias"][0] == "Toy Story"
    assert len(info.value.details["sugerencias"]) <= 5


def test_actor_counts_each_film_once_and_merges_same_name(catalog: Catalog) -> None:
    stats = catalog.actor("TOM HANKS")
    assert stats.name == "Tom Hanks"  # the spelling most credits use
    assert stats.films == 4
    assert stats.return_total == pytest.approx(18.0)
    assert stats.return_mean == pytest.approx(4.5)
    assert stats.films_with_budget == 4


def test_actor_films_without_budget_count_with_zero_return(catalog: Catalog) -> None:
    stats = catalog.actor("michael keaton")
    assert (stats.films, stats.films_with_budget) == (2, 1)
    assert stats.return_total == pytest.approx(4.0)
    assert stats.return_mean == pytest.approx(2.0)


def test_actor_name_matches_without_accents(catalog: Catalog) -> None:
    stats = catalog.actor("penelope cruz")
    assert (stats.name, stats.films, stats.return_total) == ("Penélope Cruz", 1, 0.0)


def test_directing_is_not_acting(catalog: Catalog) -> None:
    with pytest.raises(NotFound):
        catalog.actor("Tim Burton")


def test_partial_name_is_not_a_match_but_a_suggestion(catalog: Catalog) -> None:
    with pytest.raises(NotFound) as info:
        catalog.actor("Tom")
    assert info.value.details["sugerencias"] == ["Tom Hanks"]


def test_misspelt_name_suggests_the_closest(catalog: Catalog) -> None:
    with pytest.raises(NotFound) as info:
        catalog.actor("Micheal Keeton")
    assert info.value.details["sugerencias"][0] == "Michael Keaton"


def test_director_films_ordered_by_date_with_figures(catalog: Catalog) -> None:
    stats = catalog.director("john woo")
    assert [f.title for f in stats.films] == ["Hard Target", "Face/Off"]
    face_off = stats.films[1]
    assert face_off.release_date == dt.date(1997, 6, 27)
    assert (face_off.budget, face_off.revenue, face_off.return_) == (80.0, 240.0, 3.0)
    assert stats.return_total == pytest.approx(3.0)


def test_director_counts_a_film_once_and_only_job_director(catalog: Catalog) -> None:
    assert [f.id for f in catalog.director("Tim Burton").films] == [11, 10]
    assert [f.id for f in catalog.director("tom hanks").films] == [18]  # producer of 12: no


def test_director_same_day_films_ordered_by_id(catalog: Catalog) -> None:
    assert [f.id for f in catalog.director("Jane Doe").films] == [19, 20]


def test_acting_only_person_is_not_a_director(catalog: Catalog) -> None:
    with pytest.raises(NotFound) as info:
        catalog.director("Michael Keaton")
    assert "director" in info.value.message


def test_search_finds_titles_and_people_by_word_prefix(catalog: Catalog) -> None:
    page = catalog.search("tom", limit=10, page=1)
    assert [(h.kind, h.name) for h in page.hits] == [("person", "Tom Hanks")]
    assert (page.hits[0].acting, page.hits[0].directing) == (4, 1)
    page = catalog.search("story", limit=10, page=1)
    assert [h.name for h in page.hits] == ["Toy Story"]


def test_search_ranks_exact_then_prefix_then_word_and_paginates(catalog: Catalog) -> None:
    page = catalog.search("batman", limit=1, page=1)
    assert page.total == 2
    assert page.hits[0].movie is not None and page.hits[0].movie.id == 10  # most voted first
    second = catalog.search("batman", limit=1, page=2)
    assert second.hits[0].movie is not None and second.hits[0].movie.id == 11
    assert catalog.search("batman", limit=1, page=3).hits == ()


def test_empty_search_is_invalid(catalog: Catalog) -> None:
    with pytest.raises(InvalidQuery):
        catalog.search("   ", limit=10, page=1)


def test_missing_catalog_raises_catalog_missing(tmp_path: Path) -> None:
    with pytest.raises(CatalogMissing):
        Catalog.load(tmp_path / "nada")
    with pytest.raises(CatalogMissing):
        Catalog.check(tmp_path / "nada")


def test_truncated_table_raises_catalog_error(catalog_dir: Path, tmp_path: Path) -> None:
    broken = make_sample_catalog(tmp_path / "roto")
    data = (broken / "cast.parquet").read_bytes()
    (broken / "cast.parquet").write_bytes(data[: len(data) // 2])
    with pytest.raises(CatalogError, match=r"cast\.parquet"):
        Catalog.check(broken)
    with pytest.raises(CatalogError, match=r"cast\.parquet"):
        Catalog.load(broken)


def test_other_format_version_is_refused(tmp_path: Path) -> None:
    old = make_sample_catalog(tmp_path / "viejo")
    manifest = json.loads((old / "manifest.json").read_text())
    (old / "manifest.json").write_text(json.dumps({**manifest, "format_version": 99}))
    with pytest.raises(CatalogError, match="formato"):
        Catalog.load(old)


def test_loading_reads_no_parquet_and_imports_neither_pandas_nor_pyarrow(
    catalog_dir: Path,
) -> None:
    code = (
        "import sys; from pathlib import Path; from filmoteca.catalog import Catalog; "
        f"c = Catalog.load(Path({str(catalog_dir)!r})); c.actor('tom hanks'); "
        "c.search('tom', 10, 1); c.director('nadie conocido') if False else None; "
        "print(sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_damaged_index_file_is_refused(tmp_path: Path) -> None:
    catalog = make_sample_catalog(tmp_path / "indice_roto")
    keys = catalog / "indice" / "title_keys.utf8.npy"
    keys.write_bytes(keys.read_bytes()[:-3])
    with pytest.raises(CatalogError, match=r"'indice/title_keys\.utf8\.npy' del catálogo"):
        Catalog.load(catalog)


def test_an_altered_file_with_the_same_size_is_refused(tmp_path: Path) -> None:
    catalog = make_sample_catalog(tmp_path / "alterado")
    budget = catalog / "indice" / "budget.npy"
    data = bytearray(budget.read_bytes())
    data[-1] ^= 0xFF
    budget.write_bytes(bytes(data))
    with pytest.raises(CatalogError, match="dañado o truncado"):
        Catalog.load(catalog)


# ------------------------------------------------------------------ real data


@pytest.fixture(scope="module")
def real(real_catalog: Path) -> Catalog:
    return Catalog.load(real_catalog)


@pytest.mark.realdata
def test_real_catalog_known_movies(real: Catalog) -> None:
    toy = real.find_title("toy story").movie
    assert (toy.id, toy.year, toy.vote_count) == (862, 1995, 5269)
    batman = real.find_title("Batman")
    assert batman.movie.year == 1989
    assert 1966 in [o.year for o in batman.others]
    assert real.find_title("Batman", 1966).movie.year == 1966


@pytest.mark.realdata
def test_real_counts_match_pandas(real: Catalog, real_catalog: Path) -> None:
    import pandas as pd

    from filmoteca.text import MONTHS, WEEKDAYS

    dates = pd.to_datetime(pd.read_parquet(real_catalog / "movies.parquet")["release_date"])
    by_month = dates.dt.month.value_counts()
    by_day = dates.dt.day_of_week.value_counts()
    for number, name in enumerate(MONTHS, start=1):
        assert real.count_by_month(name)[1] == by_month.get(number, 0)
    for index, name in enumerate(WEEKDAYS):
        assert real.count_by_weekday(name)[1] == by_day.get(index, 0)


@pytest.mark.realdata
def test_real_people_aggregates_match_pandas(real: Catalog, real_catalog: Path) -> None:
    import pandas as pd

    from filmoteca.text import normalize

    movies = pd.read_parquet(real_catalog / "movies.parquet", columns=["id", "return", "budget"])
    cast = pd.read_parquet(real_catalog / "cast.parquet", columns=["movie_id", "name"])
    cast["key"] = cast["name"].map(normalize)
    films = cast.drop_duplicates(["key", "movie_id"]).merge(
        movies, left_on="movie_id", right_on="id"
    )
    top = films["key"].value_counts().head(25).index
    for key in top:
        mine = films[films["key"] == key]
        stats = real.actor(key)
        assert stats.films == len(mine)
        assert stats.return_total == pytest.approx(mine["return"].sum())
        assert stats.films_with_budget == int((mine["budget"] > 0).sum())
    crew = pd.read_parquet(real_catalog / "crew.parquet", columns=["movie_id", "name", "job"])
    directors = crew[crew["job"] == "Director"].assign(key=lambda d: d["name"].map(normalize))
    for key in directors["key"].value_counts().head(10).index:
        expected = directors[directors["key"] == key]["movie_id"].nunique()
        assert len(real.director(key).films) == expected


def _ranked_by_hand(real_catalog: Path, query: str) -> list[tuple[str, str]]:
    """The search ranking of the README, computed independently with pandas: titles and people
    with a word starting with the query; exact, then first word, then another word; most
    voted / most films first (movies before people on ties, then by position or first use)."""
    import pandas as pd

    from filmoteca.text import normalize

    movies = pd.read_parquet(real_catalog / "movies.parquet", columns=["title", "vote_count"])
    cast = pd.read_parquet(real_catalog / "cast.parquet", columns=["movie_id", "name"])
    crew = pd.read_parquet(real_catalog / "crew.parquet", columns=["movie_id", "name", "job"])
    credits = pd.concat(
        [cast.assign(role="a"), crew[crew["job"] == "Director"].assign(role="d")]
    ).assign(key=lambda d: d["name"].map(normalize))
    films = credits.drop_duplicates(["key", "movie_id", "role"]).groupby("key").size()

    def rank(key: str) -> int | None:
        words = key.split(" ")
        if key == query:
            return 0
        if key.startswith(query):
            return 1
        starts = [" ".join(words[i:]) for i in range(1, len(words))]
        return 2 if any(s.startswith(query) for s in starts) else None

    rows = []
    for position, (title, votes) in enumerate(
        zip(movies["title"], movies["vote_count"], strict=True)
    ):
        found = rank(normalize(title or ""))
        if found is not None:
            rows.append((found, -int(votes), 0, position, "pelicula", title))
    for key, count in films.items():
        found = rank(key) if key else None
        if found is not None:
            rows.append((found, -int(count), 1, 0, "persona", key))
    rows.sort(key=lambda row: row[:4])
    # people tied on rank and films may come in any order: they are compared by their count
    return [(kind, name if kind == "pelicula" else -w) for _, w, _, _, kind, name in rows]


@pytest.mark.realdata
@pytest.mark.parametrize("query", ["the", "ma", "a"])
def test_real_head_searches_rank_as_computed_by_hand(
    real: Catalog, real_catalog: Path, query: str
) -> None:
    expected = _ranked_by_hand(real_catalog, query)
    for limit, page in [(10, 1), (50, 3), (50, 21)]:  # page 21 is beyond the kept 1,000
        found = real.search(query, limit, page)
        assert found.total == len(expected)
        got = [
            ("pelicula", h.name) if h.kind == "movie" else ("persona", h.acting + h.directing)
            for h in found.hits
        ]
        assert got == expected[(page - 1) * limit : page * limit]


def test_titles_and_names_with_invisible_characters_match_typed_ones(tmp_path: Path) -> None:
    from factories import make_catalog, movie

    catalog = Catalog.load(
        make_catalog(
            tmp_path / "invisible",
            movies=[movie(1, "Toy\u200b Story\ufeff", "1995-10-30", vote_count=10)],
            cast=[
                {
                    "movie_id": 1,
                    "person_id": 7,
                    "name": "Tom\u200d Hanks",
                    "character": "Woody",
                    "order": 0,
                    "gender": 2,
                }
            ],
        )
    )
    assert catalog.find_title("toy story").movie.id == 1
    assert catalog.find_title("Toy Story\u200b\ufe0f").movie.id == 1
    assert catalog.actor("tom hanks").films == 1
    assert catalog.search("story", 10, 1).total == 1


@pytest.mark.realdata
def test_real_searches_with_few_matches_rank_as_the_full_search(real: Catalog) -> None:
    keys = real.known_keys()
    texts = {word[:end] for key in keys["titles"][:300] + keys["actors"][:300]
             for word in key.split() for end in range(1, len(word) + 1)}  # fmt: skip
    few = 0
    for text in sorted(texts):
        quick = real._search_few(text)
        full = np.sort(real._search_keys(text)).tolist()
        if quick is not None:
            few += 1
            assert quick == full, text
    assert few > len(texts) // 2
