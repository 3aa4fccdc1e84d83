"""Re-pin the lock files from pyproject.toml's ranges, every package with its sha256 hashes.

    requirements.lock          the project + groups dev and build: `make setup`, CI
    requirements-runtime.lock  the project alone (`pip install filmoteca`): Docker's build stage
    requirements-slim.lock     group `serve`: what serving needs (Docker's runtime image)
    requirements-build.lock    group `build`: the build backend (the wheel, offline-checked)

The full lock is resolved first; the others are resolved with its pins as constraints, so a
package has the same version in every file. Resolved by `uv pip compile --generate-hashes` for
Python 3.11 on the index (needs it). Run with `make lock`; commit the result with the change to
pyproject.toml that asked for it. Installing: `pip install --require-hashes -r <lock>`.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = "3.11"
LOCKS = {
    "requirements.lock": (
        ["pyproject.toml", "--group", "dev", "--group", "build"],
        "Todo lo que instala 'make setup' (filmoteca, pruebas, lint, backend de construcción).",
    ),
    "requirements-runtime.lock": (
        ["pyproject.toml"],
        "Las dependencias de 'pip install filmoteca' (servir, construir, informe): el Dockerfile.",
    ),
    "requirements-slim.lock": (
        ["--group", "pyproject.toml:serve"],
        "Lo mínimo para servir un catálogo ya construido (imagen Docker; instalación ligera).",
    ),
    "requirements-build.lock": (
        ["--group", "pyproject.toml:build"],
        "El backend de construcción del paquete (hatchling), para construir la rueda sin red.",
    ),
}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.MULTILINE)


def compile_lock(sources: list[str], output: Path, constraints: Path | None) -> None:
    """One `uv pip compile` run writing `output` (without uv's header)."""
    command = [str(Path(sys.executable).parent / "uv"), "pip", "compile", *sources]
    command += ["--generate-hashes", "--python-version", PYTHON, "--no-header", "--quiet"]
    command += ["--annotation-style", "line", "--output-file", str(output)]
    if constraints is not None:
        command += ["--constraint", str(constraints)]
    subprocess.run(command, check=True, cwd=ROOT)


def main() -> None:
    """Resolve the full lock, then the others constrained by it; write all four."""
    with tempfile.TemporaryDirectory() as tmp:
        pins = Path(tmp) / "pins.txt"
        for index, (name, (sources, header)) in enumerate(LOCKS.items()):
            output = Path(tmp) / name
            compile_lock(sources, output, pins if index else None)
            body = re.sub(r",? -c \S+", "", output.read_text(encoding="utf-8"))
            body = re.sub(r"\n *# via *(?=\n)", "", body)  # only the constraint file's
            if not index:
                pins.write_text(
                    "\n".join(f"{n}=={v}" for n, v in PIN.findall(body)) + "\n", "utf-8"
                )
            text = f"# {header}\n# Generado con 'make lock' (scripts/lock.py); no editar a mano.\n"
            (ROOT / name).write_text(text + body, encoding="utf-8")
            print(f"{name}: {len(PIN.findall(body))} paquetes", file=sys.stderr)


if __name__ == "__main__":
    main()
