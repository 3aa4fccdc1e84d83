"""Answer-by-answer comparison: the app with the fast path against FastAPI alone.

Builds two apps over one catalog, both without the response cache (every request is
computed): `create_app(fast_path=False)`, where FastAPI routes, validates and answers every
request, and the shipped `create_app()`, where plain GET requests are answered by the route
functions directly (src/filmoteca/api/fastpath.py). Sends the same requests to both (in
process, raw ASGI) and compares status, headers (but the request id) and body bytes.

Requests: every month and weekday form, valid or not; titles (the most voted, a random
sample, with `?anio=` right, wrong, malformed, repeated or empty), actors and directors
(most credited and a random sample), misspelt and unknown names (404 with suggestions),
texts of 200 and 201 characters, encoded and odd paths, and /buscar with valid and invalid
`q`, `limite`, `pagina`.

Run:  .venv/bin/python bench/compare_fastpath.py --catalog /tmp/cat_45466 [--sample 2000]
Exit status 1 if any answer differs.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from filmoteca.api.app import create_app
from filmoteca.catalog import Catalog
from filmoteca.config import Settings

MONTHS = "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre"
DAYS = "lunes martes miercoles miércoles jueves viernes sabado sábado domingo"
ODD = ["", "%20", "a/b", "..", "%2F", "%00", "x" * 200, "x" * 201, "ñandú", "TOY STORY  ", "1"]
YEARS = ["", "?anio=1995", "?anio=1870", "?anio=2100", "?anio=1869", "?anio=2101", "?anio=abc",
         "?anio=", "?anio=+1995", "?anio=1995&anio=1996", "?anio=01995", "?anio=1995.0",
         "?otro=1", "?anio=%31%39%39%35"]  # fmt: skip
SEARCH = ["q=toy", "q=tom%20hanks", "q=", "q=a&limite=50", "q=a&limite=51", "q=a&limite=0",
          "q=a&pagina=1000", "q=a&pagina=1001", "q=a&pagina=x", "q=" + "x" * 201, "limite=5",
          "q=a&q=b", "q=%C3%B1", "q=+toy+", "q=a&limite=05"]  # fmt: skip


def requests(catalog: Catalog, sample: int, seed: int = 11) -> Iterator[str]:
    """The paths (with query strings) to compare."""
    rnd = random.Random(seed)
    for word in [*MONTHS.split(), *[str(i) for i in range(0, 14)], *ODD, "Enero", "ENERO"]:
        yield f"/cantidad_filmaciones_mes/{quote(word)}"
    for word in [*DAYS.split(), *ODD, "Lunes", "feriado"]:
        yield f"/cantidad_filmaciones_dia/{quote(word)}"
    titles = list(catalog._title_choices.choices)
    picked = titles[: sample // 2] + rnd.sample(titles, min(sample // 2, len(titles)))
    for number, title in enumerate(picked):
        suffix = YEARS[number % len(YEARS)] if number % 3 == 0 else ""
        yield f"/score_titulo/{quote(title)}{suffix}"
        yield f"/votos_titulo/{quote(title)}{suffix}"
    for names, route in (
        (catalog._actor_choices, "get_actor"),
        (catalog._director_choices, "get_director"),
    ):
        people = list(names.choices)
        chosen = people[: sample // 2] + rnd.sample(people, min(sample // 2, len(people)))
        for name in chosen:
            yield f"/{route}/{quote(name)}"
        for name in rnd.sample(people, min(50, len(people))):
            yield f"/{route}/{quote(name[:-1] + 'x')}"  # misspelt: 404 with suggestions
    for text in ODD:
        for route in ("score_titulo", "votos_titulo", "get_actor", "get_director"):
            yield f"/{route}/{quote(text, safe='/%')}"
    for query in SEARCH:
        yield f"/buscar?{query}"
    for name in rnd.sample(list(catalog._actor_choices.choices), min(200, sample)):
        yield f"/buscar?q={quote(name.split()[0][:5])}&limite={rnd.randint(1, 50)}"


def _scope(path: str) -> dict[str, Any]:
    raw, _, query = path.partition("?")
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": unquote(raw), "raw_path": raw.encode(), "root_path": "",
        "query_string": query.encode(), "headers": [(b"host", b"x"), (b"x-request-id", b"comparar")],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8000), "state": {},
    }  # fmt: skip


async def _answer(app: Any, path: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    await app(_scope(path), receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], list(start["headers"]), body


async def _started(app: Any) -> None:
    queue: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    await queue.put({"type": "lifespan.startup"})
    done = asyncio.Event()

    async def send(message: Any) -> None:
        done.set()

    asyncio.get_running_loop().create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, queue.get, send)
    )
    await done.wait()


async def compare(catalog_dir: Path, sample: int) -> int:
    catalog = Catalog.load(catalog_dir)
    settings = Settings(catalog_dir=catalog_dir)
    plain = create_app(settings, catalog=catalog, response_cache=False, fast_path=False)
    fast = create_app(settings, catalog=catalog, response_cache=False)
    await _started(plain)
    await _started(fast)
    statuses: Counter[int] = Counter()
    differ = 0
    paths = list(dict.fromkeys(requests(catalog, sample)))
    for path in paths:
        expected, got = await _answer(plain, path), await _answer(fast, path)
        statuses[expected[0]] += 1
        if expected != got:
            differ += 1
            if differ <= 10:
                print(f"DISTINTA {path}\n  FastAPI: {expected}\n  rápida:  {got}")
    served = fast.middleware_stack  # the built stack: find the fast path's counters
    counters = _fast_counters(served)
    print(
        f"{len(paths)} peticiones, estados {dict(sorted(statuses.items()))}; "
        f"respondidas por la vía rápida {counters[0]}, pasadas a FastAPI {counters[1]}; "
        f"respuestas distintas: {differ}"
    )
    return 1 if differ else 0


def _fast_counters(stack: Any) -> tuple[int, int]:
    """(served, passed) of the FastPathMiddleware inside a built middleware stack."""
    seen = 0
    while stack is not None and seen < 30:
        if type(stack).__name__ == "FastPathMiddleware":
            return stack.served, stack.passed
        stack, seen = getattr(stack, "app", None), seen + 1
    return 0, 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=2000)
    args = parser.parse_args()
    sys.exit(asyncio.run(compare(args.catalog, args.sample)))


if __name__ == "__main__":
    main()
