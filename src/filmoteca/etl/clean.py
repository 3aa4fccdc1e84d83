"""The ETL rules as small pure steps over DataFrames of text columns (no I/O).

Each step returns the cleaned frame and, where it drops rows, a `Dropped` record saying why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..catalog.movies import MAX_ID

NO_OVERVIEW = "No overview found."
YEARS = (1870, 2100)  # release years kept (the API's `anio` accepts the same range)
MAX_VOTES = 2**53  # a vote count above this is not a count

# Reasons, keyed for the manifest, worded for people.
REASONS = {
    "id_no_entero": "el id no es un número entero de 0 a 9.223.372.036.854.775.807 "
    "(fila desplazada o dañada)",
    "id_repetido": "id repetido: se conserva la primera fila",
    "fecha_vacia": "release_date vacía",
    "fecha_invalida": "release_date no es una fecha AAAA-MM-DD válida",
    "fecha_fuera_de_rango": "release_date con el año fuera de 1870-2100",
    "fila_malformada": "la línea tiene más campos que la cabecera",
    "pelicula_desconocida": "créditos o palabras clave de una película que no está en el catálogo",
}
WARNINGS = {
    "presupuesto_no_numerico": "budget no numérico o no finito (inf, nan): se toma 0",
    "recaudacion_no_numerica": "revenue no numérico o no finito (inf, nan): se toma 0",
    "popularidad_no_numerica": "popularity no numérica o no finita (inf, nan): se deja vacía",
    "duracion_no_numerica": "runtime no numérico o no finito (inf, nan): se deja vacío",
    "nota_no_numerica": "vote_average no numérica o no finita (inf, nan): se deja vacía",
    "sin_titulo": "película sin título (no se puede buscar por título)",
    "sin_sinopsis": "sinopsis vacía o 'No overview found.'",
    "votos_vacios": "vote_count vacío, no numérico, no finito o mayor que 2^53: se toma 0",
    "sin_creditos": "película sin fila en credits.csv (se conserva, sin reparto ni equipo)",
}


@dataclass
class Dropped:
    """Rows removed by one rule: how many, and a few examples (ids or row numbers)."""

    reason: str
    rows: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, values: pd.Series | list[str]) -> None:
        """Count the dropped rows, keeping up to 5 examples."""
        values = list(values)
        self.rows += len(values)
        self.examples.extend(str(v) for v in values[: max(0, 5 - len(self.examples))])


def drop_non_integer_ids(df: pd.DataFrame, id_col: str, dropped: Dropped) -> pd.DataFrame:
    """Rule 1a: a row whose id is not an integer of 0..2^63-1 (int64) is dropped."""
    text = df[id_col].str.strip()
    ok = text.str.fullmatch(r"\d+")
    long = ok & (text.str.len() > 18)  # may not fit in int64
    if long.any():
        ok[long] = [int(v) <= MAX_ID for v in text[long]]
    dropped.add(df.loc[~ok, id_col])
    out = df.loc[ok].copy()
    out[id_col] = text[ok].astype(np.int64)
    return out


def drop_repeated_ids(df: pd.DataFrame, id_col: str, dropped: Dropped) -> pd.DataFrame:
    """Rule 1b: a repeated id keeps its first row."""
    repeated = df[id_col].duplicated(keep="first")
    dropped.add(df.loc[repeated, id_col])
    return df.loc[~repeated]


def parse_release_dates(
    df: pd.DataFrame, empty: Dropped, invalid: Dropped, outside: Dropped
) -> pd.DataFrame:
    """Rule 3: release_date as YYYY-MM-DD; empty, unparseable or with a year outside 1870-2100
    drops the row; adds release_year."""
    text = df["release_date"].str.strip()
    year = pd.to_numeric(text.str.extract(r"^(\d+)-", expand=False), errors="coerce")
    is_outside = year.notna() & ~year.between(*YEARS)
    dates = pd.to_datetime(text.where(~is_outside, ""), format="%Y-%m-%d", errors="coerce")
    is_empty = text == ""
    is_bad = dates.isna() & ~is_empty & ~is_outside
    empty.add(df.loc[is_empty, "id"])
    invalid.add(df.loc[is_bad, "id"])
    outside.add(df.loc[is_outside, "id"])
    keep = ~(is_empty | is_bad | is_outside)
    out = df.loc[keep].copy()
    out["release_date"] = dates[keep].dt.date
    out["release_year"] = dates[keep].dt.year.astype(np.int32)
    return out


def to_number(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Text to float64: empty, non-numeric and non-finite (inf, -inf, nan, 1e309) give NaN; also
    returns the mask of non-empty values that are not finite numbers."""
    stripped = text.str.strip()
    numbers = pd.to_numeric(stripped, errors="coerce").astype(np.float64)
    numbers = numbers.where(np.isfinite(numbers.to_numpy()))
    return numbers, numbers.isna() & (stripped != "")


def money_columns(df: pd.DataFrame, warnings: dict[str, int]) -> pd.DataFrame:
    """Rules 2 and 4: budget and revenue are numbers (empty gives 0); return = revenue / budget."""
    out = df.copy()
    for col, key in (("budget", "presupuesto_no_numerico"), ("revenue", "recaudacion_no_numerica")):
        values, bad = to_number(out[col])
        warnings[key] = warnings.get(key, 0) + int(bad.sum())
        out[col] = values.fillna(0.0)
    budget, revenue = out["budget"].to_numpy(), out["revenue"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["return"] = np.where(budget > 0, revenue / np.where(budget > 0, budget, 1.0), 0.0)
    return out


def score_columns(df: pd.DataFrame, warnings: dict[str, int]) -> pd.DataFrame:
    """popularity, runtime and vote_average as finite floats (empty, non-numeric or non-finite:
    null, counted); vote_count as int (empty, non-numeric, non-finite or > 2^53: 0, counted)."""
    out = df.copy()
    for col, key in SCORE_WARNINGS.items():
        out[col], bad = to_number(out[col])
        warnings[key] = warnings.get(key, 0) + int(bad.sum())
    votes, _ = to_number(out["vote_count"])
    votes = votes.where(votes.abs() <= MAX_VOTES)
    warnings["votos_vacios"] = warnings.get("votos_vacios", 0) + int(votes.isna().sum())
    out["vote_count"] = votes.fillna(0).astype(np.int64)
    return out


SCORE_WARNINGS = {
    "popularity": "popularidad_no_numerica",
    "runtime": "duracion_no_numerica",
    "vote_average": "nota_no_numerica",
}


def text_columns(df: pd.DataFrame, columns: list[str], warnings: dict[str, int]) -> pd.DataFrame:
    """Empty text becomes null; the 'No overview found.' placeholder too."""
    out = df.copy()
    for col in columns:
        if col not in out:
            out[col] = None
            continue
        stripped = out[col].str.strip()
        out[col] = stripped.where(stripped != "", None)
    overview = out["overview"]
    out["overview"] = overview.where(overview != NO_OVERVIEW, None)
    warnings["sin_titulo"] = warnings.get("sin_titulo", 0) + int(out["title"].isna().sum())
    warnings["sin_sinopsis"] = warnings.get("sin_sinopsis", 0) + int(out["overview"].isna().sum())
    return out
