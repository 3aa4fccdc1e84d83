"""The id-based routes' records, computed at build time (`catalog.credits.Credits` opens them).

    build(catalog_dir)   writes `<catalog>/creditos/` (layout in `catalog.credits`) and returns
                         a summary. Vectorised: no Python object per credit.

Texts (names, characters, departments and jobs, keywords, collection names) are stored once
each, as string lists; the records are int32 rows pointing into them, one record per movie
position, TMDB person id, or collection id, read by the server with one `os.pread`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..catalog import credits, mapped, store
from ..catalog.columns import encode, first_index, order_by, to_numpy
from ..catalog.movies import NO_DATE, positions_of
from ..text import normalize_many


def build(catalog_dir: Path) -> dict[str, int]:
    """Compute the id routes' records of a built catalog into `<catalog>/creditos`."""
    movies = store.read_table(catalog_dir, "movies", ["id", "release_date"])
    ids = to_numpy(movies["id"])
    sorter = np.argsort(ids, kind="stable")
    days = to_numpy(movies["release_date"], fill=NO_DATE)
    by_date = np.lexsort((ids, days)).argsort()  # a movie position's rank by date, then id
    folder = catalog_dir / credits.FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    cast = _link(catalog_dir, "cast", ["person_id", "name", "character", "order"], ids, sorter)
    crew = _link(catalog_dir, "crew", ["person_id", "name", "department", "job"], ids, sorter)
    arrays = _people(folder, cast, crew, len(ids), by_date)
    arrays |= _keywords(folder, catalog_dir, ids, sorter)
    arrays |= _collections(folder, catalog_dir, ids, sorter, by_date)
    mapped.save(folder, arrays)
    return {
        "people": len(arrays["person_ids"]),
        "collections": len(arrays["collection_ids"]),
        "bytes": sum(path.stat().st_size for path in folder.iterdir()),
    }


def _link(
    catalog_dir: Path, name: str, columns: list[str], ids: np.ndarray, sorter: np.ndarray
) -> pa.Table:
    """A link table's rows whose movie is in the catalog (and, for credits, with a person
    id), with their movie position as `position`; strings dictionary-encoded."""
    texts = tuple(c for c in columns if store.TABLES[name].field(c).type == pa.string())
    table = store.read_table(catalog_dir, name, ["movie_id", *columns], texts)
    position = positions_of(ids, sorter, to_numpy(table["movie_id"]))
    keep = position >= 0
    if "person_id" in columns:
        keep &= to_numpy(table["person_id"], fill=-1) >= 0
    table = table.filter(pa.array(keep)).append_column("position", pa.array(position[keep]))
    return table


def _codes(column: pa.ChunkedArray) -> tuple[list[str], np.ndarray]:
    """A string column as (distinct values, '' for null; int32 code per row)."""
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)
    unified = column.unify_dictionaries()
    if unified.num_chunks == 0:
        return [], np.zeros(0, np.int32)
    values = [value or "" for value in unified.chunk(0).dictionary.to_pylist()]
    codes = [to_numpy(chunk.indices.cast(pa.int32()), fill=-1) for chunk in unified.chunks]
    return values, np.concatenate(codes).astype(np.int32)


def _save_rows(folder: Path, name: str, groups: np.ndarray, n: int, *columns: np.ndarray) -> None:
    """Rows (int32 columns), already sorted by group 0..n-1, as `<name>.bin` and their byte
    offsets per group as `<name>.npy`."""
    rows = np.stack(columns, axis=1).astype(np.int32) if columns else np.zeros((0, 1), np.int32)
    (folder / f"{name}.bin").write_bytes(rows.tobytes())
    bounds = np.searchsorted(groups, np.arange(n + 1)).astype(np.int64) * rows.shape[1] * 4
    np.save(folder / f"{name}.npy", bounds, allow_pickle=False)


def _people(
    folder: Path, cast: pa.Table, crew: pa.Table, n_movies: int, by_date: np.ndarray
) -> dict[str, Any]:
    """Movie cast and crew records, person records, and the tables they point into."""
    pids = [to_numpy(t["person_id"]) for t in (cast, crew)]
    person_ids, slots = encode(np.concatenate(pids))
    slot_a, slot_w = slots[: len(pids[0])], slots[len(pids[0]) :]
    pos_a, pos_w = to_numpy(cast["position"]), to_numpy(crew["position"])
    spell_a, name_a = _codes(cast["name"])
    spell_w, name_w = _codes(crew["name"])
    names = _first_names(len(person_ids), [(slot_a, spell_a, name_a), (slot_w, spell_w, name_w)])
    characters, character = _codes(cast["character"])
    role_values, role = _roles(crew)
    order = to_numpy(cast["order"], fill=-1).astype(np.int32)
    billed = order_by(pos_a, order)
    _save_rows(folder, "reparto", pos_a[billed], n_movies, slot_a[billed], character[billed],
               order[billed])  # fmt: skip
    listed = np.argsort(pos_w, kind="stable")
    _save_rows(folder, "equipo", pos_w[listed], n_movies, slot_w[listed], role[listed])
    acted = order_by(slot_a, by_date[pos_a])
    _save_rows(folder, "actuaciones", slot_a[acted], len(person_ids), pos_a[acted],
               character[acted])  # fmt: skip
    worked = order_by(slot_w, by_date[pos_w])
    _save_rows(folder, "trabajos", slot_w[worked], len(person_ids), pos_w[worked], role[worked])
    groups = _namesakes(names)
    return {
        "person_ids": person_ids,
        "person_names": names,
        "characters": characters,
        "role_departments": [d for d, _ in role_values],
        "role_jobs": [j for _, j in role_values],
        "namesake_groups": groups,
        "namesake_order": np.argsort(groups, kind="stable").astype(np.int32),
        "namesake_bounds": np.searchsorted(
            np.sort(groups), np.arange(int(groups.max(initial=-1)) + 2)
        ).astype(np.int64),
    }


def _first_names(n: int, sources: list[tuple[np.ndarray, list[str], np.ndarray]]) -> list[str]:
    """Each person slot's name as its first credit spells it (cast rows first, then crew)."""
    slots = np.concatenate([s for s, _, _ in sources])
    texts = np.array([t for _, values, _ in sources for t in values] + [""], dtype=object)
    offsets = np.cumsum([0] + [len(values) for _, values, _ in sources[:-1]])
    codes = np.concatenate(  # a missing name (-1) stays missing, not another source's text
        [np.where(c >= 0, c + o, -1) for (_, _, c), o in zip(sources, offsets, strict=True)]
    )
    found, first = first_index(slots)
    code = codes[first]
    names = np.full(n, "", dtype=object)
    names[found] = texts[np.where(code >= 0, code, len(texts) - 1)]  # the last text is ''
    result: list[str] = names.tolist()
    return result


def _roles(crew: pa.Table) -> tuple[list[tuple[str, str]], np.ndarray]:
    """Distinct (department, job) pairs and each crew row's pair code."""
    departments, department = _codes(crew["department"])
    jobs, job = _codes(crew["job"])
    pair = (department.astype(np.int64) + 1) * (len(jobs) + 1) + job + 1
    unique, code = np.unique(pair, return_inverse=True)
    values = [
        (departments[p // (len(jobs) + 1) - 1] if p // (len(jobs) + 1) else "",
         jobs[p % (len(jobs) + 1) - 1] if p % (len(jobs) + 1) else "")
        for p in unique.tolist()
    ]  # fmt: skip
    return values, code.astype(np.int32)


def _namesakes(names: list[str]) -> np.ndarray:
    """Per person slot, the group of slots sharing its normalised name (-1: no name)."""
    index: dict[str, int] = {}
    keys = normalize_many(names)
    return np.fromiter(
        (index.setdefault(key, len(index)) if key else -1 for key in keys),
        dtype=np.int32,
        count=len(keys),
    )


def _keywords(
    folder: Path, catalog_dir: Path, ids: np.ndarray, sorter: np.ndarray
) -> dict[str, Any]:
    """Per movie position, its keywords (codes into the sorted keyword ids), in TMDB order."""
    table = _link(catalog_dir, "keywords", ["keyword_id", "name"], ids, sorter)
    kids = to_numpy(table["keyword_id"], fill=-1)
    keyword_ids, code = encode(kids)
    first = first_index(code)[1]
    spellings, spelling = _codes(table["name"])
    names = [spellings[c] if c >= 0 else "" for c in spelling[first].tolist()]
    position = to_numpy(table["position"])
    listed = np.lexsort((np.arange(len(position)), position))
    _save_rows(folder, "palabras_clave", position[listed], len(ids), code[listed])
    return {"keyword_ids": keyword_ids, "keyword_names": names}


def _collections(
    folder: Path, catalog_dir: Path, ids: np.ndarray, sorter: np.ndarray, by_date: np.ndarray
) -> dict[str, Any]:
    """Per collection id (sorted), its movie positions by release date, then id."""
    table = _link(catalog_dir, "collections", ["collection_id", "name"], ids, sorter)
    cids, position = to_numpy(table["collection_id"], fill=-1), to_numpy(table["position"])
    pairs = np.unique(np.stack([cids, position], axis=1), axis=0).reshape(-1, 2)
    collection_ids, first = np.unique(cids, return_index=True)
    spellings, spelling = _codes(table["name"])
    names = [spellings[c] if c >= 0 else "" for c in spelling[first].tolist()]
    slot = np.searchsorted(collection_ids, pairs[:, 0])
    ordered = np.lexsort((by_date[pairs[:, 1]], slot))
    _save_rows(folder, "colecciones", slot[ordered], len(collection_ids), pairs[ordered, 1])
    return {"collection_ids": collection_ids, "collection_names": names}
