"""Bench-only launcher: uvicorn (uvloop) on one of bench/load_app.py's factories, with the
protocol `filmoteca serve` uses (`wire`: httptools with the limits of api/limits.py and the
cached answers written by api/wire.py) or uvicorn's own (`httptools`).

Run:  python bench/serve_bench.py load_app:filmoteca_app PORT wire|httptools
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn


def main() -> None:
    factory, port, protocol = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    http: object = "httptools"
    if protocol == "wire":
        from filmoteca.api.wire import WireProtocol

        http = WireProtocol
    uvicorn.run(
        factory,
        factory=True,
        app_dir=str(Path(__file__).parent),
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http=http,  # type: ignore[arg-type]
        access_log=False,
        log_level="warning",
        server_header=False,
        ws="none",
    )


if __name__ == "__main__":
    main()
