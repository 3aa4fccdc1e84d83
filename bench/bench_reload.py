"""Memory over hot reloads: RSS of a real server after the first and after the last reload.

    python bench/bench_reload.py --catalog CATALOGO [--reloads 50] [--clients 8]

Starts `filmoteca serve` on the catalog, keeps `--clients` threads sending queries (distinct
titles and people, so the response cache keeps filling), posts `--reloads` reloads to
/admin/recargar one after the other, and prints the server's RSS after the first reload and
after the last one (the old catalog's memory maps must be released: issue 12 asks within 10 %).
Each of the two is read SETTLE seconds after its reload, under the same load: right after a
reload the new catalog's suggestion indexes are being built in the background (tens of MB
for a fraction of a second), which a single immediate reading catches or misses by chance.
The peak (VmHWM) of the whole run is printed too.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from procmon import free_port, rss_mb  # noqa: E402

TOKEN = "bench-recarga"
PATHS = ["/cantidad_filmaciones_mes/{m}", "/score_titulo/Pelicula {i}", "/get_actor/Actor {i}",
         "/votos_titulo/Avatar", "/get_director/Director {i}"]  # fmt: skip
MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio"]
SETTLE = 3.0


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _load(base: str, stop: threading.Event, counter: list[int]) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        i = 0
        while not stop.is_set():
            path = PATHS[i % len(PATHS)].format(i=i, m=MONTHS[i % len(MONTHS)])
            client.get(path)
            counter[0] += 1
            i += 1


def _wait_ready(base: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            sys.exit("el servidor terminó al arrancar")
        try:
            if httpx.get(base + "/listo", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    sys.exit("el servidor no quedó listo")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--reloads", type=int, default=50)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "FILMOTECA_ADMIN_TOKEN": TOKEN}
    cmd = [sys.executable, "-m", "filmoteca.cli", "serve", "--catalog", str(args.catalog),
           "--port", str(port)]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stop, counter = threading.Event(), [0]
    try:
        _wait_ready(base, proc)
        start_rss = rss_mb(proc.pid)
        threads = [threading.Thread(target=_load, args=(base, stop, counter), daemon=True)
                   for _ in range(args.clients)]  # fmt: skip
        for thread in threads:
            thread.start()
        rss = []
        auth = {"Authorization": f"Bearer {TOKEN}"}
        for number in range(args.reloads):
            response = httpx.post(base + "/admin/recargar", headers=auth, timeout=120)
            response.raise_for_status()
            if number in (0, args.reloads - 1):
                time.sleep(SETTLE)
                rss.append(rss_mb(proc.pid))
        peak = _peak_mb(proc.pid)
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    growth = 100 * (rss[-1] - rss[0]) / rss[0]
    print(f"Carga media: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"| RSS al arrancar | tras la 1.ª recarga | tras la {args.reloads}.ª | diferencia "
        "| pico | consultas |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {start_rss:.0f} MB | {rss[0]:.0f} MB | {rss[-1]:.0f} MB | {growth:+.1f} % "
        f"| {peak:.0f} MB | {counter[0]} |"
    )


if __name__ == "__main__":
    main()
