"""Make scaled copies of the real data by replicating real rows with fresh ids (credits too).

    python bench/scale.py --sizes 45466 450000 --output /tmp/scaled

writes /tmp/scaled/45466/{movies_metadata,credits,keywords}.csv and so on. Copy r of a movie gets
id `id + r * 10_000_000` (copy 0 keeps the real id), so credits and keywords join as in the
original. Files are written once and reused when already complete.

    python bench/scale.py --sizes 45466 --ratings 26024289 --output /tmp/scaled

also writes /tmp/scaled/45466/ratings/{ratings,links}.csv: the users of ratings_small.csv
replicated with fresh ids until about that many ratings (Kaggle's full ratings.csv has
26,024,289), user copy u rating movie copy u mod (movie copies), so that every copy's
MovieLens ids (`movieId + c * 10_000_000`) map through links.csv to that copy's TMDB ids.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from filmoteca.config import Settings

ID_STRIDE = 10_000_000


def scaled_frame(frame: pd.DataFrame, id_col: str, size: int, base_rows: int) -> pd.DataFrame:
    """`frame` repeated so that `size` movies are covered; ids shifted per copy."""
    copies = -(-size // base_rows)
    parts = []
    for r in range(copies):
        part = frame.copy()
        numeric = pd.to_numeric(part[id_col], errors="coerce")
        part[id_col] = (numeric + r * ID_STRIDE).astype("Int64").astype(str)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    return out.iloc[: size if id_col == "id" and "title" in frame else len(out)]


def write_scaled(data_dir: Path, size: int, output: Path) -> Path:
    """Write one scaled copy; returns its directory."""
    target = output / str(size)
    done = target / ".complete"
    if done.exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    src = data_dir / "movies_dataset"
    movies = pd.read_csv(src / "movies_metadata.csv", dtype=str, keep_default_na=False)
    base = len(movies)
    scaled = scaled_frame(movies, "id", size, base)
    scaled.to_csv(target / "movies_metadata.csv", index=False)
    wanted = set(scaled["id"])
    for name, path in (
        ("credits.csv", src / "credits.csv"),
        ("keywords.csv", data_dir / "raw" / "keywords.csv"),
    ):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        big = scaled_frame(frame, "id", size, base)
        big[big["id"].isin(wanted)].to_csv(target / name, index=False)
    done.write_text("ok\n")
    return target


def write_ratings(data_dir: Path, size: int, n_ratings: int, output: Path) -> Path:
    """Scaled ratings.csv + links.csv for the scaled catalog of `size` movies."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    target = output / str(size) / "ratings"
    done = target / f".complete-{n_ratings}"
    if done.exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    raw = data_dir / "raw"
    small = pd.read_csv(raw / "ratings_small.csv")
    base_movies = len(pd.read_csv(data_dir / "movies_dataset" / "movies_metadata.csv",
                                  usecols=["id"]))  # fmt: skip
    movie_copies = -(-size // base_movies)
    user_copies = -(-n_ratings // len(small))
    users, movies = small["userId"].to_numpy(), small["movieId"].to_numpy()
    span = int(users.max()) + 1
    copy = np.repeat(np.arange(user_copies, dtype=np.int64), len(small))
    table = pa.table({
        "userId": np.tile(users, user_copies) + copy * span,
        "movieId": np.tile(movies, user_copies) + (copy % movie_copies) * ID_STRIDE,
        "rating": np.tile(small["rating"].to_numpy(), user_copies),
        "timestamp": np.tile(small["timestamp"].to_numpy(), user_copies),
    })  # fmt: skip
    pacsv.write_csv(table, target / "ratings.csv")
    links = pd.read_csv(raw / "links.csv").dropna(subset=["tmdbId"])
    parts = [links.assign(movieId=links["movieId"] + c * ID_STRIDE,
                          tmdbId=links["tmdbId"].astype("int64") + c * ID_STRIDE)
             for c in range(movie_copies)]  # fmt: skip
    pd.concat(parts).to_csv(target / "links.csv", index=False)
    done.write_text("ok\n")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[45_466, 450_000])
    parser.add_argument("--output", type=Path, default=Path("/tmp/scaled"))
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--ratings", type=int, default=0,
                        help="also write a scaled ratings copy of about this many ratings")  # fmt: skip
    args = parser.parse_args()
    data_dir = args.data_dir or Settings().data_dir
    for size in args.sizes:
        started = time.perf_counter()
        target = write_scaled(data_dir, size, args.output)
        mb = sum(p.stat().st_size for p in target.glob("*.csv")) / 1e6
        print(
            f"{size:>8} movies -> {target} ({mb:,.0f} MB) in {time.perf_counter() - started:.1f} s"
        )
        if args.ratings:
            started = time.perf_counter()
            where = write_ratings(data_dir, size, args.ratings, args.output)
            mb = (where / "ratings.csv").stat().st_size / 1e6
            print(f"{args.ratings:>8} ratings -> {where} ({mb:,.0f} MB) "
                  f"in {time.perf_counter() - started:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
