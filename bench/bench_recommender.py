"""Recommender benchmark: model build time and memory, load time, and HTTP latency under load.

For each catalog given (built with or without the recommender; it is never written to: the
tables are linked into a temporary directory and the model is built there):

    build     `build_model` in a fresh process: wall time and peak memory, next to the seed
              approach's start-up fit (CountVectorizer(max_features=5000) over overview +
              genres + companies, then NearestNeighbors(cosine, brute)), which the seed ran at
              every server start
    load      `Recommender.load` in a fresh process that already loaded the catalog (as the
              server does): seconds and resident memory the model adds
    http      `filmoteca serve` (every router, uvicorn + uvloop + httptools, one worker) under
              wrk at concurrency 8 (1 thread, WRK_THREADS: with two, wrk and the server fight for
              the 2 cores and the p99 measures wrk): GET /recomendacion/{titulo} rotating over 300
              titles (the 100 most voted + 200 drawn at random), the same with filters that
              force the whole-catalog fallback (?idioma=fr&desde=2000), and POST /recomendacion
              with 5 liked titles; requests/s, p50, p99, and the server's memory after the load

Targets (issue 4): model built for 45,466 movies <= 60 s; GET p99 <= 20 ms and POST (5 liked)
p99 <= 50 ms at concurrency 8 on the 45,466-movie catalog; the whole server <= 200 MB RSS.

Run:  .venv/bin/python bench/bench_recommender.py --catalog /tmp/cat_real --catalog /tmp/cat_45466
      [--ratings FILE --ratings FILE] [--seconds 5] [--sin-http]
(with --ratings the model is the hybrid; bench/scale.py --ratings 26024289 makes the scaled
ratings of the 45,466-movie copy).
Needs wrk for the HTTP part. Only ever talks to 127.0.0.1. The machine is shared: figures are
noisy; run it twice when they matter.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import pyarrow.parquet as pq

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from filmoteca.catalog.manifest import STAMP  # noqa: E402
from load import Result, Server, free_port, parse_wrk, start, wrk  # noqa: E402

CONCURRENCY = 8
WRK_THREADS = 1  # the load generator on its own core (as bench/load.py --threads 1)
POST_LUA = """
local bodies = {}
for line in io.lines(os.getenv("WRK_BODIES")) do bodies[#bodies + 1] = line end
local i = math.random(#bodies)
local headers = {["Content-Type"] = "application/json"}
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/recomendacion", headers, bodies[i])
end
"""

_BUILD = """
import json, resource, sys, time
from pathlib import Path
t = time.perf_counter()
from filmoteca.recommender import build_model
ratings = Path(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] else None
summary = build_model(Path(sys.argv[1]), Path(sys.argv[1]) / "recomendador", ratings)
print(json.dumps({"s": time.perf_counter() - t, "fit_s": summary["seconds"],
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "bytes": summary["bytes"]}))
# the catalog's manifest lists the model's files: list the new ones (as `filmoteca build`)
from filmoteca.catalog.manifest import file_digests
manifest_path = Path(sys.argv[1]) / "manifest.json"
manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
manifest["files"] = file_digests(Path(sys.argv[1]))
manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
"""
_SEED = """
import json, resource, sys, time
from pathlib import Path
t = time.perf_counter()
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.neighbors import NearestNeighbors
from filmoteca.recommender import read_frames
f = read_frames(Path(sys.argv[1]))
m = f["movies"]
def names(t):
    j = f[t].groupby("movie_id")["name"].agg(lambda s: " ".join(s.astype(str))).to_dict()
    return [j.get(i, "") for i in m["id"]]
text = [a + " " + b + " " + c for a, b, c in zip(m["overview"].fillna(""), names("genres"),
                                                  names("companies"))]
x = CountVectorizer(stop_words="english", max_features=5000).fit_transform(text)
knn = NearestNeighbors(metric="cosine", algorithm="brute").fit(x)
t1 = time.perf_counter()
for i in range(50):
    knn.kneighbors(x[i], n_neighbors=6)
print(json.dumps({"s": t1 - t, "query_ms": (time.perf_counter() - t1) / 50 * 1000,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
_LOAD = """
import json, sys, time
from pathlib import Path
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
from filmoteca.catalog import Catalog
from filmoteca.recommender import Recommender
catalog = Catalog.load(Path(sys.argv[1]))  # as the server: the catalog first, then the model
before = rss(); t = time.perf_counter()
model = Recommender.load(Path(sys.argv[1]) / "recomendador")
print(json.dumps({"s": time.perf_counter() - t, "rss_mb": rss() - before}))
"""


def run_json(code: str, catalog: Path, *extra: str) -> dict[str, float]:
    """Run a snippet in a fresh interpreter; it prints one JSON object."""
    out = subprocess.run(
        [sys.executable, "-c", code, str(catalog), *extra],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def linked_copy(catalog: Path, into: Path) -> Path:
    """A catalog directory whose files and folders are symlinks to `catalog`'s, but for the
    model's folder (the model is built here), the manifest (copied: it will list the new
    model's files) and the verified-stamp (left out)."""
    into.mkdir()
    for path in catalog.iterdir():
        if path.name == "manifest.json":
            shutil.copyfile(path, into / path.name)
        elif path.name not in ("recomendador", STAMP):
            (into / path.name).symlink_to(path.resolve())
    return into


def titles(catalog: Path) -> list[str]:
    """100 most voted titles plus 200 random ones (fixed seed)."""
    movies = pq.read_table(catalog / "movies.parquet", columns=["title", "vote_count"])
    movies = movies.sort_by([("vote_count", "descending")])
    names = [t for t in movies["title"].to_pylist() if t and "/" not in t]
    return names[:100] + random.Random(7).sample(names[100:], min(200, len(names) - 100))


def post_wrk(server: Server, bodies: list[str], seconds: int) -> Result:
    """wrk POSTing the given JSON bodies in turn (same parsing as load.wrk)."""
    with tempfile.TemporaryDirectory() as tmp:
        script, listing = Path(tmp) / "post.lua", Path(tmp) / "bodies.txt"
        script.write_text(POST_LUA)
        listing.write_text("\n".join(bodies) + "\n")
        cpu = server.cpu_s()
        cmd = ["wrk", f"-t{WRK_THREADS}", f"-c{CONCURRENCY}", f"-d{seconds}s", "--latency"]
        cmd += ["--timeout", "10s"]
        cmd += ["-s", str(script), f"http://127.0.0.1:{server.port}"]
        env = {**os.environ, "WRK_BODIES": str(listing)}
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout
        cpu = server.cpu_s() - cpu
    return parse_wrk(out, cpu)


def http(catalog: Path, seconds: int) -> dict[str, object]:
    """Serve the catalog with `filmoteca serve` and load the recommendation routes."""
    names = titles(catalog)
    gets = [f"/recomendacion/{quote(t, safe='')}" for t in names]
    filtered = [f"{path}?idioma=fr&desde=2000" for path in gets]
    rng = random.Random(11)
    bodies = [json.dumps({"titulos": rng.sample(names, 5)}) for _ in range(200)]
    port = free_port()
    cmd = [str(Path(sys.executable).parent / "filmoteca"), "serve", "--catalog", str(catalog)]
    server = start([*cmd, "--port", str(port)], {}, port)
    try:
        wrk(server, gets, CONCURRENCY, 2, WRK_THREADS)  # warm-up: every path and list once
        wrk(server, filtered, CONCURRENCY, 1, WRK_THREADS)
        post_wrk(server, bodies, 1)
        results: dict[str, object] = {
            "GET": wrk(server, gets, CONCURRENCY, seconds, WRK_THREADS),
            "GET filtros": wrk(server, filtered, CONCURRENCY, seconds, WRK_THREADS),
            "POST 5": post_wrk(server, bodies, seconds),
        }
        results["ready_s"] = server.ready_s
        results["rss_mb"] = server.rss_mb()
    finally:
        server.stop()
    return results


def main() -> None:
    """Measure every catalog given and print one table per part."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, action="append", required=True)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--sin-http", action="store_true", help="Solo construcción y carga.")
    parser.add_argument(
        "--ratings",
        type=Path,
        action="append",
        default=[],
        help="Valoraciones para cada --catalog, en el mismo orden (links.csv junto a ellas); "
        "'-' para ninguna.",
    )
    args = parser.parse_args()
    rows = []
    ratings = [*args.ratings, *[None] * len(args.catalog)]
    for catalog, rated in zip(args.catalog, ratings, strict=False):
        with tempfile.TemporaryDirectory() as tmp:
            work = linked_copy(catalog, Path(tmp) / "catalogo")
            n = pq.read_metadata(work / "movies.parquet").num_rows
            print(f"{catalog} ({n} películas): construyendo...", flush=True)
            given = "" if rated is None or str(rated) == "-" else str(rated)
            build = run_json(_BUILD, work, given)
            seed = run_json(_SEED, work)
            load = run_json(_LOAD, work)
            served = {} if args.sin_http else http(work, args.seconds)
            rows.append((catalog, n, build, seed, load, served))
    print_tables(rows)


def print_tables(rows: list[tuple[Path, int, dict, dict, dict, dict]]) -> None:  # type: ignore[type-arg]
    """Markdown tables of the figures."""
    print("\n| catálogo | películas | construir modelo (s) | pico (MB) | tamaño (MB) | "
          "semilla: ajuste al arrancar (s) | semilla: pico (MB) | cargar modelo (s) | "
          "RSS del modelo (MB) |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for catalog, n, build, seed, load, _ in rows:
        print(
            f"| {catalog} | {n:,} | {build['s']:.1f} (ajuste {build['fit_s']:.1f}) | "
            f"{build['peak_mb']:.0f} | {build['bytes'] / 1e6:.1f} | {seed['s']:.1f} | "
            f"{seed['peak_mb']:.0f} | {load['s']:.2f} | {load['rss_mb']:.0f} |"
        )
    if not any(served for *_, served in rows):
        return
    print(f"\n| catálogo | ruta (c={CONCURRENCY}) | pet/s | p50 (ms) | p99 (ms) | errores |")
    print("|---|---|---:|---:|---:|---:|")
    for catalog, *_, served in rows:
        for name in ("GET", "GET filtros", "POST 5"):
            r = served.get(name)
            if isinstance(r, Result):
                print(
                    f"| {catalog} | {name} | {r.rps:.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | "
                    f"{r.bad} |"
                )
    print("\n| catálogo | servidor listo (s) | RSS tras la carga (MB) | pico RSS (MB) |")
    print("|---|---:|---:|---:|")
    for catalog, *_, served in rows:
        if served:
            rss, peak = served["rss_mb"]  # type: ignore[misc]
            print(f"| {catalog} | {served['ready_s']:.2f} | {rss:.0f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
