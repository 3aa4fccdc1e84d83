"""Safe, fast parsing of the nested columns (Python literals, or JSON in TMDB 5000).

Kaggle's files store lists of dicts as Python literals (`[{'id': 16, 'name': 'Animation'}]`).
`ast.literal_eval` parses them safely but slowly; nothing here ever evaluates code.

Three paths, same answers:

* columnar path (whole column at once, in Arrow's C++ kernels, without the GIL): for each
  column a `RecordSpec` (the dict keys in the order Kaggle writes them) is compiled into a
  strict pattern: every key present, strings without escapes or control characters, and no
  `': ` inside a double-quoted string. A cell matching it (checked by RE2's automaton, no
  backtracking) cannot hold a separator `, '<key>': ` or `}, {'<first key>': ` inside a string,
  so splitting it at those separators (one RE2 pass) gives its values in order: `m` per record.
  Nearly every cell of Kaggle's files takes this path.
* fast path: any other cell whose whole text matches the (looser) record pattern is split into
  records by `findall` in C.
* exact path: any other cell (other key order, extra keys, odd spacing, escapes) goes through
  `parse_literal`, a small recursive-descent parser of Python literals (str, int, float, None,
  True, False, list, tuple, dict). It raises `LiteralParseError` on anything else.

`parse_column` returns, for a whole column, the records as columns of Python values plus the
number of records per cell, ready to become an Arrow table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Literal

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import LiteralParseError

Kind = Literal["int", "str", "float"]

# Python string literals, unrolled-loop form: fast in the `re` engine.
_SQ = r"'[^'\\\n]*(?:\\.[^'\\\n]*)*'"
_DQ = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
_INT = r"-?\d+"
_FLOAT = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"


@dataclass(frozen=True)
class Field:
    """One key of a record: its name, its kind, whether it may be absent, and if it is kept."""

    key: str
    kind: Kind
    optional: bool = False  # the key may be missing from the dict
    keep: bool = True  # carried to the output (else only checked)


@dataclass(frozen=True)
class RecordSpec:
    """The dict keys of one nested column, in the order the source writes them."""

    fields: tuple[Field, ...]

    @property
    def kept(self) -> tuple[Field, ...]:
        """The fields carried to the output, in order."""
        return tuple(f for f in self.fields if f.keep)


def _value_pattern(f: Field) -> str:
    """A value token (None included); one capturing group when the field is kept."""
    if f.kind == "str":
        token = f"{_SQ}|{_DQ}|None"
    else:
        token = f"{_INT if f.kind == 'int' else _FLOAT}|None"
    return f"({token})" if f.keep else f"(?:{token})"


def _record_pattern(spec: RecordSpec) -> str:
    parts = []
    for i, f in enumerate(spec.fields):
        sep = "" if i == 0 else ", "
        item = rf"{sep}'{re.escape(f.key)}': {_value_pattern(f)}"
        parts.append(f"(?:{item})?" if f.optional else item)
    return r"(\{" + "".join(parts) + r"\})"


# The columnar path's tokens (RE2 syntax, ASCII digits): no backslash, no control character.
_CTRL = r"\\\x00-\x1f"
_STRICT_SQ = rf"'[^'{_CTRL}]*'"
# a double-quoted string without `': ` inside (so no separator can hide in it): an automaton
# over "after a quote" / "after a quote and a colon", written as a regular expression
_STRICT_DQ = rf'''"(?:[^'"{_CTRL}]|'+(?::'+)*(?:[^'":{_CTRL}]|:[^'" {_CTRL}]))*(?:'+(?::'+)*:?)?"'''
_STRICT_TOKENS: dict[Kind, str] = {
    "str": f"{_STRICT_SQ}|{_STRICT_DQ}|None",
    "int": r"-?[0-9]{1,18}|None",  # fits int64
    "float": r"-?[0-9]{1,300}(?:\.[0-9]+)?(?:[eE][-+]?[0-9]{1,3})?|None",
}


def _strict_record(spec: RecordSpec) -> str:
    """One record, every key present in order (RE2 syntax, no capturing group)."""
    items = [
        rf"{'' if i == 0 else ', '}'{re.escape(f.key)}': (?:{_STRICT_TOKENS[f.kind]})"
        for i, f in enumerate(spec.fields)
    ]
    return r"\{" + "".join(items) + r"\}"


_ESCAPES = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\}|.)", re.S)
_SIMPLE_ESCAPES = {
    "n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"',
    "0": "\0", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\n": "",
}  # fmt: skip


def _unescape_one(m: re.Match[str]) -> str:
    code = m.group(1)
    if code[0] in "xuU" and len(code) > 1:
        return chr(int(code[1:], 16))
    if code in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[code]
    return "\\" + code  # Python keeps unknown escapes as written


def unescape(text: str) -> str:
    """Decode the backslash escapes of a Python string literal's body."""
    return _ESCAPES.sub(_unescape_one, text) if "\\" in text else text


_ARROW_TYPES: dict[Kind, pa.DataType] = {
    "int": pa.int64(),
    "float": pa.float64(),
    "str": pa.string(),
}


class _Compiled:
    """A RecordSpec compiled into its record pattern (group 0: the whole record, then one group
    per kept field holding the raw token)."""

    def __init__(self, spec: RecordSpec) -> None:
        self.spec = spec
        self.record = re.compile(_record_pattern(spec))
        record = _strict_record(spec)
        self.strict_list = rf"^\[{record}(?:, {record})*\]$"
        self.strict_dict = rf"^{record}$"

    def columnar(self, cells: pa.Array) -> tuple[list[pa.Array], np.ndarray, np.ndarray]:
        """The columnar path over a whole column: (kept fields' arrays, each record's cell, the
        cells it parsed). Cells it leaves out are for the other paths.

        In a strict cell `': ` follows every key and nothing else, so splitting the column at
        it (one pass, no regular expression) leaves, per record, m pieces `value + what
        follows it`: `, '<next key>`, or after the last value `}, {'<first key>` (another
        record follows), `}]` (the last record of a list) or `}` (a single dict).
        """
        strict = pc.fill_null(pc.match_substring_regex(cells, self.strict_list), False)
        dicts = pc.fill_null(pc.starts_with(cells, "{"), False)
        if pc.any(dicts).as_py():
            alone = pc.and_(dicts, pc.match_substring_regex(cells, self.strict_dict))
            strict = pc.or_(strict, pc.fill_null(alone, False))
        done = np.flatnonzero(strict.to_numpy(zero_copy_only=False))
        fields = self.spec.fields
        if not len(done):
            return [pa.array([], _ARROW_TYPES[f.kind]) for f in self.spec.kept], done, done
        parts = pc.split_pattern(cells, "': ")
        offsets = parts.offsets.to_numpy()
        m = len(fields)
        pieces = offsets[done + 1] - offsets[done]
        whole = ((pieces - 1) % m == 0) & (pieces > m)
        done, pieces = done[whole], pieces[whole]  # (always whole: strict cells)
        records = (pieces - 1) // m
        ends = np.cumsum(records)
        rank = np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - records, records)
        first = np.repeat(offsets[done] - offsets[0] + 1, records) + m * rank
        last = rank == np.repeat(records - 1, records)  # the last record of its cell
        alone = np.repeat(dicts.to_numpy(zero_copy_only=False)[done], records) & last
        values = parts.flatten()
        arrays = []
        for j, f in enumerate(fields):
            if not f.keep:
                continue
            raw = values.take(pa.array(first + j))
            if j < m - 1:
                arrays.append(_strict_values(f, raw, 3 + len(fields[j + 1].key)))
            else:
                raw = _strip_ends(
                    raw, [~last, last & ~alone, alone], [5 + len(fields[0].key), 2, 1]
                )
                arrays.append(_strict_values(f, raw, 0))
        return arrays, np.repeat(done, records), done

    def split(self, text: str) -> list[tuple[str, ...]] | None:
        """The cell's records by the fast path, or None when it needs the exact path."""
        if text == "[]":
            return []
        matches: list[tuple[str, ...]] = self.record.findall(text)
        n = len(matches)
        if n == 0:
            return None
        covered = sum(map(len, map(itemgetter(0), matches)))
        if text[0] == "{":  # a single dict (belongs_to_collection)
            return matches if n == 1 and covered == len(text) else None
        if text[0] != "[" or text[-1] != "]" or covered + 2 * n != len(text):
            return None
        return matches if text.count("}, {") == n - 1 else None

    def arrays(self, matches: list[tuple[str, ...]]) -> list[pa.Array]:
        """Typed Arrow arrays, one per kept field, from findall tuples (column-wise, in C)."""
        kept = self.spec.kept
        groups = list(zip(*matches, strict=True)) if matches else [()] * (len(kept) + 1)
        return [_typed(f, pa.array(groups[j + 1], pa.string())) for j, f in enumerate(kept)]


def _strip_ends(raw: pa.Array, groups: list[np.ndarray], lengths: list[int]) -> pa.Array:
    """`raw` with its last `lengths[g]` characters cut where `groups[g]` holds (groups
    partition the rows)."""
    rows = [np.flatnonzero(g) for g in groups]
    cut = [
        pc.utf8_slice_codeunits(raw.take(pa.array(r)), 0, -n)
        for r, n in zip(rows, lengths, strict=True)
    ]
    order = np.empty(len(raw), np.int64)
    order[np.concatenate(rows)] = np.arange(len(raw))
    return pa.concat_arrays(cut).take(pa.array(order))


def _strict_values(f: Field, pieces: pa.Array, cut: int) -> pa.Array:
    """A strict token (None, a number, a string without escapes) + `cut` more characters ->
    its value."""
    none = pc.starts_with(pieces, "N")
    if f.kind == "str":
        value = pc.utf8_slice_codeunits(pieces, 1, -1 - cut)
    else:
        value = pc.utf8_slice_codeunits(pieces, 0, -cut if cut else None)
    if pc.any(none).as_py():
        value = pc.if_else(none, pa.scalar(None, pa.string()), value)
    return value if f.kind == "str" else pc.cast(value, _ARROW_TYPES[f.kind])


def _typed(f: Field, raw: pa.Array) -> pa.Array:
    """Raw tokens -> values: None (and an absent optional key, '') -> null; strings unquoted."""
    missing = pc.or_(pc.equal(raw, "None"), pc.equal(raw, ""))
    raw = pc.if_else(missing, pa.scalar(None, pa.string()), raw)
    if f.kind != "str":
        return pc.cast(raw, _ARROW_TYPES[f.kind])
    escaped = pc.fill_null(pc.match_substring(raw, "\\"), False)
    value = pc.utf8_slice_codeunits(raw, 1, -1)
    if pc.any(escaped).as_py():
        fixed = [unescape(v) for v in pc.filter(value, escaped).to_pylist()]
        value = pc.replace_with_mask(value, escaped, pa.array(fixed, pa.string()))
    return value


_COMPILED: dict[RecordSpec, _Compiled] = {}


def _compiled(spec: RecordSpec) -> _Compiled:
    if spec not in _COMPILED:
        _COMPILED[spec] = _Compiled(spec)
    return _COMPILED[spec]


# --------------------------------------------------------------------------- exact path

_TOKEN = re.compile(
    rf"""\s*(?:
      (?P<sq>{_SQ})
    | (?P<dq>{_DQ})
    | (?P<num>[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?))
    | (?P<word>None|True|False|null|true|false)
    | (?P<punct>[\[\]{{}}(),:])
    )""",
    re.X,
)
_WORDS: dict[str, Any] = {
    "None": None, "True": True, "False": False, "null": None, "true": True, "false": False,
}  # fmt: skip


class _Parser:
    """Recursive-descent parser over the token stream of one literal."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, what: str) -> LiteralParseError:
        snippet = self.text[self.pos : self.pos + 30]
        return LiteralParseError(f"{what} en la posición {self.pos} (cerca de {snippet!r})")

    def next(self) -> tuple[str, str]:
        m = _TOKEN.match(self.text, self.pos)
        if m is None or m.lastgroup is None:
            raise self.fail("valor no reconocido")
        self.pos = m.end()
        return m.lastgroup, m.group(m.lastgroup)

    def peek(self) -> str:
        m = _TOKEN.match(self.text, self.pos)
        return m.group("punct") or "" if m else ""

    def value(self) -> Any:
        kind, tok = self.next()
        if kind in ("sq", "dq"):
            return unescape(tok[1:-1])
        if kind == "num":
            return int(tok) if re.fullmatch(r"[-+]?\d+", tok) else float(tok)
        if kind == "word":
            return _WORDS[tok]
        if tok in "[(":
            return self.sequence("]" if tok == "[" else ")")
        if tok == "{":
            return self.mapping()
        raise self.fail(f"símbolo inesperado {tok!r}")

    def sequence(self, close: str) -> list[Any]:
        items: list[Any] = []
        while self.peek() != close:
            items.append(self.value())
            if self.peek() == ",":
                self.next()
            elif self.peek() != close:
                raise self.fail(f"se esperaba ',' o '{close}'")
        self.next()
        return items

    def mapping(self) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        while self.peek() != "}":
            key = self.value()
            if self.next()[1] != ":":
                raise self.fail("se esperaba ':'")
            if isinstance(key, (list, dict)):
                raise self.fail("clave no válida")
            out[key] = self.value()
            if self.peek() == ",":
                self.next()
            elif self.peek() != "}":
                raise self.fail("se esperaba ',' o '}'")
        self.next()
        return out


def parse_literal(text: str) -> Any:
    """Parse one Python literal (or JSON value) safely; raise LiteralParseError if it is not one."""
    parser = _Parser(text)
    try:
        result = parser.value()
    except RecursionError as exc:
        raise LiteralParseError("valor anidado demasiado profundo") from exc
    if text[parser.pos :].strip():
        raise parser.fail("texto sobrante")
    return result


# --------------------------------------------------------------------------- records


def _coerce(value: Any, f: Field) -> Any:
    if value is None:
        return None
    if f.kind == "str":
        return value if isinstance(value, str) else str(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LiteralParseError(f"la clave '{f.key}' debería ser un número y vale {value!r}")
    return int(value) if f.kind == "int" else float(value)


def records_from_value(value: Any, spec: RecordSpec) -> list[list[Any]]:
    """Extract the spec's kept keys from a parsed value: a list of dicts, or one dict."""
    if value is None or value == "":
        return []
    items = [value] if isinstance(value, dict) else value
    if not isinstance(items, list) or not all(isinstance(d, dict) for d in items):
        raise LiteralParseError("se esperaba una lista de diccionarios")
    return [[_coerce(d.get(f.key), f) for f in spec.kept] for d in items]


def parse_cell(text: str | None, spec: RecordSpec, *, json: bool = False) -> list[list[Any]]:
    """Parse one cell exactly into records (kept values in spec order); empty cells give none."""
    if text is None or not text.strip():
        return []
    if json:
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise LiteralParseError(f"JSON no válido: {exc}") from exc
    else:
        value = parse_literal(text)
    return records_from_value(value, spec)


def parse_column(
    cells: Sequence[str | None] | pa.Array | pa.ChunkedArray,
    spec: RecordSpec,
    *,
    json: bool = False,
    where: Callable[[int], str] | None = None,
) -> pa.Table:
    """Parse every cell of a column into one table: the kept keys plus `cell` (the cell's index).

    Records keep the order of their cell and, inside it, the order of the list.
    `where(i)` names cell i in error messages (file and row). Cells that fail are reported in
    input order, whichever path the others took.
    """
    compiled = _compiled(spec)
    column = _string_array(cells)
    names = [f.key for f in spec.kept] + ["cell"]
    if json:
        columnar, cell_of, done = compiled.columnar(column[:0])
    else:
        columnar, cell_of, done = compiled.columnar(column)
    parts = [pa.Table.from_arrays([*columnar, pa.array(cell_of, pa.int64())], names)]
    rest = _other_cells(column, done)
    fast: list[tuple[str, ...]] = []
    fast_cells: list[int] = []
    slow: list[list[Any]] = []
    slow_cells: list[int] = []
    for i, text in zip(rest.tolist(), column.take(pa.array(rest)).to_pylist(), strict=True):
        matches = None if json else compiled.split(text)
        if matches is not None:
            fast.extend(matches)
            fast_cells.extend([i] * len(matches))
            continue
        try:
            records = parse_cell(text, spec, json=json)
        except LiteralParseError as exc:
            place = where(i) if where is not None else f"celda {i}"
            raise LiteralParseError(f"{place}: {exc.message}", position=i) from exc
        slow.extend(records)
        slow_cells.extend([i] * len(records))
    if fast:
        parts.append(
            pa.Table.from_arrays([*compiled.arrays(fast), pa.array(fast_cells, pa.int64())], names)
        )
    if slow:
        columns = list(zip(*slow, strict=True))
        arrays = [
            pa.array(col, _ARROW_TYPES[f.kind]) for f, col in zip(spec.kept, columns, strict=True)
        ]
        parts.append(pa.Table.from_arrays([*arrays, pa.array(slow_cells, pa.int64())], names))
    if len(parts) == 1:
        return parts[0]
    table = pa.concat_tables(parts).combine_chunks()
    order = np.argsort(table["cell"].to_numpy(), kind="stable")  # each part is in cell order
    return table.take(pa.array(order))


def _string_array(cells: Sequence[str | None] | pa.Array | pa.ChunkedArray) -> pa.Array:
    """The cells as one Arrow string array."""
    if isinstance(cells, pa.ChunkedArray):
        cells = cells.combine_chunks() if cells.num_chunks != 1 else cells.chunk(0)
    if not isinstance(cells, pa.Array):
        cells = pa.array(cells, pa.string())
    if pa.types.is_large_string(cells.type) or pa.types.is_string(cells.type):
        return cells
    return cells.cast(pa.string())


def _other_cells(column: pa.Array, done: np.ndarray) -> np.ndarray:
    """The cells left for the fast and exact paths: not parsed yet, not empty, not '[]'."""
    trivial = pc.fill_null(pc.or_(pc.equal(column, ""), pc.equal(column, "[]")), True)
    left = ~trivial.to_numpy(zero_copy_only=False)
    left[done] = False
    return np.flatnonzero(left)


def _spec(*fields: tuple[Any, ...]) -> RecordSpec:
    return RecordSpec(tuple(Field(*f) for f in fields))


# The nested columns, keys in the order Kaggle writes them.
GENRES = _spec(("id", "int"), ("name", "str"))
COMPANIES = _spec(("name", "str"), ("id", "int"))
COUNTRIES = _spec(("iso_3166_1", "str"), ("name", "str"))
LANGUAGES = _spec(("iso_639_1", "str"), ("name", "str"))
COLLECTION = _spec(
    ("id", "int"), ("name", "str"), ("poster_path", "str", True), ("backdrop_path", "str", True)
)
KEYWORDS = _spec(("id", "int"), ("name", "str"))
CAST = _spec(
    ("cast_id", "int", False, False),
    ("character", "str"),
    ("credit_id", "str", True, False),
    ("gender", "int", True),
    ("id", "int"),
    ("name", "str"),
    ("order", "int", True),
    ("profile_path", "str", True, False),
)
CREW = _spec(
    ("credit_id", "str", False, False),
    ("department", "str"),
    ("gender", "int", True),
    ("id", "int"),
    ("job", "str"),
    ("name", "str"),
    ("profile_path", "str", True, False),
)
