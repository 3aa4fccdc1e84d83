"""Sagas (recommender.sagas): the title + person rule, and sagas first in item-to-item lists."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from factories import make_catalog, movie
from filmoteca import recommender as rc
from filmoteca.recommender.sagas import title_pairs

DRAMA, ANIMATION = 18, 16


def pairs(titles: list[str]) -> set[tuple[str, str]]:
    found = title_pairs(titles)
    return {(titles[i], titles[j]) for i, j in zip(found.row, found.col, strict=True)}


def test_titles_share_the_shorter_titles_words() -> None:
    titles = ["Toy Story", "Toy Story 3", "Alien", "Alien: Resurrection", "American Beauty",
              "Beauty Shop", "Harry Potter and the Philosopher's Stone",
              "Harry Potter and the Chamber of Secrets", "The Ghost Writer",
              "The Ghost and the Darkness"] + [f"Filler {i}" for i in range(400)]  # fmt: skip
    found = pairs(titles)
    assert ("Toy Story", "Toy Story 3") in found
    assert ("Alien", "Alien: Resurrection") in found  # the shorter title's only word
    assert ("Harry Potter and the Philosopher's Stone",
            "Harry Potter and the Chamber of Secrets") in found  # fmt: skip
    assert ("American Beauty", "Beauty Shop") not in found  # one word of two
    assert ("The Ghost Writer", "The Ghost and the Darkness") not in found
    assert not any("Filler" in a for a, _ in found)  # "filler" is in every other title


def test_titles_without_words_have_no_sagas() -> None:
    assert title_pairs(["The", "A", ""]).nnz == 0


def saga_catalog(directory: Path) -> Path:
    """No collections: Toy Tale / Toy Tale 3 (Tom Hanks) are a saga, Frozen / Frozen Lake
    (nobody in common) are not; Bugs shares a lot of content with Toy Tale."""
    rows = [
        movie(1, "Toy Tale", "1995-01-01", overview="toys come alive in a bedroom", vote_count=900),
        movie(2, "Toy Tale 3", "2010-01-01", overview="a boy leaves for college", vote_count=50),
        movie(3, "Bugs", "1996-01-01", overview="toys come alive in a bedroom", vote_count=900),
        movie(4, "Frozen", "2013-01-01", overview="a princess and her sister", vote_count=900),
        movie(5, "Frozen Lake", "2014-01-01", overview="a princess and her sister", vote_count=9),
    ]
    genres = [{"movie_id": i, "genre_id": ANIMATION, "name": "Animation"} for i in range(1, 6)]
    cast = [{"movie_id": i, "person_id": 31, "name": "Tom Hanks", "character": "x", "order": 0,
             "gender": 0} for i in (1, 2)]  # fmt: skip
    return make_catalog(directory, movies=rows, genres=genres, cast=cast)


@pytest.fixture(scope="module")
def sagas(tmp_path_factory: pytest.TempPathFactory) -> rc.Recommender:
    return rc.Recommender().fit(rc.read_frames(saga_catalog(tmp_path_factory.mktemp("saga"))))


def test_a_saga_comes_first_and_says_so(sagas: rc.Recommender) -> None:
    first = sagas.recommend(1, k=3)[0]
    assert first.id == 2 and first.reasons[0] == "misma saga"
    assert all(r.reasons[0] != "misma saga" for r in sagas.recommend(4, k=3))


def test_without_saga_weight_the_lists_are_content_only(tmp_path: Path) -> None:
    plain = rc.Recommender(saga_weight=0.0).fit(rc.read_frames(saga_catalog(tmp_path / "c")))
    assert plain.recommend(1, k=3)[0].id == 3 and not plain.sagas_.any()


def test_the_saga_term_is_in_the_stored_score(sagas: rc.Recommender) -> None:
    row = sagas._position(1)
    listed = sagas.neighbors_[row][sagas.neighbors_[row] >= 0]
    content = sagas.similarity(np.array([row]), listed)[0] + sagas.bonus_of(listed)
    extra = sagas.similarities_[row][: len(listed)] - content
    assert np.allclose(extra, sagas.saga_weight * sagas.sagas_[row][: len(listed)], atol=1e-4)


def test_genre_gate_halves_co_likes_without_a_shared_genre(tmp_path: Path) -> None:
    rows = [movie(i, f"M{i}", "2000-01-01", overview=f"plot number {i}") for i in range(1, 5)]
    genres = [{"movie_id": 1, "genre_id": DRAMA, "name": "Drama"},
              {"movie_id": 2, "genre_id": DRAMA, "name": "Drama"},
              {"movie_id": 3, "genre_id": ANIMATION, "name": "Animation"}]  # fmt: skip
    frames = rc.read_frames(make_catalog(tmp_path / "g", movies=rows, genres=genres))
    ratings = pd.DataFrame({"userId": np.repeat(np.arange(20), 3),
                            "movie_id": np.tile([1, 2, 3], 20), "rating": 5.0})  # fmt: skip
    common = {"content_weight": 0.0, "prior_weight": 0.0, "saga_weight": 0.0, "cf_alpha": 0.5}
    full = rc.Recommender(cf_off_genre=1.0, **common).fit({**frames, "ratings": ratings})
    gated = rc.Recommender(cf_off_genre=0.5, **common).fit({**frames, "ratings": ratings})
    score = {m.id: m.similarity for m in full.recommend(1, k=3)}
    half = {m.id: m.similarity for m in gated.recommend(1, k=3)}
    assert half[2] == pytest.approx(score[2])  # both dramas
    assert half[3] == pytest.approx(score[3] / 2, rel=1e-3)  # no genre in common


def test_several_liked_movies_count_a_smaller_share_of_the_saga(sagas: rc.Recommender) -> None:
    rows = np.array([sagas._position(1), sagas._position(4)])  # Toy Tale, Frozen
    movies, scores, _ = sagas.rank_many(rows, rows, 4)
    saga = sagas._position(2)  # Toy Tale 3: of Toy Tale's saga, not of Frozen's
    assert sagas.personal_saga_weight < 1
    cut = (1 - sagas.personal_saga_weight) * sagas.saga_weight
    stored = 0.0
    for row in rows:
        at = np.flatnonzero(sagas.neighbors_[row] == saga)
        if at.size:
            stored += sagas.similarities_[row, at[0]] - cut * sagas.sagas_[row, at[0]]
    assert sagas.sagas_[rows[0]][sagas.neighbors_[rows[0]] == saga].tolist() == [1]
    penalty = sagas.personal_penalty * sagas.popularity(np.array([saga]))[0]
    got = scores[movies.tolist().index(saga)]
    assert got == pytest.approx(stored / 2 - penalty, abs=1e-5)
    whole = sagas.set_params(personal_saga_weight=1.0).rank_many(rows, rows, 4)
    sagas.set_params(personal_saga_weight=0.75)
    assert whole[1][whole[0].tolist().index(saga)] == pytest.approx(got + cut / 2, abs=1e-5)
    shown = {r.id: r.similarity for r in sagas.recommend_many([1, 4], k=4)}
    assert shown[2] == pytest.approx(round(got / sagas.score_scale(), 4), abs=1e-4)


def test_one_liked_movie_keeps_its_stored_list(sagas: rc.Recommender) -> None:
    row = np.array([sagas._position(1)])
    movies, scores, _ = sagas.rank_many(row, row, 4)
    listed = sagas.neighbors_[row[0]]
    stored = dict(zip(listed.tolist(), sagas.similarities_[row[0]].tolist(), strict=True))
    pen = sagas.personal_penalty * sagas.popularity(movies)
    assert movies.tolist()[0] == sagas._position(2)  # the saga still first
    assert np.allclose(scores, [stored[m] for m in movies.tolist()] - pen, atol=1e-6)
