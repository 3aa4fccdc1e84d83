"""The id-based records (`catalog.credits`, built by `etl.credits`) on the sample catalog."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from filmoteca.catalog import Catalog
from filmoteca.catalog.credits import Credits
from filmoteca.errors import CatalogError, NotFound
from sample_catalog import make_sample_catalog


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sample_catalog(tmp_path_factory.mktemp("creditos"))


@pytest.fixture(scope="module")
def credits(catalog_dir: Path) -> Credits:
    return Credits.load(catalog_dir, Catalog.load(catalog_dir))


def test_movie_credits_keep_every_row_in_billing_order(credits: Credits) -> None:
    found = credits.movie_credits(12)
    assert (found.movie.id, found.movie.title) == (12, "Toy Story")
    assert [(c.person_id, c.order) for c in found.cast] == [(31, 0), (31, 5)]
    assert [(c.name, c.department, c.job) for c in found.crew] == [
        ("Tom Hanks", "Directing", "Producer")
    ]


def test_people_are_ids_with_their_namesakes(credits: Credits) -> None:
    hanks, other = credits.person(31), credits.person(999)
    assert (hanks.name, hanks.namesakes, other.namesakes) == ("Tom Hanks", (999,), (31,))
    assert [c.movie.id for c in hanks.acting] == [12, 12, 18, 14]
    assert [(c.movie.id, c.job) for c in hanks.crew] == [(12, "Producer"), (18, "Director")]
    twins = credits.person(77).crew
    assert [c.movie.id for c in twins] == [19, 20]  # same day: by id


@pytest.mark.parametrize("wanted", [0, 1, 123456, -5, 2**70])
def test_unknown_ids_are_not_found(credits: Credits, wanted: int) -> None:
    with pytest.raises(NotFound):
        credits.person(wanted)
    with pytest.raises(NotFound):
        credits.collection(wanted)


def test_truncated_records_are_refused(tmp_path: Path) -> None:
    catalog = make_sample_catalog(tmp_path / "rotos")
    served = Catalog.load(catalog)  # checked against the manifest before the damage
    records = catalog / "creditos" / "reparto.bin"
    records.write_bytes(records.read_bytes()[:-4])
    with pytest.raises(CatalogError, match=r"reparto\.bin' está truncado"):
        Credits.load(catalog, served)


def test_credits_import_neither_pandas_nor_pyarrow(catalog_dir: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from filmoteca.catalog.credits import Credits; "
        "from filmoteca.catalog import Catalog; "
        f"d = Path({str(catalog_dir)!r}); c = Credits.load(d, Catalog.load(d)); "
        "c.movie_credits(12); c.keywords(12); c.person(31); "
        "print(sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_strings_take_matches_indexing_one_at_a_time(tmp_path: Path) -> None:
    from filmoteca.catalog import mapped

    values = ["Tom Hanks", "", "宮崎 駿", "Penélope Cruz", "a\u200bb"]
    mapped.save(tmp_path, {"textos": values})
    strings = mapped.strings(mapped.open_arrays(tmp_path, ["textos"]), "textos")
    picks = [4, 0, 2, 2, 1, 3]
    assert strings.take(picks) == [strings[i] for i in picks] == [values[i] for i in picks]
    assert strings.take([]) == []
    with pytest.raises(IndexError):
        strings.take([5])


def test_refs_are_the_catalog_movies_in_the_order_asked(catalog_dir: Path) -> None:
    catalog = Catalog.load(catalog_dir)
    refs = catalog.refs([2, 0, 2])
    assert refs == [_ref(catalog, p) for p in (2, 0, 2)]


def _ref(catalog: Catalog, position: int) -> object:
    from filmoteca.catalog import MovieRef

    (movie,) = catalog.films(np.array([position]))
    return MovieRef(movie.id, movie.title, movie.year)


def test_a_missing_crew_name_is_not_taken_from_the_cast() -> None:
    """A person whose first credit has no name gets '' (not the last cast spelling)."""
    from filmoteca.etl.credits import _first_names

    cast = (np.array([0, 1]), ["Ana", "Bea"], np.array([0, 1]))
    crew = (np.array([2, 0]), ["Carla"], np.array([-1, 0]))  # slot 2's only credit: no name
    assert _first_names(3, [cast, crew]) == ["Ana", "Bea", ""]
