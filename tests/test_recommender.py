"""The recommender: estimator contract, neighbours, filters, reasons, storage, real data."""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone

from factories import make_catalog, movie
from filmoteca import recommender as rc
from filmoteca.errors import CatalogError, CatalogMissing, InvalidQuery, NotFound
from filmoteca.recommender import approximate
from filmoteca.recommender import csr as csr_module
from filmoteca.recommender import neighbors as nb
from filmoteca.recommender.csr import Csr
from filmoteca.recommender.dots import row_dots
from filmoteca.recommender.features import era_features

ANIMATION, FAMILY, COMEDY, HORROR, DRAMA, CRIME, SCIFI, ROMANCE = (
    16,
    10751,
    35,
    27,
    18,
    80,
    878,
    10749,
)
GENRE_NAMES = {
    ANIMATION: "Animation", FAMILY: "Family", COMEDY: "Comedy", HORROR: "Horror",
    DRAMA: "Drama", CRIME: "Crime", SCIFI: "Science Fiction", ROMANCE: "Romance",
}  # fmt: skip

# id, title, date, language, votes, average, genres, overview
MOVIES: list[tuple[int, str, str, str, int, float, list[int], str]] = [
    (1, "Toy Tale", "1995-10-30", "en", 5000, 7.9, [ANIMATION, FAMILY, COMEDY],
     "Cowboy doll Woody and spaceman Buzz are toys that come alive in a boy's bedroom."),
    (2, "Toy Tale 2", "1999-10-30", "en", 4000, 7.5, [ANIMATION, FAMILY, COMEDY],
     "A toy collector steals Woody and Buzz leads the toys on a rescue across town."),
    (3, "Toy Tale 3", "2010-06-16", "en", 6000, 7.8, [ANIMATION, FAMILY, COMEDY],
     "The boy leaves for college and Woody, Buzz and the toys land in a daycare."),
    (4, "Bug Colony", "1998-11-25", "en", 2000, 6.9, [ANIMATION, FAMILY, COMEDY],
     "An inventive ant recruits circus bugs to defend the colony from grasshoppers."),
    (5, "Night Stalker", "1980-05-09", "en", 800, 6.5, [HORROR],
     "A masked killer stalks camp counselors at a lake in the woods."),
    (6, "Night Stalker II", "1982-04-30", "en", 300, 5.5, [HORROR],
     "The masked killer returns to the lake in the woods for the next counselors."),
    (7, "Le Petit Café", "2001-04-25", "fr", 150, 7.2, [ROMANCE, DRAMA],
     "A shy waitress secretly changes the lives of the regulars of a Paris café."),
    (8, "La Cuisine", "2004-03-10", "fr", 90, 6.8, [COMEDY],
     "A chaotic family runs a small restaurant kitchen in Paris."),
    (9, "Gangland", "1972-03-14", "en", 9000, 8.7, [CRIME, DRAMA],
     "The aging patriarch of a crime family hands his empire to his reluctant son."),
    (10, "Gangland Part II", "1974-12-20", "en", 5000, 8.5, [CRIME, DRAMA],
     "The son expands the crime family empire while his father's youth is told."),
    (11, "Space Duel", "1977-05-25", "en", 9000, 8.1, [SCIFI],
     "A farm boy joins rebels to fight an evil empire across the galaxy."),
    (12, "Desert Planet", "1984-12-14", "en", 700, 6.3, [SCIFI],
     "A noble heir defends a desert planet and its giant sand worms."),
    (13, "Quiet River", "1992-10-09", "en", 400, 7.0, [DRAMA],
     "Two brothers grow up fly fishing on a quiet river in Montana."),
    (14, "Cinéma Paradis", "1988-11-17", "it", 1500, 8.2, [DRAMA, ROMANCE],
     "A film director remembers the village cinema of his childhood."),
    (15, "Gangland", "2002-08-02", "en", 40, 4.9, [CRIME],
     "Street gangs fight over a city block in a low budget remake."),
]  # fmt: skip

COLLECTIONS = {1: (100, "Toy Tale Collection"), 2: (100, "Toy Tale Collection"),
               3: (100, "Toy Tale Collection"), 5: (200, "Night Stalker Collection"),
               6: (200, "Night Stalker Collection"), 9: (300, "Gangland Collection"),
               10: (300, "Gangland Collection")}  # fmt: skip
DIRECTORS = {1: (7879, "John Lasseter"), 2: (7879, "John Lasseter"), 3: (7, "Lee Unkrich"),
             4: (7879, "John Lasseter"), 5: (50, "Sean Cunningham"), 6: (51, "Steve Miner"),
             7: (60, "Jean-Pierre Jeunet"), 8: (61, "Agnès Jaoui"), 9: (1776, "Francis Coppola"),
             10: (1776, "Francis Coppola"), 11: (1, "George Lucas"), 12: (2, "David Lynch"),
             13: (3, "Robert Redford"), 14: (4, "Giuseppe Tornatore"),
             15: (5, "Nobody Known")}  # fmt: skip
CAST = {1: [(31, "Tom Hanks"), (12898, "Tim Allen")], 2: [(31, "Tom Hanks"), (12898, "Tim Allen")],
        3: [(31, "Tom Hanks"), (12898, "Tim Allen")], 4: [(90, "Dave Foley")],
        9: [(1158, "Al Pacino")], 10: [(1158, "Al Pacino"), (380, "Robert De Niro")],
        11: [(2, "Mark Hamill")]}  # fmt: skip
KEYWORDS = {1: ["toy", "friendship"], 2: ["toy", "collector"], 3: ["toy", "daycare"],
            4: ["ant", "circus"], 5: ["slasher", "summer camp"], 6: ["slasher", "sequel"],
            9: ["mafia", "patriarch"], 10: ["mafia", "sequel"], 11: ["galaxy", "rebel"],
            12: ["desert", "galaxy"]}  # fmt: skip


def small_catalog(directory: Path) -> Path:
    """15 movies: three sagas, two French movies, one Italian one, two titled Gangland."""
    keyword_ids = {
        name: i for i, name in enumerate(sorted({k for v in KEYWORDS.values() for k in v}))
    }
    return make_catalog(
        directory,
        movies=[
            movie(i, title, date, original_language=lang, vote_count=votes, vote_average=avg,
                  overview=text, collection_id=COLLECTIONS.get(i, (None,))[0])
            for i, title, date, lang, votes, avg, _, text in MOVIES
        ],
        genres=[{"movie_id": i, "genre_id": g, "name": GENRE_NAMES[g]}
                for i, *_, genres, _ in MOVIES for g in genres],
        collections=[{"movie_id": i, "collection_id": c, "name": n, "poster_path": None,
                      "backdrop_path": None} for i, (c, n) in COLLECTIONS.items()],
        crew=[{"movie_id": i, "person_id": p, "name": n, "job": "Director",
               "department": "Directing", "gender": 0} for i, (p, n) in DIRECTORS.items()],
        cast=[{"movie_id": i, "person_id": p, "name": n, "character": "x", "order": o,
               "gender": 0} for i, people in CAST.items() for o, (p, n) in enumerate(people)],
        keywords=[{"movie_id": i, "keyword_id": keyword_ids[k], "name": k}
                  for i, names in KEYWORDS.items() for k in names],
    )  # fmt: skip


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_catalog(tmp_path_factory.mktemp("rec") / "catalogo")


@pytest.fixture(scope="module")
def model(catalog: Path) -> rc.Recommender:
    return rc.Recommender().fit(rc.read_frames(catalog))


def ids(recs: list[rc.Recommendation]) -> list[int]:
    return [r.id for r in recs]


# ---- the scikit-learn contract --------------------------------------------------------------


def test_init_only_stores_parameters() -> None:
    est = rc.Recommender(weights={"nonsense": -1.0}, n_neighbors=3)
    assert est.get_params()["weights"] == {"nonsense": -1.0}
    assert not [name for name in vars(est) if name.endswith("_")]


def test_fit_returns_self_and_sets_learned_attributes(catalog: Path) -> None:
    est = rc.Recommender(n_neighbors=4)
    assert est.fit(rc.read_frames(catalog)) is est
    learned = [name for name in vars(est) if name.endswith("_") and not name.startswith("_")]
    assert {"neighbors_", "similarities_", "features_", "prior_", "movie_ids_"} <= set(learned)
    assert est.neighbors_.shape == (len(MOVIES), 4)


def test_clone_keeps_parameters_and_drops_learned_state(model: rc.Recommender) -> None:
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "neighbors_")


def test_set_params_changes_parameters_and_rejects_unknown_ones() -> None:
    est = rc.Recommender().set_params(prior_weight=0.1, n_neighbors=7)
    assert (est.prior_weight, est.n_neighbors) == (0.1, 7)
    with pytest.raises(InvalidQuery):
        est.set_params(nonsense=1)


SERVING = """
import sys
from pathlib import Path
import filmoteca.recommender as rc
heavy = ("pandas", "pyarrow", "scipy", "sklearn")
print(sorted(k for k in heavy if k in sys.modules))
fallbacks = []
whole = rc.Recommender.mean_similarity
rc.Recommender.mean_similarity = lambda self, rows: fallbacks.append(1) or whole(self, rows)
m = rc.Recommender.load(Path(sys.argv[1]))
m.recommend(1, k=3)
m.recommend_many([1, 9], [10], k=3)
french = rc.Filters(language="fr")
print(sorted(r.id for r in m.recommend(1, k=2, filters=french)))
print([r.id for r in m.recommend_many([1, 9], [8], k=3, filters=french)])
print(len(fallbacks), sorted(k for k in heavy if k in sys.modules))
"""


def test_serving_does_not_import_pandas_pyarrow_scipy_or_scikit_learn(
    catalog: Path, tmp_path: Path
) -> None:
    from filmoteca.recommender.storage import save

    save(rc.Recommender(n_neighbors=2).fit(rc.read_frames(catalog)), tmp_path / "m")
    out = subprocess.run(
        [sys.executable, "-c", SERVING, str(tmp_path / "m")],
        capture_output=True,
        text=True,
        check=True,
    )
    # the filtered queries exhaust the 2-movie lists: they score every movie by content
    assert out.stdout.split("\n")[:4] == ["[]", "[8]", "[7]", "1 []"]


def test_what_is_made_ahead_from_the_movies_gives_the_same_model(
    catalog: Path, model: rc.Recommender
) -> None:
    from filmoteca.recommender import features

    frames = rc.read_frames(catalog)
    made = features.from_movies(frames["movies"], 0.02)
    text, title_pairs = made.text, made.title_pairs
    ahead = rc.Recommender().fit(frames, ahead=made)
    assert made.text is None and made.title_pairs is None  # taken: freed once used
    assert np.array_equal(ahead.neighbors_, model.neighbors_)
    assert np.array_equal(ahead.sagas_, model.sagas_)
    assert np.array_equal(ahead.features_.data, model.features_.data)
    assert text is not None and title_pairs is not None
    short = text[0][:-1], text[1]  # one row short: another catalog's
    with pytest.raises(ValueError, match="filas"):
        rc.Recommender().fit(frames, ahead=features.FromMovies(short, title_pairs))
    other = title_pairs.tocsr()[:-1, :-1].tocoo()
    with pytest.raises(ValueError, match="pares de títulos"):
        rc.Recommender().fit(frames, ahead=features.FromMovies(text, other))


def test_invalid_weights_are_rejected_at_fit(catalog: Path) -> None:
    with pytest.raises(InvalidQuery, match="Pesos"):
        rc.Recommender(weights={"nonsense": 1.0}).fit(rc.read_frames(catalog))


# ---- recommendations --------------------------------------------------------------------------


def test_sequels_come_first_and_the_movie_never_appears(model: rc.Recommender) -> None:
    recs = model.recommend(1, k=5)
    # only 4 movies share anything with Toy Tale (the rest share era or language at most)
    assert len(recs) == 4
    assert 1 not in ids(recs)
    assert set(ids(recs)[:2]) == {2, 3}


def test_every_recommendation_shares_a_feature_with_the_query(model: rc.Recommender) -> None:
    for movie_id, *_ in MOVIES:
        recs = model.recommend(movie_id, k=7)
        assert 0 < len(recs) <= 7 and movie_id not in ids(recs)
        assert len(set(ids(recs))) == len(recs)
        row = np.array([model._position(movie_id)])
        others = np.array([model._position(r.id) for r in recs])
        assert (row_dots(model.features_, row, others) > 0).all()


def test_reasons_name_what_is_shared(model: rc.Recommender) -> None:
    first = {r.id: r for r in model.recommend(1, k=3)}
    reasons = " | ".join(first[2].reasons)
    assert "misma colección: Toy Tale Collection" in reasons
    assert "mismo director: John Lasseter" in reasons
    assert "Tom Hanks" in reasons and len(first[2].reasons) <= 4
    gangland = model.recommend(9, k=1)[0]
    assert gangland.id == 10
    assert "misma colección: Gangland Collection" in gangland.reasons


def test_acclaimed_movies_say_so_in_spanish_number_format(model: rc.Recommender) -> None:
    space_duel = next(r for r in model.recommend(12, k=3) if r.id == 11)
    assert "muy valorada: 8,1/10 con 9.000 votos" in space_duel.reasons


def test_genre_reasons_are_in_spanish(model: rc.Recommender) -> None:
    bug = next(r for r in model.recommend(4, k=5) if r.id in {1, 2, 3})
    assert any(r.startswith("géneros en común:") and "Animación" in r for r in bug.reasons)


def test_similarity_is_between_zero_and_one_and_sorted_by_score(model: rc.Recommender) -> None:
    recs = model.recommend(9, k=10)
    assert all(0.0 <= r.similarity <= 1.0 for r in recs)
    rows = [model._position(r.id) for r in recs]
    scores = [
        r.similarity + model.prior_weight * model.prior_[j] for r, j in zip(recs, rows, strict=True)
    ]
    assert all(a >= b - 1e-3 for a, b in pairwise(scores))


def test_year_votes_and_language_filters(model: rc.Recommender) -> None:
    for recs, check in [
        (model.recommend(1, k=3, filters=rc.Filters(since=1995)), lambda m: m[2][:4] >= "1995"),
        (model.recommend(1, k=3, filters=rc.Filters(until=1985)), lambda m: m[2][:4] <= "1985"),
        (model.recommend(1, k=3, filters=rc.Filters(min_votes=4500)), lambda m: m[4] >= 4500),
        (model.recommend(1, k=3, filters=rc.Filters(language="FR")), lambda m: m[3] == "fr"),
    ]:
        rows = {m[0]: m for m in MOVIES}
        assert all(check(rows[r.id]) for r in recs)
    assert model.recommend(1, k=3, filters=rc.Filters(since=1995))
    assert ids(model.recommend(1, k=3, filters=rc.Filters(language="FR"))) == [8]


def test_filters_that_exhaust_the_neighbour_list_fall_back_to_the_whole_catalog(
    catalog: Path, model: rc.Recommender
) -> None:
    short = rc.Recommender(n_neighbors=2).fit(rc.read_frames(catalog))
    only_french = rc.Filters(language="fr")
    assert ids(short.recommend(1, k=2, filters=only_french)) == ids(
        model.recommend(1, k=2, filters=only_french)
    )
    # Le Petit Café (fr) shares nothing with Toy Tale: no filter makes it a recommendation
    assert ids(short.recommend(1, k=2, filters=only_french)) == [8]


def test_fewer_matches_than_k_returns_what_there_is(model: rc.Recommender) -> None:
    recs = model.recommend(9, k=10, filters=rc.Filters(language="it"))
    assert ids(recs) == [14]
    assert model.recommend(1, k=5, filters=rc.Filters(since=2020)) == []


@pytest.mark.parametrize(
    "filters, message",
    [(rc.Filters(since=2000, until=1990), "posterior"), (rc.Filters(language="xx"), "idioma")],
)
def test_bad_filters_raise_invalid_query(
    model: rc.Recommender, filters: rc.Filters, message: str
) -> None:
    with pytest.raises(InvalidQuery, match=message):
        model.recommend(1, filters=filters)


def test_unknown_movie_is_not_found(model: rc.Recommender) -> None:
    with pytest.raises(NotFound):
        model.recommend(999)
    assert 999 not in model and 1 in model


def test_many_liked_movies_exclude_liked_and_discarded(model: rc.Recommender) -> None:
    recs = model.recommend_many([9, 11], exclude_ids=[10], k=4)
    assert len(recs) == 4
    assert not {9, 10, 11} & set(ids(recs))
    assert all(r.reasons[0].startswith("parecida a: ") for r in recs)


def test_many_from_one_saga_finds_the_rest_of_it(model: rc.Recommender) -> None:
    recs = model.recommend_many([1, 2], k=2)
    assert ids(recs)[0] == 3


def test_many_with_nothing_liked_is_invalid(model: rc.Recommender) -> None:
    with pytest.raises(InvalidQuery):
        model.recommend_many([], k=3)


def test_brute_force_agrees_with_the_stored_lists(model: rc.Recommender) -> None:
    everyone = np.arange(len(MOVIES))
    for row in range(len(MOVIES)):
        sim = model.similarity(np.array([row]), everyone)[0]
        assert np.allclose(sim, model.mean_similarity(np.array([row])), atol=1e-5)
        listed = model.neighbors_[row][model.neighbors_[row] >= 0]
        stored = model.similarities_[row][: len(listed)]
        sagas = model.saga_weight * model.sagas_[row][: len(listed)]
        expected = sim[listed] + model.bonus_of(listed) + sagas  # no ratings: content + bonus
        assert np.allclose(expected, stored, atol=1e-4)


def test_many_with_filters_beyond_the_lists_searches_everything(catalog: Path) -> None:
    short = rc.Recommender(n_neighbors=2).fit(rc.read_frames(catalog))
    recs = short.recommend_many([1, 9], exclude_ids=[8], k=3, filters=rc.Filters(language="fr"))
    assert ids(recs) == [7]


# ---- neighbour search -------------------------------------------------------------------------


@pytest.mark.parametrize("buffer_values", [2**21, 700 * 7], ids=["one-chunk", "7-row-chunks"])
def test_top_neighbors_is_exact(monkeypatch: pytest.MonkeyPatch, buffer_values: int) -> None:
    monkeypatch.setattr(nb, "BUFFER_VALUES", buffer_values)
    rng = np.random.default_rng(7)
    n = 700
    sparse = sp.random(n, 60, density=0.05, random_state=3, format="csr", dtype=np.float32)
    dense = rng.random((n, 5), dtype=np.float32)
    langs = rng.integers(-1, 3, n).astype(np.int16)
    bonus = rng.random(n, dtype=np.float32)
    # the first 2 dense columns are "genres" (positive everywhere): every pair has evidence
    top, sims = nb.top_neighbors(sparse, dense, langs, 0.3, bonus, k=15, genres=2)
    full = (sparse @ sparse.T).toarray() + dense @ dense.T
    full += 0.3 * ((langs[:, None] == langs[None, :]) & (langs[:, None] >= 0))
    score = full + bonus[None, :]
    np.fill_diagonal(score, -np.inf)
    expected = np.argsort(-score, axis=1, kind="stable")[:, :15]
    assert np.array_equal(np.sort(top, axis=1), np.sort(expected, axis=1))
    assert np.allclose(sims, np.take_along_axis(score, top, axis=1), atol=1e-5)


def test_top_neighbors_scales_the_content_but_not_the_co_likes_or_the_bonus() -> None:
    rng = np.random.default_rng(5)
    n, k = 300, 8
    sparse = sp.random(n, 40, density=0.1, random_state=6, format="csr", dtype=np.float32)
    dense = rng.random((n, 4), dtype=np.float32)
    langs = rng.integers(0, 3, n).astype(np.int16)
    bonus = rng.random(n, dtype=np.float32)
    cf = sp.random(n, n, density=0.02, random_state=8, format="csr", dtype=np.float32)
    top, sims = nb.top_neighbors(sparse, dense, langs, 0.2, bonus, k=k, genres=1,
                                 content_weight=0.5, cf=cf)  # fmt: skip
    content = (sparse @ sparse.T).toarray() + dense @ dense.T + 0.2 * (langs[:, None] == langs)
    score = 0.5 * content + cf.toarray() + bonus[None, :]
    np.fill_diagonal(score, -np.inf)
    expected = -np.sort(-score, axis=1)[:, :k]
    assert np.allclose(sims, expected, atol=1e-5)
    assert np.allclose(np.take_along_axis(score, top, axis=1), expected, atol=1e-5)


def test_top_neighbors_without_evidence_among_the_best_scores_searches_the_whole_row() -> None:
    rng = np.random.default_rng(11)
    n, k = 400, 10
    sparse = sp.random(n, 300, density=0.01, random_state=4, format="csr", dtype=np.float32)
    dense = 10 * rng.random((n, 3), dtype=np.float32)  # era only: high scores, no evidence
    bonus = rng.random(n, dtype=np.float32)
    top, sims = nb.top_neighbors(sparse, dense, np.zeros(n, np.int16), 0.0, bonus, k=k)
    shared = (sparse @ sparse.T).toarray()
    score = np.where(shared > 0, shared + dense @ dense.T + bonus[None, :], -np.inf)
    np.fill_diagonal(score, -np.inf)
    for row in range(n):
        found = np.sort(score[row])[::-1][:k]
        found = found[np.isfinite(found)]
        listed = top[row][top[row] >= 0]
        assert len(listed) == len(found)  # padded with -1 where fewer movies share anything
        assert np.allclose(sims[row][: len(listed)], found, atol=1e-4)
        assert np.allclose(score[row][listed], found, atol=1e-4)


def test_top_neighbors_needs_evidence_and_adds_co_likes() -> None:
    sparse = sp.csr_matrix(np.array([[1, 0], [1, 0], [0, 1], [0, 0]], dtype=np.float32))
    dense = np.ones((4, 1), np.float32)  # era only: no evidence
    cf = sp.csr_matrix(np.array([[0, 0, 0, 0.5], [0] * 4, [0] * 4, [0.5, 0, 0, 0]], np.float32))
    top, scores = nb.top_neighbors(sparse, dense, np.zeros(4, np.int16), 0.0,
                                   np.zeros(4, np.float32), k=3, cf=cf)  # fmt: skip
    assert top[0].tolist() == [1, 3, -1]  # 1: shared feature + era (2); 3: era + co-likes
    assert top[2].tolist() == [-1, -1, -1]  # shares nothing with anyone
    assert scores[0].tolist()[:2] == pytest.approx([2.0, 1.5]) and scores[2].tolist() == [0, 0, 0]


def _blocked_case(n: int, seed: int) -> tuple[tuple[object, ...], dict[str, object], np.ndarray]:
    """Random inputs of `top_neighbors` (genres, languages, co-likes) and their exact scores."""
    rng = np.random.default_rng(seed)
    sparse = sp.random(n, 80, density=0.05, random_state=seed, format="csr", dtype=np.float32)
    dense = rng.random((n, 4), dtype=np.float32)
    dense[:, :2] *= rng.random((n, 2)) < 0.4  # two "genres", often absent
    langs = rng.integers(-1, 3, n).astype(np.int16)
    bonus = 0.1 * rng.random(n, dtype=np.float32)
    cf = sp.random(n, n, density=0.003, random_state=seed + 1, format="csr", dtype=np.float32)
    content = (sparse @ sparse.T).toarray() + dense @ dense.T
    content += 0.2 * ((langs[:, None] == langs[None, :]) & (langs[:, None] >= 0))
    evidence = ((sparse @ sparse.T).toarray() > 0) | (dense[:, :2] @ dense[:, :2].T > 0)
    score = np.where(evidence | (cf.toarray() > 0), content + cf.toarray() + bonus, -np.inf)
    np.fill_diagonal(score, -np.inf)
    return (sparse, dense, langs, 0.2, bonus), {"genres": 2, "cf": cf}, score


def test_blocked_search_covering_every_column_is_the_exact_search() -> None:
    args, kwargs, _ = _blocked_case(900, 21)  # fewer movies than a block's candidate ring
    exact = nb.top_neighbors(*args, k=12, **kwargs)  # type: ignore[arg-type]
    stats: dict[str, float] = {}
    blocked = nb.top_neighbors(*args, k=12, exact_max=0, stats=stats, **kwargs)  # type: ignore[arg-type]
    assert stats["scored"] > 0.99
    assert np.allclose(blocked[1], exact[1], atol=1e-5)
    assert np.array_equal(blocked[0] >= 0, exact[0] >= 0)


def test_blocked_search_lists_exact_scores_of_candidates_with_evidence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(approximate, "BLOCK", 40)
    monkeypatch.setattr(approximate, "PROBES", 3)
    monkeypatch.setattr(approximate, "RING", 120)
    monkeypatch.setattr(approximate, "PAIRS", 5)
    args, kwargs, score = _blocked_case(1200, 22)
    stats: dict[str, float] = {}
    top, sims = nb.top_neighbors(*args, k=10, exact_max=0, stats=stats, **kwargs)  # type: ignore[arg-type]
    assert stats["scored"] < 0.5  # only some pairs were scored...
    listed = top >= 0
    rows = np.nonzero(listed)[0]
    exact = score[rows, top[listed]]
    assert np.isfinite(exact).all()  # ...every listed one has evidence, its exact score,
    assert np.allclose(sims[listed], exact, atol=1e-5)
    assert (np.diff(np.where(listed, sims, -1e9), axis=1) <= 1e-6).all()  # best first
    best = -np.sort(-score, axis=1)[:, :10]
    hit = (np.where(listed, sims, -np.inf) >= best[:, -1:] - 1e-5).sum() / np.isfinite(best).sum()
    assert hit > 0.5  # and much of the exact lists is found (few candidates here)


@pytest.mark.parametrize("rows, others", [([0], [1, 2, 3]), ([4, 0, 4], [0, 5]), ([2], [])])
def test_row_dots_match_scipy(rows: list[int], others: list[int]) -> None:
    dense = sp.random(6, 40, density=0.3, random_state=5, dtype=np.float32).toarray()
    dense[2] = 0  # an empty row
    matrix = sp.csr_matrix(dense)
    got = row_dots(Csr.of(matrix), np.array(rows, dtype=np.int64), np.array(others, dtype=np.int64))
    expected = (matrix[rows] @ matrix[others].T).toarray() if others else np.zeros((len(rows), 0))
    assert got.shape == expected.shape
    assert np.allclose(got, expected, atol=1e-6)


def _with_empty_rows() -> sp.csr_matrix:
    """7 x 30 random matrix whose first, fourth and last rows are empty."""
    dense = sp.random(7, 30, density=0.3, random_state=9, dtype=np.float32).toarray()
    dense[[0, 3, 6]] = 0
    return sp.csr_matrix(dense)


@pytest.mark.parametrize(
    "matrix",
    [
        _with_empty_rows(),
        sp.csr_matrix((4, 5), dtype=np.float32),  # no values at all
        sp.csr_matrix((0, 5), dtype=np.float32),  # no rows
        sp.csr_matrix((3, 0), dtype=np.float32),  # no columns
    ],
    ids=["empty-rows", "all-empty", "no-rows", "no-columns"],
)
@pytest.mark.parametrize("block_rows", [4096, 2])  # 2: blocks start and end on empty rows
def test_csr_mean_of_rows_and_matvec_match_scipy(
    monkeypatch: pytest.MonkeyPatch, matrix: sp.csr_matrix, block_rows: int
) -> None:
    monkeypatch.setattr(csr_module, "MATVEC_ROWS", block_rows)
    csr = Csr.of(matrix)
    vector = np.random.default_rng(2).random(matrix.shape[1], dtype=np.float32)
    got = csr.matvec(vector)
    assert got.dtype == np.float32 and got.shape == (matrix.shape[0],)
    assert np.allclose(got, matrix @ vector, atol=1e-6)
    n = matrix.shape[0]
    for rows in ([0], [3], [0, 3, 6], [1, 2, 1, 5], list(range(n))):
        picked = np.array([r for r in rows if r < n], dtype=np.int64)
        if picked.size == 0:
            continue
        mean = csr.mean_of_rows(picked)
        assert mean.dtype == np.float32 and mean.shape == (matrix.shape[1],)
        assert np.allclose(mean, np.asarray(matrix[picked].mean(axis=0)).ravel(), atol=1e-6)
    assert not csr.mean_of_rows(np.array([], dtype=np.int64)).any()


def test_csr_matvec_rejects_a_vector_of_another_length() -> None:
    with pytest.raises(ValueError, match="columnas"):
        Csr.of(_with_empty_rows()).matvec(np.ones(29, np.float32))


def test_era_features_follow_a_gaussian_of_the_year_gap() -> None:
    feats = era_features(np.array([1990.0, 2000.0, 2010.0, 0.0]), scale=10.0)
    assert feats[0] @ feats[1] == pytest.approx(np.exp(-1.0), abs=1e-3)
    assert feats[0] @ feats[2] == pytest.approx(np.exp(-4.0), abs=1e-3)
    assert not feats[3].any()


# ---- storage ----------------------------------------------------------------------------------


def test_saved_model_loads_without_pickle_and_answers_the_same(
    model: rc.Recommender, tmp_path: Path
) -> None:
    from filmoteca.recommender.storage import save

    save(model, tmp_path / "m")
    files = sorted((tmp_path / "m").iterdir())
    assert {p.suffix for p in files} == {".npy", ".json"}
    for path in files:
        if path.suffix == ".npy":
            assert np.load(path, allow_pickle=False).dtype != object
    loaded = rc.Recommender.load(tmp_path / "m")
    assert loaded.recommend(1, k=5) == model.recommend(1, k=5)
    assert loaded.recommend_many([9, 11], [10], k=3) == model.recommend_many([9, 11], [10], k=3)
    assert list(loaded.titles_) == list(model.titles_)
    assert list(loaded.feature_names_) == list(model.feature_names_)


def test_loaded_arrays_are_mapped_read_only_not_copied(
    model: rc.Recommender, tmp_path: Path
) -> None:
    from filmoteca.recommender.storage import save

    save(model, tmp_path)
    loaded = rc.Recommender.load(tmp_path)
    features = loaded.features_
    for array in (loaded.neighbors_, loaded.movie_ids_, features.data, features.indptr):
        assert not array.flags.writeable and not array.flags.owndata
    assert isinstance(features, Csr) and features.shape == model.features_.shape
    assert np.array_equal(features.indices, model.features_.indices)


def test_fitted_and_loaded_models_fall_back_alike(catalog: Path, tmp_path: Path) -> None:
    from filmoteca.recommender.storage import save

    short = rc.Recommender(n_neighbors=2).fit(rc.read_frames(catalog))
    save(short, tmp_path)
    loaded = rc.Recommender.load(tmp_path)
    french = rc.Filters(language="fr")
    assert loaded.recommend(1, k=2, filters=french) == short.recommend(1, k=2, filters=french)
    rows = np.array([0, 8])
    assert np.array_equal(loaded.mean_similarity(rows), short.mean_similarity(rows))


def test_build_model_writes_into_the_catalog_and_summarises(catalog: Path, tmp_path: Path) -> None:
    summary: dict[str, Any] = rc.build_model(catalog, tmp_path / "recomendador")
    json.dumps(summary)
    assert summary["n_movies"] == len(MOVIES)
    assert {"text", "genres", "collection", "director"} <= set(summary["features"])
    assert summary["seconds"] >= 0 and summary["weights"]["keywords"] > 0
    assert (tmp_path / "recomendador" / "model.json").is_file()


def test_missing_model_is_reported_in_spanish(tmp_path: Path) -> None:
    with pytest.raises(CatalogMissing, match="No hay recomendador"):
        rc.Recommender.load(tmp_path)


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: (d / "neighbors.npy").write_bytes(b"not an npy"),
        lambda d: (d / "features_data.npy").write_bytes(
            (d / "features_data.npy").read_bytes()[:-8]
        ),
        lambda d: np.save(d / "titles.offsets.npy", np.array([0, 5, 2], np.int64)),
        lambda d: (d / "years.npy").unlink(),
        lambda d: np.save(d / "prior.npy", np.zeros(3, np.float32)),  # another length
        lambda d: np.save(d / "features_indptr.npy", np.zeros(3, np.int32)),
    ],
    ids=["garbage", "truncated", "strings", "missing", "length", "indptr"],
)
def test_damaged_model_is_reported(model: rc.Recommender, tmp_path: Path, damage: Any) -> None:
    from filmoteca.recommender.storage import save

    save(model, tmp_path)
    damage(tmp_path)
    with pytest.raises(CatalogError, match="build"):
        rc.Recommender.load(tmp_path)


def test_model_of_the_previous_format_asks_for_a_rebuild(
    model: rc.Recommender, tmp_path: Path
) -> None:
    from filmoteca.recommender.storage import save

    save(model, tmp_path)
    meta = json.loads((tmp_path / "model.json").read_text(encoding="utf-8"))
    (tmp_path / "model.json").write_text(json.dumps({**meta, "format": 1}), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"otra versión.*Vuelva a construir"):
        rc.Recommender.load(tmp_path)


def test_catalog_without_text_keywords_or_people_still_recommends(tmp_path: Path) -> None:
    bare = make_catalog(
        tmp_path / "bare",
        movies=[movie(i, f"M{i}", f"{1990 + i}-01-01", vote_count=10 * i) for i in range(1, 6)],
    )
    est = rc.Recommender().fit(rc.read_frames(bare))
    # nothing to share but era and language: no list may rest on those (or on acclaim) alone
    assert est.recommend(1, k=3) == []
    assert est.active_blocks_ == ["era", "language"]


# ---- the real data ----------------------------------------------------------------------------


@pytest.mark.realdata
def test_real_catalog_toy_story_holds_its_sequels(real_catalog: Path) -> None:
    model = rc.Recommender.load(real_catalog / "recomendador")
    toy_story = next(i for i, t in enumerate(model.titles_) if t == "Toy Story")
    recs = model.recommend(int(model.movie_ids_[toy_story]), k=5)
    titles = [r.title for r in recs]
    assert "Toy Story 2" in titles and "Toy Story 3" in titles
    assert any("Tom Hanks" in reason for r in recs for reason in r.reasons)


def test_the_blocks_k_means_finds_separate_groups_and_never_leaves_a_centre_undefined() -> None:
    rng = np.random.default_rng(3)
    means = np.array([[0, 0], [10, 0], [0, 10]], np.float32)
    points = np.concatenate([m + rng.normal(0, 0.5, (200, 2)) for m in means]).astype(np.float32)
    # random starts can put two centres in one group: the best of a few seeds finds all three
    found = [approximate.centroids(points, 3, seed) for seed in range(5)]
    best = min(found, key=lambda c: np.abs(np.sort(c, 0) - np.sort(means, 0)).sum())
    assert np.allclose(np.sort(best, 0), np.sort(means, 0), atol=0.3)
    same = np.zeros((50, 2), np.float32)  # every point equal: centres stay finite
    assert np.isfinite(approximate.centroids(same, 8)).all()
    assert len(approximate.centroids(points[:5], 8)) == 5  # never more centres than points


def test_the_blocks_best_partners_are_about_k_per_row_the_highest_and_every_tie() -> None:
    import scipy.sparse as sp

    rng = np.random.default_rng(5)
    values = rng.random((3, 5000)).astype(np.float32)
    values[0, :4990] = 0  # a row of 10 values: all of them
    values[2, 100:200] = 0.999  # 100 equal values near the top: all of them or none
    rows = [approximate._best(sp.csr_matrix(values[r : r + 1]), 300) for r in range(3)]
    assert np.array_equal(approximate._best(sp.csr_matrix(values), 300), np.concatenate(rows))
    assert sorted(rows[0]) == list(range(4990, 5000))
    for r in (1, 2):
        top = np.argsort(-values[r], kind="stable")
        assert 150 <= len(rows[r]) <= 500  # about k: estimated from a sample of the row
        assert set(top[:150]) <= set(rows[r])  # the highest are never left out
        floor = values[r, rows[r]].min()
        assert set(np.flatnonzero(values[r] >= floor)) == set(rows[r])  # ties all kept
