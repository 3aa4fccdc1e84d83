"""Catalog build benchmark: filmoteca's ETL next to the seed-style ETL, on the same files.

    python bench/bench_etl.py [--sizes 4803 45466 450000] [--seed-max 45466]

Sizes other than 4803 are scaled copies made by bench/scale.py (created when missing). Each
run is a fresh process; wall time and the peak RSS of its whole process tree are printed as a
Markdown table. The seed-style ETL is skipped above --seed-max (it needs tens of GB there).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "src"))
sys.path.insert(0, str(BENCH))
from filmoteca.config import Settings  # noqa: E402
from procmon import measure  # noqa: E402
from scale import write_scaled  # noqa: E402

REAL = 4803


def source_dir(data_dir: Path, size: int, scaled_root: Path) -> Path:
    """The input directory for one size (the real files, or a scaled copy)."""
    if size == REAL:
        return data_dir / "movies_dataset"
    return write_scaled(data_dir, size, scaled_root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[REAL, 45_466, 450_000])
    parser.add_argument("--seed-max", type=int, default=45_466)
    parser.add_argument("--scaled", type=Path, default=Path("/tmp/scaled"))
    args = parser.parse_args()
    data_dir = Settings().data_dir
    work = Path(tempfile.mkdtemp(prefix="bench_etl_"))
    python = sys.executable
    rows = []
    try:
        for size in args.sizes:
            src = source_dir(data_dir, size, args.scaled)
            ours = measure([python, "-m", "filmoteca.cli", "build", "--input", str(src),
                            "--output", str(work / f"cat_{size}"), "--sin-recomendador"])  # fmt: skip
            seed = None
            if size <= args.seed_max:
                seed = measure(
                    [
                        python,
                        str(BENCH / "seed_etl.py"),
                        str(src),
                        str(work / f"seed_{size}.parquet"),
                    ]
                )
            rows.append((size, ours, seed))
            shutil.rmtree(work / f"cat_{size}", ignore_errors=True)
            _print(rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _print(rows: list) -> None:  # type: ignore[type-arg]
    print("\n| películas | filmoteca (s) | pico MB | seed (s) | pico MB | más rápido |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size, ours, seed in rows:
        s_time = f"{seed.seconds:.1f}" if seed else "omitido"
        s_mb = f"{seed.peak_mb:,.0f}" if seed else "—"
        ratio = f"{seed.seconds / ours.seconds:.1f}x" if seed else "—"
        ok = "" if ours.returncode == 0 else " (FALLÓ)"
        print(
            f"| {size:,} | {ours.seconds:.1f}{ok} | {ours.peak_mb:,.0f} | {s_time} | {s_mb} | {ratio} |"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
