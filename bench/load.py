"""Load test of the API over loopback with wrk: requests/s, p50 and p99 per route.

For each catalog given, starts (itself, on free loopback ports, one uvicorn worker with uvloop
and httptools each; filmoteca's with the protocol `filmoteca serve` uses, api/wire.py, which
writes answers already in the response cache without going through ASGI) and measures:

    api          filmoteca's API without the response cache: every request is computed, as the
                 first time it is asked (the fast lane and the fast path call the route
                 directly); "% no-op" compares it with /__noop, the least a FastAPI route can do
                 (async, ready bytes, first route), "% no-op usual" with /__noop_usual
                 (`def noop(): return {"ok": True}`)
    api+cache    the API as shipped, with the response cache: repeated queries are answered
                 from cached bytes; compared with /__raw_noop, a raw ASGI no-op on the same
                 server (the ceiling of the server itself), and /__noop; /__raw_headers (a
                 row of its own) is the raw no-op sending a cached answer's 9 headers and 64
                 bytes: the server's ceiling for such an answer
    pila, pila+caché  (--stack) the same two without the fast lane (lane.py): the middleware
                 stack answering every request, as before the lane, in the same run
    cuaderno     (unless --no-notebook) el enfoque de cuaderno (pandas + ast.literal_eval +
                 filtros por subcadena, bench/seed_api.py), same paths, same stack

The no-ops are added by bench/load_app.py, never by the shipped app. Each route rotates over
a fixed list of valid requests (wrk Lua script): the 12 months, the weekdays, the 50 most
voted titles, the 50 actors and directors with most films, 30 search terms. Every no-op is
measured several times between routes and the run nearest its median is kept (the machine
is shared: figures are noisy). "CPU µs/pet" is the server's own CPU time per request (from
/proc), less sensitive to other processes than requests/s; the load average of the machine
is printed beside each table. ⚠n marks n failed requests.
It also times `filmoteca serve` itself (the command users run, every router included): seconds
until /salud answers, resident memory after a few requests of each kind, and the CPU from
process start to the first 200 of /listo beside the stack's floor measured in the same run
(a process importing only fastapi, numpy and uvicorn with uvloop + httptools), alternated
`--rondas` times (3 by default) with the difference of each pair of starts.
BENCH_FAST_PATH=0 in the environment measures FastAPI alone.

Run:  .venv/bin/python bench/load.py --catalog /tmp/cat_real [--catalog /tmp/cat_45466]
      [--seconds 3] [--concurrency 8 64] [--threads 1] [--stack] [--no-notebook]
      [--solo-arranque] [--rondas 30]
Needs wrk (apt-get install wrk). Only ever talks to 127.0.0.1; about 4 minutes per catalog.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pyarrow.compute as pc
import pyarrow.parquet as pq

from procmon import free_port

BENCH = Path(__file__).resolve().parent
ENDPOINTS = ("mes", "dia", "score", "votos", "actor", "director", "buscar")
LUA = """
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""


@dataclass
class Result:
    """One wrk run."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int
    cpu_us: float


@dataclass
class Server:
    """A server process started by this script."""

    proc: subprocess.Popen[bytes]
    port: int
    ready_s: float

    def rss_mb(self) -> tuple[float, float]:
        """Current and peak resident memory (MB)."""
        fields = dict(
            line.split(":", 1)
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines()
        )
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024

    def cpu_s(self) -> float:
        """User + system CPU seconds used so far."""
        stat = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """Terminate and reap."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def sample_paths(catalog: Path) -> dict[str, list[str]]:
    """Valid request paths per endpoint, taken from the catalog itself."""
    movies = pq.read_table(catalog / "movies.parquet", columns=["title", "vote_count"])
    top = movies.sort_by([("vote_count", "descending")]).slice(0, 50)["title"].to_pylist()
    cast = pq.read_table(catalog / "cast.parquet", columns=["movie_id", "name"])
    crew = pq.read_table(catalog / "crew.parquet", columns=["movie_id", "name", "job"])
    crew = crew.filter(pc.equal(crew["job"], "Director"))
    q = quote
    return {
        "mes": [f"/cantidad_filmaciones_mes/{m}" for m in _MONTHS],
        "dia": [f"/cantidad_filmaciones_dia/{d}" for d in _DAYS],
        "score": [f"/score_titulo/{q(t, safe='')}" for t in top],
        "votos": [f"/votos_titulo/{q(t, safe='')}" for t in top],
        "actor": [f"/get_actor/{q(n, safe='')}" for n in _most_credited(cast, 50)],
        "director": [f"/get_director/{q(n, safe='')}" for n in _most_credited(crew, 50)],
        "buscar": [f"/buscar?q={q(t.split()[0].lower(), safe='')}&limite=10" for t in top[:30]],
    }


_MONTHS = [
    "enero",
    "Febrero",
    "MARZO",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "Septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]
_DAYS = ["lunes", "Martes", "miercoles", "jueves", "VIERNES", "sabado", "domingo"]


def _most_credited(table: object, n: int) -> list[str]:
    """The n names with most distinct films in a cast or crew table."""
    pairs = table.select(["name", "movie_id"]).group_by(["name", "movie_id"]).aggregate([])  # type: ignore[attr-defined]
    counts = pairs.group_by("name").aggregate([("movie_id", "count")])
    return counts.sort_by([("movie_id_count", "descending")]).slice(0, n)["name"].to_pylist()


def start(cmd: list[str], env: dict[str, str], port: int) -> Server:
    """Start a server and wait (at most 120 s) until /salud answers 200."""
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=subprocess.DEVNULL)
    while time.perf_counter() - began < 120:
        if proc.poll() is not None:
            raise SystemExit(f"el servidor terminó al arrancar: {' '.join(cmd)}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/salud", timeout=1).status_code == 200:
                return Server(proc, port, time.perf_counter() - began)
        except httpx.HTTPError:
            time.sleep(0.02)
    proc.kill()
    raise SystemExit(f"el servidor no respondió en 120 s: {' '.join(cmd)}")


VARIANTS = {  # name: (BENCH_CACHE, BENCH_FAST_LANE, the two no-ops it is compared with)
    "api": ("0", "1", ("__noop", "__noop_usual")),
    "api+cache": ("1", "1", ("__raw_noop", "__noop")),
    "pila": ("0", "0", ("__noop", "__noop_usual")),
    "pila+caché": ("1", "0", ("__raw_noop", "__noop")),
    "cuaderno": ("0", "0", ()),
}


def start_variant(variant: str, catalog: Path) -> Server:
    """Start one of the bench variants (uvicorn on the bench app wrappers)."""
    port = free_port()
    cache, lane, _ = VARIANTS[variant]
    factory = "load_app:seed_app" if variant == "cuaderno" else "load_app:filmoteca_app"
    protocol = "httptools" if variant == "cuaderno" else "wire"  # filmoteca: as `serve` runs it
    cmd = [sys.executable, str(BENCH / "serve_bench.py"), factory, str(port), protocol]
    env = {
        "FILMOTECA_CATALOG_DIR": str(catalog),
        "BENCH_CACHE": cache,
        "BENCH_FAST_LANE": lane,
        "ARROW_DEFAULT_MEMORY_POOL": "system",  # as `filmoteca serve` sets it
    }
    return start(cmd, env, port)


def wrk(server: Server, paths: list[str], conc: int, seconds: int, threads: int) -> Result:
    """One wrk run rotating over `paths`."""
    with tempfile.TemporaryDirectory() as tmp:
        script, listing = Path(tmp) / "rotar.lua", Path(tmp) / "rutas.txt"
        script.write_text(LUA)
        listing.write_text("\n".join(paths) + "\n")
        cpu = server.cpu_s()
        cmd = ["wrk", f"-t{min(threads, conc)}", f"-c{conc}", f"-d{seconds}s", "--latency"]
        cmd += ["--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{server.port}"]
        out = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "WRK_PATHS": str(listing)},
        ).stdout
        cpu = server.cpu_s() - cpu
    return parse_wrk(out, cpu)


def parse_wrk(out: str, cpu_s: float) -> Result:
    """A wrk --latency report (and the server CPU seconds it used) as a Result; socket errors
    (connect/read/write/timeout) count as bad answers, like non-2xx responses."""
    done = int(_find(r"(\d+) requests in", out))
    bad = int(_find(r"Non-2xx or 3xx responses: (\d+)", out, "0"))
    bad += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return Result(
        rps=float(_find(r"Requests/sec:\s+([\d.]+)", out)),
        p50_ms=_ms(_find(r"50%\s+([\d.]+\w+)", out)),
        p99_ms=_ms(_find(r"99%\s+([\d.]+\w+)", out)),
        requests=done,
        bad=bad,
        cpu_us=cpu_s / max(done, 1) * 1e6,
    )


def drain(server: Server) -> None:
    """Wait until requests left queued by the last run are answered (a slow server keeps
    working on them after wrk stops, which would eat into the next measurement)."""
    httpx.get(f"http://127.0.0.1:{server.port}/__noop_usual", timeout=600)


def _find(pattern: str, text: str, default: str | None = None) -> str:
    match = re.search(pattern, text)
    if match is None:
        if default is None:
            raise SystemExit(f"salida de wrk inesperada:\n{text}")
        return default
    return match.group(1)


def _ms(value: str) -> float:
    """wrk's '340.00us' / '7.99ms' / '1.20s' / '1.00m' in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def measure(
    variant: str, catalog: Path, paths: dict[str, list[str]], args: argparse.Namespace
) -> tuple[dict[tuple[str, int], Result], Server, tuple[float, float]]:
    """Every endpoint at every concurrency, with the no-ops interleaved; returns results by
    (endpoint, concurrency), the server record and its memory after the load."""
    server = start_variant(variant, catalog)
    results: dict[tuple[str, int], Result] = {}
    noops: dict[tuple[str, int], list[Result]] = {}
    ceilings = ["__noop", "__noop_usual", "__raw_noop", "__raw_headers"]
    try:
        for endpoint in ENDPOINTS:  # warm-up: fills the cache, touches every code path
            wrk(server, paths[endpoint], 8, 1, 1)
            drain(server)
        for conc in args.concurrency:
            for i, endpoint in enumerate(ENDPOINTS):
                if i % 3 == 0 and (variant != "cuaderno" or i == 0):
                    for noop in ceilings:
                        run = wrk(server, [f"/{noop}"], conc, args.seconds, args.threads)
                        noops.setdefault((noop, conc), []).append(run)
                results[endpoint, conc] = wrk(
                    server, paths[endpoint], conc, args.seconds, args.threads
                )
                drain(server)
                print(
                    f"  {variant:9} c={conc:<3} {endpoint:9} {results[endpoint, conc].rps:9.0f} pet/s",
                    flush=True,
                )
        for key, runs in noops.items():
            results[key] = min(
                runs, key=lambda r: abs(r.rps - statistics.median(x.rps for x in runs))
            )
        memory = server.rss_mb()
    finally:
        server.stop()
    return results, server, memory


def settled_rss(server: Server) -> tuple[float, float]:
    """RSS (current, peak) SETTLE seconds from now: after start-up and after a reload the
    background preparation (suggestion indexes, director fragments) holds tens of MB for a
    fraction of a second, which an immediate reading catches or misses by chance."""
    time.sleep(SETTLE)
    return server.rss_mb()


def shipped(
    catalog: Path, paths: dict[str, list[str]]
) -> tuple[float, tuple[float, float], tuple[float, float]]:
    """`filmoteca serve` as users run it: seconds until ready, memory (current, peak) after
    20 requests of each API endpoint, then after also using the web page and the recommender:
    cards of the 300 most voted movies, 100 person pages, 100 recommendations by title and
    30 by several titles."""
    port = free_port()
    cmd = [str(Path(sys.executable).parent / "filmoteca"), "serve", "--catalog", str(catalog)]
    server = start([*cmd, "--port", str(port)], {}, port)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            for endpoint in ENDPOINTS:
                for path in paths[endpoint][:20]:
                    client.get(path)
            api_only = settled_rss(server)
            movies = pq.read_table(
                catalog / "movies.parquet", columns=["id", "title", "vote_count"]
            )
            top = movies.sort_by([("vote_count", "descending")]).slice(0, 300)
            people = [p.rsplit("/", 1)[1] for p in paths["actor"] + paths["director"]]
            for movie_id in top["id"].to_pylist():
                client.get(f"/pelicula/{movie_id}")
            for name in (people * 2)[:100]:
                client.get(f"/persona/{name}")
            titles = top["title"].to_pylist()
            for title in titles[:100]:
                client.get(f"/recomendacion/{quote(title, safe='')}")
            for i in range(30):
                client.post("/recomendacion", json={"titulos": titles[i : i + 3]})
        return server.ready_s, api_only, settled_rss(server)
    finally:
        server.stop()


SETTLE = 3.0
FLOOR_SERVER = """
import fastapi, numpy, uvicorn, uvloop, httptools, sys

async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})

uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), loop="uvloop", http="httptools",
            log_level="warning")
"""


def startup_cpu(catalog: Path, rounds: int = 3) -> tuple[list[float], list[float]]:
    """CPU seconds from process start to the first 200 of /listo: the stack's floor (a process
    that only imports fastapi, numpy and uvicorn with uvloop + httptools and serves a no-op)
    and `filmoteca serve --catalog`, alternated `rounds` times (lists of figures)."""
    floor, served = [], []
    exe = str(Path(sys.executable).parent / "filmoteca")
    for _ in range(rounds):
        port = free_port()
        server = start_ready([sys.executable, "-c", FLOOR_SERVER, str(port)], port)
        floor.append(server.cpu_s())
        server.stop()
        port = free_port()
        server = start_ready([exe, "serve", "--catalog", str(catalog), "--port", str(port)], port)
        served.append(server.cpu_s())
        server.stop()
    return floor, served


def start_ready(cmd: list[str], port: int) -> Server:
    """Start a process and poll /listo every 5 ms until it answers 200."""
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with httpx.Client(timeout=1) as client:
        while time.perf_counter() - began < 120:
            try:
                if client.get(f"http://127.0.0.1:{port}/listo").status_code == 200:
                    return Server(proc, port, time.perf_counter() - began)
            except httpx.HTTPError:
                time.sleep(0.005)
    proc.kill()
    raise SystemExit(f"no respondió en 120 s: {' '.join(cmd)}")


def startup_line(catalog: Path, rounds: int = 3) -> str:
    """The CPU-to-ready figures of one catalog, floor beside (`rounds` starts of each,
    alternated), and the difference of each pair of starts: on a shared machine the floor
    itself varies from start to start, and the pairs see the same load."""
    floor, served = startup_cpu(catalog, rounds)
    f, s = statistics.median(floor), statistics.median(served)
    pairs = [a - b for a, b in zip(served, floor, strict=True)]
    within = sum(d <= 0.25 for d in pairs)
    return (
        f"CPU hasta /listo (mediana de {len(floor)}): `filmoteca serve` {s:.2f} s, suelo de la "
        f"pila (fastapi + numpy + uvicorn/uvloop/httptools, no-op) {f:.2f} s en la misma "
        f"tanda: +{s - f:.2f} s; por pareja de arranques, +{statistics.median(pairs):.3f} s de "
        f"mediana, ≤ +0.25 s en {within} de {len(pairs)} "
        f"(todas: {', '.join(f'{x:.2f}' for x in served)} / "
        f"{', '.join(f'{x:.2f}' for x in floor)})"
    )


def table(runs: dict[str, dict[tuple[str, int], Result]], concs: list[int]) -> str:
    """The Markdown table of one catalog: per variant measured, requests/s, shares of its two
    ceilings, p50, p99 and server CPU per request (the notebook approach: rps, p50, p99)."""
    head, rule = "| ruta | c ", "|---|---"
    for variant in runs:
        first, second = VARIANTS[variant][2] or ("", "")
        if variant == "cuaderno":
            head += "| cuaderno pet/s | p50 ms | p99 ms "
            rule += "|---" * 3
        else:
            head += f"| {variant} pet/s | % {first} | % {second} | p50 ms | p99 ms | CPU µs/pet "
            rule += "|---" * 6
    rows = []
    for conc in concs:
        for endpoint in ("__raw_noop", "__raw_headers", "__noop", "__noop_usual", *ENDPOINTS):
            cells = []
            for variant, got in runs.items():
                ceilings = VARIANTS[variant][2]
                if variant == "cuaderno":
                    cells.append(_seed_cell(got.get((endpoint, conc))))
                else:
                    cells.append(
                        _cell(got.get((endpoint, conc)), *(got.get((c, conc)) for c in ceilings))
                    )
            rows.append(f"| {endpoint} | {conc} | " + " | ".join(cells) + " |")
    return head + "|\n" + rule + "|\n" + "\n".join(rows)


def _cell(run: Result | None, first: Result | None, second: Result | None) -> str:
    """rps (⚠ = failed requests), shares of two ceilings, p50, p99, server CPU per request."""
    if run is None:
        return "– | – | – | – | – | –"
    if run.requests == 0:
        return "0 (ninguna respuesta) | 0% | – | – | – | –"
    shares = " | ".join(f"{run.rps / c.rps:.0%}" if c else "–" for c in (first, second))
    flag = f" ⚠{run.bad}" if run.bad else ""
    return (
        f"{run.rps:,.0f}{flag} | {shares} | {run.p50_ms:.2f} | {run.p99_ms:.2f} | {run.cpu_us:.0f}"
    )


def _seed_cell(run: Result | None) -> str:
    if run is None:
        return "– | – | –"
    if run.requests == 0:
        return "0 (ninguna respuesta) | – | –"
    flag = f" ⚠{run.bad}" if run.bad else ""
    return f"{run.rps:,.1f}{flag} | {run.p50_ms:.1f} | {run.p99_ms:.1f}"


def load_average() -> str:
    """The machine's load average (1, 5, 15 min), for the reader to judge the noise."""
    one, five, fifteen = os.getloadavg()
    return f"carga de la máquina (uptime): {one:.2f}, {five:.2f}, {fifteen:.2f}"


def main() -> None:
    """Run every variant on every catalog and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, action="append", required=True)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 64])
    parser.add_argument("--threads", type=int, default=2, help="hilos de wrk (2 por defecto)")
    parser.add_argument(
        "--no-notebook",
        action="store_true",
        help="no medir el enfoque de cuaderno (pandas + ast.literal_eval)",
    )
    parser.add_argument(  # the old spelling, kept as a hidden alias
        "--sin-seed", dest="no_notebook", action="store_true", help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--stack",
        action="store_true",
        help="medir también la pila de middleware sin el carril rápido (antes/después)",
    )
    parser.add_argument(
        "--solo-arranque", action="store_true", help="medir sólo la CPU hasta /listo"
    )
    parser.add_argument(
        "--rondas",
        type=int,
        default=3,
        help="arranques de cada uno (suelo y filmoteca, alternados) para la CPU hasta /listo",
    )
    args = parser.parse_args()
    if args.rondas < 1:
        parser.error("--rondas debe ser al menos 1")
    if args.solo_arranque:
        for catalog in args.catalog:
            print(f"{catalog}: {startup_line(catalog, args.rondas)}")
        return
    if shutil.which("wrk") is None:
        raise SystemExit("Hace falta wrk: apt-get install -y wrk")
    reports = []
    for catalog in args.catalog:
        paths = sample_paths(catalog)
        runs, notes = {}, []
        variants = ["api", "api+cache"]
        variants += ["pila", "pila+caché"] if args.stack else []
        variants += [] if args.no_notebook else ["cuaderno"]
        notes.append(load_average() + " al empezar")
        for variant in variants:
            runs[variant], server, (rss, peak) = measure(variant, catalog, paths, args)
            notes.append(
                f"{variant}: listo en {server.ready_s:.2f} s, RSS {rss:.0f} MB (pico {peak:.0f}); "
                + load_average()
            )
        ready, (rss, peak), (used, used_peak) = shipped(catalog, paths)
        notes.append(startup_line(catalog, args.rondas))
        notes.append(
            f"`filmoteca serve` (todas las rutas, con la página web): listo en {ready:.2f} s, "
            f"RSS {rss:.0f} MB (pico {peak:.0f}) tras las consultas de la API; {used:.0f} MB "
            f"(pico {used_peak:.0f}) tras usar además fichas, personas y recomendaciones"
        )
        reports.append(
            f"\n### {catalog}\n\n"
            + table(runs, args.concurrency)
            + "\n\n"
            + "\n".join(f"- {n}" for n in notes)
        )
    print("\n".join(reports))
    print(
        f"\nwrk -t{args.threads}, {args.seconds:g} s por medición, 1 worker uvicorn (uvloop + httptools)."
    )


if __name__ == "__main__":
    main()
