"""Catalog build benchmark: filmoteca's build next to the notebook approach, on the same files.

    python bench/bench_etl.py [--sizes 4803 45466] [--large] [--notebook-max 45466]
                              [--no-full] [--ratings-max 45466]

For each size (4803: the real files; others: scaled copies made by bench/scale.py, created when
missing; --large adds 450,000 movies, which takes tens of minutes) it runs, each in a fresh
process:

    etl       `filmoteca build --no-recommender` (tables, server index and cards)
    notebook  the notebook approach (pandas + ast.literal_eval + substring filters,
              bench/seed_etl.py), up to --notebook-max movies (it needs tens of GB beyond)
    full      the full default build (`filmoteca build`: the above plus the recommender)
    ratings   the full build with a scaled copy of Kaggle's 26,024,289 ratings (`--ratings`;
              made by bench/scale.py when missing), up to --ratings-max movies

Before the first measured run of each size, the ETL runs once untimed (--no-warm-up: not): on
a virtual machine the first process to use memory after a pause of a minute or more pays for
every page it touches (measured on the 45,466-movie copy: 8.1 s and 14.3 s of CPU against
6.7-7.0 s and 12.3-12.6 s right after, with the same number of page faults), and that first run
would be whichever case comes first (the ETL).

It prints one Markdown table: wall seconds, CPU seconds (user + system of the whole process
tree), CPU use (CPU / wall: 2.0 is both cores), peak RSS of the tree, and the notebook
approach's time over filmoteca's. The machine's load average is printed with it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "src"))
sys.path.insert(0, str(BENCH))
from filmoteca.config import Settings  # noqa: E402
from procmon import measure  # noqa: E402
from scale import write_ratings, write_scaled  # noqa: E402

REAL = 4803
PYTHON = sys.executable
CLI = [PYTHON, "-m", "filmoteca.cli", "build"]


@dataclass
class Timing:
    """One measured run."""

    seconds: float
    cpu: float
    peak_mb: float
    ok: bool


TICK = os.sysconf("SC_CLK_TCK")


def _tree_cpu(pid: int, seen: dict[int, float]) -> None:
    """Record the CPU seconds so far of every process of the tree under `pid` (in `seen`):
    workers of a forkserver are not children the parent waits for, so rusage misses them."""
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            seen[current] = (int(fields[11]) + int(fields[12])) / TICK  # utime + stime
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, IndexError, ValueError):
            continue
        stack.extend(int(c) for c in children)


def timed(cmd: list[str]) -> Timing:
    """Run `cmd`: wall time, CPU of its process tree (sampled from /proc, and the children's
    rusage, whichever is larger), peak RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seen: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for proc in Path("/proc").glob("[0-9]*"):
                if proc.name == str(os.getpid()):
                    continue
                try:
                    if (
                        int(proc.joinpath("stat").read_text().rsplit(")", 1)[1].split()[1])
                        == os.getpid()
                    ):
                        _tree_cpu(int(proc.name), seen)
                except (OSError, IndexError, ValueError):
                    continue
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    run = measure(cmd)
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    waited = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(run.seconds, max(waited, sum(seen.values())), run.peak_mb, run.returncode == 0)


def source_dir(data_dir: Path, size: int, scaled_root: Path) -> Path:
    """The input directory for one size (the real files, or a scaled copy)."""
    if size == REAL:
        return data_dir / "movies_dataset"
    return write_scaled(data_dir, size, scaled_root)


RATINGS = 26_024_289  # Kaggle's full ratings.csv


def ratings_args(src: Path, size: int) -> list[str] | None:
    """`--ratings` for a scaled copy (its ratings made when missing), if this filmoteca has
    the option."""
    help_text = subprocess.run([*CLI, "--help"], capture_output=True, text=True).stdout
    if "--ratings" not in help_text:
        return None
    data_dir = Settings().data_dir
    if size != REAL and data_dir is not None:
        write_ratings(data_dir, size, RATINGS, src.parent)
    ratings = src / "ratings" / "ratings.csv"
    return ["--ratings", str(ratings)] if ratings.is_file() else None


def runs_for(size: int, src: Path, work: Path, args: argparse.Namespace) -> dict[str, Timing]:
    """Every run of one size."""
    out = str(work / f"cat_{size}")
    etl = [*CLI, "--input", str(src), "--output", out, "--no-recommender"]
    if args.warm_up:  # untimed: the first run after a pause pays for the memory it touches
        timed(etl)
    found = {"etl": timed(etl)}
    if size <= args.notebook_max:
        found["notebook"] = timed([PYTHON, str(BENCH / "seed_etl.py"), str(src),
                                   str(work / f"notebook_{size}.parquet")])  # fmt: skip
    if args.full:
        found["full"] = timed([*CLI, "--input", str(src), "--output", out])
        extra = ratings_args(src, size) if size <= args.ratings_max else None
        if extra is not None:
            found["ratings"] = timed([*CLI, "--input", str(src), "--output", out, *extra])
    shutil.rmtree(out, ignore_errors=True)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[REAL, 45_466])
    parser.add_argument("--large", action="store_true", help="also 450,000 movies (slow)")
    parser.add_argument("--notebook-max", type=int, default=45_466)
    parser.add_argument("--ratings-max", type=int, default=45_466)
    parser.add_argument("--no-full", dest="full", action="store_false")
    parser.add_argument("--scaled", type=Path, default=Path("/tmp/scaled"))
    parser.add_argument(
        "--no-warm-up",
        dest="warm_up",
        action="store_false",
        help="no ejecutar el ETL una vez, sin medirlo, antes de medir cada tamaño",
    )
    args = parser.parse_args()
    data_dir = Settings().data_dir
    if data_dir is None:
        sys.exit("Indique la carpeta de datos con FILMOTECA_DATA_DIR.")
    work = Path(tempfile.mkdtemp(prefix="bench_etl_"))
    rows: list[tuple[int, dict[str, Timing]]] = []
    sizes = [*args.sizes, *([450_000] if args.large and 450_000 not in args.sizes else [])]
    if args.warm_up:
        print("Antes de medir cada tamaño, el ETL se ejecuta una vez sin medirlo (--no-warm-up).")
    try:
        for size in sizes:
            rows.append((size, runs_for(size, source_dir(data_dir, size, args.scaled), work, args)))
            _print(rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)


LABELS = {
    "etl": "ETL (sin recomendador)",
    "notebook": "enfoque de cuaderno",
    "full": "construcción completa",
    "ratings": "completa + 26.024.289 valoraciones",
}


def _num(value: float, decimals: int = 1) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _print(rows: list[tuple[int, dict[str, Timing]]]) -> None:
    load = ", ".join(_num(x, 2) for x in os.getloadavg())
    print(f"\nCarga media de la máquina (1, 5, 15 min): {load}; {os.cpu_count()} núcleos.")
    print("\n| películas | qué | s | CPU s | uso de CPU | pico MB | cuaderno / filmoteca |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for size, found in rows:
        notebook = found.get("notebook")
        for key, run in found.items():
            ratio = "—"
            if key == "etl" and notebook is not None and notebook.ok:
                ratio = f"{_num(notebook.seconds / run.seconds)}×"
            failed = "" if run.ok else " (FALLÓ)"
            print(
                f"| {_num(size, 0)} | {LABELS[key]} | {_num(run.seconds)}{failed} | "
                f"{_num(run.cpu)} | {_num(run.cpu / run.seconds, 2)} | {_num(run.peak_mb, 0)} | "
                f"{ratio} |"
            )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
