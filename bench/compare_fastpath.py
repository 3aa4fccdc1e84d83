"""Answer-by-answer comparison: the shipped app (fast lane, fast path) against the stack alone.

Two comparisons over one catalog, in process (raw ASGI), status + every header + body bytes:

1. Without the response cache (every request computed): `create_app(fast_path=False)`, where
   FastAPI routes, validates and answers every request, against `create_app()` (the fast lane,
   src/filmoteca/api/lane.py, and the fast path, fastpath.py).
2. With the response cache, as shipped: `create_app(fast_lane=False)` (the middleware stack
   without the lane) against `create_app()`. Each request is sent first once (the miss; every
   other one as HEAD), then several ways (hits): plain GET, `Accept-Encoding: gzip`, HEAD, and
   `If-None-Match` with the answer's ETag, its weak form, a list holding it, `*` and a tag
   that does not match.

The request id is fixed by the request (`X-Request-ID: comparar`), so it is compared too.

Requests: every month and weekday form, valid or not; titles (the most voted, a random
sample, with `?anio=` right, wrong, malformed, repeated or empty), actors and directors
(most credited and a random sample), misspelt and unknown names (404 with suggestions),
texts of 200 and 201 characters, encoded and odd paths, /buscar with valid and invalid
`q`, `limite`, `pagina`, and the movie, person and recommendation routes (answered by the
stack; with the cache, their hits are replayed by the lane).

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
    ids = [int(i) for i in catalog._movies.ids.tolist()]  # the id routes (other routers)
    for movie_id in [*rnd.sample(ids, min(100, len(ids))), 0, -1]:
        yield f"/pelicula/{movie_id}"
    for name in [*list(catalog._actor_choices.choices)[:50], "nadie"]:
        yield f"/persona/{quote(name)}"
    for title in [*titles[:50], "ninguna"]:
        yield f"/recomendacion/{quote(title)}"


Headers = list[tuple[bytes, bytes]]


def _scope(path: str, method: str = "GET", headers: Headers = ()) -> dict[str, Any]:  # type: ignore[assignment]
    raw, _, query = path.partition("?")
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": unquote(raw), "raw_path": raw.encode(), "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", b"x"), (b"x-request-id", b"comparar"), *headers],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8000), "state": {},
    }  # fmt: skip


async def _answer(
    app: Any,
    path: str,
    method: str = "GET",
    headers: Headers = (),  # type: ignore[assignment]
) -> tuple[int, Headers, bytes]:
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    await app(_scope(path, method, headers), receive, send)
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
    """Both comparisons; the number of answers that differ."""
    catalog = Catalog.load(catalog_dir)
    settings = Settings(catalog_dir=catalog_dir)
    paths = list(dict.fromkeys(requests(catalog, sample)))
    plain = create_app(settings, catalog=catalog, response_cache=False, fast_path=False)
    fast = create_app(settings, catalog=catalog, response_cache=False)
    stack = create_app(settings, catalog=catalog, fast_lane=False)
    shipped = create_app(settings, catalog=catalog)
    for app in (plain, fast, stack, shipped):
        await _started(app)
    differ = 0
    statuses: Counter[int] = Counter()
    for path in paths:
        expected = await _answer(plain, path)
        statuses[expected[0]] += 1
        differ += _report(path, "", expected, await _answer(fast, path), differ)
    print(
        f"sin caché: {len(paths)} peticiones, estados {dict(sorted(statuses.items()))}; "
        f"{_counters(fast)}; respuestas distintas: {differ}"
    )
    cached = 0
    asked: Counter[int] = Counter()
    for number, path in enumerate(paths):
        first = "HEAD" if number % 2 else "GET"  # the miss: half by HEAD, half by GET
        expected, got = await _answer(stack, path, first), await _answer(shipped, path, first)
        asked[expected[0]] += 1
        cached += _report(path, first, expected, got, differ + cached)
        for method, headers in _variants(expected):  # the hits
            expected = await _answer(stack, path, method, headers)
            asked[expected[0]] += 1
            got = await _answer(shipped, path, method, headers)
            cached += _report(path, f"{method} {headers}", expected, got, differ + cached)
    print(
        f"con caché: {sum(asked.values())} peticiones, estados {dict(sorted(asked.items()))}; "
        f"{_counters(shipped)}; respuestas distintas: {cached}"
    )
    return differ + cached


def _variants(answer: tuple[int, Headers, bytes]) -> Iterator[tuple[str, Headers]]:
    """The ways a request is sent with the cache: plain, gzip, HEAD, conditional."""
    yield "GET", []
    yield "GET", [(b"accept-encoding", b"gzip, deflate")]
    yield "HEAD", []
    etag = dict(answer[1]).get(b"etag")
    if etag is not None:
        for tag in (etag, b"W/" + etag, b'"otra", ' + etag, b"*", b'"otra"'):
            yield "GET", [(b"if-none-match", tag)]
        yield "HEAD", [(b"if-none-match", etag), (b"accept-encoding", b"gzip")]


def _report(path: str, how: str, expected: Any, got: Any, shown: int) -> int:
    """1 (and the first differences printed) when two answers differ, else 0."""
    if expected == got:
        return 0
    if shown < 10:
        print(f"DISTINTA {path} {how}\n  sin carril: {expected}\n  enviada:    {got}")
    return 1


def _counters(app: Any) -> str:
    """What the fast lane and the fast path of an app answered and passed on."""
    found = {}
    stack, seen = app.middleware_stack, 0
    while stack is not None and seen < 30:
        if type(stack).__name__ in ("FastLane", "FastPathMiddleware"):
            found[type(stack).__name__] = (stack.served, stack.passed)
        stack, seen = getattr(stack, "app", None), seen + 1
    lane, fast = found.get("FastLane", (0, 0)), found.get("FastPathMiddleware", (0, 0))
    return (
        f"carril rápido: respondidas {lane[0]}, pasadas {lane[1]}; "
        f"vía rápida: respondidas {fast[0]}, pasadas a FastAPI {fast[1]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=2000)
    args = parser.parse_args()
    sys.exit(asyncio.run(compare(args.catalog, args.sample)))


if __name__ == "__main__":
    main()
