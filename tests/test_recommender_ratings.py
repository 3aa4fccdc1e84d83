"""The ratings the recommender learns from: reading, checking, co-likes, and the build command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from factories import make_catalog, movie
from filmoteca import recommender as rc
from filmoteca.cli import cli
from filmoteca.errors import InputError
from filmoteca.recommender import collaborative
from filmoteca.recommender import ratings as rio

DEMO_IDS = range(900001, 900013)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def movielens(directory: Path, rows: list[tuple[int, int, float]]) -> Path:
    """ratings.csv + links.csv (MovieLens id m -> TMDB id 900000 + m) in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    links = pd.DataFrame({"movieId": range(1, 41), "imdbId": 0, "tmdbId": range(900001, 900041)})
    links.to_csv(directory / "links.csv", index=False)
    frame = pd.DataFrame(rows, columns=["userId", "movieId", "rating"]).assign(timestamp=1)
    frame.to_csv(directory / "ratings.csv", index=False)
    return directory / "ratings.csv"


# ---- reading and checking ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("user,movie\n1,2\n", "faltan las columnas: userId, movieId, rating"),
        ("userId,movieId,rating\n1,2,4\n1,3,muy buena\n", r"fila 3"),
        ("userId,movieId,rating\n1,2,4\n1,3,9\n", r"fuera de 0-5 en la fila 3"),
        ("userId,movieId,rating\n1,2,4\n1.5,3,4\n", r"entero en la fila 3"),
        ("userId,movieId,rating\n1,2,inf\n", r"fila 2"),
    ],
)
def test_bad_ratings_name_the_file_and_row(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path / "valoraciones.csv", text)
    with pytest.raises(InputError, match=expected) as info:
        rio.read_ratings(path)
    assert "valoraciones.csv" in info.value.message


def test_missing_ratings_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="No se encuentra"):
        rio.read_ratings(tmp_path / "nada.csv")


def test_links_without_tmdb_id_are_left_out(tmp_path: Path) -> None:
    links = rio.read_links(write(tmp_path / "l.csv", "movieId,imdbId,tmdbId\n1,5,10\n2,6,\n"))
    assert links.to_dict() == {1: 10}


# ---- co-likes -----------------------------------------------------------------------------------


def test_co_like_similarity_is_shrunk_cosine() -> None:
    ratings = pd.DataFrame({"userId": [1, 1, 2, 2, 3], "movie_id": [10, 20, 10, 20, 10],
                            "rating": [5.0, 4.0, 4.5, 4.0, 5.0]})  # fmt: skip
    sim, counts, likes = collaborative.fit(ratings, np.array([10, 20, 30]), shrink=2.0, top=5)
    assert likes.tolist() == [3, 2, 0]
    assert counts[0, 1] == 2 and counts[0, 0] == 0
    assert sim[0, 1] == pytest.approx(2 / np.sqrt(3 * 2) * 2 / (2 + 2))
    assert sim[0, 2] == 0


def test_co_like_alpha_leans_toward_the_candidate_s_popularity() -> None:
    ratings = pd.DataFrame({"userId": [1, 1, 2, 2, 3], "movie_id": [10, 20, 10, 20, 10],
                            "rating": [5.0, 4.0, 4.5, 4.0, 5.0]})  # fmt: skip
    sim, _, _ = collaborative.fit(ratings, np.array([10, 20]), shrink=2.0, top=5, alpha=0.3)
    shrunk = 2 / (2 + 2)
    assert sim[0, 1] == pytest.approx(2 / (3**0.7 * 2**0.3) * shrunk)  # query 10: 3 likes
    assert sim[1, 0] == pytest.approx(2 / (2**0.7 * 3**0.3) * shrunk)
    assert sim.max() <= 1.0  # the two exponents add up to 1: never above the plain share


def test_co_like_user_weights_count_each_person_by_how_much_they_liked() -> None:
    # person 1 liked movies 10, 20, 30 and 40; persons 2 and 3 liked 10 and 30 only
    ratings = pd.DataFrame({"userId": [1, 1, 1, 1, 2, 2, 3, 3],
                            "movie_id": [10, 20, 30, 40, 10, 30, 10, 30],
                            "rating": [5.0] * 8})  # fmt: skip
    ids = np.array([10, 20, 30, 40])
    plain, counts, likes = collaborative.fit(ratings, ids, shrink=2.0, top=5)
    weighted, weighted_counts, _ = collaborative.fit(ratings, ids, shrink=2.0, top=5, user_beta=1.0)
    # beta = 1: person 1 weighs 1/4, persons 2 and 3 weigh 1/2; counts stay in persons
    w10, w20, w30 = 1 / 4 + 1 / 2 + 1 / 2, 1 / 4, 1 / 4 + 1 / 2 + 1 / 2
    shrunk_20, shrunk_30 = 1 / (1 + 2), 3 / (3 + 2)
    assert weighted[0, 1] == pytest.approx((1 / 4) / np.sqrt(w10 * w20) * shrunk_20)
    assert weighted[0, 2] == pytest.approx((1 / 4 + 1) / np.sqrt(w10 * w30) * shrunk_30)
    assert weighted_counts.toarray().tolist() == counts.toarray().tolist()
    assert counts[0, 2] == 3 and likes.tolist() == [3, 1, 3, 1]
    # the pair only the heavy liker backs loses weight against the pair everyone backs
    assert weighted[0, 1] / weighted[0, 2] < plain[0, 1] / plain[0, 2]


def test_keep_top_keeps_the_largest_per_row() -> None:
    import scipy.sparse as sp

    m = sp.csr_matrix(np.array([[0, 3, 1, 2], [5, 0, 0, 0]], np.float32))
    assert collaborative.keep_top(m, 2).toarray().tolist() == [[0, 3, 0, 2], [5, 0, 0, 0]]


# ---- the build command --------------------------------------------------------------------------


def co_liked_rows() -> list[tuple[int, int, float]]:
    """30 people who like demo movies 1 and 7 together (and 3 who dislike both)."""
    return [(u, m, 5.0) for u in range(1, 31) for m in (1, 7)] + [
        (u, m, 1.0) for u in range(31, 34) for m in (1, 7)
    ]


def test_build_with_ratings_learns_co_likes_and_says_so(tmp_path: Path) -> None:
    ratings = movielens(tmp_path / "ml", co_liked_rows())
    out = tmp_path / "cat"
    result = CliRunner().invoke(cli, ["build", "--output", str(out), "--ratings", str(ratings)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    used = manifest["recommender"]["ratings"]
    assert used["modo"].startswith("híbrido") and used["usuarios"] == 33
    model = rc.Recommender.load(out / "recomendador")
    assert model.has_ratings_
    recs = model.recommend(900001, k=20)
    pair = next(r for r in recs if r.id == 900007)
    assert pair.co_likes == 30
    assert any("también les gustó esta: 30 personas" in reason for reason in pair.reasons)


def test_build_without_ratings_is_content_only(tmp_path: Path) -> None:
    out = tmp_path / "cat"
    result = CliRunner().invoke(cli, ["build", "--output", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["recommender"]["ratings"]["modo"].startswith("solo contenido")
    assert not rc.Recommender.load(out / "recomendador").has_ratings_


@pytest.mark.parametrize("damage", ["bad_value", "no_links", "no_file"])
def test_bad_ratings_stop_the_build_cleanly(tmp_path: Path, damage: str) -> None:
    ratings = movielens(tmp_path / "ml", co_liked_rows())
    if damage == "bad_value":
        write(ratings, "userId,movieId,rating,timestamp\n1,1,5,1\n2,1,cinco,1\n")
    elif damage == "no_links":
        (tmp_path / "ml" / "links.csv").unlink()
    else:
        ratings = tmp_path / "nada.csv"
    out = tmp_path / "cat"
    result = CliRunner().invoke(cli, ["build", "--output", str(out), "--ratings", str(ratings)])
    assert result.exit_code == InputError.exit_code, result.output
    assert "Traceback" not in result.output and not out.exists()
    assert (
        ("fila 3" in result.output) if damage == "bad_value" else "No se encuentra" in result.output
    )


# ---- robustness to extreme values ---------------------------------------------------------------


def test_one_infinite_vote_average_changes_no_other_list(tmp_path: Path) -> None:
    def catalog(name: str, average: float) -> Path:
        rows = [movie(i, f"M{i}", f"{1990 + i}-01-01", vote_count=100 * i, vote_average=6 + i / 10,
                      overview=f"a story of {'toys' if i % 2 else 'ghosts'} and friends {i}")
                for i in range(1, 11)]  # fmt: skip
        rows[4]["vote_average"] = average
        genres = [{"movie_id": i, "genre_id": 1 + i % 3, "name": "Drama"} for i in range(1, 11)]
        return make_catalog(tmp_path / name, movies=rows, genres=genres)

    plain = rc.Recommender().fit(rc.read_frames(catalog("plain", 6.5)))
    broken = rc.Recommender().fit(rc.read_frames(catalog("broken", float("inf"))))
    assert np.isfinite(broken.similarities_).all() and np.isfinite(broken.prior_).all()
    for i in (1, 2, 3, 4, 7, 8):
        assert [r.id for r in broken.recommend(i, k=3)][:2] == [
            r.id for r in plain.recommend(i, k=3)
        ][:2]
        assert max(r.similarity for r in broken.recommend(i, k=3)) > 0


@pytest.mark.parametrize("column_span", [1_000, 2**40], ids=["one-key-sort", "lexsort"])
def test_top_per_row_keeps_the_largest_and_breaks_ties_by_the_lower_column(
    column_span: int,
) -> None:
    rng = np.random.default_rng(3)
    rows = np.repeat(np.arange(30), rng.integers(0, 12, 30))
    cols = np.concatenate([rng.choice(column_span, (rows == r).sum(), replace=False)
                           for r in range(30)])  # fmt: skip
    values = rng.choice(np.array([0.25, 0.5, 1.0], np.float32), len(rows))  # many ties
    kept = collaborative.top_per_row(rows, cols, values, 4)
    order = np.lexsort((cols, -values, rows))
    rank = np.arange(len(order)) - np.searchsorted(rows[order], rows[order])
    assert kept.tolist() == np.sort(order[rank < 4]).tolist()


def test_the_version_follows_what_the_recommender_learned_from(tmp_path: Path) -> None:
    """Same tables, other recommendations: the version (ETags, the response cache) differs."""
    ratings = movielens(tmp_path / "ml", co_liked_rows())

    def version(*args: str) -> str:
        out = tmp_path / f"cat{len(list(tmp_path.iterdir()))}"
        result = CliRunner().invoke(cli, ["build", "--output", str(out), *args])
        assert result.exit_code == 0, result.output
        return str(json.loads((out / "manifest.json").read_text(encoding="utf-8"))["version"])

    hybrid, content, none = (
        version("--ratings", str(ratings)),
        version(),
        version("--sin-recomendador"),
    )
    assert len({hybrid, content, none}) == 3
    assert version("--ratings", str(ratings)) == hybrid and version() == content
    movielens(tmp_path / "ml", co_liked_rows()[:-2])  # other ratings, same file names
    assert version("--ratings", str(ratings)) != hybrid
