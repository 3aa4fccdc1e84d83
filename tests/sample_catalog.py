"""A small catalog written for the API tests, with figures that can be checked by hand.

    id  title              release     weekday    budget revenue return votes
    10  Batman             1989-06-23  viernes       10      40     4.0  2500
    11  Batman             1966-07-30  sábado         0       5     0.0   100
    12  Toy Story          1995-10-30  lunes         30     360    12.0  5000
    13  Árbol de la Vida   2011-05-27  viernes        0       0     0.0    50
    14  Cast Away          2000-12-22  viernes       90     180     2.0  3000
    15  Face/Off           1997-06-27  viernes       80     240     3.0  2100
    16  Hard Target        1993-08-20  viernes        0       0     0.0   900
    17  Enero              2001-01-03  miércoles      5       5     1.0  1999
    18  That Thing You Do! 1996-10-04  viernes       26      26     1.0  2000
    19  Twin A             2005-05-05  jueves         0       0     0.0    10
    20  Twin B             2005-05-05  jueves         0       0     0.0    10

Months: enero 1, mayo 3, junio 2, julio 1, agosto 1, octubre 2, diciembre 1, the rest 0.
Weekdays: lunes 1, martes 0, miércoles 1, jueves 2, viernes 6, sábado 1, domingo 0.

Cast: Tom Hanks in 12 (twice: two characters), 14, 18, and a second person id also named
'tom  hanks' in 15 -> one person, 4 films, return 12+2+3+1 = 18.0, mean 4.5, 4 with budget.
Michael Keaton in 10 and 11 -> 2 films, return 4.0, mean 2.0, 1 with budget.
Penélope Cruz in 13 -> 1 film, return 0.0. Tim Burton acts in nothing.
Crew (job 'Director'): Tim Burton 10 (two rows) and 11 -> 2 films; John Woo 15 and 16;
Tom Hanks 18; Jane Doe 20 and 19 (same day: ordered by id). Tom Hanks also produced 12.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from factories import make_catalog, movie

MOVIES = [
    movie(10, "Batman", "1989-06-23", budget=10, revenue=40, vote_count=2500, vote_average=7.0, popularity=40.0),
    movie(11, "Batman", "1966-07-30", budget=0, revenue=5, vote_count=100, popularity=5.0),
    movie(12, "Toy Story", "1995-10-30", budget=30, revenue=360, vote_count=5000, vote_average=7.7, popularity=70.5),
    movie(13, "Árbol de la Vida", "2011-05-27", vote_count=50),
    movie(14, "Cast Away", "2000-12-22", budget=90, revenue=180, vote_count=3000),
    movie(15, "Face/Off", "1997-06-27", budget=80, revenue=240, vote_count=2100),
    movie(16, "Hard Target", "1993-08-20", vote_count=900),
    movie(17, "Enero", "2001-01-03", budget=5, revenue=5, vote_count=1999, vote_average=5.5),
    movie(18, "That Thing You Do!", "1996-10-04", budget=26, revenue=26, vote_count=2000, vote_average=6.9),
    movie(19, "Twin A", "2005-05-05", vote_count=10),
    movie(20, "Twin B", "2005-05-05", vote_count=10),
]  # fmt: skip


def _cast(movie_id: int, person_id: int, name: str, order: int = 0) -> dict[str, Any]:
    return {"movie_id": movie_id, "person_id": person_id, "name": name, "character": "x",
            "order": order, "gender": 2}  # fmt: skip


def _crew(movie_id: int, person_id: int, name: str, job: str = "Director") -> dict[str, Any]:
    return {"movie_id": movie_id, "person_id": person_id, "name": name, "job": job,
            "department": "Directing", "gender": 2}  # fmt: skip


CAST = [
    _cast(12, 31, "Tom Hanks"),
    _cast(12, 31, "Tom Hanks", order=5),
    _cast(14, 31, "Tom Hanks"),
    _cast(18, 31, "Tom Hanks"),
    _cast(15, 999, "tom  hanks"),
    _cast(10, 2232, "Michael Keaton"),
    _cast(11, 2232, "Michael Keaton"),
    _cast(13, 955, "Penélope Cruz"),
]
CREW = [
    _crew(10, 510, "Tim Burton"),
    _crew(10, 510, "Tim Burton"),
    _crew(11, 510, "Tim Burton"),
    _crew(15, 11401, "John Woo"),
    _crew(16, 11401, "John Woo"),
    _crew(18, 31, "Tom Hanks"),
    _crew(12, 31, "Tom Hanks", job="Producer"),
    _crew(20, 77, "Jane Doe"),
    _crew(19, 77, "Jane Doe"),
]


def make_sample_catalog(directory: Path) -> Path:
    """Write the sample catalog into `directory`."""
    return make_catalog(directory, MOVIES, cast=CAST, crew=CREW)
