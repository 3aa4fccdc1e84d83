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


def test_release_dates_are_typed_and_bad_ones_dropped() -> None:
    empty, invalid = clean.Dropped("fecha_vacia"), clean.Dropped("fecha_invalida")
    df = _frame(
        id=["1", "2", "3", "4"], release_date=["1995-10-30", "", "2012-13-45", "not a date"]
    )
    out = clean.parse_release_dates(df, empty, invalid)
    assert out["release_date"].tolist() == [dt.date(1995, 10, 30)]
    assert out["release_year"].tolist() == [1995]
    assert (empty.rows, invalid.rows) == (1, 2)


def test_budget_and_revenue_empty_become_zero_and_return_is_guarded() -> None:
    warnings: dict[str, int] = {}
    df = _frame(budget=["100", "", "0", "/x.jpg", "50"], revenue=["250.0", "10", "99", "5", ""])
    out = clean.money_columns(df, warnings)
    assert out["budget"].tolist() == [100.0, 0.0, 0.0, 0.0, 50.0]
    assert out["revenue"].tolist() == [250.0, 10.0, 99.0, 5.0, 0.0]
    assert out["return"].tolist() == [2.5, 0.0, 0.0, 0.0, 0.0]
    assert warnings["presupuesto_no_numerico"] == 1


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
