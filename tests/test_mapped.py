"""Arrays saved at build time and opened by the server (filmoteca.catalog.mapped)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from filmoteca.catalog import mapped
from filmoteca.errors import CatalogError

WORDS = ["Amélie", "", "宮崎 駿", 'O\'Brien "Jr"', "x" * 500]


def test_numbers_and_strings_round_trip(tmp_path: Path) -> None:
    ints, floats = np.arange(7, dtype=np.int32), np.linspace(0, 1, 5).reshape(5, 1)
    mapped.save(tmp_path, {"ints": ints, "floats": floats, "words": [*WORDS, None]})
    found = mapped.open_arrays(tmp_path, ["ints", "floats", "words"])
    assert np.array_equal(found["ints"], ints) and found["ints"].dtype == np.int32
    assert np.array_equal(found["floats"], floats)
    words = mapped.strings(found, "words")
    assert words.tolist() == [*WORDS, ""] and len(words) == 6
    assert (words[2], words[-1], words[1:3]) == ("宮崎 駿", "", ["", "宮崎 駿"])
    with pytest.raises(IndexError):
        words[6]


def test_opened_arrays_are_read_only_views(tmp_path: Path) -> None:
    mapped.save(tmp_path, {"a": np.arange(3)})
    array = mapped.open_arrays(tmp_path, ["a"])["a"]
    assert type(array) is np.ndarray and not array.flags.writeable


def test_empty_arrays_and_lists(tmp_path: Path) -> None:
    mapped.save(tmp_path, {"none": np.zeros(0, np.int64), "nothing": []})
    found = mapped.open_arrays(tmp_path, ["none", "nothing"])
    assert len(found["none"]) == 0 and mapped.strings(found, "nothing").tolist() == []
    assert not found["none"].flags.writeable


def test_every_header_numpy_writes_for_our_arrays_opens_as_np_load_reads_it(tmp_path: Path) -> None:
    arrays = {
        "c": np.arange(24, dtype=np.float32).reshape(2, 3, 4),
        "f": np.asfortranarray(np.arange(12, dtype=np.int16).reshape(3, 4)),
        "b": np.array([b"ab", b"cde"], dtype="S3"),
        "one": np.array(7, dtype=np.int64),
    }
    for version in ((1, 0), (2, 0)):
        for name, array in arrays.items():
            with (tmp_path / f"{name}.npy").open("wb") as handle:
                np.lib.format.write_array(handle, array, version=version)
        found = mapped.open_arrays(tmp_path, list(arrays))
        for name, array in arrays.items():
            read = np.load(tmp_path / f"{name}.npy")
            assert found[name].dtype == read.dtype and found[name].shape == read.shape
            assert np.array_equal(found[name], read) and np.array_equal(read, array)
            assert not found[name].flags.writeable


def test_a_file_that_is_not_npy_or_of_another_npy_format_is_refused(tmp_path: Path) -> None:
    (tmp_path / "texto.npy").write_bytes(b"esto no es un array de numpy")
    with (tmp_path / "v3.npy").open("wb") as handle:
        np.lib.format.write_array(handle, np.arange(3), version=(3, 0))
    header = {"descr": "<i8", "fortran_order": False, "shape": (-1,)}
    with (tmp_path / "negativo.npy").open("wb") as handle:  # would read the whole file
        np.lib.format.write_array_header_1_0(handle, header)
        handle.write(np.arange(4).tobytes())
    header["shape"] = (True,)  # a bool is an int to Python, not a size
    with (tmp_path / "booleano.npy").open("wb") as handle:
        np.lib.format.write_array_header_1_0(handle, header)
        handle.write(np.arange(1).tobytes())
    for name in ("texto", "v3", "negativo", "booleano"):
        with pytest.raises(CatalogError, match=rf"{name}\.npy' está dañado"):
            mapped.open_arrays(tmp_path, [name])


def test_missing_file_names_it(tmp_path: Path) -> None:
    mapped.save(tmp_path, {"ausente": ["a"]})
    (tmp_path / "ausente.offsets.npy").unlink()
    with pytest.raises(CatalogError, match=r"Falta el archivo 'ausente\.offsets\.npy'"):
        mapped.open_arrays(tmp_path, ["ausente"])


def test_truncated_file_is_refused(tmp_path: Path) -> None:
    mapped.save(tmp_path, {"a": np.arange(1000)})
    path = tmp_path / "a.npy"
    path.write_bytes(path.read_bytes()[:-8])
    with pytest.raises(CatalogError, match="dañado o truncado"):
        mapped.open_arrays(tmp_path, ["a"])


def test_offsets_that_do_not_fit_the_text_are_refused(tmp_path: Path) -> None:
    mapped.save(tmp_path, {"w": ["ab", "cd"]})
    np.save(tmp_path / "w.offsets.npy", np.array([0, 3, 9]))
    with pytest.raises(CatalogError, match=r"w\.offsets\.npy"):
        mapped.open_arrays(tmp_path, ["w"])


def test_pickled_objects_are_never_loaded(tmp_path: Path) -> None:
    header = np.lib.format.header_data_from_array_1_0(np.empty(1, dtype=object))
    with (tmp_path / "o.npy").open("wb") as handle:  # what np.save writes for objects
        np.lib.format.write_array_header_1_0(handle, header)
        handle.write(b"\x80\x04N.")  # a pickle stream (None): must never be unpickled
    with pytest.raises(CatalogError, match=r"o\.npy"):
        mapped.open_arrays(tmp_path, ["o"])


def test_a_plain_array_is_not_taken_for_strings(tmp_path: Path) -> None:
    mapped.save(tmp_path, {"a": np.arange(3)})
    with pytest.raises(CatalogError, match="no contiene textos"):
        mapped.strings(mapped.open_arrays(tmp_path, ["a"]), "a")


def test_find_sorted_finds_keys_and_refuses_longer_ones_without_comparing() -> None:
    import numpy as np

    from filmoteca.catalog.mapped import find_sorted

    keys = np.array([b"ana", b"bea", b"carla"], dtype="S5")
    assert [find_sorted(keys, k) for k in (b"ana", b"bea", b"carla")] == [0, 1, 2]
    assert find_sorted(keys, b"b") == -1 and find_sorted(keys, b"zz") == -1
    assert find_sorted(keys, b"carla" + b"x" * 5000) == -1
    assert find_sorted(np.array([], dtype="S1"), b"a") == -1
