"""Response schemas of the id-based routes (`/pelicula/{id}/reparto`, `/pelicula/{id}/
palabras_clave`, `/persona/id/{person_id}`, `/coleccion/{coleccion_id}`), built from
`filmoteca.catalog.credits`. Every movie and person carries the route of its own page."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from ..catalog import MovieRef
from ..catalog.credits import Collection, Keyword, MovieCredits, PersonCredit, PersonCredits
from .schemas import path_segment

_EXAMPLE_MOVIE: JsonDict = {
    "id": 862,
    "titulo": "Toy Story",
    "anio": 1995,
    "ficha": "/pelicula/862",
}


class PeliculaRef(BaseModel):
    """Una película del catálogo y su ficha."""

    id: int = Field(description="Id de TMDB.")
    titulo: str
    anio: int | None = Field(description="Año de estreno.")
    ficha: str = Field(description="Su ficha: `/pelicula/{id}`.")

    @classmethod
    def of(cls, ref: MovieRef) -> PeliculaRef:
        """From a domain movie reference."""
        return cls(id=ref.id, titulo=ref.title, anio=ref.year, ficha=f"/pelicula/{ref.id}")


class Interprete(BaseModel):
    """Un crédito de reparto de la película."""

    id: int = Field(description="Id de TMDB de la persona.")
    nombre: str
    personaje: str | None
    orden: int | None = Field(description="Orden de aparición en los créditos (desde 0).")
    ficha: str = Field(description="Su página: `/persona/id/{id}`.")


class MiembroEquipo(BaseModel):
    """Un crédito del equipo técnico de la película."""

    id: int = Field(description="Id de TMDB de la persona.")
    nombre: str
    departamento: str | None = Field(description="Departamento de TMDB (Directing, Writing…).")
    trabajo: str | None = Field(description="Puesto de TMDB (Director, Screenplay…).")
    ficha: str = Field(description="Su página: `/persona/id/{id}`.")


class RepartoPelicula(BaseModel):
    """El reparto y el equipo completos de una película."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "pelicula": _EXAMPLE_MOVIE,
                    "reparto": [
                        {
                            "id": 31,
                            "nombre": "Tom Hanks",
                            "personaje": "Woody (voice)",
                            "orden": 0,
                            "ficha": "/persona/id/31",
                        }
                    ],
                    "equipo": [
                        {
                            "id": 7879,
                            "nombre": "John Lasseter",
                            "departamento": "Directing",
                            "trabajo": "Director",
                            "ficha": "/persona/id/7879",
                        }
                    ],
                }
            ]
        }
    )
    pelicula: PeliculaRef
    reparto: list[Interprete] = Field(description="Por orden de aparición.")
    equipo: list[MiembroEquipo] = Field(description="En el orden de los datos de TMDB.")

    @classmethod
    def of(cls, found: MovieCredits) -> RepartoPelicula:
        """From a movie's domain credits."""
        return cls(
            pelicula=PeliculaRef.of(found.movie),
            reparto=[
                Interprete(
                    id=c.person_id,
                    nombre=c.name,
                    personaje=c.character,
                    orden=c.order,
                    ficha=f"/persona/id/{c.person_id}",
                )
                for c in found.cast
            ],
            equipo=[
                MiembroEquipo(
                    id=c.person_id,
                    nombre=c.name,
                    departamento=c.department,
                    trabajo=c.job,
                    ficha=f"/persona/id/{c.person_id}",
                )
                for c in found.crew
            ],
        )


class PalabraClave(BaseModel):
    """Una palabra clave de TMDB."""

    id: int
    nombre: str


class PalabrasClavePelicula(BaseModel):
    """Las palabras clave de una película."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "pelicula": _EXAMPLE_MOVIE,
                    "palabras_clave": [{"id": 931, "nombre": "jealousy"}],
                }
            ]
        }
    )
    pelicula: PeliculaRef
    palabras_clave: list[PalabraClave] = Field(description="En el orden de TMDB (puede ir vacía).")

    @classmethod
    def of(cls, movie: MovieRef, keywords: tuple[Keyword, ...]) -> PalabrasClavePelicula:
        """From a movie and its domain keywords."""
        return cls(
            pelicula=PeliculaRef.of(movie),
            palabras_clave=[PalabraClave(id=k.id, nombre=k.name) for k in keywords],
        )


class CreditoActuacion(BaseModel):
    """Una película en la que la persona actúa."""

    pelicula: PeliculaRef
    personaje: str | None


class CreditoEquipo(BaseModel):
    """Una película en la que la persona trabaja en el equipo."""

    pelicula: PeliculaRef
    departamento: str | None
    trabajo: str | None


class PersonaId(BaseModel):
    """Una persona de TMDB (por id) y sus créditos en el catálogo."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 31,
                    "nombre": "Tom Hanks",
                    "como_actor": [{"pelicula": _EXAMPLE_MOVIE, "personaje": "Woody (voice)"}],
                    "en_equipo": [],
                    "homonimos": [],
                    "por_nombre": "/persona/Tom%20Hanks",
                }
            ]
        }
    )
    id: int = Field(description="Id de TMDB de la persona.")
    nombre: str = Field(description="Como lo escribe su primer crédito.")
    como_actor: list[CreditoActuacion] = Field(
        description="Cada crédito de reparto (dos papeles en una película son dos), por fecha."
    )
    en_equipo: list[CreditoEquipo] = Field(description="Cada crédito de equipo, por fecha.")
    homonimos: list[int] = Field(
        description="Ids de otras personas con el mismo nombre normalizado (las rutas por "
        "nombre las suman)."
    )
    por_nombre: str = Field(description="La página por nombre: `/persona/{nombre}`.")

    @classmethod
    def of(cls, person: PersonCredits) -> PersonaId:
        """From a person's domain credits."""
        return cls(
            id=person.id,
            nombre=person.name,
            como_actor=[_acting(c) for c in person.acting],
            en_equipo=[_crew(c) for c in person.crew],
            homonimos=list(person.namesakes),
            por_nombre=f"/persona/{path_segment(person.name)}",
        )


def _acting(credit: PersonCredit) -> CreditoActuacion:
    return CreditoActuacion(pelicula=PeliculaRef.of(credit.movie), personaje=credit.character)


def _crew(credit: PersonCredit) -> CreditoEquipo:
    return CreditoEquipo(
        pelicula=PeliculaRef.of(credit.movie), departamento=credit.department, trabajo=credit.job
    )


class Coleccion(BaseModel):
    """Una colección (saga) de TMDB y sus películas en el catálogo."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"id": 10194, "nombre": "Toy Story Collection", "peliculas": [_EXAMPLE_MOVIE]}
            ]
        }
    )
    id: int = Field(description="Id de TMDB de la colección.")
    nombre: str
    peliculas: list[PeliculaRef] = Field(description="Por fecha de estreno (e id).")

    @classmethod
    def of(cls, collection: Collection) -> Coleccion:
        """From a domain collection."""
        return cls(
            id=collection.id,
            nombre=collection.name,
            peliculas=[PeliculaRef.of(m) for m in collection.movies],
        )
