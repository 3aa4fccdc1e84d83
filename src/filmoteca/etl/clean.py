"""The ETL rules as small pure steps over DataFrames of text columns (no I/O).

Each step returns the cleaned frame and, where it drops rows, a `Dropped` record saying why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

NO_OVERVIEW = "No overview found."

# Reasons, keyed for the manifest, worded for people.
REASONS = {
    "id_no_entero": "el id no es un número entero (fila desplazada o dañada)",
    "id_repetido": "id repetido: se conserva la primera fila",
    "fecha_vacia": "release_date vacía",
    "fecha_invalida": "release_date no es una fecha AAAA-MM-DD válida",
    "fila_malformada": "la línea tiene más campos que la cabecera",
    "pelicula_desconocida": "créditos o palabras clave de una película que no está en el catálogo",
}
WARNINGS = {
    "presupuesto_no_numerico": "budget no numérico: se toma 0",
    "recaudacion_no_numerica": "revenue no numérico: se toma 0",
    "sin_titulo": "película sin título (no se puede buscar por título)",
    "sin_sinopsis": "sinopsis vacía o 'No overview found.'",
    "votos_vacios": "vote_count vacío o no numérico: se toma 0",
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
    """Rule 1a: a row whose id is not an integer is dropped."""
    ok = df[id_col].str.strip().str.fullmatch(r"\d+")
    dropped.add(df.loc[~ok, id_col])
    out = df.loc[ok].copy()
    out[id_col] = out[id_col].str.strip().astype(np.int64)
    return out


def drop_repeated_ids(df: pd.DataFrame, id_col: str, dropped: Dropped) -> pd.DataFrame:
    """Rule 1b: a repeated id keeps its first row."""
    repeated = df[id_col].duplicated(keep="first")
    dropped.add(df.loc[repeated, id_col])
    return df.loc[~repeated]


def parse_release_dates(df: pd.DataFrame, empty: Dropped, invalid: Dropped) -> pd.DataFrame:
    """Rule 3: release_date as YYYY-MM-DD; empty or unparseable drops the row; adds release_year."""
    text = df["release_date"].str.strip()
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    is_empty = text == ""
    is_bad = dates.isna() & ~is_empty
    empty.add(df.loc[is_empty, "id"])
    invalid.add(df.loc[is_bad, "id"])
    keep = ~(is_empty | is_bad)
    out = df.loc[keep].copy()
    out["release_date"] = dates[keep].dt.date
    out["release_year"] = dates[keep].dt.year.astype(np.int32)
    return out


def to_number(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Text to float64: empty gives NaN; also returns the mask of non-empty, non-numeric values."""
    stripped = text.str.strip()
    numbers = pd.to_numeric(stripped, errors="coerce").astype(np.float64)
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
    """popularity, runtime and vote_average as floats (empty: null); vote_count as int (empty: 0)."""
    out = df.copy()
    for col in ("popularity", "runtime", "vote_average"):
        out[col] = to_number(out[col])[0]
    votes, _ = to_number(out["vote_count"])
    warnings["votos_vacios"] = warnings.get("votos_vacios", 0) + int(votes.isna().sum())
    out["vote_count"] = votes.fillna(0).astype(np.int64)
    return out


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
