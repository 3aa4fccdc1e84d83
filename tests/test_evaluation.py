"""The offline evaluation: ratings mapping, split, protocols, metrics, bootstrap, the command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.metrics import ndcg_score

from factories import make_catalog, movie
from filmoteca import evaluation as ev
from filmoteca.cli import cli
from filmoteca.config import Settings
from filmoteca.errors import InputError
from filmoteca.recommender import metrics

# ---- mapping and split ------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_ratings_map_through_links_small_then_links(tmp_path: Path) -> None:
    ratings = write(tmp_path / "r.csv", "userId,movieId,rating,timestamp\n"
                    "1,10,4.0,5\n1,20,5.0,6\n1,30,4.5,7\n2,10,3.5,8\n2,40,4.0,9\n")  # fmt: skip
    small = write(tmp_path / "ls.csv", "movieId,imdbId,tmdbId\n10,1,100\n20,2,\n")
    links = write(tmp_path / "l.csv", "movieId,imdbId,tmdbId\n10,1,999\n20,2,200\n30,3,300\n"
                  "40,4,400\n")  # fmt: skip
    frame = ev.load_ratings(ratings, small, links, np.array([300, 100, 200]))
    # 10 -> 100 (links_small wins), 20 -> 200 (links fills the gap), 30 -> 300; 40 -> 400 is
    # not in the catalog
    got = sorted(zip(frame["userId"], frame["item"], frame["rating"], strict=True))
    assert got == [(1, 0, 4.5), (1, 1, 4.0), (1, 2, 5.0), (2, 1, 3.5)]


def test_split_is_fixed_and_disjoint() -> None:
    users = np.arange(1, 41)
    tuning, held = ev.split_users(users, seed=3)
    again, _ = ev.split_users(users[::-1], seed=3)
    assert tuning.tolist() == again.tolist() and not set(tuning) & set(held)
    assert set(tuning) | set(held) == set(users) and len(tuning) == 20
    assert ev.split_users(users, seed=4)[0].tolist() != tuning.tolist()


def test_personal_cases_take_the_first_five_liked_by_time() -> None:
    # user 1 likes items 0..6 at times 10..16, rated item 9 (not liked) at 12 and item 8 at 20
    rows = [(1, i, 5.0, 10 + i) for i in range(7)] + [(1, 9, 2.0, 12), (1, 8, 4.0, 20)]
    rows += [(2, i, 5.0, i) for i in range(5)]  # only 5 liked: no case
    frame = pd.DataFrame(rows, columns=["userId", "item", "rating", "timestamp"])
    [(history, skip, targets)] = ev.personal_cases(frame, np.array([1, 2]))
    assert history.tolist() == [0, 1, 2, 3, 4]
    assert skip.tolist() == [0, 1, 2, 3, 4, 9]  # everything rated up to the 5th liked (t=14)
    assert targets.tolist() == [5, 6, 8]


# ---- metrics ----------------------------------------------------------------------------------


def test_list_scores_by_hand() -> None:
    lists = np.array([[1, 5, 6], [4, 5, 0], [7, 8, 9]])
    hit, ndcg, recall = metrics.list_scores(lists, np.array([0, 1]))
    ideal = 1 + 1 / np.log2(3)
    assert hit.tolist() == [1, 1, 0]
    assert ndcg.tolist() == pytest.approx([1 / ideal, (1 / np.log2(4)) / ideal, 0])
    assert recall.tolist() == [0.5, 0.5, 0.0]


@pytest.mark.parametrize("seed", range(5))
def test_ndcg_matches_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 40
    relevant = rng.choice(n, size=int(rng.integers(1, 15)), replace=False)
    ranked = rng.choice(n, size=10, replace=False)
    _, ndcg, _ = metrics.list_scores(ranked[None, :], relevant)
    truth = np.isin(np.arange(n), relevant).astype(float)
    scores = np.zeros(n)
    scores[ranked] = np.arange(10, 0, -1)
    assert ndcg[0] == pytest.approx(ndcg_score(truth[None, :], scores[None, :], k=10))


def test_tally_diversity_counts_every_slot() -> None:
    tally = metrics.Tally()
    tally.add(np.array([[0, 1], [0, 2]]), np.array([1]))
    tally.add(np.array([[0, 3]]), np.array([3]))
    out = tally.summary(10, np.arange(10) * 10.0)
    assert out["usuarios"] == 2 and out["consultas"] == 3
    assert out["cobertura"] == pytest.approx(0.4)
    assert out["hit_10"] == pytest.approx((0.5 + 1.0) / 2)  # per user, then averaged


def test_paired_bootstrap_interval_holds_the_mean() -> None:
    ours, theirs = np.linspace(0.2, 0.8, 50), np.linspace(0.1, 0.7, 50)
    out = metrics.paired_bootstrap(ours, theirs)
    assert out["diferencia"] == pytest.approx(0.1)
    assert out["ic95_bajo"] == pytest.approx(0.1) and out["ic95_alto"] == pytest.approx(0.1)
    noisy = metrics.paired_bootstrap(np.r_[1.0, 0.0] * 0.5, np.r_[0.0, 1.0] * 0.5)
    assert noisy["ic95_bajo"] < 0 < noisy["ic95_alto"]


# ---- the whole protocol -----------------------------------------------------------------------


def write_movielens(directory: Path) -> dict[str, Path]:
    """Tiny MovieLens files: MovieLens id m maps to TMDB id 100 + m."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    rows = [(u, m, float(rng.choice([2.0, 4.0, 5.0])), int(rng.integers(0, 1000)))
            for u in range(1, 41) for m in range(1, 13) if rng.random() < 0.7]  # fmt: skip
    pd.DataFrame(rows, columns=["userId", "movieId", "rating", "timestamp"]).to_csv(
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


def test_evaluate_reports_every_row_on_every_protocol(tiny: tuple[Path, dict[str, Path]]) -> None:
    catalog, files = tiny
    result = ev.evaluate(catalog, files["ratings_small"], files["links_small"], files["links"])
    assert list(result["protocolos"]) == list(ev.PROTOCOLS)
    for protocol, rows in result["protocolos"].items():
        assert list(rows) == list(ev.ROWS)
        for m in rows.values():
            if m["usuarios"]:
                assert 0 <= m["hit_10"] <= 1 and 0 <= m["ndcg_10"] <= m["hit_10"]
                assert 0 < m["cobertura"] <= 1 and 0 < m["concentracion"] <= 1
        assert set(result["comparaciones"][protocol]) >= {"menos_cf", "domina_a_cf"}
    table = ev.to_markdown(result)
    assert "| filmoteca (híbrido) |" in table and "IC 95 %" in table
    assert "| CF ítem-ítem (mitad de ajuste) |" in table


def test_held_out_ratings_never_reach_the_fit(
    tiny: tuple[Path, dict[str, Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog, files = tiny
    seen: list[set[int]] = []
    original = ev.fit_rows

    def spy(frames, tuning, seed):  # type: ignore[no-untyped-def]
        seen.append(set(tuning["userId"]))
        return original(frames, tuning, seed)

    monkeypatch.setattr(ev, "fit_rows", spy)
    ev.evaluate(catalog, files["ratings_small"], files["links_small"], files["links"])
    users = pd.read_csv(files["ratings_small"])["userId"].to_numpy()
    tuning, held = ev.split_users(users)
    assert seen and seen[0] <= set(tuning) and not seen[0] & set(held)


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
    assert "| configuración anterior (contenido + prior) |" in result.output
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


@pytest.fixture(scope="module")
def real_result(real_catalog: Path, settings: Settings) -> dict[str, Any]:
    raw = settings.raw_dir
    return ev.evaluate(
        real_catalog, raw / "ratings_small.csv", raw / "links_small.csv", raw / "links.csv"
    )


@pytest.mark.realdata
def test_real_data_hybrid_dominates_item_item_cf(real_result: dict[str, Any]) -> None:
    assert real_result["protocolos"]["personal"]["filmoteca"]["usuarios"] > 300
    for protocol in ("item", "item_cola", "personal_cola"):
        assert real_result["comparaciones"][protocol]["domina_a_cf"], protocol
    assert real_result["comparaciones"]["cobertura_catalogo_item"]["cumple"]
    ours, cf = (real_result["protocolos"]["personal"][r] for r in ("filmoteca", "cf_item_item"))
    assert ours["cobertura"] >= cf["cobertura"] and ours["concentracion"] <= cf["concentracion"]


@pytest.mark.realdata
def test_real_data_personal_ndcg_beats_item_item_cf(real_result: dict[str, Any]) -> None:
    # met by a narrow margin (0.3657 against 0.3641, +0.002 [-0.010, +0.014]): the interval
    # still crosses 0; see docs/recomendador.md
    ours, cf = (real_result["protocolos"]["personal"][r] for r in ("filmoteca", "cf_item_item"))
    assert ours["ndcg_10"] > cf["ndcg_10"]
    assert real_result["comparaciones"]["personal"]["domina_a_cf"]
