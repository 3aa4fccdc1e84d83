"""The notebook-style ETL this project replaces, for comparison in bench_etl.py.

pandas `read_csv`, then per nested column `Series.apply(ast.literal_eval)` followed by one
`apply` per extracted key, then a merge with the credits; the result written to Parquet.

    python bench/seed_etl.py INPUT_DIR OUTPUT_FILE
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pandas as pd


def parse(value: object) -> object:
    """The seed's literal parsing: ast.literal_eval, empty on failure."""
    try:
        return ast.literal_eval(value) if isinstance(value, str) and value else []
    except (ValueError, SyntaxError):
        return []


def main(input_dir: Path, output: Path) -> None:
    """Run the seed ETL."""
    movies = pd.read_csv(input_dir / "movies_metadata.csv", low_memory=False)
    credits = pd.read_csv(input_dir / "credits.csv")
    movies = movies[pd.to_numeric(movies["id"], errors="coerce").notna()].copy()
    movies["id"] = movies["id"].astype(int)
    movies = movies.drop_duplicates("id")
    for col in ("belongs_to_collection", "genres", "production_companies",
                "production_countries", "spoken_languages"):  # fmt: skip
        movies[col] = movies[col].apply(parse)
    movies["collection"] = movies["belongs_to_collection"].apply(
        lambda d: d.get("name") if isinstance(d, dict) else None
    )
    movies["genre_names"] = movies["genres"].apply(lambda lst: [d["name"] for d in lst])
    movies["genre_ids"] = movies["genres"].apply(lambda lst: [d["id"] for d in lst])
    movies["companies"] = movies["production_companies"].apply(lambda lst: [d["name"] for d in lst])
    movies["countries"] = movies["production_countries"].apply(
        lambda lst: [d["iso_3166_1"] for d in lst]
    )
    movies["languages"] = movies["spoken_languages"].apply(
        lambda lst: [d["iso_639_1"] for d in lst]
    )
    movies["budget"] = pd.to_numeric(movies["budget"], errors="coerce").fillna(0)
    movies["revenue"] = movies["revenue"].fillna(0)
    movies["return"] = (movies["revenue"] / movies["budget"]).where(movies["budget"] > 0, 0)
    movies["release_date"] = pd.to_datetime(movies["release_date"], errors="coerce")
    movies = movies.dropna(subset=["release_date"])
    movies["release_year"] = movies["release_date"].dt.year
    credits["cast"] = credits["cast"].apply(parse)
    credits["crew"] = credits["crew"].apply(parse)
    credits["actors"] = credits["cast"].apply(lambda lst: [d["name"] for d in lst])
    credits["actor_ids"] = credits["cast"].apply(lambda lst: [d["id"] for d in lst])
    credits["characters"] = credits["cast"].apply(lambda lst: [d["character"] for d in lst])
    credits["directors"] = credits["crew"].apply(
        lambda lst: [d["name"] for d in lst if d["job"] == "Director"]
    )
    credits["crew_names"] = credits["crew"].apply(lambda lst: [d["name"] for d in lst])
    credits["crew_jobs"] = credits["crew"].apply(lambda lst: [d["job"] for d in lst])
    credits = credits.drop(columns=["cast", "crew"]).drop_duplicates("id")
    merged = movies.drop(columns=["belongs_to_collection", "genres", "production_companies",
                                  "production_countries", "spoken_languages"]).merge(
        credits, on="id", how="left"
    )  # fmt: skip
    merged.astype({c: str for c in ("popularity", "imdb_id")}).to_parquet(output)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
