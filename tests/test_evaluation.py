"""The offline evaluation protocol: mapping, split, metrics, baselines, the command, real data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from factories import make_catalog, movie
from filmoteca import evaluation as ev
from filmoteca.cli import cli
from filmoteca.config import Settings
from filmoteca.errors import InputError


def frame(**columns: list[object]) -> pd.DataFrame:
    return pd.DataFrame(columns)


# ---- mapping and split ------------------------------------------------------------------------


def test_liked_pairs_map_through_links_small_then_links() -> None:
    ratings = frame(userId=[1, 1, 1, 2, 2], movieId=[10, 20, 30, 10, 40],
                    rating=[4.0, 5.0, 4.5, 3.5, 4.0])  # fmt: skip
    links_small = frame(movieId=[10, 20], tmdbId=[100.0, np.nan])
    links = frame(movieId=[10, 20, 30, 40], tmdbId=[999.0, 200.0, 300.0, 400.0])
    catalog_ids = np.array([300, 100, 200])
    liked = ev.liked_pairs(ratings, links_small, links, catalog_ids)
    # 10 -> 100 (links_small wins over links), 20 -> 200 (links fills the gap), 30 -> 300;
    # user 2: 10 is rated 3.5 (not liked), 40 -> 400 is not in the catalog
    assert sorted(map(tuple, liked.to_numpy().tolist())) == [(1, 0), (1, 1), (1, 2)]


def test_split_is_fixed_disjoint_and_keeps_users_with_two_liked() -> None:
    users = np.arange(1, 21)
    liked = frame(userId=[u for u in users for _ in range(2)] + [21],
                  item=[i for u in users for i in (u, u + 1)] + [5])  # fmt: skip
    first = ev.split_users(np.r_[users, 21], liked, seed=3)
    again = ev.split_users(np.r_[users, 21][::-1], liked, seed=3)
    assert first.tuning.keys() == again.tuning.keys()
    assert not first.tuning.keys() & first.heldout.keys()
    assert first.tuning.keys() | first.heldout.keys() == set(range(1, 21))  # 21 liked only one
    assert ev.split_users(users, liked, seed=4).tuning.keys() != first.tuning.keys()


# ---- metrics ----------------------------------------------------------------------------------


def test_score_hit_rates_and_ndcg_by_hand() -> None:
    top = np.array([[1, 5, 6], [4, 5, 0], [0, 1, 6], [0, 1, 2], [0, 1, 2], [0, 1, 2], [0, 1, 2]])
    top = np.pad(top, ((0, 0), (0, 7)), constant_values=-1)  # k = 10
    users = {7: np.array([0, 1, 2])}
    pct = np.linspace(0, 100, 7)
    out = ev.score(top, users, pct)
    # q=0 finds 1 at rank 1; q=1 finds 0 at rank 3; q=2 finds 0 and 1 at ranks 1 and 2
    assert out["pares"] == 3 and out["usuarios"] == 1
    assert out["hit_rate_10"] == 1.0 and out["hit_rate_5"] == 1.0
    ideal = 1 + 1 / np.log2(3)
    expected = (1 / ideal + (1 / np.log2(4)) / ideal + 1.0) / 3
    assert out["ndcg_10"] == pytest.approx(expected)
    assert out["popularity_percentile"] == pytest.approx(pct[[1, 5, 6, 4, 5, 0, 0, 1, 6]].mean())


def test_hit_rate_per_user_weights_users_equally() -> None:
    top = np.array([[1], [0], [3], [9], [9], [9], [9], [9], [9], [9]])
    users = {1: np.array([0, 1]), 2: np.array([2, 3, 4, 5])}
    out = ev.score(top, users, np.zeros(10))
    assert out["hit_rate_10"] == pytest.approx(3 / 6)
    assert out["hit_rate_10_por_usuario"] == pytest.approx((1.0 + 0.25) / 2)


def test_coverage_counts_distinct_recommended_movies() -> None:
    assert ev.coverage(np.array([[1, 2], [0, 2], [0, -1], [0, 1]])) == 0.75


def test_popular_and_random_baselines_never_recommend_the_query() -> None:
    votes = np.array([5, 50, 500, 5000, 1])
    popular = ev.popular_top(votes, k=2)
    assert popular.tolist() == [[3, 2], [3, 2], [3, 1], [2, 1], [3, 2]]
    rand = ev.random_top(30, k=10)
    assert all(i not in row and len(set(row)) == 10 for i, row in enumerate(rand.tolist()))


def test_popularity_percentiles_rank_by_votes() -> None:
    pct = ev.popularity_percentiles(np.array([10, 30, 20, 30]))
    assert pct.tolist() == [25.0, 87.5, 50.0, 87.5]


def test_sequel_pairs_found_by_title() -> None:
    titles = ["Toy Story", "Toy Story 2", "Toy Storyteller", "Alien", "Alien: Resurrection", "Up"]
    pairs = {tuple(p) for p in ev.sequel_pairs(titles).tolist()}
    assert pairs == {(0, 1), (3, 4)}
    top = np.array([[1], [0], [0], [0], [3], [0]])
    assert ev.sequel_recall(top, ev.sequel_pairs(titles)) == 0.5


# ---- the whole protocol -----------------------------------------------------------------------


def write_movielens(directory: Path) -> dict[str, Path]:
    """Tiny MovieLens files: MovieLens id m maps to TMDB id 100 + m."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    rows = [(u, m, float(rng.choice([2.0, 4.0, 5.0]))) for u in range(1, 41) for m in range(1, 13)
            if rng.random() < 0.6]  # fmt: skip
    pd.DataFrame(rows, columns=["userId", "movieId", "rating"]).assign(timestamp=0).to_csv(
        directory / "ratings_small.csv", index=False
    )
    links = pd.DataFrame({"movieId": range(1, 13), "imdbId": 0, "tmdbId": range(101, 113)})
    links.iloc[:6].to_csv(directory / "links_small.csv", index=False)
    links.to_csv(directory / "links.csv", index=False)
    return {n: directory / f"{n}.csv" for n in ("ratings_small", "links_small", "links")}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    base = tmp_path_factory.mktemp("eval")
    genres = ["Drama", "Comedy", "Horror"]
    catalog = make_catalog(
        base / "catalogo",
        movies=[movie(100 + i, f"Film {i}", f"{1980 + i}-01-01", vote_count=i * 100,
                      overview=f"story about {genres[i % 3].lower()} and people")
                for i in range(1, 13)],
        genres=[{"movie_id": 100 + i, "genre_id": i % 3, "name": genres[i % 3]}
                for i in range(1, 13)],
    )  # fmt: skip
    return catalog, write_movielens(base / "raw")


def test_evaluate_reports_four_rows_on_both_halves(tiny: tuple[Path, dict[str, Path]]) -> None:
    catalog, files = tiny
    result = ev.evaluate(catalog, files["ratings_small"], files["links_small"], files["links"])
    assert set(result["mitades"]) == {"ajuste", "evaluacion"}
    for rows in result["mitades"].values():
        assert list(rows) == ["aleatorio", "mas_popular", "semilla", "filmoteca"]
        for metrics in rows.values():
            assert 0 <= metrics["hit_rate_5"] <= metrics["hit_rate_10"] <= 1
            assert 0 <= metrics["ndcg_10"] <= 1 and 0 < metrics["coverage_10"] <= 1
    assert set(result["objetivos"]) == set(ev.TARGETS)
    table = ev.to_markdown(result)
    assert "| filmoteca |" in table and "Mitad de evaluación" in table


def test_evaluate_command_prints_table_and_writes_json(
    tiny: tuple[Path, dict[str, Path]], tmp_path: Path
) -> None:
    catalog, files = tiny
    out = tmp_path / "resultados.json"
    args = ["evaluate", "--catalog", str(catalog), "--ratings", str(files["ratings_small"]),
            "--links-small", str(files["links_small"]), "--links", str(files["links"]),
            "--output", str(out)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "| semilla (CountVectorizer + KNN coseno) |" in result.output
    assert json.loads(out.read_text(encoding="utf-8"))["protocolo"]["k"] == 10


def test_evaluate_command_missing_file_is_a_clean_error(
    tiny: tuple[Path, dict[str, Path]], tmp_path: Path
) -> None:
    catalog, _ = tiny
    result = CliRunner().invoke(
        cli, ["evaluate", "--catalog", str(catalog), "--ratings", str(tmp_path / "nada.csv")]
    )
    assert result.exit_code == InputError.exit_code
    assert "No se encuentra el archivo" in result.output and "Traceback" not in result.output


def test_ratings_without_needed_columns_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "ratings_small.csv"
    bad.write_text("user,movie\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"ratings_small\.csv"):
        ev.load_split(bad, bad, bad, np.array([1]))


@pytest.mark.realdata
def test_real_data_meets_the_held_out_targets(real_catalog: Path, settings: Settings) -> None:
    result = ev.evaluate(
        real_catalog,
        settings.raw_dir / "ratings_small.csv",
        settings.raw_dir / "links_small.csv",
        settings.raw_dir / "links.csv",
    )
    held = result["mitades"]["evaluacion"]
    assert held["filmoteca"]["usuarios"] > 300
    assert all(check["cumple"] for check in result["objetivos"].values()), result["objetivos"]
    assert held["filmoteca"]["secuelas_10"] > held["semilla"]["secuelas_10"]
