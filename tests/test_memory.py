"""The server's memory: freed numpy temporaries go back to the system (filmoteca.api.memory)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

# After a large block (under 32 MB) is freed, glibc serves later blocks of up to its size from
# the heap: free most of them (keeping the last, so the heap's top cannot shrink) and see what
# stays resident.
SCRIPT = """
import sys
import numpy as np
from filmoteca.api.memory import keep_large_blocks_mapped

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

if sys.argv[1] == "fixed":
    keep_large_blocks_mapped()
big = np.ones(30 << 20, np.uint8)
del big
before = rss_mb()
blocks = [np.ones(2 << 20, np.uint8) for _ in range(60)]
last = blocks.pop()
del blocks
print(rss_mb() - before)
"""


def _retained_mb(mode: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, check=True
    )
    return float(out.stdout)


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only"
)
def test_freed_large_arrays_leave_the_process() -> None:
    assert _retained_mb("default") > 60  # glibc's moving threshold keeps ~118 of 120 MB
    assert _retained_mb("fixed") < 10
