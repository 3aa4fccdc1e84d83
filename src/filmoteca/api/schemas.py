"""Response schemas of the API (Spanish field names), apart from the domain objects.

Each schema documents one response shape in the OpenAPI docs (with an example) and is built
from the domain object by its `from_*` constructor; routes serialise it with `json_response`.
The director answer, whose size grows with the data, is joined from JSON fragments made
once per catalog by `DirectorJson` (and checked against `Director` by the tests).
"""

from __future__ import annotations

import re
import weakref
from typing import Any, Literal
from urllib.parse import quote
from weakref import WeakKeyDictionary

import numpy as np
import orjson
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from ..catalog import (
    ActorStats,
    Catalog,
    Directed,
    Movie,
    MovieRef,
    SearchHit,
    SearchPage,
    TitleMatch,
)


def _examples(*examples: JsonDict) -> ConfigDict:
    """Model config carrying OpenAPI examples."""
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class CantidadMes(BaseModel):
    """Películas estrenadas en un mes (de cualquier año)."""

    model_config = _examples({"mes": "enero", "cantidad": 382})
    mes: str = Field(description="Nombre del mes en español, en minúsculas.")
    cantidad: int = Field(description="Películas del catálogo estrenadas ese mes, todos los años.")


class CantidadDia(BaseModel):
    """Películas estrenadas en un día de la semana."""

    model_config = _examples({"dia": "miércoles", "cantidad": 795})
    dia: str = Field(description="Día de la semana en español, en minúsculas y con tilde.")
    cantidad: int = Field(description="Películas del catálogo estrenadas ese día de la semana.")


class Coincidencia(BaseModel):
    """Otra película con el mismo título."""

    titulo: str
    anio: int | None = Field(description="Año de estreno.")
    id: int = Field(description="Id de TMDB.")

    @classmethod
    def from_ref(cls, ref: MovieRef) -> Coincidencia:
        """From a domain movie reference."""
        return cls(titulo=ref.title, anio=ref.year, id=ref.id)


_OTHERS = Field(
    default=None,
    description="Solo si hay otras películas con el mismo título: elija una con `?anio=`.",
)


class ScoreTitulo(BaseModel):
    """Popularidad (el «score» del dataset) de una película."""

    model_config = _examples(
        {"titulo": "Toy Story", "anio": 1995, "popularidad": 73.640445, "id": 862},
        {
            "titulo": "Batman",
            "anio": 1989,
            "popularidad": 44.104469,
            "id": 268,
            "otras_coincidencias": [{"titulo": "Batman", "anio": 1966, "id": 2661}],
        },
    )
    titulo: str
    anio: int | None = Field(description="Año de estreno.")
    popularidad: float = Field(description="Popularidad de TMDB (el «score» del dataset).")
    id: int = Field(description="Id de TMDB.")
    otras_coincidencias: list[Coincidencia] | None = _OTHERS

    @classmethod
    def from_match(cls, match: TitleMatch) -> ScoreTitulo:
        """From the movie a title names."""
        movie = match.movie
        return cls(
            titulo=movie.title,
            anio=movie.year,
            popularidad=movie.popularity,
            id=movie.id,
            **_others(match),
        )


class VotosTitulo(BaseModel):
    """Votos y promedio de una película con al menos 2000 votos."""

    model_config = _examples(
        {"titulo": "Toy Story", "anio": 1995, "votos": 5269, "promedio": 7.7, "id": 862}
    )
    titulo: str
    anio: int | None = Field(description="Año de estreno.")
    votos: int = Field(description="Cantidad de votos en TMDB.")
    promedio: float = Field(description="Valoración media (0-10).")
    id: int = Field(description="Id de TMDB.")
    otras_coincidencias: list[Coincidencia] | None = _OTHERS


class VotosInsuficientes(BaseModel):
    """Respuesta para una película con menos de 2000 votos: no se informan cifras."""

    model_config = _examples(
        {
            "titulo": "The Host",
            "anio": 2013,
            "cumple_condicion": False,
            "mensaje": "'The Host' (2013) tiene menos de 2000 votos: no se informan sus votos.",
        }
    )
    titulo: str
    anio: int | None = Field(description="Año de estreno.")
    cumple_condicion: Literal[False] = Field(description="Siempre false: no llega a 2000 votos.")
    mensaje: str
    otras_coincidencias: list[Coincidencia] | None = _OTHERS


def votos_from_match(match: TitleMatch, min_votes: int) -> VotosTitulo | VotosInsuficientes:
    """The votes response of a title: figures only with at least `min_votes` votes."""
    movie = match.movie
    if match.enough_votes:
        return VotosTitulo(
            titulo=movie.title,
            anio=movie.year,
            votos=movie.vote_count,
            promedio=movie.vote_average,
            id=movie.id,
            **_others(match),
        )
    year = f" ({movie.year})" if movie.year else ""
    return VotosInsuficientes(
        titulo=movie.title,
        anio=movie.year,
        cumple_condicion=False,
        mensaje=f"'{movie.title}'{year} tiene menos de {min_votes} votos: "
        "no se informan sus votos.",
        **_others(match),
    )


def _others(match: TitleMatch) -> dict[str, list[Coincidencia]]:
    """`otras_coincidencias`, only when other movies share the title."""
    if not match.others:
        return {}
    return {"otras_coincidencias": [Coincidencia.from_ref(ref) for ref in match.others]}


class Actor(BaseModel):
    """Películas de un actor o actriz (solo como parte del reparto) y su retorno."""

    model_config = _examples(
        {
            "actor": "Tom Hanks",
            "cantidad_peliculas": 32,
            "retorno_total": 140.8054968235678,
            "retorno_promedio": 4.400171775736494,
            "peliculas_con_retorno": 30,
        }
    )
    actor: str = Field(description="Nombre tal como lo escribe el catálogo.")
    cantidad_peliculas: int = Field(
        description="Películas en cuyo reparto aparece (una vez cada una)."
    )
    retorno_total: float = Field(
        description="Suma de `return` (recaudación / presupuesto) de esas películas."
    )
    retorno_promedio: float = Field(description="retorno_total / cantidad_peliculas.")
    peliculas_con_retorno: int = Field(
        description="Películas con presupuesto > 0 (las demás aportan 0)."
    )

    @classmethod
    def from_stats(cls, stats: ActorStats) -> Actor:
        """From a person's acting figures."""
        return cls.model_validate({"actor": stats.name, **actor_figures(stats)})


def actor_figures(stats: ActorStats) -> dict[str, int | float]:
    """The mission's figures of an actor, as response fields (`/get_actor` and `/persona`)."""
    return {
        "cantidad_peliculas": stats.films,
        "retorno_total": stats.return_total,
        "retorno_promedio": stats.return_mean,
        "peliculas_con_retorno": stats.films_with_budget,
    }


class PeliculaDirector(BaseModel):
    """Una película dirigida, con sus cifras."""

    titulo: str
    fecha_lanzamiento: str | None = Field(description="Fecha de estreno, AAAA-MM-DD.")
    retorno: float = Field(description="recaudacion / costo (0 si el costo es 0).")
    costo: float = Field(description="Presupuesto (budget); 0 si no se conoce.")
    recaudacion: float = Field(description="Recaudación (revenue); 0 si no se conoce.")
    ganancia: float = Field(description="recaudacion - costo.")


class Director(BaseModel):
    """Películas de un director (filas del equipo con job 'Director'), por fecha de estreno."""

    model_config = _examples(
        {
            "director": "Quentin Tarantino",
            "cantidad_peliculas": 10,
            "retorno_total": 67.16971327764813,
            "peliculas": [
                {
                    "titulo": "Reservoir Dogs",
                    "fecha_lanzamiento": "1992-09-02",
                    "retorno": 12.217505833333334,
                    "costo": 1200000.0,
                    "recaudacion": 14661007.0,
                    "ganancia": 13461007.0,
                }
            ],
        }
    )
    director: str = Field(description="Nombre tal como lo escribe el catálogo.")
    cantidad_peliculas: int
    retorno_total: float = Field(description="Suma del retorno de sus películas.")
    peliculas: list[PeliculaDirector] = Field(description="Ordenadas por fecha de estreno (y id).")


def _director_film(movie: Movie) -> JsonDict:
    """One film of the `Director` answer (a `PeliculaDirector`), as a plain dict."""
    return {
        "titulo": movie.title,
        "fecha_lanzamiento": movie.release_date.isoformat() if movie.release_date else None,
        "retorno": movie.return_,
        "costo": movie.budget,
        "recaudacion": movie.revenue,
        "ganancia": movie.revenue - movie.budget,
    }


class DirectorJson:
    """`/get_director` answers as JSON bytes, joined from per-movie fragments made once.

    Every movie's `PeliculaDirector` object is serialised once, by blocks of _CHUNK movies,
    into one buffer per block with the offsets of each; an answer is then a join of its films'
    fragments: measured 15 µs for a director with 266 films, against 350 for building the
    films and dumping them per request. The blocks (about 0.3 s for 45,466 movies) are made by
    `prepare` in a background thread after start-up, and any block an answer needs before
    that is made on the spot. Each buffer holds its JSON and nothing more: kept as 45,466
    separate `bytes`, orjson's 4 KB output buffers took 180 MB. The tests validate the answers
    against `Director`.
    """

    _CHUNK = 1024

    def __init__(self, catalog: Catalog) -> None:
        # weak: this object is the value of a WeakKeyDictionary keyed by the catalog
        self._catalog = weakref.ref(catalog)
        self._count = catalog.movie_count
        count = -(-catalog.movie_count // self._CHUNK)
        self._blocks: list[tuple[bytes, list[int]] | None] = [None] * count

    def prepare(self) -> None:
        """Make every block now (instead of on the first answers that need them)."""
        for block in range(len(self._blocks)):
            self._block(block)

    def _block(self, block: int) -> tuple[bytes, list[int]]:
        """The JSON and offsets of one block of movies, made on first use."""
        made = self._blocks[block]
        if made is None:
            start = block * self._CHUNK
            stop = min(start + self._CHUNK, self._count)
            catalog = self._catalog()
            if catalog is None:
                raise ReferenceError("the catalog of these answers is gone")
            movies = catalog.films(np.arange(start, stop))
            fragments = [orjson.dumps(_director_film(m)) for m in movies]
            offsets = np.concatenate([[0], np.cumsum([len(f) for f in fragments])]).tolist()
            made = self._blocks[block] = (b"".join(fragments), offsets)
        return made

    def answer(self, directed: Directed) -> bytes:
        """The `Director` answer of a person's directed films."""
        head = orjson.dumps(
            {
                "director": directed.name,
                "cantidad_peliculas": len(directed.positions),
                "retorno_total": directed.return_total,
            }
        )
        films = []
        for position in directed.positions.tolist():
            text, offsets = self._block(position // self._CHUNK)
            at = position % self._CHUNK
            films.append(text[offsets[at] : offsets[at + 1]])
        return head[:-1] + b',"peliculas":[' + b",".join(films) + b"]}"


_DIRECTOR_JSON: WeakKeyDictionary[Catalog, DirectorJson] = WeakKeyDictionary()


def director_json(catalog: Catalog) -> DirectorJson:
    """The director answers of a catalog (the app's lifespan asks for them right after
    loading, and makes their blocks in a background thread)."""
    found = _DIRECTOR_JSON.get(catalog)
    if found is None:
        found = _DIRECTOR_JSON[catalog] = DirectorJson(catalog)
    return found


class ResultadoBusqueda(BaseModel):
    """Una película o una persona que contiene el texto buscado."""

    tipo: Literal["pelicula", "persona"]
    nombre: str = Field(description="Título de la película o nombre de la persona.")
    anio: int | None = Field(default=None, description="Año de estreno (películas).")
    id: int | None = Field(default=None, description="Id de TMDB (películas).")
    peliculas_como_actor: int | None = Field(default=None, description="Personas: en reparto.")
    peliculas_como_director: int | None = Field(default=None, description="Personas: dirigidas.")
    ficha: str = Field(
        description="Su ficha: `/pelicula/{id}` (películas) o `/persona/{nombre}` (personas)."
    )
    consultas: list[str] = Field(description="Rutas de esta API que responden sobre el resultado.")

    @classmethod
    def from_hit(cls, hit: SearchHit) -> ResultadoBusqueda:
        """From a domain search hit, with the API routes that answer about it."""
        return cls.model_validate(hit_fields(hit))


def hit_fields(hit: SearchHit) -> dict[str, Any]:
    """A search hit's `ResultadoBusqueda` fields (only those that apply to its kind)."""
    if hit.movie is not None:
        ref = hit.movie
        year = f"?anio={ref.year}" if ref.year else ""
        title = path_segment(ref.title)
        routes = [f"/{route}/{title}{year}" for route in _TITLE_ROUTES]
        return {
            "tipo": "pelicula",
            "nombre": ref.title,
            "anio": ref.year,
            "id": ref.id,
            "ficha": f"/pelicula/{ref.id}",
            "consultas": routes,
        }
    name = path_segment(hit.name)
    routes = [f"/get_actor/{name}"] if hit.acting else []
    routes += [f"/get_director/{name}"] if hit.directing else []
    return {
        "tipo": "persona",
        "nombre": hit.name,
        "peliculas_como_actor": hit.acting,
        "peliculas_como_director": hit.directing,
        "ficha": f"/persona/{name}",
        "consultas": routes,
    }


_TITLE_ROUTES = ("score_titulo", "votos_titulo")
_PLAIN = re.compile(r"[A-Za-z0-9._~ -]*")


def path_segment(text: str) -> str:
    """`text` percent-encoded as one URL path segment, exactly as `quote(text, safe='')`; text
    made of letters, digits and spaces (most names and titles) takes a fast path (measured
    0.4 µs against 2.5: twenty of them per search page)."""
    if _PLAIN.fullmatch(text):
        return text.replace(" ", "%20")
    return quote(text, safe="")


class Busqueda(BaseModel):
    """Una página de resultados de búsqueda: primero coincidencias exactas, luego prefijos."""

    model_config = _examples(
        {
            "consulta": "toy story",
            "total": 3,
            "pagina": 1,
            "limite": 2,
            "total_paginas": 2,
            "siguiente": "/buscar?q=toy%20story&limite=2&pagina=2",
            "anterior": None,
            "resultados": [
                {
                    "tipo": "pelicula",
                    "nombre": "Toy Story",
                    "anio": 1995,
                    "id": 862,
                    "ficha": "/pelicula/862",
                    "consultas": [
                        "/score_titulo/Toy%20Story?anio=1995",
                        "/votos_titulo/Toy%20Story?anio=1995",
                    ],
                }
            ],
        }
    )
    consulta: str
    total: int = Field(description="Resultados en total (todas las páginas).")
    pagina: int
    limite: int
    total_paginas: int = Field(description="Páginas de `limite` resultados (0 sin resultados).")
    siguiente: str | None = Field(description="La página siguiente; null en la última.")
    anterior: str | None = Field(
        description="La página anterior; null en la primera. Pedida una página más allá de la "
        "última (respuesta 200 sin resultados), lleva a la última."
    )
    resultados: list[ResultadoBusqueda]

    @classmethod
    def from_page(cls, query: str, page: SearchPage, number: int, limit: int) -> Busqueda:
        """From a domain search page."""
        return cls.model_validate(busqueda_fields(query, page, number, limit))


MAX_PAGE = 1000
"""The last page `/buscar` accepts (`pagina` <= MAX_PAGE): no `siguiente` beyond it."""


def busqueda_fields(query: str, page: SearchPage, number: int, limit: int) -> dict[str, Any]:
    """A search page's `Busqueda` fields, with the links to the next and previous pages."""
    fields = _page_fields(query, page.total, number, limit)
    fields["resultados"] = [hit_fields(hit) for hit in page.hits]
    return fields


def _page_fields(query: str, total: int, number: int, limit: int) -> dict[str, Any]:
    """A search page's `Busqueda` fields but its results, in their order."""
    pages = -(-total // limit)
    before = min(number - 1, pages)
    link = f"/buscar?q={quote(query, safe='')}&limite={limit}&pagina="
    return {
        "consulta": query,
        "total": total,
        "pagina": number,
        "limite": limit,
        "total_paginas": pages,
        "siguiente": f"{link}{number + 1}" if number < min(pages, MAX_PAGE) else None,
        "anterior": f"{link}{before}" if before >= 1 else None,
    }


def busqueda_json(query: str, page: SearchPage, number: int, limit: int) -> bytes:
    """The `Busqueda` answer as JSON bytes, straight from its fields (the bytes
    `json_response(Busqueda.from_page(...))` gives, without building the models: measured
    30 µs less per page of 10; the tests compare both)."""
    return orjson.dumps(busqueda_fields(query, page, number, limit))


def hit_json(hit: SearchHit) -> bytes:
    """One `ResultadoBusqueda` as JSON bytes, as it appears inside `busqueda_json`."""
    return orjson.dumps(hit_fields(hit))


def busqueda_json_from(query: str, total: int, number: int, limit: int, hits: list[bytes]) -> bytes:
    """`busqueda_json`'s bytes from the hits' JSON made beforehand (`hit_json`, saved at build
    time: api/answers.py): `resultados` is the last field."""
    head = orjson.dumps(_page_fields(query, total, number, limit))
    return b"".join((head[:-1], b',"resultados":[', b",".join(hits), b"]}"))


class Salud(BaseModel):
    """Estado del servicio."""

    model_config = _examples({"estado": "ok", "catalogo": "5a83b267b047", "peliculas": 4802})
    estado: Literal["ok"]
    catalogo: str = Field(description="Versión del catálogo servido.")
    peliculas: int


class InfoCatalogo(BaseModel):
    """El catálogo servido."""

    version: str
    construido: str | None = Field(description="Fecha de construcción (ISO, UTC).")
    fuente: str | None = Field(description="movies_dataset, tmdb_5000 o demo.")
    demo: bool
    peliculas: int
    actores: int
    directores: int


class Info(BaseModel):
    """Qué es este servicio y dónde está cada cosa."""

    nombre: str
    descripcion: str
    version: str
    catalogo: InfoCatalogo
    documentacion: str = Field(description="Documentación interactiva (OpenAPI).")
    enlaces: dict[str, str] = Field(description="Un ejemplo de cada consulta.")


class ErrorParametro(BaseModel):
    """Un parámetro no válido."""

    parametro: str
    mensaje: str


class Error(BaseModel):
    """Forma única de todos los errores de la API."""

    model_config = _examples(
        {
            "codigo": "no_encontrado",
            "mensaje": "No hay ningún actor llamado 'Tom Hank' en el catálogo.",
            "sugerencias": ["Tom Hanks"],
        },
        {
            "codigo": "consulta_invalida",
            "mensaje": "'brumario' no es un mes válido. Use el nombre de un mes en español.",
            "valores_validos": ["enero", "febrero", "..."],
        },
    )
    codigo: str = Field(description="no_encontrado, consulta_invalida, catalogo_no_disponible…")
    mensaje: str = Field(description="Explicación en español.")
    sugerencias: list[str] | None = Field(default=None, description="Nombres o títulos parecidos.")
    valores_validos: list[str] | None = Field(default=None, description="Valores aceptados.")
    anios_disponibles: list[int] | None = Field(
        default=None, description="Años con ese título, si el pedido no existe."
    )
    errores: list[ErrorParametro] | None = Field(default=None, description="Parámetros no válidos.")
