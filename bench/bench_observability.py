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
import logging
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.responses import ORJSONResponse

VARIANTS = ("sin_middleware", "metricas", "metricas_y_log")


def make_app() -> FastAPI:
    """The app of the variant named by BENCH_VARIANT (uvicorn --factory entry point)."""
    from filmoteca.api.observability import Metrics, ObservabilityMiddleware, configure_logging

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


def _wrk(port: int, seconds: int) -> float:
    """Requests/s reported by wrk (2 threads, 8 connections)."""
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", f"http://127.0.0.1:{port}/noop"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    if errors:
        raise SystemExit(f"wrk informó errores: {errors.group(0)}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert match, out
    return float(match.group(1))


def main() -> None:
    """Measure every variant over several interleaved rounds and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("hace falta wrk (apt-get install wrk)")
    results: dict[str, list[float]] = {v: [] for v in VARIANTS}
    with tempfile.TemporaryDirectory():
        for rnd in range(args.rounds):
            for variant in VARIANTS:
                port = _free_port()
                proc = _start(variant, port)
                try:
                    _wrk(port, 1)  # warm-up
                    results[variant].append(_wrk(port, args.seconds))
                finally:
                    proc.send_signal(signal.SIGTERM)
                    proc.wait(timeout=10)
                print(f"ronda {rnd + 1} {variant:>15}: {results[variant][-1]:8.0f} pet/s")
    base = statistics.median(results["sin_middleware"])
    print(f"\n{'variante':>15} {'mediana pet/s':>14} {'vs sin middleware':>18}")
    for variant in VARIANTS:
        med = statistics.median(results[variant])
        print(f"{variant:>15} {med:14.0f} {med / base:17.1%}")


if __name__ == "__main__":
    main()
