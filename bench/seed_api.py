"""The seed-style API the project replaces, for `load.py` to compare against (not shipped).

As the course notebooks do it: one merged pandas table (movies plus cast and crew names as
Python lists of strings), and every request filters that table with pandas, comparing
lower-cased strings and testing substrings, in plain `def` routes returning dicts. It is
built from a filmoteca catalog so both answer over the same movies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import FastAPI, HTTPException

MESES = {
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
}  # fmt: skip
DIAS = {
    "lunes": "Monday", "martes": "Tuesday", "miercoles": "Wednesday", "jueves": "Thursday",
    "viernes": "Friday", "sabado": "Saturday", "domingo": "Sunday",
}  # fmt: skip


def merged_table(catalog_dir: Path) -> pd.DataFrame:
    """Movies with `actores` and `directores` as lists of names (the seed's merged table)."""
    movies = pd.read_parquet(catalog_dir / "movies.parquet")
    movies["release_date"] = pd.to_datetime(movies["release_date"])
    cast = pd.read_parquet(catalog_dir / "cast.parquet", columns=["movie_id", "name"])
    crew = pd.read_parquet(catalog_dir / "crew.parquet", columns=["movie_id", "name", "job"])
    directors = crew[crew["job"] == "Director"]
    actores = cast.groupby("movie_id")["name"].apply(list).rename("actores")
    directores = directors.groupby("movie_id")["name"].apply(list).rename("directores")
    df = movies.merge(actores, left_on="id", right_index=True, how="left")
    df = df.merge(directores, left_on="id", right_index=True, how="left")
    for column in ("actores", "directores"):
        df[column] = df[column].apply(lambda v: v if isinstance(v, list) else [])
    return df


def create_app(catalog_dir: Path) -> FastAPI:
    """The six queries, seed style."""
    df = merged_table(catalog_dir)
    app = FastAPI()

    @app.get("/cantidad_filmaciones_mes/{mes}")
    def cantidad_filmaciones_mes(mes: str) -> dict[str, Any]:
        numero = MESES.get(mes.lower())
        if numero is None:
            raise HTTPException(404, "Mes no válido")
        return {"mes": mes, "cantidad": int((df["release_date"].dt.month == numero).sum())}

    @app.get("/cantidad_filmaciones_dia/{dia}")
    def cantidad_filmaciones_dia(dia: str) -> dict[str, Any]:
        nombre = DIAS.get(dia.lower())
        if nombre is None:
            raise HTTPException(404, "Día no válido")
        return {"dia": dia, "cantidad": int((df["release_date"].dt.day_name() == nombre).sum())}

    def _pelicula(titulo: str) -> pd.Series:
        filas = df[df["title"].str.lower().str.contains(titulo.lower(), regex=False, na=False)]
        if filas.empty:
            raise HTTPException(404, "Película no encontrada")
        return filas.iloc[0]

    @app.get("/score_titulo/{titulo}")
    def score_titulo(titulo: str) -> dict[str, Any]:
        fila = _pelicula(titulo)
        return {
            "titulo": fila["title"],
            "anio": int(fila["release_year"]),
            "popularidad": float(fila["popularity"]),
        }

    @app.get("/votos_titulo/{titulo}")
    def votos_titulo(titulo: str) -> dict[str, Any]:
        fila = _pelicula(titulo)
        if fila["vote_count"] < 2000:
            return {"titulo": fila["title"], "mensaje": "No cumple la condición de 2000 votos"}
        return {
            "titulo": fila["title"],
            "anio": int(fila["release_year"]),
            "votos": int(fila["vote_count"]),
            "promedio": float(fila["vote_average"]),
        }

    @app.get("/get_actor/{nombre_actor}")
    def get_actor(nombre_actor: str) -> dict[str, Any]:
        buscado = nombre_actor.lower()
        filas = df[df["actores"].apply(lambda nombres: any(buscado in n.lower() for n in nombres))]
        if filas.empty:
            raise HTTPException(404, "Actor no encontrado")
        total = float(filas["return"].sum())
        return {
            "actor": nombre_actor,
            "cantidad_peliculas": len(filas),
            "retorno_total": total,
            "retorno_promedio": total / len(filas),
            "peliculas_con_retorno": int((filas["budget"] > 0).sum()),
        }

    @app.get("/get_director/{nombre_director}")
    def get_director(nombre_director: str) -> dict[str, Any]:
        buscado = nombre_director.lower()
        mask = df["directores"].apply(lambda nombres: any(buscado in n.lower() for n in nombres))
        filas = df[mask].sort_values("release_date")
        if filas.empty:
            raise HTTPException(404, "Director no encontrado")
        peliculas = [
            {
                "titulo": fila["title"],
                "fecha_lanzamiento": str(fila["release_date"].date()),
                "retorno": float(fila["return"]),
                "costo": float(fila["budget"]),
                "recaudacion": float(fila["revenue"]),
                "ganancia": float(fila["revenue"] - fila["budget"]),
            }
            for _, fila in filas.iterrows()
        ]
        return {
            "director": nombre_director,
            "cantidad_peliculas": len(filas),
            "retorno_total": float(filas["return"].sum()),
            "peliculas": peliculas,
        }

    @app.get("/buscar")
    def buscar(q: str, limite: int = 10, pagina: int = 1) -> dict[str, Any]:
        filas = df[df["title"].str.lower().str.contains(q.lower(), regex=False, na=False)]
        inicio = (pagina - 1) * limite
        return {
            "total": len(filas),
            "resultados": filas["title"].iloc[inicio : inicio + limite].tolist(),
        }

    @app.get("/salud")
    def salud() -> dict[str, str]:
        return {"estado": "ok"}

    return app
