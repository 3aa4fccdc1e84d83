"""Response schemas of the web page's JSON routes (`/pelicula/{id}`, `/persona/{nombre}`).

Like `schemas`, each one documents a response shape (with an example) and is built from the
domain object (`filmoteca.catalog.cards`) by its `from_*` constructor.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from .. import formats
from ..catalog import MIN_VOTES, ActorStats, DirectorStats, Movie
from ..catalog.cards import MovieCard, PersonFilm, PersonPage
from .schemas import actor_figures

_AVATAR: dict[str, JsonValue] = {
    "id": 19995,
    "titulo": "Avatar",
    "titulo_original": "Avatar",
    "anio": 2009,
    "fecha_lanzamiento": "2009-12-10",
    "idioma_original": "en",
    "duracion_minutos": 162.0,
    "sinopsis": "In the 22nd century, a paraplegic Marine is dispatched to the moon Pandora...",
    "lema": "Enter the World of Pandora.",
    "pagina_web": "http://www.avatarmovie.com/",
    "poster": None,
    "imdb_id": "tt0499549",
    "popularidad": 150.437577,
    "votos": {"cumple_condicion": True, "minimo": 2000, "votos": 11800, "promedio": 7.2},
    "presupuesto": 237000000.0,
    "recaudacion": 2787965087.0,
    "retorno": 11.763566,
    "ganancia": 2550965087.0,
    "generos": ["Action", "Adventure", "Fantasy", "Science Fiction"],
    "direccion": ["James Cameron"],
    "reparto": [{"nombre": "Sam Worthington", "personaje": "Jake Sully"}],
    "coleccion": None,
}
_SPECTRE: dict[str, JsonValue] = {
    "id": 206647,
    "titulo": "Spectre",
    "anio": 2015,
    "fecha_lanzamiento": "2015-10-26",
    "costo": 245000000.0,
    "recaudacion": 880674609.0,
    "ganancia": 635674609.0,
    "retorno": 3.594590,
    "personaje": None,
}


class FichaVotos(BaseModel):
    """Votos y promedio: el promedio sólo se informa desde el mínimo de votos (como `/votos_titulo`)."""

    cumple_condicion: bool = Field(description=f"Si la película tiene al menos {MIN_VOTES} votos.")
    minimo: int = Field(description="Votos necesarios para informar el promedio.")
    votos: int | None = Field(
        description="Cantidad de votos (siempre: la regla retiene el promedio)."
    )
    promedio: float | None = Field(description="Valoración media, 0-10 (sólo si la cumple).")
    mensaje: str | None = Field(description="Por qué no se informa el promedio (si no la cumple).")


class FichaInterprete(BaseModel):
    """Una persona del reparto principal y su papel (varios papeles, unidos con « / »)."""

    nombre: str
    personaje: str | None


class FichaPelicula(BaseModel):
    """La ficha completa de una película, tal como la muestra la página web."""

    model_config = ConfigDict(json_schema_extra={"examples": [_AVATAR]})
    id: int = Field(description="Id de TMDB.")
    titulo: str
    titulo_original: str | None
    anio: int | None = Field(description="Año de estreno.")
    fecha_lanzamiento: dt.date | None = Field(description="Fecha de estreno, AAAA-MM-DD.")
    idioma_original: str | None = Field(description="Código ISO 639-1 (en, es, fr...).")
    duracion_minutos: float | None
    sinopsis: str | None = Field(description="Sinopsis (en inglés, como en el conjunto de datos).")
    lema: str | None
    pagina_web: str | None
    poster: str | None = Field(description="URL del póster en TMDB, si el catálogo lo tiene.")
    imdb_id: str | None
    popularidad: float = Field(description="Popularidad de TMDB (el «score» del dataset).")
    votos: FichaVotos
    presupuesto: float = Field(description="Presupuesto (budget); 0 si no se conoce.")
    recaudacion: float = Field(description="Recaudación (revenue); 0 si no se conoce.")
    retorno: float = Field(description="recaudacion / presupuesto (0 si el presupuesto es 0).")
    ganancia: float = Field(description="recaudacion - presupuesto.")
    generos: list[str] = Field(description="Géneros, con sus nombres de TMDB, en su orden.")
    direccion: list[str] = Field(description="Quienes la dirigen (trabajo 'Director').")
    reparto: list[FichaInterprete] = Field(description="Reparto principal, por orden de aparición.")
    coleccion: str | None = Field(description="Saga o colección a la que pertenece.")

    @classmethod
    def from_card(cls, card: MovieCard) -> FichaPelicula:
        """From a domain movie card."""
        votes = card.votes
        message = (
            None
            if votes.enough
            else f"Tiene menos de {formats.count(MIN_VOTES)} votos: el promedio no se informa."
        )
        return cls(
            id=card.id,
            titulo=card.title,
            titulo_original=card.original_title,
            anio=card.year,
            fecha_lanzamiento=card.release_date,
            idioma_original=card.language,
            duracion_minutos=card.runtime,
            sinopsis=card.overview,
            lema=card.tagline,
            pagina_web=card.homepage,
            poster=card.poster_url,
            imdb_id=card.imdb_id,
            popularidad=card.popularity,
            votos=FichaVotos(
                cumple_condicion=votes.enough,
                minimo=MIN_VOTES,
                votos=votes.count,
                promedio=votes.average,
                mensaje=message,
            ),
            presupuesto=card.budget,
            recaudacion=card.revenue,
            retorno=card.return_,
            ganancia=card.revenue - card.budget,
            generos=list(card.genres),
            direccion=list(card.directors),
            reparto=[FichaInterprete(nombre=c.name, personaje=c.character) for c in card.cast],
            coleccion=card.collection,
        )


class PeliculaDePersona(BaseModel):
    """Una película de la página de una persona, con las cifras de `/get_director`."""

    id: int = Field(description="Id de TMDB.")
    titulo: str
    anio: int | None
    fecha_lanzamiento: dt.date | None = Field(description="Fecha de estreno, AAAA-MM-DD.")
    costo: float = Field(description="Presupuesto (budget); 0 si no se conoce.")
    recaudacion: float = Field(description="Recaudación (revenue); 0 si no se conoce.")
    ganancia: float = Field(description="recaudacion - costo.")
    retorno: float = Field(description="recaudacion / costo (0 si el costo es 0).")
    personaje: str | None = Field(default=None, description="Su papel, si actúa en ella.")

    @classmethod
    def from_film(cls, film: PersonFilm | Movie, character: str | None = None) -> PeliculaDePersona:
        """From a film of a person (or a movie of the catalog)."""
        return cls(
            id=film.id,
            titulo=film.title,
            anio=film.year,
            fecha_lanzamiento=film.release_date,
            costo=film.budget,
            recaudacion=film.revenue,
            ganancia=film.revenue - film.budget,
            retorno=film.return_,
            personaje=character,
        )


class CifrasActor(BaseModel):
    """Las cifras de la misión como intérprete: las mismas de `/get_actor`."""

    cantidad_peliculas: int
    retorno_total: float = Field(description="Suma del retorno de sus películas.")
    retorno_promedio: float = Field(description="retorno_total / cantidad_peliculas.")
    peliculas_con_retorno: int = Field(description="Sus películas con presupuesto > 0.")

    @classmethod
    def from_stats(cls, stats: ActorStats) -> CifrasActor:
        """From the catalog's actor figures."""
        return cls.model_validate(actor_figures(stats))


class CifrasDirector(BaseModel):
    """Las cifras de la misión como director: las mismas de `/get_director`."""

    cantidad_peliculas: int
    retorno_total: float = Field(description="Suma del retorno de sus películas.")
    retorno_promedio: float = Field(description="retorno_total / cantidad_peliculas.")
    peliculas: list[PeliculaDePersona] = Field(description="Las que dirigió, por fecha (e id).")

    @classmethod
    def from_stats(cls, stats: DirectorStats) -> CifrasDirector:
        """From the catalog's director figures."""
        count = len(stats.films)
        return cls(
            cantidad_peliculas=count,
            retorno_total=stats.return_total,
            retorno_promedio=stats.return_total / count if count else 0.0,
            peliculas=[PeliculaDePersona.from_film(film) for film in stats.films],
        )


class PaginaPersona(BaseModel):
    """La página de un actor o director: sus cifras en cada papel y sus películas."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "nombre": "Sam Mendes",
                    "actor": None,
                    "director": {
                        "cantidad_peliculas": 1,
                        "retorno_total": 3.59459,
                        "retorno_promedio": 3.59459,
                        "peliculas": [_SPECTRE],
                    },
                    "peliculas_como_actor": [],
                }
            ]
        }
    )
    nombre: str = Field(description="Nombre tal como lo escribe el catálogo.")
    actor: CifrasActor | None = Field(description="Cifras como intérprete (null si no actúa).")
    director: CifrasDirector | None = Field(description="Cifras como director (null si no dirige).")
    peliculas_como_actor: list[PeliculaDePersona] = Field(
        description="Películas en que actúa, por fecha de estreno (e id)."
    )

    @classmethod
    def from_page(cls, page: PersonPage) -> PaginaPersona:
        """From a domain person page."""
        return cls(
            nombre=page.name,
            actor=CifrasActor.from_stats(page.actor) if page.actor else None,
            director=CifrasDirector.from_stats(page.director) if page.director else None,
            peliculas_como_actor=[PeliculaDePersona.from_film(f, f.character) for f in page.acting],
        )
