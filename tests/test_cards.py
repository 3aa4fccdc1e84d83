"""Movie cards and person pages (filmoteca.catalog.cards) over small factory-built catalogs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from factories import make_catalog, movie
from filmoteca.catalog import MIN_VOTES, Catalog
from filmoteca.catalog.cards import POSTER_BASE, TOP_CAST, Cards
from filmoteca.errors import CatalogError, CatalogMissing, NotFound


def _cast(movie_id: int, name: str, order: int, character: str | None = None) -> dict[str, object]:
    return {
        "movie_id": movie_id,
        "person_id": abs(hash(name)) % 10**6,
        "name": name,
        "character": character,
        "order": order,
        "gender": 0,
    }


def _crew(movie_id: int, name: str, job: str) -> dict[str, object]:
    return {
        "movie_id": movie_id,
        "person_id": abs(hash(name)) % 10**6,
        "name": name,
        "job": job,
        "department": "Directing" if job == "Director" else "Writing",
        "gender": 0,
    }


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five movies with the cases a card and a person page must get right."""
    movies = [
        movie(
            1,
            "Alpha",
            "2001-03-04",
            budget=10.0,
            revenue=35.0,
            vote_count=MIN_VOTES,
            vote_average=7.5,
            poster_path="/abc.jpg",
            tagline="Uno",
            overview="Primera.",
            collection_id=70,
        ),
        movie(2, "Beta", "1999-12-31", budget=0.0, revenue=5.0, vote_count=MIN_VOTES - 1),
        movie(3, "Gamma", "2010-06-01", budget=4.0, revenue=2.0),
        movie(4, "Sin Créditos", "2012-01-01"),
        movie(5, "Delta", "2001-03-04", budget=1.0, revenue=1.0),
    ]
    cast = [
        _cast(1, "Zoë Ángel", 1, "Hermana"),
        _cast(1, "Bruno Díaz", 0, "Héroe"),
        _cast(1, "Bruno Díaz", 5, "Doble"),  # two credits in one film: the film counts once
        *[_cast(1, f"Extra {i}", 10 + i) for i in range(TOP_CAST + 2)],
        _cast(2, "BRUNO DIAZ", 0, "Villano"),  # another spelling of the same person
        _cast(3, "Zoë Ángel", 0, None),
        _cast(5, "Bruno Díaz", 3, ""),
        _cast(99, "Bruno Díaz", 0, "Fantasma"),  # a movie not in the catalog
    ]
    crew = [
        _crew(1, "Carla Ruiz", "Director"),
        _crew(1, "Carla Ruiz", "Screenplay"),
        _crew(3, "Carla Ruiz", "Director"),
        _crew(3, "Dani Sol", "Director"),
        _crew(5, "Zoë Ángel", "Director"),
    ]
    genres = [
        {"movie_id": 1, "genre_id": 18, "name": "Drama"},
        {"movie_id": 1, "genre_id": 35, "name": "Comedy"},
        {"movie_id": 3, "genre_id": 18, "name": "Drama"},
    ]
    collections = [
        {
            "movie_id": 1,
            "collection_id": 70,
            "name": "Saga Alpha",
            "poster_path": None,
            "backdrop_path": None,
        }
    ]
    directory = tmp_path_factory.mktemp("cards") / "catalogo"
    return make_catalog(
        directory, movies, cast=cast, crew=crew, genres=genres, collections=collections
    )


@pytest.fixture(scope="module")
def cards(catalog_dir: Path, catalog: Catalog) -> Cards:
    return Cards.load(catalog_dir, catalog)


@pytest.fixture(scope="module")
def catalog(catalog_dir: Path) -> Catalog:
    return Catalog.load(catalog_dir)


def test_card_has_figures_details_and_poster_url(cards: Cards) -> None:
    card = cards.card(1)
    assert (card.title, card.year, card.release_date.isoformat()) == ("Alpha", 2001, "2001-03-04")
    assert (card.budget, card.revenue, card.return_) == (10.0, 35.0, 3.5)
    assert card.genres == ("Drama", "Comedy")
    assert card.directors == ("Carla Ruiz",)
    assert card.collection == "Saga Alpha"
    assert card.poster_url == f"{POSTER_BASE}/abc.jpg"
    assert (card.tagline, card.overview) == ("Uno", "Primera.")


def test_cast_is_in_billing_order_one_entry_per_person_and_capped(cards: Cards) -> None:
    cast = cards.card(1).cast
    assert len(cast) == TOP_CAST
    assert [c.name for c in cast[:3]] == ["Bruno Díaz", "Zoë Ángel", "Extra 0"]
    assert (cast[0].character, cast[1].character, cast[2].character) == (
        "Héroe / Doble",
        "Hermana",
        None,
    )


def test_votes_are_reported_from_min_votes_on(cards: Cards) -> None:
    enough, few = cards.card(1).votes, cards.card(2).votes
    assert (enough.enough, enough.count, enough.average) == (True, MIN_VOTES, 7.5)
    # the count is always shown (the web page says how far from the threshold); the average
    # only from MIN_VOTES votes on, as /votos_titulo reports it
    assert (few.enough, few.count, few.average) == (False, MIN_VOTES - 1, None)


def test_movie_without_credits_or_poster_has_empty_lists(cards: Cards) -> None:
    card = cards.card(4)
    assert (card.cast, card.directors, card.genres) == ((), (), ())
    assert (card.poster_url, card.collection) == (None, None)


def test_unknown_id_raises_not_found(cards: Cards) -> None:
    with pytest.raises(NotFound, match="id 12345"):
        cards.card(12345)


def test_acting_lists_each_film_once_by_date_with_first_character(cards: Cards) -> None:
    films = cards.acting("bruno   díaz")
    assert [(f.id, f.character) for f in films] == [(2, "Villano"), (1, "Héroe"), (5, None)]


def test_person_page_agrees_with_catalog_figures(cards: Cards, catalog: Catalog) -> None:
    page = cards.person("BRUNO DIAZ")
    assert page.actor == catalog.actor("Bruno Díaz")
    assert page.actor is not None and page.actor.films == len(page.acting) == 3
    assert page.director is None


def test_person_who_acts_and_directs_has_both_roles(cards: Cards, catalog: Catalog) -> None:
    page = cards.person("zoe angel")
    assert page.name == "Zoë Ángel"
    assert [f.id for f in page.acting] == [1, 3]
    assert page.director is not None and [m.id for m in page.director.films] == [5]


def test_director_only_has_no_acting_films(cards: Cards, catalog: Catalog) -> None:
    page = cards.person("Carla Ruiz")
    assert page.actor is None and page.acting == ()
    assert page.director is not None and [m.id for m in page.director.films] == [1, 3]


def test_unknown_person_suggests_close_names(cards: Cards, catalog: Catalog) -> None:
    with pytest.raises(NotFound) as info:
        cards.person("Carla Ruis")
    assert info.value.details["sugerencias"][0] == "Carla Ruiz"


def test_partial_name_is_not_a_match(cards: Cards, catalog: Catalog) -> None:
    with pytest.raises(NotFound):
        cards.person("Bruno")
    assert cards.acting("Bruno") == ()


def test_load_reports_missing_catalog(tmp_path: Path, catalog: Catalog) -> None:
    with pytest.raises(CatalogMissing):
        Cards.load(tmp_path / "nada", catalog)


def test_cards_import_neither_pandas_nor_pyarrow(catalog_dir: Path) -> None:
    import subprocess

    code = (
        "import sys; from pathlib import Path; from filmoteca.catalog.cards import Cards; "
        "from filmoteca.catalog import Catalog; "
        f"d = Path({str(catalog_dir)!r}); c = Cards.load(d, Catalog.load(d)); "
        "c.card(1); c.acting('Bruno Díaz'); c.person('Carla Ruiz'); "
        "print(sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_records_that_do_not_match_their_offsets_are_refused(tmp_path: Path) -> None:
    from sample_catalog import make_sample_catalog

    catalog = make_sample_catalog(tmp_path / "fichas_rotas")
    served = Catalog.load(catalog)
    records = catalog / "fichas" / "peliculas.json"
    records.write_bytes(records.read_bytes()[:-10])
    with pytest.raises(CatalogError, match=r"peliculas\.json' está truncado"):
        Cards.load(catalog, served)
