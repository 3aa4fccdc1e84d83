"""Run a command and measure its wall time and the peak RSS of its whole process tree."""

from __future__ import annotations

import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Run:
    """Outcome of one measured command."""

    seconds: float
    peak_mb: float
    returncode: int


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            out.extend(int(c) for c in task.read_text().split())
        except OSError:
            continue
    return out


def _tree_rss_kb(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
        stack.extend(_children(current))
    return total


def measure(cmd: list[str], timeout: float = 3600, **popen: object) -> Run:
    """Run `cmd`, sampling the tree's RSS every 20 ms; return time, peak MB and exit code."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **popen)  # type: ignore[call-overload]
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        if time.perf_counter() - started > timeout:
            proc.kill()
            break
        time.sleep(0.02)
    proc.wait()
    if proc.returncode:
        print(proc.stderr.read().decode(errors="replace")[-2000:] if proc.stderr else "")
    return Run(time.perf_counter() - started, peak / 1024, proc.returncode)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of one process, in MB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"sin VmRSS para {pid}")


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
