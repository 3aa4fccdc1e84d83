"""Arrow columns to numpy (and boolean masks back to Arrow), without pandas.

pyarrow's own `to_numpy`, `pa.array(list)` and compute calls with Python scalars import pandas
(about 40 MB of resident memory) to check for pandas types. The API server needs none of it, so
the catalog converts through the Arrow buffers directly; their layout is fixed by the Arrow
columnar format (a validity bitmap, then the values; bits least significant first).

`order_by` sorts rows by several integer columns (a faster `np.lexsort`); `distinct`,
`encode` and `first_index` are faster `np.unique` of integers (plain, with the inverse, with
the first positions): build-time helpers for the tables' integer columns. When the values
are non-negative and many for their range (8 or more per possible value), they mark a table
of the range instead of sorting (a million person ids: 0.06 s against 3.3 s for a sort and a
binary search of each).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

_NUMPY_TYPES: dict[pa.DataType, type] = {
    pa.int8(): np.int8,
    pa.int32(): np.int32,
    pa.int64(): np.int64,
    pa.float64(): np.float64,
    pa.date32(): np.int32,  # days since 1970-01-01
}


def to_numpy(column: pa.ChunkedArray | pa.Array, fill: float = 0) -> np.ndarray:
    """A fixed-width or boolean column as a numpy array, nulls replaced by `fill`."""
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    dtype = bool if pa.types.is_boolean(column.type) else _NUMPY_TYPES[column.type]
    parts = [_chunk_to_numpy(chunk, dtype, fill) for chunk in chunks if len(chunk)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype)


def _chunk_to_numpy(chunk: pa.Array, dtype: type, fill: float) -> np.ndarray:
    """One non-empty chunk as numpy (a copy when it has nulls, a read-only view otherwise)."""
    validity, data = chunk.buffers()[:2]
    start, stop = chunk.offset, chunk.offset + len(chunk)
    if dtype is bool:
        values = _bits(data, start, stop)
    else:
        values = np.frombuffer(data, dtype=dtype, count=stop)[start:]
    if chunk.null_count:
        values = np.where(_bits(validity, start, stop), values, np.asarray(fill, dtype=dtype))
    return values


def _bits(buffer: pa.Buffer, start: int, stop: int) -> np.ndarray:
    """Bits start..stop of an Arrow bitmap as booleans."""
    raw = np.frombuffer(buffer, dtype=np.uint8, count=(stop + 7) // 8)
    return np.unpackbits(raw, bitorder="little")[start:stop].astype(bool)


def bool_array(mask: np.ndarray) -> pa.Array:
    """A numpy boolean mask as an Arrow boolean array (for `Table.filter`)."""
    bitmap = np.packbits(np.asarray(mask, dtype=bool), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(mask), [None, pa.py_buffer(bitmap)])


def order_by(*keys: np.ndarray) -> np.ndarray:
    """The order of the rows by the first integer key, then the next..., then position:
    `np.lexsort(keys[::-1])`, as one stable argsort of a combined int64 key (about twice as
    fast on a million rows); `np.lexsort` itself when the keys' ranges do not fit in one."""
    columns = [np.asarray(key, np.int64) for key in keys]
    if not len(columns[0]):
        return np.zeros(0, np.intp)
    combined = np.zeros(len(columns[0]), np.int64)
    span = 1
    for column in columns:
        low, high = int(column.min()), int(column.max())
        width = high - low + 1
        if span * width >= 2**62:
            return np.lexsort(columns[::-1])
        combined = combined * width + (column - low)
        span *= width
    return np.argsort(combined, kind="stable")


def distinct(values: np.ndarray, below: int | None = None) -> np.ndarray:
    """`np.unique(values)` of integers: by marking them when they are known to lie in
    0..below-1 and are many (a pass over `below` booleans is cheaper than sorting them), else
    by sorting (numpy 2's hash-based `unique` is far slower on these arrays)."""
    if below is not None and 8 * len(values) >= below:
        seen = np.zeros(below, bool)
        seen[values] = True
        return np.flatnonzero(seen)
    ordered = np.sort(values)
    keep = np.ones(len(ordered), bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def _dense(values: np.ndarray) -> int | None:
    """The size of the range 0..high of non-negative values worth a table, else None."""
    if not len(values) or int(values.min()) < 0:
        return None
    high = int(values.max()) + 1
    return high if 8 * len(values) >= high else None


def encode(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(values, return_inverse=True)` of integers: the distinct values (sorted) and
    each value's index among them (int32)."""
    high = _dense(values)
    if high is None:
        found = distinct(values)
        return found, np.searchsorted(found, values).astype(np.int32)
    seen = np.zeros(high, bool)
    seen[values] = True
    slot = np.cumsum(seen, dtype=np.int64) - 1
    return np.flatnonzero(seen).astype(values.dtype), slot[values].astype(np.int32)


def first_index(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(values, return_index=True)` of integers: the distinct values (sorted) and
    the position of each one's first occurrence."""
    high = _dense(values)
    if high is None:
        found, first = np.unique(values, return_index=True)
        return found, first
    first = np.full(high, len(values), np.int64)
    np.minimum.at(first, values, np.arange(len(values), dtype=np.int64))
    present = np.flatnonzero(first < len(values))
    return present.astype(values.dtype), first[present]
