"""Compare the content of two built catalogs: same tables, same rows, same derived files.

    python bench/compare_catalogs.py CATALOG_A CATALOG_B

Parquet tables are compared by content (schema, then every row in order; the files' bytes may
differ), every other file of the catalog (the server's index, cards, id records, the
precomputed answers in `respuestas/`, the recommender) byte for byte, and the manifest without
what depends on the run (build time, date, the files' digests). Exit status 1 if anything
differs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

RUN_KEYS = ("built_at", "build_seconds", "files", "seconds", "dir")


def _manifest(path: Path) -> Any:
    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in RUN_KEYS}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    data = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    for table in data.get("tables", {}).values():
        table.pop("bytes", None)  # the Parquet files' size, not their content
    return strip(data)


def compare(a: Path, b: Path) -> list[str]:
    """What differs between catalogs `a` and `b` (empty: the same content)."""
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    problems = [f"solo en {a}: {p}" for p in sorted(files_a - files_b)]
    problems += [f"solo en {b}: {p}" for p in sorted(files_b - files_a)]
    for rel in sorted(files_a & files_b):
        if rel.name == "manifest.json":
            continue
        if rel.suffix == ".parquet":
            ta, tb = pq.read_table(a / rel), pq.read_table(b / rel)
            if not ta.schema.equals(tb.schema, check_metadata=True):
                problems.append(f"{rel}: esquema distinto")
            elif not ta.equals(tb):
                problems.append(f"{rel}: filas distintas ({ta.num_rows} / {tb.num_rows})")
        elif (a / rel).read_bytes() != (b / rel).read_bytes():
            problems.append(f"{rel}: contenido distinto")
    if _manifest(a) != _manifest(b):
        problems.append("manifest.json: distinto (sin contar fechas, tiempos y huellas)")
    return problems


def main() -> None:
    a, b = Path(sys.argv[1]), Path(sys.argv[2])
    problems = compare(a, b)
    for problem in problems:
        print(problem)
    count = sum(1 for p in a.rglob("*") if p.is_file())
    print(f"{count} archivos comparados: {'iguales' if not problems else 'DISTINTOS'}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
