"""Arrays computed at build time and opened by the server, in plain numpy (no Arrow).

What the server needs (the catalog's indexes, the cards' figures, the recommender's arrays) is
computed once by `filmoteca build` and saved in folders of the catalog, one file per array:

    <name>.npy          a numpy array (np.save; never pickled)
    <name>.utf8.npy     a list of strings: their UTF-8 bytes, one after the other
    <name>.offsets.npy  and where each string starts (int64, one more than there are strings)

`open_arrays` memory-maps the files instead of reading them (no copy at start-up; the pages are
shared with the file cache and with other workers). A missing, truncated or foreign file
raises CatalogError; nothing is ever unpickled. The server thus needs neither pyarrow (~40 MB
of resident memory) nor the Parquet tables, which are read at build time only.
"""

from __future__ import annotations

import itertools
import math
import mmap
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias, overload

import numpy as np

from ..errors import CatalogError
from .manifest import unreadable


class Strings(Sequence[str]):
    """A read-only list of strings kept as UTF-8 bytes + offsets (one object, not one per
    string); `tolist` decodes them all."""

    def __init__(self, data: np.ndarray, offsets: np.ndarray) -> None:
        if len(offsets) == 0 or int(offsets[-1]) != len(data) or np.any(np.diff(offsets) < 0):
            raise ValueError("los desplazamientos no corresponden a los datos")
        self._data = data
        self._offsets = offsets
        self._count = len(offsets) - 1

    @classmethod
    def from_list(cls, values: Iterable[str | None]) -> Strings:
        """Encode strings (None is stored as '')."""
        encoded = [(value or "").encode() for value in values]
        offsets = np.zeros(len(encoded) + 1, np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        return cls(np.frombuffer(b"".join(encoded), np.uint8), offsets)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:  # past the end, offsets[index + 1] raises IndexError
            index += self._count
            if index < 0:
                raise IndexError(index)
        start, stop = self._offsets[index], self._offsets[index + 1]
        return self._data[start:stop].tobytes().decode()

    def __len__(self) -> int:
        return self._count

    def take(self, indices: Sequence[int] | np.ndarray) -> list[str]:
        """The strings at some indices, decoded straight from the buffer (one vectorised
        offset look-up; no array per string as `self[i]` makes: 0.3 µs a string, not 10)."""
        index = np.asarray(indices, dtype=np.int64)
        if len(index) and (int(index.min()) < 0 or int(index.max()) >= self._count):
            raise IndexError("índice fuera de la lista de textos")
        starts, stops = self._offsets[index].tolist(), self._offsets[index + 1].tolist()
        view = memoryview(self._data)  # type: ignore[arg-type]  # numpy arrays are buffers
        return [str(view[a:b], "utf-8") for a, b in zip(starts, stops, strict=True)]

    def tolist(self) -> list[str]:
        """All the strings, decoded."""
        text = self._data.tobytes()
        bounds = self._offsets.tolist()
        return [text[a:b].decode() for a, b in itertools.pairwise(bounds)]


Array: TypeAlias = np.ndarray | Strings


def take(values: Sequence[str], positions: Sequence[int] | np.ndarray) -> list[str]:
    """The strings at some positions of a list or of `Strings` (decoded at once)."""
    if isinstance(values, Strings):
        return values.take(positions)
    return [values[p] for p in np.asarray(positions, dtype=np.int64).tolist()]


def find_sorted(keys: np.ndarray, raw: bytes) -> int:
    """The position of `raw` in a sorted fixed-width bytes array, or -1. A key longer than the
    array's width is in no position (and is never compared: numpy would widen a copy of every
    key to its length first, e.g. 330 MB for a name that NFKC makes 3,423 characters long)."""
    if len(raw) > keys.dtype.itemsize:
        return -1
    at = int(keys.searchsorted(raw))  # the method: numpy's function wrapper costs per call
    return at if at < len(keys) and keys[at] == raw else -1


def longest(values: Sequence[str]) -> int:
    """The length of the longest string of a list (for `Strings`, in UTF-8 bytes: an upper
    bound of its length in characters); 0 when empty."""
    if isinstance(values, Strings):
        return int(np.diff(values._offsets).max()) if len(values) else 0
    return max(map(len, values), default=0)


def save(directory: Path, arrays: Mapping[str, Any]) -> None:
    """Write numpy arrays as `<name>.npy` and string lists (Strings, lists, or anything with
    `to_pylist`, e.g. an Arrow array) as `<name>.utf8.npy` + `<name>.offsets.npy`."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        if isinstance(array, np.ndarray):
            np.save(directory / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
            continue
        if not isinstance(array, Strings):
            array = Strings.from_list(array.to_pylist() if hasattr(array, "to_pylist") else array)
        np.save(directory / f"{name}.utf8.npy", array._data, allow_pickle=False)
        np.save(directory / f"{name}.offsets.npy", array._offsets, allow_pickle=False)


def open_arrays(directory: Path, names: Iterable[str]) -> dict[str, Array]:
    """Memory-map the arrays `names` saved by `save`; CatalogError if one is absent or damaged."""
    found: dict[str, Array] = {}
    for name in names:
        path = directory / f"{name}.npy"
        try:
            if path.exists():
                found[name] = _open_npy(path)
            else:
                path = directory / f"{name}.utf8.npy"
                data = _open_npy(path)
                path = directory / f"{name}.offsets.npy"
                found[name] = Strings(data, _open_npy(path))
        except FileNotFoundError as exc:
            raise CatalogError(
                f"Falta el archivo '{path.name}' en '{directory}'. "
                "Vuelva a construir el catálogo con 'filmoteca build'."
            ) from exc
        except PermissionError as exc:
            raise unreadable(path, exc) from exc
        except (OSError, ValueError) as exc:
            raise CatalogError(
                f"El archivo '{path}' está dañado o truncado. "
                "Vuelva a construir el catálogo con 'filmoteca build'."
            ) from exc
    return found


def strings(arrays: Mapping[str, Array], name: str) -> Strings:
    """The opened string list `name` (CatalogError if the file held a plain array instead)."""
    found = arrays[name]
    if not isinstance(found, Strings):
        raise CatalogError(f"El archivo de '{name}' no contiene textos.")
    return found


def _open_npy(path: Path) -> np.ndarray:
    """A .npy file mapped read-only, as a plain ndarray (an empty array is not mapped).

    One open, one header read and one map per file: `np.load(mmap_mode="r")` opens each file
    twice, reads its header twice and makes an `np.memmap` (a server opens over a hundred of
    these at every start). The header is numpy's own reader (a safe literal, never a pickle);
    a file shorter than its header says raises ValueError, as does an unknown format."""
    with path.open("rb") as handle:
        version = np.lib.format.read_magic(handle)
        read_header = _HEADERS.get(version)
        if read_header is None:
            raise ValueError(f"formato .npy {version} no admitido")
        shape, fortran, dtype = read_header(handle)
        if dtype.hasobject:
            raise ValueError("contiene objetos de Python")
        if any(type(size) is not int or size < 0 for size in shape):  # -1: "all the rest"
            raise ValueError("dimensiones que no son enteros no negativos")
        count, offset = math.prod(shape), handle.tell()
        if count == 0:
            empty = np.empty(shape, dtype)
            empty.flags.writeable = False  # read-only like every array opened here
            return empty
        if os.fstat(handle.fileno()).st_size < offset + count * dtype.itemsize:
            raise ValueError("más corto de lo que dice su cabecera")
        buffer = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    array = np.frombuffer(buffer, dtype, count, offset)  # read-only: the map is
    return array.reshape(shape, order="F" if fortran else "C")


_HEADERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}
