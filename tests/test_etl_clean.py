"""Each ETL rule as a pure step, on a few rows."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from filmoteca.etl import clean


def _frame(**cols: list[str]) -> pd.DataFrame:
    return pd.DataFrame(cols, dtype=str)


def _values(series: pd.Series) -> list[object]:
    return [None if pd.isna(v) else v for v in series]


def test_non_integer_ids_are_dropped_and_counted() -> None:
    dropped = clean.Dropped("id_no_entero")
    df = clean.drop_non_integer_ids(_frame(id=["1", "1997-08-20", " 3 ", "", "4.5"]), "id", dropped)
    assert df["id"].tolist() == [1, 3]
    assert dropped.rows == 3 and dropped.examples[0] == "1997-08-20"


def test_repeated_id_keeps_first_row() -> None:
    dropped = clean.Dropped("id_repetido")
    df = pd.DataFrame({"id": [5, 6, 5], "title": ["first", "other", "second"]})
    out = clean.drop_repeated_ids(df, "id", dropped)
    assert out["title"].tolist() == ["first", "other"] and dropped.rows == 1


def test_ids_that_do_not_fit_in_int64_are_dropped_like_non_integers() -> None:
    dropped = clean.Dropped("id_no_entero")
    ids = ["1000000000000000000000000000000", "9223372036854775807", "9223372036854775808", "7"]
    df = clean.drop_non_integer_ids(_frame(id=ids), "id", dropped)
    assert df["id"].tolist() == [9223372036854775807, 7]
    assert dropped.examples == ["1000000000000000000000000000000", "9223372036854775808"]


def _dates(*values: str) -> tuple[pd.DataFrame, clean.Dropped, clean.Dropped, clean.Dropped]:
    empty, invalid = clean.Dropped("fecha_vacia"), clean.Dropped("fecha_invalida")
    outside = clean.Dropped("fecha_fuera_de_rango")
    df = _frame(id=[str(i) for i in range(len(values))], release_date=list(values))
    return clean.parse_release_dates(df, empty, invalid, outside), empty, invalid, outside


def test_release_dates_are_typed_and_bad_ones_dropped() -> None:
    out, empty, invalid, outside = _dates("1995-10-30", "", "2012-13-45", "not a date")
    assert out["release_date"].tolist() == [dt.date(1995, 10, 30)]
    assert out["release_year"].tolist() == [1995]
    assert (empty.rows, invalid.rows, outside.rows) == (1, 2, 0)


def test_release_years_outside_1870_2100_are_dropped_with_their_own_reason() -> None:
    out, _, invalid, outside = _dates(
        "0000-01-01", "9999-12-31", "1869-12-31", "2101-01-01", "1870-01-01", "2100-12-31"
    )
    assert out["release_year"].tolist() == [1870, 2100]
    assert (invalid.rows, outside.examples) == (0, ["0", "1", "2", "3"])


def test_budget_and_revenue_empty_become_zero_and_return_is_guarded() -> None:
    warnings: dict[str, int] = {}
    df = _frame(budget=["100", "", "0", "/x.jpg", "50"], revenue=["250.0", "10", "99", "5", ""])
    out = clean.money_columns(df, warnings)
    assert out["budget"].tolist() == [100.0, 0.0, 0.0, 0.0, 50.0]
    assert out["revenue"].tolist() == [250.0, 10.0, 99.0, 5.0, 0.0]
    assert out["return"].tolist() == [2.5, 0.0, 0.0, 0.0, 0.0]
    assert warnings["presupuesto_no_numerico"] == 1


def test_non_finite_money_becomes_zero_and_is_counted() -> None:
    warnings: dict[str, int] = {}
    df = _frame(
        budget=["inf", "-inf", "nan", "1e309", "10"], revenue=["5", "NaN", "", "1", "-Infinity"]
    )
    out = clean.money_columns(df, warnings)
    assert out["budget"].tolist() == [0.0, 0.0, 0.0, 0.0, 10.0]
    assert out["revenue"].tolist() == [5.0, 0.0, 0.0, 1.0, 0.0]
    assert out["return"].tolist() == [0.0, 0.0, 0.0, 0.0, 0.0]
    assert (warnings["presupuesto_no_numerico"], warnings["recaudacion_no_numerica"]) == (4, 2)


def test_non_finite_scores_become_null_and_votes_zero_all_counted() -> None:
    warnings: dict[str, int] = {}
    df = _frame(
        popularity=["inf", "2.5", "1e309"],
        runtime=["nan", "-inf", "90"],
        vote_average=["inf", "7.0", "x"],
        vote_count=["inf", "1e30", "12"],
    )
    out = clean.score_columns(df, warnings)
    assert _values(out["popularity"]) == [None, 2.5, None]
    assert _values(out["runtime"]) == [None, None, 90.0]
    assert _values(out["vote_average"]) == [None, 7.0, None]
    assert out["vote_count"].tolist() == [0, 0, 12]
    assert warnings == {
        "popularidad_no_numerica": 2, "duracion_no_numerica": 2, "nota_no_numerica": 2,
        "votos_vacios": 2,
    }  # fmt: skip


def test_scores_keep_nulls_but_votes_default_to_zero() -> None:
    warnings: dict[str, int] = {}
    df = _frame(
        popularity=["1.5", ""],
        runtime=["", "90.0"],
        vote_average=["7.2", ""],
        vote_count=["", "12.0"],
    )
    out = clean.score_columns(df, warnings)
    assert out["vote_count"].tolist() == [0, 12]
    assert pd.isna(out["runtime"].iloc[0]) and pd.isna(out["vote_average"].iloc[1])
    assert warnings["votos_vacios"] == 1


def test_empty_text_and_placeholder_overview_become_null() -> None:
    warnings: dict[str, int] = {}
    df = _frame(title=["", " Heat "], overview=["No overview found.", "A heist."])
    out = clean.text_columns(df, ["title", "overview", "tagline"], warnings)
    assert _values(out["title"]) == [None, "Heat"]
    assert _values(out["overview"]) == [None, "A heist."]
    assert _values(out["tagline"]) == [None, None]
    assert warnings == {"sin_titulo": 1, "sin_sinopsis": 1}
