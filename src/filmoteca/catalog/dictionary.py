"""The data dictionary: what each column of each catalog table means (Spanish, for users).

Written into every Parquet file as field metadata (`description`) by `store.write_table`, so a
notebook reading the files directly sees it (`pq.read_schema(path).field("budget").metadata`);
docs/datos.md shows the same table (a test keeps them equal).
"""

from __future__ import annotations

UNKNOWN_ZERO = " 0 significa «desconocido» (ver `nulls=True`)."

DESCRIPTIONS: dict[str, dict[str, str]] = {
    "movies": {
        "id": "Id de TMDB de la película (único en el catálogo).",
        "imdb_id": "Id de IMDb (tt…), si se conoce.",
        "title": "Título (en su idioma de estreno internacional, normalmente inglés).",
        "original_title": "Título original.",
        "original_language": "Idioma original (código ISO 639-1).",
        "overview": "Sinopsis; nula si falta o es «No overview found.».",
        "tagline": "Frase promocional.",
        "homepage": "Sitio web oficial.",
        "poster_path": "Ruta del póster en TMDB.",
        "release_date": "Fecha de estreno (las filas sin fecha válida se descartan).",
        "release_year": "Año de estreno (de release_date).",
        "budget": "Presupuesto en dólares;" + UNKNOWN_ZERO,
        "revenue": "Recaudación en dólares;" + UNKNOWN_ZERO,
        "return": "revenue / budget si budget > 0, si no 0 (0 también si revenue es desconocida).",
        "popularity": "Popularidad de TMDB; nula si falta.",
        "runtime": "Duración en minutos; nula si falta;" + UNKNOWN_ZERO,
        "vote_average": "Nota media de TMDB (0-10); nula si falta.",
        "vote_count": "Número de votos de TMDB (vacío vale 0).",
        "collection_id": "Id de la colección (saga) a la que pertenece, si pertenece a una.",
    },
    "genres": {
        "movie_id": "Id de la película.",
        "genre_id": "Id de TMDB del género.",
        "name": "Nombre del género (en inglés, como en TMDB).",
    },
    "companies": {
        "movie_id": "Id de la película.",
        "company_id": "Id de TMDB de la productora.",
        "name": "Nombre de la productora.",
    },
    "countries": {
        "movie_id": "Id de la película.",
        "iso_3166_1": "País de producción (código ISO 3166-1).",
        "name": "Nombre del país (en inglés).",
    },
    "languages": {
        "movie_id": "Id de la película.",
        "iso_639_1": "Idioma hablado (código ISO 639-1).",
        "name": "Nombre del idioma (en ese idioma).",
    },
    "collections": {
        "movie_id": "Id de la película.",
        "collection_id": "Id de TMDB de la colección (saga).",
        "name": "Nombre de la colección.",
        "poster_path": "Ruta del póster de la colección en TMDB.",
        "backdrop_path": "Ruta de la imagen de fondo de la colección en TMDB.",
    },
    "keywords": {
        "movie_id": "Id de la película.",
        "keyword_id": "Id de TMDB de la palabra clave.",
        "name": "Palabra clave (en inglés).",
    },
    "cast": {
        "movie_id": "Id de la película.",
        "person_id": "Id de TMDB de la persona (dos personas pueden compartir nombre).",
        "name": "Nombre de la actriz o el actor.",
        "character": "Personaje.",
        "order": "Posición en el reparto (0: el papel principal).",
        "gender": "Género según TMDB: 0 desconocido, 1 mujer, 2 hombre.",
    },
    "crew": {
        "movie_id": "Id de la película.",
        "person_id": "Id de TMDB de la persona.",
        "name": "Nombre.",
        "job": "Trabajo (Director, Screenplay, Producer…).",
        "department": "Departamento (Directing, Writing, Production…).",
        "gender": "Género según TMDB: 0 desconocido, 1 mujer, 2 hombre.",
    },
}
