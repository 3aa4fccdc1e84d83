"""Arrow columns to numpy without pandas (nulls, offsets, chunks, booleans)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from filmoteca.catalog.columns import (
    bool_array,
    distinct,
    encode,
    first_index,
    order_by,
    to_numpy,
)


def test_to_numpy_fills_nulls_and_follows_chunks_and_offsets() -> None:
    chunked = pa.chunked_array([pa.array([1, None, 3], pa.int64()), pa.array([4, 5], pa.int64())])
    assert to_numpy(chunked).tolist() == [1, 0, 3, 4, 5]
    assert to_numpy(chunked, fill=-1).tolist() == [1, -1, 3, 4, 5]
    sliced = pa.array([1.5, None, 2.5, 3.5], pa.float64()).slice(1, 2)
    assert to_numpy(sliced).tolist() == [0.0, 2.5]


def test_to_numpy_dates_are_days_since_1970() -> None:
    dates = pa.array([dt.date(1970, 1, 2), None, dt.date(1995, 10, 30)], pa.date32())
    assert to_numpy(dates, fill=-7).tolist() == [
        1,
        -7,
        (dt.date(1995, 10, 30) - dt.date(1970, 1, 1)).days,
    ]


def test_to_numpy_booleans_from_compute() -> None:
    flags = pc.starts_with(pa.array(["toy", "story", None, "toys"]), "toy")
    assert to_numpy(flags).tolist() == [True, False, False, True]
    assert to_numpy(pa.chunked_array([], pa.int32())).tolist() == []


def test_bool_array_round_trips_and_filters() -> None:
    mask = np.array([True, False, True, True, False, False, False, False, True])
    assert bool_array(mask).to_pylist() == mask.tolist()
    table = pa.table({"x": list(range(9))})
    assert table.filter(bool_array(mask))["x"].to_pylist() == [0, 2, 3, 8]


def test_order_by_is_lexsort_with_ties_in_row_order_even_when_the_keys_do_not_fit() -> None:
    rng = np.random.default_rng(4)
    a, b = rng.integers(-3, 5, 2000), rng.integers(-2, 3, 2000)
    c = rng.integers(0, 4, 2000).astype(np.int32)
    assert np.array_equal(order_by(a, b, c), np.lexsort((c, b, a)))
    assert np.array_equal(order_by(a), np.argsort(a, kind="stable"))
    wide = rng.integers(-(2**61), 2**61, 2000)  # a combined key would overflow: lexsort
    assert np.array_equal(order_by(a, wide), np.lexsort((wide, a)))
    assert len(order_by(np.zeros(0, np.int64), np.zeros(0, np.int64))) == 0


@pytest.mark.parametrize("below", [None, 50, 10_000])  # sorted; marked (many values); sorted
def test_distinct_is_each_value_once_in_order(below: int | None) -> None:
    values = np.random.default_rng(2).integers(0, 50, 400)
    assert np.array_equal(distinct(values, below), np.unique(values))
    assert len(distinct(np.zeros(0, np.int64), below)) == 0


@pytest.mark.parametrize(
    "values",
    [
        np.random.default_rng(1).integers(0, 1_000, 20_000),  # dense: the table
        np.random.default_rng(2).integers(0, 10**12, 5_000),  # sparse: the sort
        np.array([5, -1, 3, -1, 5, 0, 7, 3]),  # negative values: the sort
        np.array([4, 4, 4, 4, 4, 4, 4, 4, 4]),
        np.zeros(0, np.int64),
    ],
)
def test_encode_and_first_index_are_np_unique(values: np.ndarray) -> None:
    found, codes = encode(values)
    want, inverse = np.unique(values, return_inverse=True)
    assert np.array_equal(found, want) and found.dtype == values.dtype
    assert np.array_equal(codes, inverse) and codes.dtype == np.int32
    found, first = first_index(values)
    want, index = np.unique(values, return_index=True)
    assert np.array_equal(found, want) and np.array_equal(first, index)
