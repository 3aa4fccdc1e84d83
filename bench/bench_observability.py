"""Overhead of the observability middleware on a FastAPI no-op endpoint (wrk, loopback).

Starts one uvicorn worker (uvloop + httptools) per variant and measures requests/s with
`wrk -t2 -c8` on `GET /noop`, interleaving the variants over several rounds (the machine is
shared, so the figures are noisy; the median of the rounds is reported):

    sin_middleware     plain FastAPI app
    metricas           + ObservabilityMiddleware, access log off
    metricas_y_log     + ObservabilityMiddleware, one JSON access-log line per request (to a file)

Run: .venv/bin/python bench/bench_observability.py [--rounds 3] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.responses import ORJSONResponse

from procmon import free_port

VARIANTS = ("sin_middleware", "metricas", "metricas_y_log")


def make_app() -> FastAPI:
    """The app of the variant named by BENCH_VARIANT (uvicorn --factory entry point)."""
    from filmoteca.api.logs import configure_logging
    from filmoteca.api.observability import Metrics, ObservabilityMiddleware

    variant = os.environ["BENCH_VARIANT"]
    app = FastAPI(default_response_class=ORJSONResponse)

    @app.get("/noop")
    def noop() -> dict[str, bool]:
        return {"ok": True}

    if variant != "sin_middleware":
        app.add_middleware(
            ObservabilityMiddleware, metrics=Metrics(), access_log=variant == "metricas_y_log"
        )
        configure_logging("info", "json")
        logging.getLogger("filmoteca").handlers[0].setStream(open(os.devnull, "w"))  # noqa: SIM115
    return app


async def _raw_noop(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The cheapest ASGI app: an empty 200."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def micro(n: int = 20_000, access_log: bool = False) -> float:
    """In-process cost of the middleware alone, in µs of CPU per request (raw ASGI no-op)."""
    from filmoteca.api.observability import Metrics, ObservabilityMiddleware

    class Route:
        path = "/noop"

    scope = {"type": "http", "method": "GET", "path": "/noop", "headers": [(b"host", b"x")]}
    scope["route"] = Route()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        return None

    async def run(app: Any) -> float:
        for _ in range(1000):
            await app(dict(scope), receive, send)
        start = time.process_time()
        for _ in range(n):
            await app(dict(scope), receive, send)
        return (time.process_time() - start) / n * 1e6

    wrapped = ObservabilityMiddleware(_raw_noop, Metrics(), access_log=access_log)
    return asyncio.run(run(wrapped)) - asyncio.run(run(_raw_noop))


def _start(variant: str, port: int) -> subprocess.Popen[bytes]:
    """One uvicorn worker serving the variant; waits until it answers."""
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "bench_observability:make_app"]
    cmd += ["--app-dir", str(Path(__file__).parent), "--port", str(port), "--no-access-log"]
    cmd += ["--loop", "uvloop", "--http", "httptools", "--log-level", "warning"]
    env = {**os.environ, "BENCH_VARIANT": variant}
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/noop", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"el servidor '{variant}' no arrancó")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wrk(port: int, seconds: int) -> tuple[float, int]:
    """Requests/s and requests done, as reported by wrk (2 threads, 8 connections)."""
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", f"http://127.0.0.1:{port}/noop"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    if errors:
        raise SystemExit(f"wrk informó errores: {errors.group(0)}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    done = re.search(r"(\d+) requests in", out)
    assert rate and done, out
    return float(rate.group(1)), int(done.group(1))


def main() -> None:
    """Measure every variant over several interleaved rounds and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("hace falta wrk (apt-get install wrk)")
    rates: dict[str, list[float]] = {v: [] for v in VARIANTS}
    cpu: dict[str, list[float]] = {v: [] for v in VARIANTS}
    for rnd in range(args.rounds):
        for variant in VARIANTS:
            port = free_port()
            proc = _start(variant, port)
            try:
                _wrk(port, 1)  # warm-up
                before = _cpu_seconds(proc.pid)
                rate, done = _wrk(port, args.seconds)
                cpu[variant].append((_cpu_seconds(proc.pid) - before) / done * 1e6)
                rates[variant].append(rate)
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=10)
            print(
                f"ronda {rnd + 1} {variant:>15}: {rate:8.0f} pet/s, "
                f"{cpu[variant][-1]:6.1f} µs de CPU del servidor por petición"
            )
    from filmoteca.api.logs import JsonFormatter

    base_rate = statistics.median(rates["sin_middleware"])
    base_cpu = statistics.median(cpu["sin_middleware"])
    print(f"\n{'variante':>15} {'pet/s':>7} {'vs base':>8} {'µs CPU/pet':>11} {'base/CPU':>9}")
    for variant in VARIANTS:
        rate, us = statistics.median(rates[variant]), statistics.median(cpu[variant])
        print(f"{variant:>15} {rate:7.0f} {rate / base_rate:8.1%} {us:11.1f} {base_cpu / us:9.1%}")
    for log in (False, True):
        with open(os.devnull, "w") as null:
            handler = logging.StreamHandler(null)
            handler.setFormatter(JsonFormatter())
            logging.getLogger("filmoteca").addHandler(handler)
            logging.getLogger("filmoteca").setLevel("INFO")
            cost = statistics.median(micro(access_log=log) for _ in range(5))
            logging.getLogger("filmoteca").removeHandler(handler)
        label = "con log de acceso" if log else "sin log de acceso"
        print(
            f"coste del middleware solo ({label}): {cost:.1f} µs de CPU por petición "
            f"= {cost / base_cpu:.1%} del no-op servido ({base_cpu:.0f} µs)"
        )
    print("(medianas; 'base/CPU' = CPU por petición sin middleware / con él: el techo de pet/s")
    print(" relativo en un núcleo, menos sensible que pet/s a la carga de otros procesos)")


if __name__ == "__main__":
    main()
