"""The nested-column parser: fast path and exact path agree with ast.literal_eval, safely."""

from __future__ import annotations

import ast

import pyarrow as pa
import pytest

from filmoteca.errors import LiteralParseError
from filmoteca.etl import literals as lit

CAST_CELL = (
    "[{'cast_id': 14, 'character': 'Woody (voice)', 'credit_id': '52fe4284c3a36847f8024f95', "
    "'gender': 2, 'id': 31, 'name': 'Tom Hanks', 'order': 0, 'profile_path': '/p.jpg'}, "
    "{'cast_id': 15, 'character': \"Andy's Mom\", 'credit_id': '52fe', 'gender': 1, "
    "'id': 12, 'name': 'Laurie Metcalf', 'order': 1, 'profile_path': None}]"
)


def _expected(cell: str, spec: lit.RecordSpec) -> list[list[object]]:
    value = ast.literal_eval(cell) if cell else []
    value = [value] if isinstance(value, dict) else value
    return [[d.get(f.key) for f in spec.kept] for d in value]


def _rows(table: object) -> list[list[object]]:
    return [list(r.values())[:-1] for r in table.to_pylist()]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "cell",
    [
        "[{'id': 16, 'name': 'Animation'}, {'id': 35, 'name': 'Comedy'}]",
        "[]",
        "[{'id': 1, 'name': \"Children's\"}]",
        "[{'id': 2, 'name': 'Both \\' and \" quotes'}]",
        "[{'id': 3, 'name': 'tab\\there \\x41 \\u00e9 \\\\ end'}]",
        "[{'id': 4, 'name': 'Ødegaard 東京 Москва'}]",
        "[{'id': 5, 'name': ''}]",
        "[{'name': 'other order', 'id': 6}]",
        "[{'id': 7,'name':'no spaces'}]",
        "[{'id': 8, 'name': 'x}, {y'}]",
        "[{'id': 9, 'name': None}]",
    ],
)
def test_parse_column_matches_literal_eval(cell: str) -> None:
    table = lit.parse_column([cell], lit.GENRES)
    assert _rows(table) == _expected(cell, lit.GENRES)


def test_cast_records_keep_order_and_cell_index() -> None:
    table = lit.parse_column(["", CAST_CELL, "[]", CAST_CELL], lit.CAST)
    assert table["cell"].to_pylist() == [1, 1, 3, 3]
    assert table.column_names == ["character", "gender", "id", "name", "order", "cell"]
    assert _rows(table)[:2] == _expected(CAST_CELL, lit.CAST)


def test_fast_and_exact_paths_mix_in_input_order() -> None:
    odd = "[{'name': 'Z', 'id': 99}]"  # other key order: exact path
    cells = ["[{'id': 1, 'name': 'A'}]", odd, "[{'id': 2, 'name': 'B'}]"]
    table = lit.parse_column(cells, lit.GENRES)
    assert table.to_pylist() == [
        {"id": 1, "name": "A", "cell": 0},
        {"id": 99, "name": "Z", "cell": 1},
        {"id": 2, "name": "B", "cell": 2},
    ]


def test_single_dict_cell_is_one_record() -> None:
    cell = "{'id': 10194, 'name': 'Toy Story Collection', 'poster_path': '/a.jpg', 'backdrop_path': None}"
    table = lit.parse_column([cell, ""], lit.COLLECTION)
    assert table.to_pylist() == [
        {
            "id": 10194,
            "name": "Toy Story Collection",
            "poster_path": "/a.jpg",
            "backdrop_path": None,
            "cell": 0,
        }
    ]


def test_json_cells_are_parsed_as_json() -> None:
    cell = '[{"id": 28, "name": "Action"}, {"id": 12, "name": "Adventure"}]'
    table = lit.parse_column([cell], lit.GENRES, json=True)
    assert _rows(table) == [[28, "Action"], [12, "Adventure"]]


@pytest.mark.parametrize(
    "cell",
    [
        "[{'id': 16, 'name': 'Anim",  # truncated
        "[{'id': 16, 'name': 'Animation'}",  # unclosed list
        "[{'id': 16 'name': 'x'}]",  # missing comma
        "__import__('os').system('echo hacked')",  # code is never run
        "[{'id': 'sixteen', 'name': 'x'}]",  # wrong type
        "[1, 2, 3]",  # not dicts
    ],
)
def test_malformed_cells_raise_with_place(cell: str) -> None:
    with pytest.raises(LiteralParseError) as err:
        lit.parse_column(["[]", cell], lit.GENRES, where=lambda i: f"fila {i + 2}")
    assert err.value.message.startswith("fila 3: ")


def test_parse_literal_handles_python_scalars() -> None:
    assert lit.parse_literal("[None, True, False, -3, 2.5, 1e3, (1, 2), {'a': 'b'}]") == [
        None, True, False, -3, 2.5, 1000.0, [1, 2], {"a": "b"}
    ]  # fmt: skip


def test_unescape_matches_python() -> None:
    body = "a\\'b\\\\c\\nd\\x41\\u00e9\\U0001F600"
    assert lit.unescape(body) == ast.literal_eval(f"'{body}'")


TRICKY_VALUES = [
    "plain", "", "None", "Andy's Mom", 'say "hi"', "both ' and \"", "x': y", "a, 'id': 5",
    "}, {'id': 7", "tail'", "'lead", "back\\slash", "new\nline", "tab\there", "Ødegaard 東京",
    "{'", "':", "', '", None,
]  # fmt: skip


@pytest.mark.parametrize("spec_name", ["GENRES", "CAST", "COLLECTION", "COMPANIES"])
def test_columnar_path_matches_literal_eval_on_python_reprs(spec_name: str) -> None:
    import random

    spec = getattr(lit, spec_name)
    rng = random.Random(spec_name)
    cells = []
    for _ in range(400):
        records = []
        for _ in range(rng.randint(0, 3)):
            record: dict[str, object] = {}
            for f in spec.fields:
                if f.optional and rng.random() < 0.1:
                    continue  # an absent optional key: not a strict cell
                if f.kind == "str":
                    record[f.key] = rng.choice(TRICKY_VALUES)
                else:
                    record[f.key] = rng.choice([0, -3, 12, 10**17, None])
            records.append(record)
        if spec_name == "COLLECTION":
            cells.append(repr(records[0]) if records else "")
        else:
            cells.append(repr(records))
    table = lit.parse_column(cells, spec)
    expected = [(i, row) for i, cell in enumerate(cells) for row in _expected(cell, spec)]
    assert table["cell"].to_pylist() == [i for i, _ in expected]
    assert _rows(table) == [row for _, row in expected]
    strict = lit._compiled(spec).columnar(pa.array(cells, pa.string()))[2]
    assert len(strict) > 0  # the columnar path took some of them, the other paths the rest


def test_columnar_path_takes_strict_cells_only() -> None:
    strict = "[{'id': 1, 'name': 'A'}, {'id': 2, 'name': \"B's\"}]"
    hidden = "[{'id': 3, 'name': \"x', 'id': 4, 'name': 'y\"}]"  # a separator inside a string
    spaced = "[{'id': 5,  'name': 'C'}]"
    cells = pa.array([strict, hidden, spaced, "[]", None, strict], pa.string())
    _, cell_of, done = lit._compiled(lit.GENRES).columnar(cells)
    assert done.tolist() == [0, 5]
    assert cell_of.tolist() == [0, 0, 5, 5]
    table = lit.parse_column(cells, lit.GENRES)
    assert table.to_pylist() == [
        {"id": 1, "name": "A", "cell": 0},
        {"id": 2, "name": "B's", "cell": 0},
        {"id": 3, "name": "x', 'id': 4, 'name': 'y", "cell": 1},
        {"id": 5, "name": "C", "cell": 2},
        {"id": 1, "name": "A", "cell": 5},
        {"id": 2, "name": "B's", "cell": 5},
    ]
