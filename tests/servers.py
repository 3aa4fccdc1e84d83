"""Test plumbing shared by the end-to-end tests: real `filmoteca serve` processes, chromium."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

FILMOTECA = str(Path(sys.executable).parent / "filmoteca")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(catalog: Path, tmp_path: Path, *extra: str) -> Iterator[str]:
    """Run `filmoteca serve` until /salud answers; yields its base URL; stops it after."""
    port = free_port()
    log = (tmp_path / "servidor.log").open("w")
    env = {**os.environ, "FILMOTECA_REPORT_DIR": str(tmp_path / "informe")}
    env.pop("FILMOTECA_CATALOG_DIR", None)
    command = [FILMOTECA, "serve", "--catalog", str(catalog), "--host", "127.0.0.1"]
    proc = subprocess.Popen(
        [*command, "--port", str(port), *extra],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            assert proc.poll() is None, (tmp_path / "servidor.log").read_text()
            try:
                if httpx.get(f"{url}/salud", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "el servidor no respondió en 60 s"
                time.sleep(0.05)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:  # uvicorn shuts down gracefully, then re-raises the signal it caught
            assert proc.wait(timeout=15) in {0, -signal.SIGTERM}
        finally:
            if proc.poll() is None:
                proc.kill()
            log.close()
