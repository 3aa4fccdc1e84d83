"""The 200 answers of the name routes, made at build time and served by key.

The catalog never changes while it is served, and the answer of `/score_titulo`,
`/votos_titulo`, `/get_actor` and `/get_director` to a known title or name depends only on
its normalised form (the answer names the movie or person as the catalog spells it, never
as asked). `build` (called by `filmoteca build`, from `etl.serving.build_index`) runs the
route functions themselves once per known key and keeps their bodies in `<catalog>/respuestas`:

    <route>_keys.npy      the normalised keys, UTF-8, sorted (fixed-width bytes)
    <route>_offsets.npy   where each body starts in <route>_bodies.npy (int64, one more)
    <route>_bodies.npy    the bodies, one after the other (uint8)

`attach` (in the app's lifespan, beside `Catalog.load`) maps them for a loaded catalog (only when its manifest's version is that
catalog's and the manifest lists them: they are checked by its digests like every other file
when the catalog is loaded), and
`Answers.get` finds a body with one binary search. The fast path (`fastpath.answer`) asks it
after validating the request exactly as before and before calling the route, so a request
answered from here is answered with the route's own bytes and headers; anything else (a year,
an unknown name, an older catalog without the folder) is computed as always.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np

from ..catalog import Catalog, mapped
from ..catalog.manifest import read_manifest
from ..errors import CatalogError, FilmotecaError
from ..text import normalize
from .routers import consultas
from .schemas import busqueda_json_from, director_json, hit_json
from .turns import finish_now

FOLDER = "respuestas"
Route = Callable[[str, Catalog], Coroutine[Any, Any, Any]]
ROUTES: dict[str, tuple[str, str, Route]] = {  # route path: (file name, keys, route function)
    "/score_titulo/{titulo:path}": (
        "score",
        "titles",
        lambda key, catalog: consultas.score_titulo(key, catalog, None),
    ),
    "/votos_titulo/{titulo:path}": (
        "votos",
        "titles",
        lambda key, catalog: consultas.votos_titulo(key, catalog, None),
    ),
    "/get_actor/{nombre_actor:path}": ("actor", "actors", consultas.get_actor),
    "/get_director/{nombre_director:path}": ("director", "directors", consultas.get_director),
}
"""The precomputed routes: each takes one path parameter (a name) and, for the titles, `anio`
(only its absence is precomputed)."""
_FIELDS = ("keys", "offsets", "bodies")


def build(catalog: Catalog, folder: Path) -> dict[str, int]:
    """Run every precomputed route on every known key of `catalog`; save the 200 bodies in
    `folder`. The number of answers per route."""
    director_json(catalog).prepare()
    known = catalog.known_keys()
    arrays: dict[str, np.ndarray] = {}
    counts = {}
    for name, kind, route in ROUTES.values():
        keys, bodies = [], []
        for key in sorted(known[kind], key=str.encode):
            body = _body(route(key, catalog))
            if body is not None and normalize(key) == key:
                keys.append(key.encode())
                bodies.append(body)
        offsets = np.zeros(len(bodies) + 1, np.int64)
        np.cumsum([len(body) for body in bodies], out=offsets[1:])
        arrays[f"{name}_keys"] = np.array(keys, dtype=f"S{max(map(len, keys), default=1)}")
        arrays[f"{name}_offsets"] = offsets
        arrays[f"{name}_bodies"] = np.frombuffer(b"".join(bodies), np.uint8)
        counts[name] = len(keys)
    hits = _hit_arrays(catalog)
    arrays.update(hits)
    counts["busqueda"] = sum(len(hits[f"{kind}_offsets"]) - 1 for kind in HITS)
    mapped.save(folder, arrays)
    return counts


HITS = ("hits_movies", "hits_people")
"""The search hits' JSON (`schemas.hit_json`), by movie position and by person id: offsets
(int64, one more) and bodies (uint8), as the answers. `/buscar` joins those of a page."""


def _hit_arrays(catalog: Catalog) -> dict[str, np.ndarray]:
    """Every search hit's JSON, in `HITS`' arrays."""
    bodies: dict[bool, list[bytes]] = {False: [], True: []}
    for (is_person, _), hit in catalog.search_hits():
        bodies[is_person].append(hit_json(hit))
    arrays = {}
    for kind, found in zip(HITS, (bodies[False], bodies[True]), strict=True):
        offsets = np.zeros(len(found) + 1, np.int64)
        np.cumsum([len(body) for body in found], out=offsets[1:])
        arrays[f"{kind}_offsets"] = offsets
        arrays[f"{kind}_bodies"] = np.frombuffer(b"".join(found), np.uint8)
    return arrays


def _body(coroutine: Coroutine[Any, Any, Any]) -> bytes | None:
    """The body of a 200 answer of a route function (they never wait on anything), else None."""
    try:
        response = finish_now(coroutine)
    except FilmotecaError:
        return None
    return bytes(response.body) if response.status_code == 200 else None


class Answers:
    """The precomputed bodies of one catalog, by route path and normalised key."""

    def __init__(self, arrays: dict[str, Any]) -> None:
        self._tables = {
            path: tuple(arrays[f"{name}_{field}"] for field in _FIELDS)
            for path, (name, _, _) in ROUTES.items()
        }
        self._hits = (
            tuple((arrays[f"{kind}_offsets"], arrays[f"{kind}_bodies"]) for kind in HITS)
            if all(f"{kind}_offsets" in arrays for kind in HITS)
            else None  # a catalog built before them
        )

    @classmethod
    def open(cls, catalog_dir: Path, catalog: Catalog) -> Answers | None:
        """The answers saved beside `catalog` in `catalog_dir`, or None when there are none
        (a catalog built before them) or they belong to another version of the catalog."""
        folder = catalog_dir / FOLDER
        names = [f"{name}_{field}" for name, _, _ in ROUTES.values() for field in _FIELDS]
        try:
            if not folder.is_dir():
                return None
            manifest = read_manifest(catalog_dir)
            listed = manifest.get("files") or {}
            if manifest.get("version") != catalog.version or any(
                f"{FOLDER}/{name}.npy" not in listed for name in names
            ):
                return None  # another catalog's, or files its manifest does not vouch for
            hits = [f"{kind}_{field}" for kind in HITS for field in ("offsets", "bodies")]
            if all(f"{FOLDER}/{name}.npy" in listed for name in hits):
                names += hits
            return cls(mapped.open_arrays(folder, names))
        except (CatalogError, OSError):
            return None

    def holds(self, route: str, kwargs: dict[str, Any]) -> bool:
        """Whether the answer of `route` with these arguments would be here if it were a 200
        (a precomputed route, no year): if `get` then finds nothing, the name is unknown."""
        return route in self._tables and kwargs.get("anio") is None

    def get(self, route: str, kwargs: dict[str, Any]) -> bytes | None:
        """The body answering `route` with these arguments, if it was precomputed."""
        if not self.holds(route, kwargs):
            return None
        keys, offsets, bodies = self._tables[route]
        (value,) = (v for k, v in kwargs.items() if k != "anio")
        at = mapped.find_sorted(keys, normalize(value).encode())
        if at < 0:
            return None
        body: bytes = bodies[offsets[at] : offsets[at + 1]].tobytes()
        return body

    def search(self, catalog: Catalog, query: str, limit: int, page: int) -> bytes | None:
        """The `/buscar` answer's bytes from the saved hits (None without them): those of
        `schemas.busqueda_json(query, catalog.search(query, limit, page), page, limit)`."""
        if self._hits is None:
            return None
        total, refs = catalog.search_refs(query, limit, page)
        tables = self._hits
        hits = []
        for is_person, ref in refs:
            offsets, bodies = tables[is_person]
            hits.append(bodies[offsets[ref] : offsets[ref + 1]].tobytes())
        return busqueda_json_from(query, total, page, limit, hits)


_ATTACHED: WeakKeyDictionary[Catalog, Answers] = WeakKeyDictionary()


def attach(catalog: Catalog, catalog_dir: Path) -> None:
    """Open the answers saved beside a catalog just loaded from `catalog_dir` (the app's
    lifespan does it), kept as long as the catalog lives: a replaced catalog takes its
    answers and their maps with it."""
    found = Answers.open(catalog_dir, catalog)
    if found is not None:
        _ATTACHED[catalog] = found


def attached(catalog: Catalog) -> Answers | None:
    """The answers attached to a catalog, if any."""
    return _ATTACHED.get(catalog)
