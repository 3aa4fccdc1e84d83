"""Index, cards and recommender built side by side (child process) equal the ones built one
after the other, also when the children start with the build and one of them makes the
recommender's text block and title pairs while the tables are written."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from filmoteca.etl import derived
from filmoteca.etl.pipeline import build_catalog

FIXTURES = Path(__file__).parent / "fixtures"


def _derived_files(catalog: Path) -> dict[str, str]:
    return {
        p.relative_to(catalog).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in ("indice", "fichas", "creditos", "respuestas", "recomendador")
        for p in sorted((catalog / folder).rglob("*"))
        if p.is_file() and p.name != "meta.json"
    }


@pytest.mark.parametrize("early", [True, False])
@pytest.mark.parametrize("fit_recommender", [True, False])
def test_side_by_side_build_equals_the_sequential_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fit_recommender: bool, early: bool
) -> None:
    source = FIXTURES / "kaggle_defects"
    alone = build_catalog(source, tmp_path / "uno", fit_recommender=fit_recommender).manifest
    monkeypatch.setattr(derived, "PARALLEL_MOVIES", 0)  # even 9 movies use the child process
    made: list[int] = []
    if early:  # the children start with the build, text and title pairs are made ahead
        monkeypatch.setattr(derived, "WARM_UP_BYTES", 0)
        ahead = derived.from_movies_ahead

        def counted(*args: Any) -> Any:
            made.append(1)
            return ahead(*args)

        monkeypatch.setattr(derived, "from_movies_ahead", counted)
    both = build_catalog(source, tmp_path / "dos", fit_recommender=fit_recommender).manifest
    assert both["serving"] == alone["serving"]
    assert ("recommender" in both) is fit_recommender
    assert _derived_files(tmp_path / "dos") == _derived_files(tmp_path / "uno")
    made_here = _derived_files(tmp_path / "dos")
    assert all(
        any(name.startswith(f"{part}/") for name in made_here)
        for part in ("indice", "fichas", "creditos", "respuestas")
    )
    assert len(made) == (early and fit_recommender)


def test_a_child_that_dies_is_a_clear_output_error() -> None:
    import os

    from filmoteca.errors import OutputError

    with pytest.raises(OutputError, match="proceso auxiliar"), derived.workers(True) as pool:
        assert pool is not None
        pool.submit(os._exit, 1).result()  # as if the system had killed it


def test_what_is_made_ahead_comes_back_from_its_child_with_its_error() -> None:
    import pandas as pd

    good = pd.DataFrame(
        {
            "title": ["Toy Story", "Toy Story 2"],
            "overview": ["toys", "more toys"],
            "tagline": ["", ""],
        }
    )
    bad = good.assign(overview=[object(), object()])  # the child's TF-IDF cannot join them
    with derived.workers(True, recommender=True) as pool:
        assert pool is not None
        made = derived.from_movies_ahead(pool, good).result(timeout=120)
        text, titles = made.hand_over()
        assert text is not None and titles is not None and titles.shape == (2, 2)
        with pytest.raises(TypeError):  # raised in the child, handed back here
            derived.from_movies_ahead(pool, bad).result(timeout=120)


def test_handing_the_text_ahead_imports_nothing_of_the_recommender_here() -> None:
    """The build's main thread must not import the recommender while `preload_recommender`
    may be importing it on another thread: two threads importing one package at once can
    deadlock, which Python breaks with an ImportError ('partially initialized module'), a
    build lost in about 80 before. Checked in a fresh interpreter, where nothing is imported
    yet; the pool only records what it is given."""
    import subprocess
    import sys

    script = """
import sys
from concurrent.futures import Future
import pandas as pd
from filmoteca.etl import derived

class Pool:
    def submit(self, fn, *args):
        self.task = (fn, args)
        done = Future()
        done.set_result(None)
        return done

pool = Pool()
movies = pd.DataFrame({"title": ["a"], "overview": ["b"], "tagline": ["c"]})
derived.from_movies_ahead(pool, movies).result(timeout=60)
assert pool.task[0] is derived._from_movies, pool.task
loaded = sorted(m for m in sys.modules if m.startswith("filmoteca.recommender"))
assert not loaded, loaded
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
