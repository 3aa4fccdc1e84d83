"""EDA report benchmark: seconds per section, total wall time and peak memory per catalog.

    python bench/bench_report.py                      # real data (4,803) and 45,466 movies
    python bench/bench_report.py --sizes 4803 45466 450000
    python bench/bench_report.py --catalog DIR [DIR ...]   # catalogs already built

Without --catalog, each size is built first (`filmoteca build --sin-recomendador`) from the
real data or a scaled copy made by bench/scale.py (in --scaled, reused when present). Each
report runs in a fresh process (imports and font cache included in the wall time); the peak
RSS is that process tree's. Target: 45,466 movies in <= 60 s. The machine has 2 cores shared
with other work, so figures are noisy: compare runs made side by side.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "src"))
sys.path.insert(0, str(BENCH))
from filmoteca.config import Settings  # noqa: E402
from procmon import measure  # noqa: E402
from scale import write_scaled  # noqa: E402

REAL = 4803


def run_one(catalog: Path, output: Path, result: Path) -> None:
    """Child process: generate one report and dump its summary as JSON."""
    from filmoteca.report import build_report

    summary = build_report(catalog, output)
    data = {
        "movies": summary.movies,
        "figures": summary.figures,
        "mb": summary.bytes / 1e6,
        "seconds": summary.seconds,
        "timings": summary.timings,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    result.write_text(json.dumps(data), encoding="utf-8")


def build_catalog(size: int, work: Path, scaled: Path) -> Path:
    """Build the catalog of one size (real data or a scaled copy) with the CLI."""
    data_dir = Settings().data_dir
    src = data_dir / "movies_dataset" if size == REAL else write_scaled(data_dir, size, scaled)
    out = work / f"cat_{size}"
    subprocess.run(
        [sys.executable, "-m", "filmoteca.cli", "build", "--input", str(src), "--output",
         str(out), "--sin-recomendador"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return out


def bench(catalog: Path, work: Path) -> dict[str, object]:
    """Measure one report in a fresh process."""
    result = work / f"{catalog.name}.json"
    cmd = [sys.executable, __file__, "--run", str(catalog), str(work / f"inf_{catalog.name}"),
           str(result)]  # fmt: skip
    run = measure(cmd)
    if run.returncode:
        raise SystemExit(f"el informe de {catalog} falló")
    data: dict[str, object] = json.loads(result.read_text(encoding="utf-8"))
    data.update(wall=run.seconds, peak_mb=run.peak_mb, catalog=str(catalog))
    return data


def print_table(results: list[dict[str, object]]) -> None:
    """Markdown table: one column per catalog, one row per section plus totals."""
    head = [f"{r['movies']:,} películas" for r in results]
    print("\n| sección (s) | " + " | ".join(head) + " |")
    print("|---|" + "---:|" * len(results))
    sections = list(results[0]["timings"])  # type: ignore[call-overload]
    for name in sections:
        cells = [f"{r['timings'][name]:.2f}" for r in results]  # type: ignore[index]
        print(f"| {name} | " + " | ".join(cells) + " |")
    for label, key, fmt in (("total build_report", "seconds", "{:.1f}"),
                            ("pared del proceso (con imports)", "wall", "{:.1f}"),
                            ("pico de memoria (MB)", "peak_mb", "{:,.0f}"),
                            ("tamaño de index.html (MB)", "mb", "{:.1f}"),
                            ("figuras", "figures", "{}")):  # fmt: skip
        print(f"| **{label}** | " + " | ".join(fmt.format(r[key]) for r in results) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[REAL, 45_466])
    parser.add_argument("--catalog", type=Path, nargs="+", help="catálogos ya construidos")
    parser.add_argument("--scaled", type=Path, default=Path("/tmp/scaled"))
    parser.add_argument("--run", type=Path, nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        run_one(*args.run)
        return
    with tempfile.TemporaryDirectory(prefix="bench_report_") as tmp:
        work = Path(tmp)
        catalogs = args.catalog or [build_catalog(s, work, args.scaled) for s in args.sizes]
        started = time.perf_counter()
        results = [bench(c, work) for c in catalogs]
        print_table(results)
        print(f"\n({len(results)} informes en {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
