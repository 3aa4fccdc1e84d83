"""CPU per request in process (raw ASGI calls, no server): FastAPI alone, the middleware
stack with the fast path, the shipped app with the fast lane; the same requests, the same run,
the best of 5 rounds.

Columns: `fastapi` (create_app(fast_path=False, response_cache=False): every request routed,
validated and answered by FastAPI), `pila` (create_app(fast_lane=False): the middleware stack
with the fast path, as before the lane), `carril` (the shipped app: the fast lane, lane.py,
with the answers made at build time when the catalog has them), each without the response
cache (every request computed) and with it (`+caché`: after the first round every answer is a
hit). Every column includes the whole middleware stack (request ids, metrics, edge,
compression). The server's own cost (uvicorn + httptools) comes on top: see bench/load.py.

Run:  .venv/bin/python bench/bench_fastpath.py /tmp/cat_45466
"""

import asyncio
import sys
import time
from pathlib import Path
from urllib.parse import quote, unquote

import pyarrow.parquet as pq

from filmoteca.api.app import create_app
from filmoteca.catalog import Catalog
from filmoteca.config import Settings
from filmoteca.text import MONTHS

CAT = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/edge-cat45k")
catalog = Catalog.load(CAT)
KINDS = {"fastapi": {"fast_path": False}, "pila": {"fast_lane": False}, "carril": {}}
apps = {
    f"{kind}{'+caché' if rc else ''}": create_app(
        Settings(catalog_dir=CAT), catalog=catalog, response_cache=rc, routers=(), **options
    )
    for kind, options in KINDS.items()
    for rc in (False, True)
}
titles = (
    pq.read_table(CAT / "movies.parquet", columns=["title", "vote_count"])
    .sort_by([("vote_count", "descending")])
    .column("title")
    .to_pylist()[:200]
)
paths = {
    "mes": [f"/cantidad_filmaciones_mes/{m}" for m in MONTHS],
    "dia": [
        f"/cantidad_filmaciones_dia/{d}"
        for d in ["lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"]
    ],
    "score": [f"/score_titulo/{quote(t)}" for t in titles],
    "votos": [f"/votos_titulo/{quote(t)}" for t in titles],
    "actor": [f"/get_actor/{quote(a)}" for a in catalog._actor_choices.choices[:200]],
    "director": [f"/get_director/{quote(a)}" for a in catalog._director_choices.choices[:200]],
    "buscar": [
        f"/buscar?q={quote(a.split()[0][:4])}" for a in catalog._actor_choices.choices[:200]
    ],
}


async def recv():
    return {"type": "http.request", "body": b"", "more_body": False}


async def start(app, tasks):
    """Run an app's lifespan start-up (its task is kept in `tasks`)."""
    q = asyncio.Queue()
    await q.put({"type": "lifespan.startup"})
    out = []

    async def lsend(m):
        out.append(m)

    lifespan = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    tasks.append(asyncio.create_task(app(lifespan, q.get, lsend)))
    while not out:
        await asyncio.sleep(0.01)


async def main():
    tasks = []
    for app in apps.values():
        await start(app, tasks)
    sent = []

    async def send(m):
        sent.append(m)

    def scope(path):
        p, _, qs = path.partition("?")
        return {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": unquote(p),
            "raw_path": p.encode(),
            "query_string": qs.encode(),
            "root_path": "",
            "headers": [(b"host", b"x"), (b"user-agent", b"wrk")],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 8000),
            "state": {},
        }

    print(f"{'ruta':9}" + "".join(f"{k:>16}" for k in apps))
    for name, ps in paths.items():
        row = {}
        for label, app in apps.items():
            best = 1e9
            for _ in range(5):
                sent.clear()
                t = time.process_time()
                for p in ps:
                    await app(scope(p), recv, send)
                best = min(best, (time.process_time() - t) / len(ps) * 1e6)
            row[label] = best
        print(f"{name:9}" + "".join(f"{v:16.1f}" for v in row.values()))


asyncio.run(main())
