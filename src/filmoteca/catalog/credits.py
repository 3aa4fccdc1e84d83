"""Movies, people and collections by TMDB id: full credits, keywords, a person's credits, a
collection's movies, from the records `etl.credits.build` writes into `<catalog>/creditos/`:

    reparto.bin / .npy        per movie position: int32 rows (person slot, character, order)
                              in billing order; and their byte offsets
    equipo.bin / .npy         per movie position: (person slot, role) in the source's order
    actuaciones.bin / .npy    per person slot: (movie position, character) by date, then id
    trabajos.bin / .npy       per person slot: (movie position, role) by date, then id
    palabras_clave.bin / .npy per movie position: (keyword slot) in TMDB's order
    colecciones.bin / .npy    per collection slot: (movie position) by date, then id
    person_ids, keyword_ids, collection_ids       sorted TMDB ids (a slot is a place in them)
    person_names, characters, role_departments, role_jobs, keyword_names, collection_names
                              the texts, once each
    namesake_groups / _order / _bounds            slots grouped by normalised name

The server maps the arrays (touched pages only) and reads one record with `os.pread` per
answer; a movie's title and year are the `Catalog`'s. Nothing here imports pandas or pyarrow.

Decisions:
- A person here is a TMDB person id: two people with the same name are two people (the name
  routes, `/get_actor` and `/persona/{nombre}`, add them up); each knows its namesakes' ids.
- A person's credits are every credit row (two characters in one film are two credits), by
  release date, then movie id; a movie's cast by billing order, its crew as the source lists
  it. Credits without a person id are left out.
- A collection's movies are those of the catalog, by release date then id.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import CatalogError, NotFound
from . import mapped
from .cards import RecordFile
from .movies import MovieRef
from .queries import Catalog

FOLDER = "creditos"
RECORDS = {
    "reparto": 3,
    "equipo": 2,
    "actuaciones": 2,
    "trabajos": 2,
    "palabras_clave": 1,
    "colecciones": 1,
}
"""Record files and their int32 columns."""
IDS = ("person_ids", "keyword_ids", "collection_ids")
TEXTS = (
    "person_names",
    "characters",
    "role_departments",
    "role_jobs",
    "keyword_names",
    "collection_names",
)
GROUPS = ("namesake_groups", "namesake_order", "namesake_bounds")


@dataclass(frozen=True, slots=True)
class CastMember:
    """One acting credit of a movie."""

    person_id: int
    name: str
    character: str | None
    order: int | None


@dataclass(frozen=True, slots=True)
class CrewMember:
    """One crew credit of a movie."""

    person_id: int
    name: str
    department: str | None
    job: str | None


@dataclass(frozen=True, slots=True)
class MovieCredits:
    """A movie's full cast and crew."""

    movie: MovieRef
    cast: tuple[CastMember, ...]
    crew: tuple[CrewMember, ...]


@dataclass(frozen=True, slots=True)
class Keyword:
    """A TMDB keyword."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class PersonCredit:
    """One credit of a person: the movie and the character (acting) or department and job."""

    movie: MovieRef
    character: str | None = None
    department: str | None = None
    job: str | None = None


@dataclass(frozen=True, slots=True)
class PersonCredits:
    """A TMDB person and their credits."""

    id: int
    name: str
    acting: tuple[PersonCredit, ...]
    crew: tuple[PersonCredit, ...]
    namesakes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Collection:
    """A collection (saga) and its movies in the catalog."""

    id: int
    name: str
    movies: tuple[MovieRef, ...]


class Credits:
    """The id-based records of the catalog being served."""

    def __init__(self, folder: Path, catalog: Catalog) -> None:
        self._catalog = catalog
        arrays = mapped.open_arrays(folder, [*IDS, *GROUPS, *RECORDS, *TEXTS])
        self._texts = {name: mapped.strings(arrays, name) for name in TEXTS}
        self._np = {k: a for k, a in arrays.items() if isinstance(a, np.ndarray)}
        if (
            len(self._np) != len(IDS) + len(GROUPS) + len(RECORDS)
            or len(self._np["reparto"]) != catalog.movie_count + 1
        ):
            raise CatalogError(f"Los créditos de '{folder}' están dañados o son de otro catálogo.")
        self._files = {name: RecordFile(folder / f"{name}.bin", self._np[name]) for name in RECORDS}

    @classmethod
    def load(cls, catalog_dir: Path, catalog: Catalog) -> Credits:
        """Open `<catalog>/creditos` beside `catalog` (loaded from the same directory)."""
        if not (catalog_dir / FOLDER).is_dir():
            raise CatalogError(
                f"El catálogo '{catalog_dir}' no tiene los créditos por id ('{FOLDER}/'). "
                "Vuelva a construirlo con 'filmoteca build'."
            )
        return cls(catalog_dir / FOLDER, catalog)

    def movie_credits(self, movie_id: int) -> MovieCredits:
        """A movie's full cast and crew; NotFound for an unknown id."""
        position = self._catalog.position(movie_id)
        cast, crew = self._rows("reparto", position), self._rows("equipo", position)
        slots = np.concatenate([cast[:, 0], crew[:, 0]])
        ids = self._np["person_ids"][slots].tolist()
        names = self._texts["person_names"].take(slots)
        characters = self._take("characters", cast[:, 1])
        orders = [order if order >= 0 else None for order in cast[:, 2].tolist()]
        n = len(cast)
        return MovieCredits(
            self._catalog.refs([position])[0],
            tuple(
                CastMember(i, name, character, order)
                for i, name, character, order in zip(ids, names, characters, orders, strict=False)
            ),
            tuple(
                CrewMember(i, name, *role)
                for i, name, role in zip(ids[n:], names[n:], self._roles(crew[:, 1]), strict=True)
            ),
        )

    def keywords(self, movie_id: int) -> tuple[MovieRef, tuple[Keyword, ...]]:
        """A movie and its keywords; NotFound for an unknown id."""
        position = self._catalog.position(movie_id)
        slots = self._rows("palabras_clave", position)[:, 0]
        ids, names = (
            self._np["keyword_ids"][slots].tolist(),
            self._texts["keyword_names"].take(slots),
        )
        keywords = tuple(Keyword(i, name) for i, name in zip(ids, names, strict=True))
        return self._catalog.refs([position])[0], keywords

    def person(self, person_id: int) -> PersonCredits:
        """A TMDB person's credits; NotFound for an id without credits in the catalog."""
        slot = _slot(self._np["person_ids"], person_id)
        if slot < 0:
            raise NotFound(f"No hay ninguna persona con el id {person_id} en el catálogo.")
        acting, crew = self._rows("actuaciones", slot), self._rows("trabajos", slot)
        refs = self._catalog.refs(np.concatenate([acting[:, 0], crew[:, 0]]))
        characters = self._take("characters", acting[:, 1])
        return PersonCredits(
            person_id,
            self._texts["person_names"][slot],
            tuple(PersonCredit(ref, character=c) for ref, c in zip(refs, characters, strict=False)),
            tuple(
                PersonCredit(ref, None, *role)
                for ref, role in zip(refs[len(acting) :], self._roles(crew[:, 1]), strict=True)
            ),
            self._namesakes(slot),
        )

    def collection(self, collection_id: int) -> Collection:
        """A collection and its movies; NotFound for an unknown id."""
        slot = _slot(self._np["collection_ids"], collection_id)
        if slot < 0:
            raise NotFound(f"No hay ninguna colección con el id {collection_id} en el catálogo.")
        positions = self._rows("colecciones", slot)[:, 0].tolist()
        name = self._texts["collection_names"][slot]
        return Collection(collection_id, name, tuple(self._catalog.refs(positions)))

    def example_collection(self) -> int | None:
        """The id of the collection with most movies (for example links), if there is one."""
        sizes = np.diff(self._np["colecciones"])  # record offsets: bytes per collection
        ids = self._np["collection_ids"]
        return int(ids[int(np.argmax(sizes))]) if len(ids) and len(sizes) else None

    def _rows(self, name: str, index: int) -> np.ndarray:
        """Record `index` of a record file, as int32 rows."""
        raw = self._files[name].read(index)
        return np.frombuffer(raw, dtype=np.int32).reshape(-1, RECORDS[name])

    def _take(self, name: str, codes: np.ndarray) -> list[str | None]:
        """Texts by code (-1 or an empty text: None)."""
        known = np.maximum(codes, 0)
        texts = self._texts[name].take(known) if len(self._texts[name]) else [""] * len(codes)
        return [(t or None) if c >= 0 else None for t, c in zip(texts, codes.tolist(), strict=True)]

    def _roles(self, codes: np.ndarray) -> list[tuple[str | None, str | None]]:
        """(department, job) of some role codes."""
        departments = self._take("role_departments", codes)
        return list(zip(departments, self._take("role_jobs", codes), strict=True))

    def _namesakes(self, slot: int) -> tuple[int, ...]:
        """The person ids sharing a slot's normalised name, the slot's own left out."""
        group = int(self._np["namesake_groups"][slot])
        if group < 0:
            return ()
        bounds = self._np["namesake_bounds"]
        others = self._np["namesake_order"][int(bounds[group]) : int(bounds[group + 1])]
        ids = self._np["person_ids"]
        return tuple(int(ids[s]) for s in others.tolist() if s != slot)


def _slot(sorted_ids: np.ndarray, wanted: int) -> int:
    """Where `wanted` is in a sorted id array, or -1."""
    if not -(2**63) <= wanted < 2**63:
        return -1
    slot = int(np.searchsorted(sorted_ids, wanted))
    return slot if slot < len(sorted_ids) and int(sorted_ids[slot]) == wanted else -1
