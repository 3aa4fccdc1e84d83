"""How fast the web page shows a movie card, in headless Debian chromium over loopback.

Starts `filmoteca serve` on a catalog, then for a sample of movies measures (median and p90):

    json_ms         GET /pelicula/{id} from Python (httpx, keep-alive): the server's share
    carga_ms        a fresh page load of /app#/pelicula/{id} until the card is in the DOM
                    (performance mark 'filmoteca:ficha', from navigation start)
    navegacion_ms   from the hash change (a click on a link) until the card is in the DOM

plus the server's RSS once the cards are loaded. The target of issue 6 is a first
render of a card <= 300 ms on loopback. The machine is shared: figures are noisy.

Run: .venv/bin/python bench/bench_web.py --catalog DIR [--movies 30]
     (without --catalog: the demo catalog, built into a temporary folder)
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pyarrow.parquet as pq

from procmon import CHROMIUM, CHROMIUM_ARGS, free_port, rss_mb


def start_server(catalog: Path, port: int) -> subprocess.Popen[bytes]:
    """`filmoteca serve` on loopback, once it answers /salud."""
    command = [sys.executable, "-m", "filmoteca.cli", "serve", "--catalog", str(catalog)]
    server = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/salud", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("el servidor no respondió")


def summary(values: list[float]) -> str:
    """Median and p90 of some milliseconds."""
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return f"mediana {statistics.median(ordered):7.1f}   p90 {p90:7.1f}   (n={len(ordered)})"


def measure_json(base: str, ids: list[int]) -> list[float]:
    """Server time of the card's JSON, seen from a keep-alive client."""
    out = []
    with httpx.Client(base_url=base) as client:
        client.get(f"/pelicula/{ids[0]}")
        for movie_id in ids:
            started = time.perf_counter()
            client.get(f"/pelicula/{movie_id}").raise_for_status()
            out.append((time.perf_counter() - started) * 1000)
    return out


def measure_browser(base: str, ids: list[int]) -> tuple[list[float], list[float]]:
    """Fresh page loads and in-page navigations until the card is rendered."""
    from playwright.sync_api import sync_playwright

    cold, warm = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{base}/app")  # warm the browser process once
        for movie_id in ids:
            page.goto("about:blank")
            page.goto(f"{base}/app#/pelicula/{movie_id}")
            page.locator(".ficha h1").wait_for()
            mark = "performance.getEntriesByName('filmoteca:ficha')[0].startTime"
            cold.append(page.evaluate(mark))
        for movie_id in ids:
            count = page.evaluate("window.filmoteca.metrics.renders.length")
            page.evaluate(f"location.hash = '#/pelicula/{movie_id}'")
            page.wait_for_function(
                "n => window.filmoteca.metrics.renders.some((r, i) => i >= n && r.pagina === 'ficha')",
                arg=count,
            )
            renders = page.evaluate("window.filmoteca.metrics.renders")
            warm.append(next(r["ms"] for r in renders[count:] if r["pagina"] == "ficha"))
        browser.close()
    return cold, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=None)
    parser.add_argument("--movies", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        catalog = args.catalog
        if catalog is None:
            from filmoteca.etl.pipeline import build_catalog

            catalog = build_catalog(None, Path(tmp) / "catalogo").output
        all_ids = pq.read_table(catalog / "movies.parquet", columns=["id"])["id"].to_pylist()
        ids = random.Random(6).sample(all_ids, min(args.movies, len(all_ids)))
        port = free_port()
        server = start_server(catalog, port)
        base = f"http://127.0.0.1:{port}"
        try:
            json_ms = measure_json(base, ids)
            rss = rss_mb(server.pid)
            cold, warm = measure_browser(base, ids)
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"catálogo: {catalog} ({len(all_ids)} películas), {len(ids)} fichas")
    print(f"RSS del servidor con las fichas cargadas: {rss:.0f} MB")
    print(f"json_ms        {summary(json_ms)}")
    print(f"carga_ms       {summary(cold)}")
    print(f"navegacion_ms  {summary(warm)}")


if __name__ == "__main__":
    main()
